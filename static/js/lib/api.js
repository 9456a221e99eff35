// The REST catalogue: functions, optimizers, schedules (fetched once per page) and surfaces to draw.
// The API speaks English; names and descriptions a person reads come from the page's message catalogue.
import { has, t } from "./messages.js";

const cache = new Map();

async function getJson(path) {
  const response = await fetch(path, { headers: { accept: "application/json" } });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = (await response.json()).detail ?? detail;
    } catch {
      /* keep the status text */
    }
    throw new Error(detail);
  }
  return response.json();
}

function once(path) {
  if (!cache.has(path)) cache.set(path, getJson(path));
  return cache.get(path);
}

const said = (key, english) => (has(key) ? t(key) : english);

function localFunction(f) {
  return { ...f, name: said(`function.${f.id}.name`, f.name), description: said(`function.${f.id}.description`, f.description) };
}

function localOptimizer(o) {
  const key = `optimizer.${o.id}`;
  const hyperparameters = o.hyperparameters.map((h) => ({ ...h, description: said(`${key}.hp.${h.name}`, h.description) }));
  return { ...o, name: said(`${key}.name`, o.name), description: said(`${key}.description`, o.description), hyperparameters };
}

export const fetchFunctions = () => once("/api/v1/functions").then((list) => list.map(localFunction));
export const fetchOptimizers = () => once("/api/v1/optimizers").then((list) => list.map(localOptimizer));
export const fetchSchedules = () => once("/api/v1/schedules");

/** A typed formula checked by the server: {dim, formula, mathml, derivatives, domain, start}; throws its sentence. */
export async function fetchFormula(expression) {
  const response = await fetch("/api/v1/expressions", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ expression }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(String(body.detail ?? response.statusText).replace(/^expression: /, ""));
  return body;
}

/** The loss on a grid: {x, y, z, z_min, z_max}; for 2D, z's rows follow y. `info` is a catalogue entry or a formula. */
export function fetchSurface(info, resolution, bounds = {}) {
  const source = info.expression ? { expression: info.expression } : { function: info.id };
  const query = new URLSearchParams({ ...source, resolution: String(resolution) });
  for (const [key, value] of Object.entries(bounds)) {
    if (value !== undefined && value !== null) query.set(key, String(value));
  }
  return once(`/api/v1/surface?${query}`);
}
