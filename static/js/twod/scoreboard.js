// The race's legend: each runner's colour and settings, its step, what it has spent (function,
// gradient and Hessian evaluations: a fair race compares budgets), the learning rate of its last step,
// its loss, and how it ended. In a fair race (every runner given the same budget of evaluations) it also
// says what each has spent of the budget and gives each its place by loss: loss at equal cost.
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
  return parts.map(([name, n]) => `${name}\u00a0${n}`).join(" · ") || "0"; // wraps between kinds, not inside one
}

const spentOf = (e) => (e.f ?? 0) + (e.grad ?? 0) + (e.hessian ?? 0);

/** Places by loss, lowest first (1 is the winner); a runner with no finite loss comes last. */
export function places(losses) {
  const order = losses
    .map((loss, run) => ({ loss: Number.isFinite(loss) ? loss : Infinity, run }))
    .sort((a, b) => a.loss - b.loss || a.run - b.run);
  const out = [];
  order.forEach(({ run }, i) => (out[run] = i + 1));
  return out;
}

export class Scoreboard {
  constructor(table) {
    this.table = table;
    this.head = table.createTHead();
    this.body = table.createTBody();
    this.columns = "";
    this.shown = "";
  }

  header(fair, lr) {
    const keys = ["scoreboard.runner", "scoreboard.step", "scoreboard.evaluations", "scoreboard.loss"];
    if (lr) keys.splice(3, 0, "scoreboard.lr");
    if (fair) keys.unshift("scoreboard.place");
    if (keys.join() === this.columns) return;
    this.columns = keys.join();
    this.table.classList.toggle("with-lr", lr); // one column more: set a little tighter
    const row = document.createElement("tr");
    for (const key of keys) {
      const th = document.createElement("th");
      th.textContent = t(key);
      th.dataset.column = key.split(".")[1];
      if (key === "scoreboard.evaluations") th.title = t("scoreboard.evaluations_hint");
      if (key === "scoreboard.lr") th.title = t("scoreboard.lr_hint");
      if (key === "scoreboard.place") th.title = t("scoreboard.place_hint");
      row.append(th);
    }
    this.head.replaceChildren(row);
  }

  /**
   * `offMap(run)` says whether a walker has left the drawn map (it keeps its row, marked so); `fair` is the
   * budget of a fair race (null otherwise); `lr` adds the column of each runner's current learning rate (shown
   * while some runner has a schedule: otherwise it is the constant in the runner's settings).
   */
  render(session, labels, settings, offMap = () => false, { fair = null, lr = false } = {}) {
    this.header(fair !== null, lr);
    const losses = session.histories.map((_, run) => session.current(run)?.loss ?? null);
    const place = places(losses);
    const rows = session.histories.map((_, run) => {
      const frame = session.current(run);
      const e = frame?.evaluations ?? {};
      const status = session.statuses[run] ?? {};
      return {
        label: labels[run] ?? "",
        settings: settings[run] ?? "",
        step: frame ? String(frame.step) : "",
        evaluations: frame ? evaluationsText(e) : "",
        spent: frame && fair !== null ? t("scoreboard.spent_of", { spent: num(spentOf(e)), budget: num(fair) }) : "",
        lr: frame && frame.lr !== null && frame.lr !== undefined && frame.step > 0 ? num(frame.lr, 3) : "",
        loss: frame ? num(frame.loss, 4) : "",
        place: fair !== null && frame ? num(place[run]) : "",
        status: status.status ?? "running",
        budgetSpent: String(status.key ?? "").startsWith("run.budget"),
        offMap: Boolean(frame) && offMap(run),
      };
    });
    const signature = JSON.stringify([this.columns, rows]);
    if (signature === this.shown) return;
    this.shown = signature;
    this.body.replaceChildren(...rows.map((row, run) => this.row(row, run, session, fair, lr)));
  }

  row(row, run, session, fair, lr) {
    const tr = document.createElement("tr");
    tr.dataset.run = String(run);
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
      ended.textContent = t(row.budgetSpent ? "scoreboard.budget_spent" : `scoreboard.${row.status}`);
      ended.title = session.statuses[run]?.message ?? "";
      if (detail.childNodes.length) detail.append(" ");
      detail.append(ended);
    }
    if (detail.childNodes.length) who.append(detail);
    const evaluations = td(row.evaluations, "evaluations");
    if (row.spent) {
      const spent = document.createElement("span");
      spent.className = "spent";
      spent.textContent = row.spent;
      evaluations.append(spent);
    }
    const cells = [who, td(row.step), evaluations, td(row.loss, "loss")];
    if (lr) cells.splice(3, 0, td(row.lr, "lr"));
    if (fair !== null) cells.unshift(td(row.place, "place"));
    tr.append(...cells);
    return tr;
  }
}
