// A page in a room (docs/websocket.md, "Rooms"). The lecturer's page shares its session: the same /ws
// protocol over /ws/rooms/{code}?token=..., plus `view` messages whenever the page state changes. A follower's
// page connects to /ws/rooms/{code}, shows the lecturer's view and draws the lecturer's frames with its own
// session, exactly as its own; "Explore on my own" turns it into a private copy on /ws, "Back to the lecture"
// rejoins. A follower's own commands never reach the room: they are dropped here with a hint (see `sending`).
import { showToast } from "./chrome.js";
import { has, t } from "./messages.js";
import { LecturerPanel } from "./room-panel.js";
import { FollowerBar } from "./room-follower.js";
import {
  createRoom,
  endRoom,
  followedCode,
  followerSocket,
  lecturerSocket,
  plainSocket,
  roomInfo,
  storedRoom,
  storeRoom,
} from "./room-link.js";
import { applyView, elsewhere, viewOf, viewSignature } from "./room-view.js";
import { specOf } from "./run-text.js";

const VIEW_EVERY_MS = 150; // a view at most this often (a slider dragged sends many changes)
const PING_EVERY_MS = 2000;
const PONG_GIVEN_UP_MS = 10000;
const LAG_SHOWN_EVERY_MS = 500; // the bar's lag is rewritten at most this often (30 frames a second arrive)
const HINT_EVERY_MS = 4000;
const FOLLOWER_MAY_SEND = new Set(["answer", "ping"]);

/** A run of `started` as a `start` can take it again: a network takes numbers only as hyperparameters. */
function rebuildable(config) {
  const spec = specOf(config);
  if (!spec.network) return spec;
  const numbers = Object.entries(spec.hyperparameters ?? {}).filter(([, value]) => typeof value === "number");
  return { ...spec, hyperparameters: Object.fromEntries(numbers) };
}

/** This page's wall clock in ms, as precise as the browser gives it. */
function wallNow() {
  return performance.timeOrigin + performance.now();
}

/**
 * The server's clock as seen from this page, learnt from pings (NTP's idea in small): a pong stamped `at` by the
 * server, answering a ping sent at `sent` and received at `received` (this page's clock), says the server's
 * clock is ahead by `at - (sent + received) / 2`, give or take half the round trip. The ping with the shortest
 * round trip of the last few is the best estimate.
 */
export class ServerClock {
  constructor(keep = 8) {
    this.keep = keep;
    this.samples = [];
  }

  sample(sent, received, at) {
    const roundTrip = received - sent;
    if (!(roundTrip >= 0)) return;
    this.samples.push({ roundTrip, offset: at - (sent + received) / 2 });
    if (this.samples.length > this.keep) this.samples.shift();
  }

  /** The offset (server minus page, ms) from the ping with the shortest round trip, or null before any pong. */
  get offset() {
    if (!this.samples.length) return null;
    return this.samples.reduce((best, s) => (s.roundTrip < best.roundTrip ? s : best)).offset;
  }

  /** Milliseconds from the server's `serverTime` to this page's `now`, or null before any pong. */
  since(serverTime, now) {
    const offset = this.offset;
    return offset === null ? null : now + offset - serverTime;
  }
}

/** Put `page` in its room, if it has one; call before the page connects its session. */
export function installRoom(page) {
  const room = new Room(page);
  room.install();
  return room;
}

class Room {
  constructor(page) {
    this.page = page;
    this.session = page.session;
    this.client = page.session.client;
    this.mode = "none"; // "lecturer" | "follower" | "explorer" (a follower exploring on its own) | "none"
    this.room = null; // the lecturer's {code, token, url, qr}
    this.code = null;
    this.followers = 0;
    this.lecturerConnected = true;
    this.question = null; // the open question (the follower prompt, the lecturer panel)
    this.answers = null; // the lecturer's last `answers`
    this.raceLabels = null; // each runner's label while a class race is shown
    this.lastStarted = null;
    this.pendingFresh = false;
    this.viewTimer = null;
    this.sentView = "";
    this.applying = Promise.resolve();
    this.lag = null; // ms from the server sending a step to the lecturer to this page receiving it
    this.clock = new ServerClock();
    this.lagShown = 0;
    this.unmeasured = null; // the stamp and arrival of a step that came before the first pong
  }

  get follows() {
    return this.mode === "follower";
  }

  install() {
    this.passOn = this.client.onMessage;
    this.client.onMessage = (message, meta) => this.received(message, meta);
    const send = this.client.send.bind(this.client);
    this.client.send = (message) => this.sending(message, send);
    this.page.url.onWrite = () => this.viewChanged();
    this.panel = new LecturerPanel(this);
    this.bar = new FollowerBar(this);
    const code = followedCode();
    if (code) {
      this.follow(code);
      this.panel.render();
      return;
    }
    const stored = storedRoom();
    if (stored) {
      this.lead(stored);
      // A reload after the room ended (the idle time, another tab ended it): back to a page of one's own.
      roomInfo(stored.code).catch((error) => {
        if (error.status === 404) this.roomEnded(t("lecture.ended", { code: stored.code }));
      });
    }
    this.panel.render();
  }

  // ----- the socket -----

  /** Point the session at another websocket; before the page's first connect only the address changes. */
  switchSocket(url) {
    const old = this.client.socket;
    this.client.url = url;
    if (!old) return;
    this.client.connect();
    old.close();
  }

  // ----- lecturer -----

  async share() {
    if (this.mode === "lecturer") {
      this.panel.toggle();
      return;
    }
    let room;
    try {
      room = await createRoom();
    } catch (error) {
      showToast(t("lecture.share_failed", { detail: error.message }), { error: true, ms: 10000 });
      return;
    }
    this.lead(room);
    this.panel.open();
  }

  lead(room) {
    this.room = room;
    this.code = room.code;
    this.mode = "lecturer";
    storeRoom(room);
    // The new connection knows nothing of us: LiveClient re-sends `start` and seeks back (lib/live.js).
    this.switchSocket(lecturerSocket(room));
    this.sentView = "";
    this.viewChanged();
    this.panel.show();
  }

  async end() {
    const room = this.room;
    if (!room) return;
    try {
      await endRoom(room);
    } catch (error) {
      showToast(error.message, { error: true });
      return;
    }
    this.roomEnded(t("lecture.ended", { code: room.code }));
  }

  /** The lecturer's room is gone: keep the page and its race, on an ordinary connection. */
  roomEnded(text) {
    if (this.mode !== "lecturer") return; // told twice: by the DELETE's answer and by `room_closed`
    storeRoom(null);
    this.room = null;
    this.mode = "none";
    this.question = null;
    this.answers = null;
    this.raceLabels = null;
    this.switchSocket(plainSocket());
    this.panel.hide();
    showToast(text, { ms: 8000 });
  }

  /** The page state changed (it wrote its URL): tell the room, at most every VIEW_EVERY_MS. */
  viewChanged() {
    if (this.mode !== "lecturer" || this.viewTimer) return;
    this.viewTimer = setTimeout(() => this.sendView(), VIEW_EVERY_MS);
  }

  sendView() {
    clearTimeout(this.viewTimer);
    this.viewTimer = null;
    if (this.mode !== "lecturer") return;
    const state = viewOf(this.page);
    const signature = viewSignature(state);
    if (signature === this.sentView) return;
    this.sentView = signature;
    this.client.send({ type: "view", state });
  }

  ask(kind) {
    const run = this.page.runSpecs()[0];
    this.client.send({ type: "question", kind, run });
    this.question = { kind, open: true, lambda_max: null };
    this.answers = null;
    this.panel.render();
  }

  closeQuestion() {
    this.client.send({ type: "question_close" });
    if (this.question) this.question = { ...this.question, open: false };
    this.panel.render();
  }

  clearQuestion() {
    this.client.send({ type: "question_clear" });
    this.question = null;
    this.answers = null;
    this.panel.render();
  }

  race() {
    this.session.expectFresh = true;
    this.awaitingRace = true;
    this.client.send({ type: "race", max_steps: this.page.state.limit ?? 1000 });
  }

  /** A class race's `started`: label its runners, and rebuild this race (not the one before) after a reconnect. */
  raceStarted(message) {
    this.awaitingRace = false;
    this.client.startMessage = { type: "start", runs: message.runs.map(rebuildable), batch: true, max_steps: message.runs[0]?.max_steps };
  }

  // ----- follower -----

  follow(code) {
    this.code = code;
    this.mode = "follower";
    this.page.url.held = true; // the address stays ?room=CODE: a reload follows again
    this.page.url.pending = null;
    this.client.startMessage = null; // nothing of ours to rebuild: the room sends its present
    this.client.playing = false;
    this.pendingFresh = false;
    this.pingSent = null;
    this.lag = null;
    this.switchSocket(followerSocket(code));
    this.bar.show();
    clearInterval(this.pinger);
    this.pinger = setInterval(() => this.ping(), PING_EVERY_MS);
    this.ping();
  }

  ping() {
    if (this.mode !== "follower" || !this.client.isOpen) return;
    if (this.pingSent && wallNow() - this.pingSent < PONG_GIVEN_UP_MS) return; // one ping in flight: its pong is known
    this.pingSent = wallNow();
    this.client.send({ type: "ping" });
  }

  /** A private copy of what the lecture shows, on /ws, as a shared link would give. */
  explore() {
    if (this.mode !== "follower") return;
    clearInterval(this.pinger);
    this.mode = "explorer";
    this.raceLabels = null;
    this.bar.show();
    const started = this.lastStarted;
    const cursor = this.session.cursor;
    this.page.url.held = false;
    this.switchSocket(plainSocket());
    if (started) {
      const limit = started.runs[0]?.max_steps ?? this.page.state.limit;
      this.session.start(started.runs.map(specOf), { maxSteps: limit, targetStep: cursor });
    } else {
      this.page.startRace(); // the room showed nothing yet (it was not live): the page's own race
    }
    this.page.writeUrl();
  }

  /** Rejoin the lecture: the room sends its present (view, runs, frames to its cursor). */
  rejoin() {
    const url = new URL(window.location.href);
    url.search = `?room=${this.code}&lang=${encodeURIComponent(document.documentElement.lang || "en")}`;
    window.history.replaceState(null, "", url);
    this.session.target = 0;
    this.follow(this.code);
  }

  /** Everything a follower's page would send: only answers and pings reach the room. */
  sending(message, send) {
    if (this.mode !== "follower" || FOLLOWER_MAY_SEND.has(message.type)) return send(message);
    if (message.type === "update" && message.start && this.question?.kind === "start") {
      this.bar.pickStart(message.start); // a click on the map answers the question
      return undefined;
    }
    if (message.type === "start") {
      // A scene key (PageDown) changed this page's own state: nothing of it may be re-sent, and the view is the lecture's.
      this.client.startMessage = null;
      this.session.target = 0;
      if (this.lastView) this.showView(this.lastView);
      if (this.lastStarted) this.page.started(this.lastStarted, { rebuilt: true, fresh: false });
    }
    if (!this.hintShown || performance.now() - this.hintShown > HINT_EVERY_MS) {
      this.hintShown = performance.now();
      showToast(t("lecture.follower_hint"), { ms: 5000 });
    }
    return undefined;
  }

  answer(value, name) {
    const message = { type: "answer", value };
    if (name) message.name = name;
    this.client.send(message);
  }

  // ----- messages -----

  received(message, meta) {
    switch (message.type) {
      case "room":
        this.followers = message.followers ?? 0;
        this.lecturerConnected = message.lecturer_connected !== false;
        this.panel.render();
        this.bar.render();
        return;
      case "view":
        if (this.mode === "follower" && message.state) this.showView(message.state);
        return;
      case "question":
        this.question = message;
        this.bar.render();
        return;
      case "question_closed":
        if (this.question) this.question = message.cleared ? null : { ...this.question, open: false };
        this.bar.render();
        return;
      case "race":
        // The next `started` is the class race: runner i wears labels[i] (null: the page's own label).
        this.pendingRaceLabels = Array.isArray(message.labels) ? message.labels : null;
        return;
      case "answer_taken":
        this.bar.taken(message);
        return;
      case "answers":
        this.answers = message;
        this.question = { kind: message.kind, open: message.open, lambda_max: message.lambda_max };
        this.panel.render();
        return;
      case "pong":
        if (this.pingSent && typeof message.at === "number") this.clock.sample(this.pingSent, wallNow(), message.at);
        this.pingSent = null;
        // A step that arrived before the first pong is measured now, at the moment it arrived.
        if (this.unmeasured) this.measureLag(this.unmeasured.sentAt, this.unmeasured.receivedAt);
        return;
      case "room_closed":
        this.closed(message);
        return;
      case "error":
        // A room's refusals carry a catalogue key: say them in the page's language.
        if (message.key && has(message.key)) {
          showToast(t(message.key, message.values ?? {}), { error: true });
          return;
        }
        break;
      default:
        break;
    }
    if (this.mode === "follower") this.followerMessage(message);
    if (message.type === "started") {
      this.lastStarted = message;
      let labels = message.runs.map((run) => (typeof run.label === "string" ? run.label : null));
      if (this.pendingRaceLabels?.length === labels.length) labels = this.pendingRaceLabels.map((l) => (typeof l === "string" ? l : null));
      this.pendingRaceLabels = null;
      this.raceLabels = labels.slice(1).some((label) => label !== null) ? labels : null;
      if (this.mode === "lecturer" && this.awaitingRace) this.raceStarted(message);
    }
    this.passOn(message, meta);
    if (message.type === "started" || message.type === "status") this.panel.render();
    if (this.raceLabels) this.scheduleSummary();
  }

  /**
   * A follower never called `start`, so its session cannot tell a new race from an update's branch. The
   * protocol can: a `start` is answered by `started` and frame 0, an `update` by `started` and `cursor`.
   */
  followerMessage(message) {
    if (typeof message.sent_at === "number") this.measureLag(message.sent_at);
    if (message.type === "started") {
      this.pendingFresh = true;
      this.session.expectFresh = false;
    } else if (this.pendingFresh && (message.type === "frame" || message.type === "frames")) {
      this.pendingFresh = false;
      this.session.histories = this.session.histories.map(() => []);
      this.session.cursor = 0;
      this.session.generation += 1;
    } else if (message.type === "cursor") {
      this.pendingFresh = false;
    }
  }

  /** A step the lecturer was sent at `sentAt` (server clock, ms) arrived now: that is how far behind we are. */
  measureLag(sentAt, receivedAt = wallNow()) {
    const lag = this.clock.since(sentAt, receivedAt);
    this.unmeasured = lag === null ? { sentAt, receivedAt } : null; // before any pong: kept for the first one
    if (lag === null) return;
    this.lag = Math.max(0, Math.round(lag));
    const now = performance.now();
    if (now - this.lagShown < LAG_SHOWN_EVERY_MS) return;
    this.lagShown = now;
    this.bar.render();
  }

  showView(state) {
    this.lastView = state;
    const away = elsewhere(state, this.code);
    if (away) {
      window.location.assign(away);
      return;
    }
    this.applying = this.applying.then(() => applyView(this.page, state)).catch(() => {});
  }

  closed(message) {
    const text = message.key && has(message.key) ? t(message.key) : message.message;
    if (this.mode === "lecturer") {
      this.roomEnded(text);
      return;
    }
    if (this.mode === "follower") {
      // The page keeps what it shows and becomes the student's own.
      this.explore();
      this.code = null;
      this.bar.hide();
      this.client.url = plainSocket();
      showToast(text, { ms: 10000 });
    }
  }

  /** Who is lowest changes with every frame of a class race: say it once per animation frame at most. */
  scheduleSummary() {
    if (this.summaryScheduled) return;
    this.summaryScheduled = true;
    requestAnimationFrame(() => {
      this.summaryScheduled = false;
      this.panel.renderSummary();
      this.bar.renderSummary();
    });
  }

  /** Labels for a page's runners: a class race's names, else the page's own. */
  labelRuns(labels) {
    if (!this.raceLabels || this.raceLabels.length < labels.length) return labels;
    // A page that labels only its own runs (the network page: its base run) gets the answers' labels for the rest.
    return this.raceLabels.map((label, i) => label ?? labels[i] ?? "");
  }
}
