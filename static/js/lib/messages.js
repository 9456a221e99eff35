// The message catalogue: every sentence a user reads comes from here, looked up by key.
// The server puts the catalogue for the page's language in <script id="messages" type="application/json">.

const catalogue = readCatalogue();

function readCatalogue() {
  const block = document.getElementById("messages");
  try {
    return block ? JSON.parse(block.textContent) : {};
  } catch {
    return {};
  }
}

/** The sentence for `key`, with `{name}` placeholders filled from `values`; the key itself if missing. */
export function t(key, values = {}) {
  const text = catalogue[key];
  if (text === undefined) {
    console.warn(`Hillside: no message for "${key}"`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** True when the catalogue has `key` (for optional, per-id texts such as a function's teaching note). */
export function has(key) {
  return key in catalogue;
}

/** Fill every element carrying data-t="key" (used for text built after the page loaded). */
export function translateTree(root) {
  for (const el of root.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
}
