// What a page knows about its race: each run's frames so far, the cursor, statuses and configs.
// Server messages update this model; the page redraws once per animation frame at most.
import { LiveClient } from "./live.js";
import { sayOr } from "./sentence.js";

// Steps asked for at a time when opening a link at step N. The server keeps at most 256 unsent frames
// per run and drops a bigger batch whole, so ask for less, and only after the previous chunk arrived.
const STEP_CHUNK = 200;

/** The same frame (a check that a kept frame is still the server's): same step, parameters and loss. */
function sameFrame(a, b) {
  return Boolean(a) && a.step === b.step && a.loss === b.loss && a.params?.join() === b.params?.join();
}

export class Session {
  /**
   * onRender(session) draws the current state; onStarted(started, {rebuilt}) sees new configs;
   * onError(text) shows the server's sentence; onConnection(state) reports the socket.
   */
  constructor({
    onRender,
    onStarted = () => {},
    onError = () => {},
    onNotice = () => {},
    onConnection = () => {},
    onCursor = () => {},
  }) {
    this.onRender = onRender;
    this.onStarted = onStarted;
    this.onError = onError;
    this.onNotice = onNotice;
    this.onCursor = onCursor;
    this.histories = []; // histories[run][step] = frame, up to the cursor
    // Frames the server sent beyond the cursor before a seek back: a run is fixed by its config, so they are still
    // its frames, and a seek forward over them fills the trail from here instead of leaving a gap.
    this.ahead = []; // ahead[run][step] = frame
    this.endings = []; // endings[run] = {status, step, message}: where a run stopped, kept while the cursor is before it
    this.unstashed = new Set(); // runs whose next cut drops what it cuts (their config just changed)
    this.statuses = []; // statuses[run] = {status, message (in the page's language), english, key, args}
    this.configs = [];
    this.functionInfo = null;
    this.optimizerNames = [];
    this.cursor = 0;
    this.playing = false;
    this.generation = 0; // bumps whenever history is cut or replaced, so views know to redraw from scratch
    this.target = 0; // a step to reach after start (a shared link), filled chunk by chunk
    this.chunkEnd = 0;
    this.scheduled = false;
    this.client = new LiveClient({ onMessage: (m, meta) => this.receive(m, meta), onConnection });
  }

  connect() {
    this.client.connect();
  }

  // ----- commands -----

  /** Start a race; when `targetStep` > 0, step there so the whole trail is drawn (a shared link). */
  start(runs, { maxSteps = 1000, targetStep = 0 } = {}) {
    this.target = targetStep;
    this.expectFresh = true;
    this.client.start(runs, { max_steps: maxSteps });
  }

  play(fps, skip) {
    this.client.play(fps, skip);
  }

  pause() {
    this.client.pause();
  }

  toggle(fps, skip) {
    if (this.playing) this.pause();
    else this.play(fps, skip);
  }

  step(n = 1) {
    this.client.step(n);
  }

  back(n = 1) {
    this.client.back(n);
  }

  reset() {
    this.client.reset();
  }

  seek(step) {
    this.client.seek(step);
  }

  update(fields) {
    this.client.update(fields);
  }

  // ----- reading -----

  /** The frame of `run` shown at the cursor (a run that ended early shows its last frame). */
  current(run) {
    const history = this.histories[run] ?? [];
    return history[Math.min(this.cursor, history.length - 1)] ?? null;
  }

  /** Frames of `run` up to the cursor. */
  trail(run) {
    return (this.histories[run] ?? []).slice(0, this.cursor + 1);
  }

  /** True when `run` ended converged or stalled and the cursor shows its last frame: it steps no more. */
  restsAt(run) {
    const status = this.statuses[run]?.status;
    if (status !== "converged" && status !== "stalled") return false;
    return this.cursor >= (this.histories[run]?.length ?? 0) - 1;
  }

  get ended() {
    return this.statuses.length > 0 && this.statuses.every((s) => s.status !== "running");
  }

  // ----- messages -----

  receive(message, meta) {
    switch (message.type) {
      case "started":
        this.started(message, meta);
        break;
      case "frame":
        this.addFrame(message);
        break;
      case "frames":
        // One batch moves the cursor once, to its end (not through every step in it).
        for (const frame of message.frames) this.addFrame(frame, { moveCursor: false });
        this.setCursor(Math.max(this.cursor, message.step));
        if (this.target && this.cursor >= this.chunkEnd) this.fillNext();
        break;
      case "cursor":
        this.cut(message.step);
        break;
      case "status":
        this.remember(message);
        this.statuses[message.run] = {
          status: message.status,
          message: sayOr(message.message_key, message.message_args, message.message),
          english: message.message,
          key: message.message_key ?? null,
          args: message.message_args ?? null,
        };
        if (this.target && this.ended) this.endReplay(); // every run has stopped short of the target
        break;
      case "playback":
        this.playing = message.playing;
        break;
      case "error":
        this.onError(message.message);
        break;
      case "notice": // something to show that is not an error, e.g. the server playing slower than asked
        this.onNotice(sayOr(message.key, message.values, message.message));
        break;
      case "stopped":
        this.playing = false;
        break;
      default:
        return;
    }
    this.schedule();
  }

  /** Where a run stopped (converged, stalled, diverged, at its step limit): its last frame, and why. */
  remember(message) {
    if (message.status === "running") return;
    const history = this.histories[message.run] ?? [];
    this.endings[message.run] = {
      status: message.status,
      step: history.length - 1,
      message: sayOr(message.message_key, message.message_args, message.message),
    };
  }

  started(message, { rebuilt }) {
    if (!rebuilt) this.forgetChanged(message.runs);
    this.configs = message.runs;
    this.functionInfo = message.function;
    this.optimizerNames = message.optimizers;
    const count = message.runs.length;
    const fresh = !rebuilt && (this.expectFresh || this.histories.length !== count);
    this.expectFresh = false;
    if (fresh) {
      this.histories = Array.from({ length: count }, () => []);
      this.setCursor(0, true); // a new race starts at step 0 (its frame 0 follows), wherever the last one stood
    }
    if (!rebuilt) {
      this.statuses = Array.from({ length: count }, () => ({ status: "running", message: "" }));
      this.generation += 1;
    }
    this.playing = false;
    this.onStarted(message, { rebuilt, fresh });
    // A fresh start answers with frame 0; step to the target a chunk at a time, drawing every frame.
    if (fresh && this.target > 0) this.fillNext();
    else if (!rebuilt) this.endReplay();
  }

  /** Step towards the target a chunk at a time, so that every frame of the trail is drawn. */
  fillNext() {
    if (this.target <= this.cursor || this.ended) {
      this.endReplay();
      return;
    }
    const n = Math.min(STEP_CHUNK, this.target - this.cursor);
    this.chunkEnd = this.cursor + n;
    this.client.step(n);
  }

  /**
   * True while a shared link is being replayed towards its step. The cursor passes through every
   * chunk on the way; those intermediate steps are not where the user is (nor what a copied link
   * should say), so onCursor is not told about them until the replay ends.
   */
  get replaying() {
    return this.target > 0;
  }

  endReplay() {
    if (!this.target) return;
    this.target = 0;
    this.onCursor(this.cursor);
  }

  addFrame(frame, { moveCursor = true } = {}) {
    const history = this.histories[frame.run];
    if (!history) return;
    this.unstashed.clear(); // the server speaks of the new configs from here on
    if (frame.step < history.length) {
      if (history[frame.step]?.params?.join() !== frame.params?.join()) {
        history.length = frame.step; // a different path from here (an update branched the run)
        this.ahead[frame.run] = [];
        this.generation += 1;
      } else {
        history[frame.step] = frame;
        return;
      }
    }
    // A seek jumps ahead without sending the frames in between: take them from what was sent before (when the
    // server's frame at the target is the one kept there), else leave gaps, so indices stay steps.
    const ahead = this.ahead[frame.run] ?? [];
    if (ahead.length > frame.step && !sameFrame(ahead[frame.step], frame)) ahead.length = 0;
    while (history.length < frame.step) history.push(ahead[history.length] ?? null);
    history.push(frame);
    if (moveCursor && frame.type === "frame") this.setCursor(Math.max(this.cursor, frame.step));
  }

  cut(step) {
    this.histories.forEach((history, run) => {
      if (history.length > step + 1) {
        if (!this.unstashed.has(run)) this.stash(run, history);
        history.length = step + 1;
        this.generation += 1;
      }
    });
    this.setCursor(step, true);
  }

  /** Keep the frames a seek back cuts off (and any kept beyond them). */
  stash(run, history) {
    const ahead = this.ahead[run] ?? [];
    const kept = history.length >= ahead.length ? history.slice() : [...history, ...ahead.slice(history.length)];
    this.ahead[run] = kept;
  }

  /**
   * A new start forgets everything; an update (a branch, a new start point) forgets only the runs whose config
   * changed: the others' frames beyond the cursor and where they stopped are still theirs.
   */
  forgetChanged(configs) {
    const fresh = this.expectFresh || configs.length !== this.configs.length;
    configs.forEach((config, run) => {
      if (fresh || JSON.stringify(config) !== JSON.stringify(this.configs[run])) {
        this.ahead[run] = [];
        this.endings[run] = null;
        this.unstashed.add(run);
      }
    });
    this.ahead.length = configs.length;
    this.endings.length = configs.length;
  }

  /** The furthest step the server has computed for this race (what the timeline can seek over). */
  get lastComputed() {
    let last = this.cursor;
    this.histories.forEach((history, run) => {
      last = Math.max(last, history.length - 1, (this.ahead[run]?.length ?? 0) - 1);
    });
    return last;
  }

  /** True once every run's end is known (even with the cursor back before it): nothing lies past lastComputed. */
  get finished() {
    return this.configs.length > 0 && this.configs.every((_, run) => Boolean(this.endings[run]));
  }

  /** The most steps any run may take (its config's max_steps). */
  get maxSteps() {
    return Math.max(0, ...this.configs.map((config) => config.max_steps ?? 0));
  }

  setCursor(step, force = false) {
    if (step === this.cursor && !force) return;
    this.cursor = step;
    if (!this.replaying) this.onCursor(step);
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.onRender(this);
    });
  }
}
