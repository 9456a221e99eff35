// What a page knows about its race: each run's frames so far, the cursor, statuses and configs.
// Server messages update this model; the page redraws once per animation frame at most.
import { LiveClient } from "./live.js";
import { sayOr } from "./sentence.js";

// Steps asked for at a time when opening a link at step N. The server keeps at most 256 unsent frames
// per run and drops a bigger batch whole, so ask for less, and only after the previous chunk arrived.
const STEP_CHUNK = 200;

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
    this.histories = []; // histories[run][step] = frame
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

  started(message, { rebuilt }) {
    this.configs = message.runs;
    this.functionInfo = message.function;
    this.optimizerNames = message.optimizers;
    const count = message.runs.length;
    const fresh = !rebuilt && (this.expectFresh || this.histories.length !== count);
    this.expectFresh = false;
    if (fresh) {
      this.histories = Array.from({ length: count }, () => []);
      this.cursor = 0; // a new race starts at step 0 (the server sends frame 0, no `cursor`)
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
    if (frame.step < history.length) {
      if (history[frame.step]?.params?.join() !== frame.params?.join()) {
        history.length = frame.step; // a different path from here (an update branched the run)
        this.generation += 1;
      } else {
        history[frame.step] = frame;
        return;
      }
    }
    // Fill any gap (a seek jumps ahead without sending the frames in between) so indices stay steps.
    while (history.length < frame.step) history.push(null);
    history.push(frame);
    if (moveCursor && frame.type === "frame") this.setCursor(Math.max(this.cursor, frame.step));
  }

  cut(step) {
    for (const history of this.histories) {
      if (history.length > step + 1) {
        history.length = step + 1;
        this.generation += 1;
      }
    }
    this.setCursor(step, true);
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
