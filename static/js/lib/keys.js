// Keyboard and clicker control, the same on every page.
// Space play/pause, Right step, Left step back, R reset, F fullscreen, P presenter mode,
// PageDown/PageUp next/previous scene (what presentation clickers send), Home/End the timeline's first and last
// computed step, ? the list of keys.

import { toggleFullscreen, toggleHelp } from "./chrome.js";

const KEYS = {
  " ": "play",
  ArrowRight: "step",
  ArrowLeft: "back",
  r: "reset",
  R: "reset",
  f: "fullscreen",
  F: "fullscreen",
  p: "presenter",
  P: "presenter",
  PageDown: "nextScene",
  PageUp: "previousScene",
  Home: "first",
  End: "last",
  "?": "help",
};

function typingInto(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !["checkbox", "radio", "button"].includes(target.type);
  return false;
}

/** Call handlers[action]() for each key; keys typed into a field stay with the field. */
export function bindKeys(handlers) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typingInto(event.target)) return;
    const action = KEYS[event.key];
    if (!action || !handlers[action]) return;
    if (document.querySelector("dialog[open]") && action !== "help") return;
    event.preventDefault();
    if (!event.repeat || action === "step" || action === "back") handlers[action]();
  });
  // A focused button would also "click" on Space's keyup: Space already toggled playback.
  document.addEventListener("keyup", (event) => {
    if (event.key === " " && event.target instanceof HTMLButtonElement) event.preventDefault();
  });
}

/** The keys every run page shares: the transport, the timeline, fullscreen, presenter mode, the key list and scenes. */
export function bindPageKeys({ transport, timeline, presenter, goToScene }) {
  bindKeys({
    play: () => transport.toggle(),
    step: () => transport.step(),
    back: () => transport.back(),
    reset: () => transport.reset(),
    fullscreen: toggleFullscreen,
    presenter,
    help: toggleHelp,
    nextScene: () => goToScene(1),
    previousScene: () => goToScene(-1),
    first: () => timeline?.first(),
    last: () => timeline?.last(),
  });
}
