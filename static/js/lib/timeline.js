// The timeline under the plots: a track from step 0 to the last step the server has computed, a handle at the
// cursor to drag, click or move with the keys, and marks where a runner branched (its hyperparameters changed
// mid-run) or stopped. The page never recomputes: every position is a `seek` the server answers from its frames.
import { hyper, num } from "./format.js";
import { hpSetting, hpShort } from "./hp-text.js";
import { t } from "./messages.js";
import { colour } from "./palette.js";

// While a handle is dragged, at most one seek per this many ms (and the last position always): the server
// takes 50 messages a second from a connection, and a drag fires a pointer event per pixel.
export const SEEK_EVERY_MS = 80;
const HOLD_MS = 400; // after a seek, the handle stays where it was put until the server's cursor gets there
const ENDINGS = ["converged", "stalled", "diverged"];
const WORD_GAP_PX = 6;

/**
 * Where the track ends: the last computed step once every run has stopped (nothing lies beyond it), else a round
 * number a little past it (10, 20, 25, 50, 100, ...), at most `max`, so the scale does not change with every step.
 */
export function trackEnd(last, max, ended) {
  if (ended || (max > 0 && last >= max)) return Math.max(last, 1);
  const want = Math.max(10, last * 1.15);
  const power = 10 ** Math.floor(Math.log10(want));
  const round = [1, 2, 2.5, 5, 10].find((m) => m * power >= want - 1e-9) * power;
  return Math.max(1, Math.ceil(max > 0 ? Math.min(max, round) : round));
}

/** "lr 0.1 → 0.5" for the hyperparameters that differ between two settings ("no AMSGrad → AMSGrad" for a switch). */
export function describeChange(optimizer, before, after) {
  const specs = optimizer?.hyperparameters ?? Object.keys(after).map((name) => ({ name }));
  return specs
    .filter((spec) => spec.name in after && after[spec.name] !== before[spec.name])
    .map((spec) => {
      if (spec.type === "boolean") {
        return t("timeline.switch", {
          from: hpSetting(optimizer, spec, Boolean(before[spec.name])),
          to: hpSetting(optimizer, spec, after[spec.name]),
        });
      }
      const from = before[spec.name] === undefined ? "—" : hyper(before[spec.name]);
      return t("timeline.change", { name: hpShort(optimizer, spec), from, to: hyper(after[spec.name]) });
    })
    .join(t("text.list_separator"));
}

function element(tag, className, props = {}) {
  return Object.assign(document.createElement(tag), { className, ...props });
}

export class Timeline {
  /**
   * root: the element to fill; session: the page's Session; labels(): each run's name; optimizer(id): its
   * catalogue entry (for the names of hyperparameters).
   */
  constructor(root, { session, labels, optimizer = () => null }) {
    this.root = root;
    this.session = session;
    this.labels = labels;
    this.optimizer = optimizer;
    this.dragging = false;
    this.timer = null;
    this.wanted = null;
    this.sent = null;
    this.holdUntil = 0;
    this.shownMarks = null;
    this.build();
  }

  build() {
    this.from = element("span", "timeline-from");
    this.rail = element("div", "timeline-rail");
    this.words = element("div", "timeline-words");
    this.track = element("div", "timeline-track");
    this.computed = element("div", "timeline-computed");
    this.played = element("div", "timeline-played");
    this.marks = element("div", "timeline-marks");
    this.handle = element("div", "timeline-handle", { tabIndex: 0 });
    this.handle.setAttribute("role", "slider");
    this.handle.setAttribute("aria-label", t("timeline.label"));
    this.handle.setAttribute("aria-valuemin", "0");
    this.handle.setAttribute("aria-orientation", "horizontal");
    this.track.append(this.computed, this.played, this.marks, this.handle);
    this.to = element("span", "timeline-to");
    this.markWords = element("div", "timeline-mark-words");
    this.words.append(this.from, this.markWords, this.to); // the ends of the scale, above the ends of the track
    this.rail.append(this.words, this.track);
    this.tip = element("div", "timeline-tip", { id: "timeline-tip", hidden: true });
    this.tip.setAttribute("role", "tooltip");
    this.tip.dataset.overlay = "";
    this.root.replaceChildren(this.rail, this.tip);

    this.rail.addEventListener("pointerdown", (event) => this.press(event));
    this.rail.addEventListener("pointermove", (event) => this.dragging && this.seekTo(this.stepAt(event.clientX)));
    const release = (event) => {
      if (!this.dragging) return;
      this.dragging = false;
      if (this.rail.hasPointerCapture?.(event.pointerId)) this.rail.releasePointerCapture(event.pointerId);
      this.render();
    };
    this.rail.addEventListener("pointerup", release);
    this.rail.addEventListener("pointercancel", release);
    this.handle.addEventListener("keydown", (event) => this.key(event));
    new ResizeObserver(() => {
      this.shownMarks = null;
      this.render();
    }).observe(this.rail);
  }

  // ----- seeking -----

  /** The step under a point of the screen, within what the server has computed. */
  stepAt(clientX) {
    const box = this.track.getBoundingClientRect();
    const ratio = Math.min(1, Math.max(0, (clientX - box.left) / Math.max(1, box.width)));
    return Math.min(this.session.lastComputed, Math.round(ratio * this.end));
  }

  press(event) {
    if (event.button !== 0 || event.target.closest(".timeline-mark")) return;
    event.preventDefault();
    this.dragging = true;
    try {
      this.rail.setPointerCapture(event.pointerId); // the drag goes on when the pointer leaves the strip
    } catch {
      /* a pointer the browser does not know as active (a synthetic event): the rail still hears it */
    }
    this.handle.focus({ preventScroll: true });
    this.seekTo(this.stepAt(event.clientX));
  }

  /** Ask the server for `step`: at once, then at most once per SEEK_EVERY_MS, always ending on the last asked. */
  seekTo(step) {
    // Past the last computed step only while some run is still going (an arrow key then computes one more).
    const limit = this.session.finished ? this.session.lastComputed : this.session.maxSteps || Infinity;
    const target = Math.max(0, Math.min(Math.round(step), limit));
    this.wanted = target;
    this.render();
    if (this.timer) return;
    this.send();
  }

  send() {
    if (this.wanted !== this.sent || this.wanted !== this.session.cursor) {
      this.sent = this.wanted;
      this.holdUntil = performance.now() + HOLD_MS;
      this.session.seek(this.wanted);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.wanted !== this.sent) this.send();
      else this.render();
    }, SEEK_EVERY_MS);
  }

  /** The step the handle shows: where it is being put, until the server's cursor has followed. */
  get shown() {
    const settling = this.timer || (performance.now() < this.holdUntil && this.session.cursor !== this.sent);
    return this.wanted !== null && (this.dragging || settling) ? this.wanted : this.session.cursor;
  }

  first() {
    this.seekTo(0);
  }

  last() {
    this.seekTo(this.session.lastComputed);
  }

  key(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const by = event.shiftKey ? 10 : 1;
    const moves = {
      ArrowLeft: () => this.seekTo(this.shown - by),
      ArrowDown: () => this.seekTo(this.shown - by),
      ArrowRight: () => this.seekTo(this.shown + by),
      ArrowUp: () => this.seekTo(this.shown + by),
      Home: () => this.first(),
      End: () => this.last(),
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    event.stopPropagation(); // the page's own arrows (step, back) would move it a second time
    move();
  }

  // ----- drawing -----

  render() {
    const session = this.session;
    const last = session.lastComputed;
    const max = session.maxSteps;
    this.end = trackEnd(last, max, session.finished);
    const at = (step) => `${(100 * Math.min(step, this.end)) / this.end}%`;
    const shown = this.shown;
    this.computed.style.width = at(last);
    this.played.style.width = at(shown);
    this.handle.style.left = at(shown);
    this.handle.setAttribute("aria-valuemax", String(last));
    this.handle.setAttribute("aria-valuenow", String(shown));
    this.handle.setAttribute("aria-valuetext", t("timeline.value", { n: num(shown), last: num(last) }));
    this.from.textContent = num(0);
    const extent = max ? t("timeline.extent", { last: num(last), max: num(max) }) : "";
    if (extent !== this.to.textContent) {
      this.to.textContent = extent;
      if (this.to.offsetWidth !== this.toWidth) {
        this.toWidth = this.to.offsetWidth;
        this.shownMarks = null;
      }
    }
    this.renderMarks();
  }

  /** Every branch and every stop, in step order: {kind, run, step, word, tip}. */
  markList() {
    const labels = this.labels();
    const out = [];
    this.session.configs.forEach((config, run) => {
      let before = config.hyperparameters ?? {};
      for (const change of config.changes ?? []) {
        const text = describeChange(this.optimizer(config.optimizer), before, change.hyperparameters);
        before = change.hyperparameters;
        if (!text) continue;
        const tip = t("timeline.branch", { run: labels[run] ?? "", change: text, step: num(change.at_step) });
        out.push({ kind: "branch", run, step: change.at_step, word: text, tip });
      }
      const ending = this.session.endings[run];
      if (ending && ENDINGS.includes(ending.status)) {
        const head = t(`timeline.${ending.status}`, { run: labels[run] ?? "", step: num(ending.step) });
        const tip = ending.message ? t("text.sentences2", { a: head, b: ending.message }) : head;
        out.push({ kind: ending.status, run, step: ending.step, word: t(`timeline.word.${ending.status}`), tip });
      }
    });
    return out.sort((a, b) => a.step - b.step || a.run - b.run);
  }

  renderMarks() {
    const marks = this.markList();
    const signature = JSON.stringify([marks, this.end]);
    if (signature === this.shownMarks) return;
    this.shownMarks = signature;
    this.hideTip();
    const at = (step) => `${(100 * Math.min(step, this.end)) / this.end}%`;
    const pins = [];
    const words = [];
    for (const mark of marks) {
      const pin = element("button", `timeline-mark ${mark.kind}`, { type: "button" });
      Object.assign(pin.dataset, { kind: mark.kind, run: String(mark.run), step: String(mark.step) });
      pin.style.left = at(mark.step);
      pin.style.setProperty("--run-colour", colour(mark.run));
      pin.setAttribute("aria-label", mark.tip);
      pin.addEventListener("click", () => this.seekTo(mark.step));
      for (const name of ["pointerenter", "focus"]) pin.addEventListener(name, () => this.showTip(pin, mark.tip));
      for (const name of ["pointerleave", "blur"]) pin.addEventListener(name, () => this.hideTip());
      pins.push(pin);
      const word = element("span", `timeline-word ${mark.kind}`, { textContent: mark.word });
      word.style.setProperty("--run-colour", colour(mark.run));
      word.dataset.step = String(mark.step);
      word.setAttribute("aria-hidden", "true"); // the pin says it all to a screen reader
      words.push(word);
    }
    this.marks.replaceChildren(...pins);
    this.markWords.replaceChildren(...words);
    this.placeWords();
  }

  /**
   * Each word centred over its mark, between the scale's two end labels; a word that would touch the one before
   * it (or an end label) is left out: the mark and its tooltip still say it.
   */
  placeWords() {
    const width = this.markWords.clientWidth;
    const end = width - (this.to.textContent ? this.to.offsetWidth + WORD_GAP_PX : 0);
    let right = this.from.offsetWidth;
    for (const word of this.markWords.children) {
      word.hidden = false;
      const x = (Number(word.dataset.step) / this.end) * width;
      const w = word.offsetWidth;
      const left = Math.min(Math.max(0, x - w / 2), Math.max(0, width - w));
      const fits = left >= right + WORD_GAP_PX && left + w <= end;
      word.hidden = !fits;
      word.style.left = `${left}px`;
      if (fits) right = left + w;
    }
  }

  showTip(pin, text) {
    this.tip.textContent = text;
    this.tip.hidden = false;
    const box = pin.getBoundingClientRect();
    const tip = this.tip.getBoundingClientRect();
    const left = Math.min(Math.max(4, box.left + box.width / 2 - tip.width / 2), window.innerWidth - tip.width - 4);
    this.tip.style.left = `${left}px`;
    this.tip.style.top = `${Math.max(4, box.top - tip.height - 8)}px`;
  }

  hideTip() {
    this.tip.hidden = true;
  }
}
