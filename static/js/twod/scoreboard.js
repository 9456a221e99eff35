// The race's legend: each runner's colour and settings, its step, what it has spent (function,
// gradient and Hessian evaluations: a fair race compares budgets), its loss, and how it ended.
import { num } from "../lib/format.js";
import { t } from "../lib/messages.js";
import { colour } from "../lib/palette.js";

function td(text, className) {
  const cell = document.createElement("td");
  cell.textContent = text;
  if (className) cell.className = className;
  return cell;
}

/** "∇f 238" or "f 40 · ∇f 20 · H 20": only what the method uses. */
function evaluationsText(e) {
  const parts = [
    ["f", e.f],
    ["∇f", e.grad],
    ["H", e.hessian],
  ].filter(([, n]) => n);
  return parts.map(([name, n]) => `${name} ${n}`).join(" · ") || "0";
}

export class Scoreboard {
  constructor(table) {
    this.table = table;
    this.head = table.createTHead();
    this.body = table.createTBody();
    const row = document.createElement("tr");
    for (const key of ["scoreboard.runner", "scoreboard.step", "scoreboard.evaluations", "scoreboard.loss"]) {
      const th = document.createElement("th");
      th.textContent = t(key);
      row.append(th);
    }
    row.children[2].title = t("scoreboard.evaluations_hint");
    this.head.append(row);
    this.shown = "";
  }

  /** `offMap(run)` says whether a walker has left the drawn map (it keeps its row, marked so). */
  render(session, labels, settings, offMap = () => false) {
    const rows = session.histories.map((_, run) => {
      const frame = session.current(run);
      const e = frame?.evaluations ?? {};
      return {
        label: labels[run] ?? "",
        settings: settings[run] ?? "",
        step: frame ? String(frame.step) : "",
        evaluations: frame ? evaluationsText(e) : "",
        loss: frame ? num(frame.loss, 4) : "",
        status: session.statuses[run]?.status ?? "running",
        offMap: Boolean(frame) && offMap(run),
      };
    });
    const signature = JSON.stringify(rows);
    if (signature === this.shown) return;
    this.shown = signature;
    this.body.replaceChildren(
      ...rows.map((row, run) => {
        const tr = document.createElement("tr");
        const who = td("", "who");
        const swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = colour(run);
        const name = document.createElement("span");
        name.textContent = row.label;
        who.append(swatch, name);
        const detail = document.createElement("span");
        detail.className = "settings";
        detail.textContent = row.settings;
        if (row.offMap) {
          const away = document.createElement("span");
          away.className = "off-map";
          away.textContent = t("scoreboard.off_map");
          if (detail.childNodes.length) detail.append(" ");
          detail.append(away);
        }
        if (row.status !== "running") {
          const ended = document.createElement("span");
          ended.className = `ended ${row.status}`;
          ended.textContent = t(`scoreboard.${row.status}`);
          ended.title = session.statuses[run]?.message ?? "";
          if (detail.childNodes.length) detail.append(" ");
          detail.append(ended);
        }
        if (detail.childNodes.length) who.append(detail);
        tr.append(who, td(row.step), td(row.evaluations), td(row.loss));
        return tr;
      }),
    );
  }
}
