// A race's runs, written compactly for the URL:
//   gd(lr:0.1)            an optimizer and the hyperparameters that differ from its defaults
//   gd(lr:0.01)[-3,3]     ... with a start of its own (otherwise the page's start)
//   adam@40(lr:0.01)      ... whose hyperparameters changed at step 40 (the server's "changes")
//   adam(amsgrad:true)    a switch is written true or false
//   gd(lr:0.08)~exponential(gamma:0.995)
//                         ... with a learning-rate schedule (first-order methods only; defaults left out)
// Runs are separated by ";". Unknown optimizers, hyperparameters or schedules make the value invalid (-> default).

const NAME = /^[a-z_][a-z0-9_]*$/;
const RUN = /^([a-z_][a-z0-9_]*)(?:\(([^)]*)\))?(?:\[([^\]]*)\])?(?:~([a-z_]+)(?:\(([^)]*)\))?)?((?:@\d+\([^)]*\))*)$/;
const CHANGE = /@(\d+)\(([^)]*)\)/g;

function parsePairs(text, optimizer) {
  const out = {};
  if (!text) return out;
  for (const pair of text.split(",")) {
    const [name, raw] = pair.split(":");
    const spec = NAME.test(name ?? "") && optimizer.hyperparameters.find((h) => h.name === name);
    if (!spec || raw === undefined) return undefined;
    if (spec.type === "boolean") {
      if (raw !== "true" && raw !== "false") return undefined;
      out[name] = raw === "true";
      continue;
    }
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || value < spec.minimum || value > spec.maximum) return undefined;
    if (spec.integer && !Number.isInteger(value)) return undefined;
    out[name] = value;
  }
  return out;
}

function formatPairs(values, optimizer) {
  const parts = [];
  for (const h of optimizer.hyperparameters) {
    if (h.name in values && values[h.name] !== h.default) parts.push(`${h.name}:${values[h.name]}`);
  }
  return parts.join(",");
}

/** A schedule from the URL's kind and pairs, checked against the /schedules catalogue; null for none. */
function parseSchedule(kind, pairs, optimizer, schedules) {
  if (kind === undefined) return null;
  const spec = schedules.get(kind);
  if (!spec || !optimizer.uses_lr_schedule) return undefined;
  const values = parsePairs(pairs, { hyperparameters: spec.parameters });
  if (!values) return undefined;
  return kind === "constant" ? null : { kind, ...values };
}

/**
 * A {parse, format} codec for UrlState, checking ids and ranges against the optimizer catalogue (and
 * schedules against the schedule catalogue, a Map from kind to its /schedules entry).
 */
export function runsCodec(optimizers, { maxRuns = 8, dim = () => null, schedules = new Map() } = {}) {
  const byId = new Map(optimizers.map((o) => [o.id, o]));
  return {
    parse(text) {
      const runs = [];
      for (const piece of text.split(";")) {
        const match = RUN.exec(piece.trim());
        const optimizer = match && byId.get(match[1]);
        if (!optimizer) return undefined;
        const hyperparameters = parsePairs(match[2], optimizer);
        if (!hyperparameters) return undefined;
        const run = { optimizer: optimizer.id, hyperparameters, changes: [] };
        if (match[3] !== undefined) {
          const start = match[3].split(",").map(Number);
          if (!start.every(Number.isFinite) || (dim() && start.length !== dim())) return undefined;
          run.start = start;
        }
        const schedule = parseSchedule(match[4], match[5], optimizer, schedules);
        if (schedule === undefined) return undefined;
        if (schedule) run.schedule = schedule;
        for (const [, step, pairs] of match[6].matchAll(CHANGE)) {
          const changed = parsePairs(pairs, optimizer);
          if (!changed) return undefined;
          run.changes.push({ at_step: Number(step), hyperparameters: changed });
        }
        runs.push(run);
      }
      return runs.length >= 1 && runs.length <= maxRuns ? runs : undefined;
    },
    format(runs) {
      return runs
        .map((run) => {
          const optimizer = byId.get(run.optimizer);
          const pairs = formatPairs(run.hyperparameters, optimizer);
          let text = run.optimizer + (pairs ? `(${pairs})` : "");
          if (run.start) text += `[${run.start.join(",")}]`;
          const schedule = run.schedule && schedules.get(run.schedule.kind);
          if (schedule) {
            const pairs = formatPairs(run.schedule, { hyperparameters: schedule.parameters });
            text += `~${run.schedule.kind}${pairs ? `(${pairs})` : ""}`;
          }
          for (const change of run.changes ?? []) {
            text += `@${change.at_step}(${formatPairs(change.hyperparameters, optimizer)})`;
          }
          return text;
        })
        .join(";");
    },
  };
}

/** The hyperparameters in force after every change (what the controls show), defaults filled in. */
export function currentHyperparameters(run, optimizer) {
  const defaults = Object.fromEntries(optimizer.hyperparameters.map((h) => [h.name, h.default]));
  const changes = run.changes ?? [];
  const given = changes.length ? changes[changes.length - 1].hyperparameters : run.hyperparameters;
  return { ...defaults, ...given };
}
