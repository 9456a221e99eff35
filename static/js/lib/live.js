// The websocket to /ws (docs/websocket.md), with automatic reconnection.
// A session is fully determined by its run configs, so after a dropped connection or a server restart
// the client re-sends `start` (with the `changes` the server reported) and `seek`s back to its step,
// and resumes playback if it was playing.

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 4000;

function socketUrl() {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}/ws`;
}

export class LiveClient {
  /**
   * onMessage(message, {rebuilt}) gets every server message; `rebuilt` is true for the `started`
   * answering a start re-sent after reconnecting (the page keeps what it has drawn).
   * onConnection(state) gets "connecting", "open" or "closed".
   */
  constructor({ onMessage, onConnection = () => {}, url = socketUrl() }) {
    this.url = url;
    this.onMessage = onMessage;
    this.onConnection = onConnection;
    this.socket = null;
    this.retryMs = RETRY_FIRST_MS;
    this.startMessage = null; // what to re-send to rebuild the session
    this.cursor = 0;
    this.playing = false;
    this.playMessage = { type: "play", fps: 30, skip: 1 };
    this.rebuilding = false;
    this.queue = [];
    this.closedByUs = false;
  }

  connect() {
    this.onConnection("connecting");
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => this.opened());
    socket.addEventListener("message", (event) => this.received(event.data));
    socket.addEventListener("close", () => this.closed(socket));
  }

  close() {
    this.closedByUs = true;
    this.socket?.close();
  }

  get isOpen() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  opened() {
    this.retryMs = RETRY_FIRST_MS;
    this.onConnection("open");
    const queued = this.queue;
    this.queue = [];
    if (this.startMessage && !queued.some((m) => m.type === "start")) {
      // A new connection to a server that knows nothing of us: rebuild the session where it stood.
      const { cursor, playing } = this;
      this.rebuilding = true;
      this.raw(this.startMessage);
      if (cursor > 0) this.raw({ type: "seek", step: cursor });
      if (playing) this.raw(this.playMessage);
    }
    for (const message of queued) this.raw(message);
  }

  closed(socket) {
    if (socket !== this.socket) return;
    this.onConnection("closed");
    if (this.closedByUs) return;
    setTimeout(() => this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  received(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    const meta = { rebuilt: false };
    switch (message.type) {
      case "started":
        meta.rebuilt = this.rebuilding;
        this.rebuilding = false;
        this.remember(message);
        break;
      case "cursor":
        this.cursor = message.step;
        break;
      case "frame":
        this.cursor = Math.max(this.cursor, message.step);
        break;
      case "frames":
        this.cursor = Math.max(this.cursor, message.step);
        break;
      case "playback":
        this.playing = message.playing;
        this.cursor = message.step;
        break;
      case "stopped":
        this.startMessage = null;
        break;
      default:
        break;
    }
    this.onMessage(message, meta);
  }

  /** Keep the start message in step with the configs the server reports (updates, branches). */
  remember(started) {
    if (!this.startMessage || started.runs.length !== this.startMessage.runs.length) return;
    this.startMessage = {
      ...this.startMessage,
      runs: this.startMessage.runs.map((mine, i) => {
        const theirs = started.runs[i];
        // A network's page restarts it on every change: its own hyperparameters are the truth (the resolved
        // ones carry adam's amsgrad: false, which a network start refuses as "not a number").
        if (mine.network) return { ...mine, seed: theirs.seed };
        return {
          ...mine,
          hyperparameters: theirs.hyperparameters,
          start: theirs.start,
          seed: theirs.seed,
          changes: theirs.changes ?? [],
        };
      }),
    };
  }

  raw(message) {
    this.socket.send(JSON.stringify(message));
  }

  send(message) {
    if (this.isOpen) this.raw(message);
    else this.queue.push(message);
  }

  // ----- the protocol's commands -----

  start(runs, options = {}) {
    this.startMessage = { type: "start", runs, batch: true, ...options };
    this.cursor = 0;
    this.playing = false;
    this.queue = this.queue.filter((m) => m.type !== "start");
    this.send(this.startMessage);
  }

  play(fps, skip = 1) {
    this.playMessage = { type: "play", fps, skip };
    this.send(this.playMessage);
  }

  pause() {
    this.send({ type: "pause" });
  }

  step(n = 1) {
    this.send({ type: "step", n });
  }

  back(n = 1) {
    this.send({ type: "back", n });
  }

  seek(step) {
    this.send({ type: "seek", step });
  }

  reset() {
    this.send({ type: "reset" });
  }

  update(fields) {
    this.send({ type: "update", ...fields });
  }
}
