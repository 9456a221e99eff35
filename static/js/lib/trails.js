// Drawing a race incrementally: while runs only grow, send Plotly the new points (extendTraces);
// when history was cut (step back, reset, update) or replaced (a new start), redraw with Plotly.react.

export class TrailTracker {
  constructor() {
    this.generation = -1;
    this.drawn = [];
  }

  /** Forget what was drawn, so the next plan asks for a full redraw. */
  invalidate() {
    this.generation = -1;
  }

  /**
   * What to draw for these trails: {full: true} to redraw, or {full: false, fresh} where fresh[run]
   * holds the frames not yet drawn. Call commit() after drawing.
   */
  plan(session) {
    const trails = session.histories.map((_, run) => session.trail(run));
    const full =
      this.generation !== session.generation ||
      this.drawn.length !== trails.length ||
      trails.some((trail, i) => trail.length < this.drawn[i]);
    const fresh = full ? trails : trails.map((trail, i) => trail.slice(this.drawn[i]));
    return { full, trails, fresh };
  }

  commit(session, trails) {
    this.generation = session.generation;
    this.drawn = trails.map((trail) => trail.length);
  }
}

/** Columns for Plotly.extendTraces, {key: [[...run 0], [...run 1]]}, from fresh frames (gaps skipped). */
export function columns(fresh, keys, pick) {
  const out = Object.fromEntries(keys.map((key) => [key, fresh.map(() => [])]));
  fresh.forEach((frames, run) => {
    for (const frame of frames) {
      if (!frame) continue;
      const point = pick(frame, run);
      for (const key of keys) out[key][run].push(point[key]);
    }
  });
  return out;
}
