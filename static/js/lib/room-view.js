// The page state as an object, for a room's `view` messages: the same state the URL holds (lib/state.js),
// plus which page and which language. A lecturer's page sends it; a follower's page applies it to itself.
import { setPresenter } from "./chrome.js";
import { language } from "./messages.js";
import { showScene } from "./scene-list.js";

// The cursor travels as frames; the runs and start as `started` (the server's configs are the truth).
const NOT_IN_VIEW = new Set(["step", "runs", "start"]);

/** The lecturer's view: {page: "/2d", lang, presenter, scene, fn, view, fog, ...}. */
export function viewOf(page) {
  const view = { page: window.location.pathname, lang: language() };
  for (const p of page.url.properties) {
    if (!NOT_IN_VIEW.has(p.name) && page.state[p.name] !== undefined) view[p.name] = page.state[p.name];
  }
  return view;
}

/** A signature that ignores what does not change the picture, so a follower is told only of changes. */
export function viewSignature(view) {
  return JSON.stringify(view);
}

/** Where a follower must go for `view`, when it is another page or language; null when this page shows it. */
export function elsewhere(view, code) {
  const pages = ["/1d", "/2d", "/network"];
  const target = pages.includes(view.page) ? view.page : window.location.pathname;
  const lang = typeof view.lang === "string" && /^[a-zA-Z-]{2,8}$/.test(view.lang) ? view.lang : language();
  if (target === window.location.pathname && lang === language()) return null;
  return `${target}?room=${code}&lang=${encodeURIComponent(lang)}`;
}

/** The view's values this page declares and accepts (a bad or foreign value keeps the page's own). */
function acceptedValues(page, view) {
  const values = {};
  for (const p of page.url.properties) {
    if (NOT_IN_VIEW.has(p.name) || !(p.name in view)) continue;
    const value = view[p.name];
    const expected = typeof (typeof p.default === "function" ? p.default() : p.default);
    if (expected !== "object" && typeof value !== expected) continue;
    if (p.valid && !p.valid(value)) continue;
    values[p.name] = value;
  }
  return values;
}

/** Show the lecturer's view on this page (the same page, in the same language). */
export async function applyView(page, view) {
  const values = acceptedValues(page, view);
  const before = page.state;
  const functionChanged = ("fn" in values && values.fn !== before.fn) || ("expr" in values && values.expr !== before.expr);
  const presenterChanged = "presenter" in values && values.presenter !== before.presenter;
  Object.assign(page.state, values);
  setPresenter(Boolean(page.state.presenter));
  if (page.transport && "speed" in values) {
    page.transport.speed = values.speed;
    page.transport.select.value = String(values.speed);
  }
  if (page.views) {
    // /1d and /2d (lib/race-page.js)
    if (functionChanged) {
      if (page.state.expr) {
        try {
          page.custom = await page.formulaInfo(page.state.expr);
        } catch {
          page.state.expr = "";
        }
      }
      page.showFunction();
      await page.views.setFunction(page.functionInfo(), page.state);
    }
    page.showScene();
    page.views.applyState?.(page.state);
    if (presenterChanged) page.views.relayout();
  } else {
    // /network
    page.syncControls?.();
    showScene(page.state.scene, document.getElementById("caption"));
  }
  page.render();
}
