// Runs as people read them (labels, settings) and as the URL compares them (defaults left out).
import { hyper, num, point } from "./format.js";
import { hpSetting } from "./hp-text.js";
import { has, t } from "./messages.js";
import { currentHyperparameters } from "./runs-codec.js";

/** The values that differ from the optimizer's defaults, in the catalogue's order. */
export function stripDefaults(values, optimizer) {
  const out = {};
  for (const h of optimizer.hyperparameters) if (h.name in values && values[h.name] !== h.default) out[h.name] = values[h.name];
  return out;
}

/**
 * A learning-rate schedule as the URL compares it: its kind, then the parameters of that kind that differ from
 * their defaults (the server's `started` lists every field of every kind); null for none or "constant".
 */
export function normaliseSchedule(schedule, optimizer, schedules) {
  const spec = schedule && schedules?.get(schedule.kind);
  if (!spec || schedule.kind === "constant" || !optimizer.uses_lr_schedule) return null;
  return { kind: schedule.kind, ...stripDefaults(schedule, { hyperparameters: spec.parameters }) };
}

/** A run in the form the URL compares: defaults left out, keys in one order. */
export function normaliseRun(run, optimizer, schedules = null) {
  const out = {
    optimizer: run.optimizer,
    hyperparameters: stripDefaults(run.hyperparameters ?? {}, optimizer),
    changes: (run.changes ?? []).map((c) => ({ at_step: c.at_step, hyperparameters: stripDefaults(c.hyperparameters, optimizer) })),
  };
  if (run.start) out.start = run.start;
  const schedule = normaliseSchedule(run.schedule, optimizer, schedules);
  if (schedule) out.schedule = schedule;
  return out;
}

export function shortName(optimizer) {
  const key = `optimizer.${optimizer.id}.short`;
  return has(key) ? t(key) : optimizer.name;
}

/** A short name per run: the optimizer, plus whatever tells apart runs of the same optimizer. */
export function runLabels(runs, optimizerById, startOf) {
  return runs.map((run, i) => {
    const optimizer = optimizerById.get(run.optimizer);
    const name = shortName(optimizer);
    const twins = runs.filter((r) => r.optimizer === run.optimizer);
    if (twins.length === 1) return name;
    const mine = currentHyperparameters(run, optimizer);
    const parts = optimizer.hyperparameters
      .filter((h) => twins.some((r) => currentHyperparameters(r, optimizer)[h.name] !== mine[h.name]))
      .map((h) => hpSetting(optimizer, h, mine[h.name], "hp.equals"));
    if (twins.some((r) => JSON.stringify(r.schedule ?? null) !== JSON.stringify(run.schedule ?? null))) {
      parts.push(scheduleText(run.schedule));
    }
    const start = startOf(run);
    if (twins.some((r) => JSON.stringify(startOf(r)) !== JSON.stringify(start))) {
      parts.push(t("label.from", { point: start.length === 1 ? num(start[0], 3) : point(start, 3) }));
    }
    if (!parts.length) return sameAs(runs, i, optimizerById, startOf);
    const detail = parts.join(t("text.list_separator"));
    return runs.every((r) => r.optimizer === run.optimizer) ? detail : `${name} ${detail}`;
  });
}

/**
 * A runner identical to another (same optimizer, settings and start): named by what it is, "GD, lr 0.01",
 * and counted among its twins, "GD, lr 0.01 (2)", never by a bare index.
 */
function sameAs(runs, i, optimizerById, startOf) {
  const optimizer = optimizerById.get(runs[i].optimizer);
  const settings = runSettings([runs[i]], optimizerById)[0];
  const base = settings ? `${shortName(optimizer)}${t("text.list_separator")}${settings}` : shortName(optimizer);
  const key = (r) => JSON.stringify([r.optimizer, currentHyperparameters(r, optimizer), startOf(r)]);
  const twins = runs.map((r, j) => j).filter((j) => runs[j].optimizer === runs[i].optimizer && key(runs[j]) === key(runs[i]));
  return twins.length > 1 ? t("label.twin", { name: base, n: twins.indexOf(i) + 1 }) : base;
}

/**
 * A schedule in a few characters, for labels and the scoreboard: "constant lr", "lr·0.995ᵗ", "lr·0.5 every
 * 100 steps", "cosine, t_max 500". The schedule's defaults fill what the run leaves out.
 */
export function scheduleText(schedule, defaults = SCHEDULE_DEFAULTS) {
  if (!schedule || schedule.kind === "constant") return t("schedule.short.constant");
  const values = { ...defaults[schedule.kind], ...schedule };
  const shown = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "number" ? hyper(v) : v]));
  return t(`schedule.short.${schedule.kind}`, { ...shown, step_size: values.step_size });
}

// The /schedules catalogue's defaults by kind, set once by the page (setScheduleDefaults) from the server.
let SCHEDULE_DEFAULTS = {};

export function setScheduleDefaults(schedules) {
  SCHEDULE_DEFAULTS = Object.fromEntries(
    schedules.map((s) => [s.kind, Object.fromEntries(s.parameters.map((p) => [p.name, p.default]))]),
  );
}

/** Each run's hyperparameters in force, for the scoreboard: "lr 0.05, μ 0.9, AMSGrad", and its schedule. */
export function runSettings(runs, optimizerById) {
  return runs.map((run) => {
    const optimizer = optimizerById.get(run.optimizer);
    const values = currentHyperparameters(run, optimizer);
    const parts = optimizer.hyperparameters
      .filter((h) => h.name === "lr" || values[h.name] !== h.default)
      .map((h) => hpSetting(optimizer, h, values[h.name]));
    if (run.schedule) parts.push(scheduleText(run.schedule));
    return parts.join(t("text.list_separator"));
  });
}

/**
 * A run config as the server gives it back (`started`, a kept run) turned into a run spec it takes again (a
 * websocket `start`, a run of POST /api/v1/export): the server refuses fields a spec does not have.
 */
export function specOf(config) {
  if (config.network) {
    return { network: config.network, optimizer: config.optimizer, hyperparameters: config.hyperparameters, seed: config.seed ?? 0 };
  }
  const spec = {
    function: config.function,
    optimizer: config.optimizer,
    hyperparameters: config.hyperparameters,
    start: config.start,
    seed: config.seed ?? 0,
    changes: (config.changes ?? []).map((c) => ({ at_step: c.at_step, hyperparameters: c.hyperparameters })),
  };
  if (config.schedule && config.schedule.kind !== "constant") spec.schedule = config.schedule;
  if (config.budget) spec.budget = config.budget; // a fair race
  return spec;
}
