// The transport bar: reset, step back, play/pause, step, speed, the step counter and a short status line.
import { copyLink } from "./chrome.js";
import { t } from "./messages.js";

export const SPEEDS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600]; // steps per second

/** Frames per second and steps per frame for a speed in steps per second (the server ticks at most 60 fps). */
export function playbackRate(stepsPerSecond) {
  const fps = Math.min(stepsPerSecond, 60);
  return { fps, skip: Math.max(1, Math.round(stepsPerSecond / fps)) };
}

export class Transport {
  constructor({ session, speed, onSpeed = () => {} }) {
    this.session = session;
    this.speed = SPEEDS.includes(speed) ? speed : 10;
    this.root = document.getElementById("transport");
    this.playButton = this.root.querySelector('[data-action="play"]');
    this.counter = document.getElementById("step-count");
    this.status = document.getElementById("transport-status");
    this.select = document.getElementById("speed");
    for (const value of SPEEDS) {
      const option = new Option(t("transport.speed_value", { n: value }), String(value));
      this.select.append(option);
    }
    this.select.value = String(this.speed);
    this.select.addEventListener("change", () => {
      this.speed = Number(this.select.value);
      onSpeed(this.speed);
      if (this.session.playing) this.play();
    });
    const actions = {
      play: () => this.toggle(),
      step: () => this.step(),
      back: () => this.back(),
      reset: () => this.reset(),
      "copy-link": () => copyLink(),
    };
    for (const [name, act] of Object.entries(actions)) {
      this.root.querySelector(`[data-action="${name}"]`)?.addEventListener("click", act);
    }
  }

  play() {
    const { fps, skip } = playbackRate(this.speed);
    this.session.play(fps, skip);
  }

  toggle() {
    if (this.session.playing) this.session.pause();
    else if (this.session.ended && this.session.cursor > 0) this.flash(t("transport.ended_hint"));
    else this.play();
  }

  step() {
    this.session.step(1);
  }

  back() {
    this.session.back(1);
  }

  reset() {
    this.session.reset();
  }

  flash(text) {
    this.status.textContent = text;
    this.flashUntil = performance.now() + 2500;
  }

  render() {
    const { playing, cursor } = this.session;
    this.playButton.setAttribute("aria-pressed", String(playing));
    this.playButton.classList.toggle("playing", playing);
    this.playButton.title = `${t(playing ? "transport.pause" : "transport.play")} (${t("keys.space")})`;
    this.playButton.querySelector(".play-label").textContent = t(playing ? "transport.pause" : "transport.play");
    this.counter.textContent = String(cursor);
    if (this.flashUntil && performance.now() < this.flashUntil) return;
    let key = "transport.paused";
    if (playing) key = "transport.playing";
    else if (this.session.ended) key = "transport.ended";
    this.status.textContent = t(key);
  }
}
