// The message catalogue: every sentence a user reads comes from here, looked up by key.
// The server puts the catalogue for the page's language in <script id="messages" type="application/json">
// and the language itself in <html lang>. Plurals use the ICU subset the server uses too:
// "{n, plural, one {# step} few {# steps} other {# steps}}", chosen by Intl.PluralRules for the language.
// A number's placeholder may name its precision, "{slope:.3g}": that many significant digits through format.js
// num(), in the page's language; a list of numbers is written item by item, joined by "text.list_separator".
import { num } from "./format.js";

const catalogue = readCatalogue();
const plurals = new Intl.PluralRules(language());
const PLURAL = /\{(\w+), plural,((?:\s*(?:=\d+|zero|one|two|few|many|other)\s*\{[^{}]*\})+)\s*\}/g;
const BRANCH = /(=\d+|zero|one|two|few|many|other)\s*\{([^{}]*)\}/g;
const PLACEHOLDER = /\{(\w+)(?::\.?(\d*)g)?\}/g;

function readCatalogue() {
  const block = document.getElementById("messages");
  try {
    return block ? JSON.parse(block.textContent) : {};
  } catch {
    return {};
  }
}

/** The page's language (a BCP 47 tag such as "pl" or "zh-TW"): for Intl formatting. */
export function language() {
  return document.documentElement.lang || "en"; // read when asked: format.js calls this before this module has run
}

function choosePlural(whole, name, body, values) {
  if (!(name in values)) return whole;
  const raw = values[name];
  const n = typeof raw === "number" ? raw : Number(String(raw).replace(",", ".").replace("−", "-"));
  const branches = {};
  for (const [, key, text] of body.matchAll(BRANCH)) branches[key] = text;
  const chosen = branches[`=${n}`] ?? branches[plurals.select(Math.abs(n))] ?? branches.other;
  return chosen.replaceAll("#", String(raw));
}

/** The sentence for `key`, with `{name}` placeholders and plural choices filled from `values`; the key if missing. */
export function t(key, values = {}) {
  const text = catalogue[key];
  if (text === undefined) {
    console.warn(`Hillside: no message for "${key}"`);
    return key;
  }
  return text
    .replace(PLURAL, (whole, name, body) => choosePlural(whole, name, body, values))
    .replace(PLACEHOLDER, (whole, name, digits) => (name in values ? written(values[name], digits) : whole));
}

/** One value as text: a number with a precision through num(), a list item by item, anything else as it is. */
function written(value, digits) {
  if (Array.isArray(value)) return value.map((v) => written(v, digits)).join(catalogue["text.list_separator"] ?? ", ");
  if (digits !== undefined && (value === null || typeof value === "number")) return num(value, digits ? Number(digits) : 6);
  return String(value);
}

/** True when the catalogue has `key` (for optional, per-id texts such as a function's teaching note). */
export function has(key) {
  return key in catalogue;
}

/** Fill every element carrying data-t="key" (used for text built after the page loaded). */
export function translateTree(root) {
  for (const el of root.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
}
