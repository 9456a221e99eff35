// The page around the plots: presenter mode, fullscreen, the keys dialog, the toast and the connection badge.
import { t } from "./messages.js";

export function setPresenter(on) {
  document.documentElement.classList.toggle("presenter", on);
  for (const button of document.querySelectorAll('[data-action="presenter"]')) {
    button.setAttribute("aria-pressed", String(on));
  }
}

export function isPresenter() {
  return document.documentElement.classList.contains("presenter");
}

export function toggleFullscreen() {
  const done = document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen?.();
  done?.catch?.(() => showToast(t("error.fullscreen")));
}

export function toggleHelp() {
  const dialog = document.getElementById("help");
  if (!dialog) return;
  if (dialog.open) dialog.close();
  else dialog.showModal();
}

let toastTimer = null;

/** A short message at the bottom of the screen (errors from the server, "link copied"). */
export function showToast(text, { error = false, ms = 6000 } = {}) {
  const toast = document.getElementById("toast");
  if (!toast) return;
  toast.textContent = text;
  toast.classList.toggle("error", error);
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    toast.hidden = true;
  }, ms);
}

/** Show the websocket's state only when it is not simply working. */
export function showConnection(state) {
  const badge = document.getElementById("connection");
  if (!badge) return;
  badge.hidden = state === "open";
  badge.textContent = t(`connection.${state}`);
  badge.dataset.state = state;
}

/** Wire the top bar's buttons; `onPresenter(on)` lets the page redraw and remember the mode. */
export function wireChrome({ onPresenter = () => {} } = {}) {
  const actions = {
    presenter: () => {
      setPresenter(!isPresenter());
      onPresenter(isPresenter());
    },
    fullscreen: toggleFullscreen,
    help: toggleHelp,
  };
  for (const [name, act] of Object.entries(actions)) {
    for (const button of document.querySelectorAll(`[data-action="${name}"]`)) {
      button.addEventListener("click", act);
    }
  }
  return actions;
}

export async function copyLink() {
  try {
    await navigator.clipboard.writeText(window.location.href);
    showToast(t("toast.link_copied"), { ms: 2500 });
  } catch {
    showToast(t("toast.link_copy_failed", { url: window.location.href }), { ms: 10000 });
  }
}
