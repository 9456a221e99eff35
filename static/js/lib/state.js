// The whole page state lives in the URL, declared once as a table of properties (name, type, default),
// in the manner of TensorFlow Playground's state.ts. A missing or bad value falls back to its default,
// so any link opens a working page, and a copied link reopens exactly the same view and run, in the
// language it was shared in (the server reads ?lang=; every URL written here carries it).
import { language } from "./messages.js";

const SAFE = { "%2C": ",", "%3A": ":", "%3B": ";", "%28": "(", "%29": ")", "%5B": "[", "%5D": "]", "%40": "@" };

function encode(text) {
  return encodeURIComponent(text).replace(/%2C|%3A|%3B|%28|%29|%5B|%5D|%40/g, (m) => SAFE[m]);
}

function finite(text) {
  if (typeof text !== "string" || text.trim() === "") return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Parsers and formatters by type name; parse returns undefined for a bad value. */
export const TYPES = {
  string: { parse: (s) => s, format: (v) => v },
  number: { parse: finite, format: (v) => String(v) },
  int: {
    parse: (s) => {
      const v = finite(s);
      return v !== undefined && Number.isInteger(v) ? v : undefined;
    },
    format: (v) => String(v),
  },
  bool: {
    parse: (s) => ({ 1: true, true: true, 0: false, false: false })[s],
    format: (v) => (v ? "1" : "0"),
  },
  numbers: {
    parse: (s) => {
      const parts = s.split(",").map(finite);
      return parts.length && parts.every((v) => v !== undefined) ? parts : undefined;
    },
    format: (v) => v.join(","),
  },
};

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A declared URL state. Each property is {name, type, default, valid?(value), codec?, always?}:
 * `type` names one of TYPES, or `codec` gives {parse, format} for a structured value; `always`
 * writes the value whenever it differs from its own default, even when it equals the base.
 */
export class UrlState {
  constructor(properties, { throttleMs = 400 } = {}) {
    this.properties = properties;
    this.throttleMs = throttleMs;
    this.pending = null;
    this.timer = null;
    this.lastWrite = 0;
    this.held = false; // true while the address must stay as it is (a page following a lecture: ?room=CODE)
    this.onWrite = () => {}; // told of every change of the state (a lecturer's room relays it)
  }

  codec(property) {
    return property.codec ?? TYPES[property.type];
  }

  defaults() {
    const values = {};
    for (const p of this.properties) values[p.name] = typeof p.default === "function" ? p.default() : p.default;
    return values;
  }

  /**
   * Values from a query string on top of `base` (the defaults, or a scene's settings); anything
   * invalid keeps the base value.
   */
  read(search = window.location.search, base = this.defaults()) {
    const params = new URLSearchParams(search);
    const values = structuredClone(base);
    for (const p of this.properties) {
      if (!params.has(p.name)) continue;
      const parsed = this.codec(p).parse(params.get(p.name));
      if (parsed !== undefined && (!p.valid || p.valid(parsed))) values[p.name] = parsed;
    }
    return values;
  }

  /** The query string for `values`, leaving out what equals `base` so links stay short. */
  query(values, base = this.defaults()) {
    const parts = [];
    for (const p of this.properties) {
      const value = values[p.name];
      if (value === null || value === undefined) continue;
      const shown = p.always ? !same(value, p.default) : !same(value, base[p.name]);
      if (!shown) continue;
      parts.push(`${p.name}=${encode(this.codec(p).format(value))}`);
    }
    parts.push(`lang=${encode(language())}`);
    return `?${parts.join("&")}`;
  }

  /** Put `values` in the address bar (replaceState, throttled: browsers limit how often it may be called). */
  write(values, base = this.defaults()) {
    this.onWrite(values);
    if (this.held) return;
    this.pending = this.query(values, base);
    const wait = this.lastWrite + this.throttleMs - performance.now();
    if (wait <= 0) return this.flush();
    if (!this.timer) this.timer = setTimeout(() => this.flush(), wait);
  }

  flush() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.pending === null) return;
    const url = `${window.location.pathname}${this.pending}${window.location.hash}`;
    this.pending = null;
    this.lastWrite = performance.now();
    if (url !== `${window.location.pathname}${window.location.search}${window.location.hash}`) {
      window.history.replaceState(null, "", url);
    }
  }
}
