// The table of iterations, like the classic worked example: k, x_k, f'(x_k), x_{k+1}.
// With several runs it shows x_k of each side by side instead. Rows are updated in place, not rebuilt,
// and only the latest rows are kept so a 20,000-step run stays light.
import { num } from "../lib/format.js";
import { t } from "../lib/messages.js";
import { colour } from "../lib/palette.js";

const MAX_ROWS = 400;

function cell(tag, text, className) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (className) el.className = className;
  return el;
}

export class IterationTable {
  constructor(table, scroller, hint) {
    this.table = table;
    this.scroller = scroller;
    this.hint = hint;
    this.head = table.createTHead();
    this.body = table.createTBody();
    this.rows = new Map(); // k -> {tr, signature}
    this.headSignature = "";
  }

  header(session, labels) {
    const single = session.histories.length === 1;
    const signature = single ? "single" : labels.join("|");
    if (signature === this.headSignature) return;
    this.headSignature = signature;
    this.table.classList.toggle("race", !single);
    this.table.classList.toggle("crowded", session.histories.length > 4);
    const tr = document.createElement("tr");
    if (single) {
      tr.append(cell("th", "k"), cell("th", "xₖ"), cell("th", "f′(xₖ)"), cell("th", "xₖ₊₁"));
      this.hint.textContent = t("table.hint_single");
    } else {
      tr.append(cell("th", "k"));
      labels.forEach((label, run) => {
        const th = cell("th", label);
        th.style.color = colour(run);
        tr.append(th);
      });
      this.hint.textContent = t("table.hint_race");
    }
    this.head.replaceChildren(tr);
    this.clear();
  }

  clear() {
    this.body.replaceChildren();
    this.rows.clear();
  }

  cells(session, k) {
    const x = (run, step) => session.histories[run]?.[step]?.params?.[0];
    if (session.histories.length === 1) {
      const frame = session.histories[0][k];
      const next = k < session.cursor ? x(0, k + 1) : undefined;
      return [String(k), num(frame?.params?.[0]), num(frame?.grad?.[0]), next === undefined ? "…" : num(next)];
    }
    // Four digits side by side keep six runners' columns on a 1280-pixel screen.
    const digits = session.histories.length > 3 ? 4 : 5;
    // A walker that has stopped stays where it stopped: its last x, greyed (the status list says why).
    return [
      String(k),
      ...session.histories.map((history, run) => {
        if (k < history.length) return num(x(run, k), digits);
        const last = history.findLast((f) => f)?.params?.[0];
        return { text: num(last, digits), ended: true };
      }),
    ];
  }

  render(session, labels) {
    this.header(session, labels);
    const last = session.cursor;
    const first = Math.max(0, last - MAX_ROWS + 1);
    for (const [k, row] of this.rows) {
      if (k < first || k > last) {
        row.tr.remove();
        this.rows.delete(k);
      }
    }
    for (let k = first; k <= last; k += 1) {
      const texts = this.cells(session, k);
      const signature = JSON.stringify(texts) + (k === last ? "*" : "");
      let row = this.rows.get(k);
      if (row?.signature === signature) continue;
      const tr = document.createElement("tr");
      tr.dataset.k = String(k);
      tr.classList.toggle("current", k === last);
      tr.append(
        ...texts.map((text, i) => {
          if (typeof text === "string") return cell("td", text, i ? "math" : "");
          const td = cell("td", text.text, "math ended");
          td.title = t("table.ended");
          return td;
        }),
      );
      if (row) row.tr.replaceWith(tr);
      else this.insert(k, tr);
      this.rows.set(k, { tr, signature });
    }
    this.keepInView(this.rows.get(last)?.tr);
  }

  /**
   * Scroll the table's own box so the current row shows under the sticky head. Not scrollIntoView: that
   * scrolls every ancestor too, and on a phone the whole page would jump to the table at each step.
   */
  keepInView(row) {
    if (!row) return;
    const box = this.scroller.getBoundingClientRect();
    const r = row.getBoundingClientRect();
    const head = this.head.getBoundingClientRect().height;
    if (r.bottom > box.bottom) this.scroller.scrollTop += r.bottom - box.bottom;
    else if (r.top < box.top + head) this.scroller.scrollTop -= box.top + head - r.top;
  }

  insert(k, tr) {
    const after = [...this.rows.keys()].filter((j) => j > k).sort((a, b) => a - b)[0];
    if (after === undefined) this.body.append(tr);
    else this.body.insertBefore(tr, this.rows.get(after).tr);
  }
}
