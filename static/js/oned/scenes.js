// The 1D page's scenes: each one idea from the seeds, ready to show. Names and captions are in the
// message catalogue under scene.<id>.name and scene.<id>.caption.

const gd = (lr, start) => ({ optimizer: "gd", hyperparameters: { lr }, changes: [], ...(start ? { start } : {}) });

export const SCENES = [
  {
    id: "seeds",
    state: { fn: "quadratic", runs: [gd(0.1)], start: [8], speed: 2, tangent: true, arrow: true, table: true },
  },
  {
    id: "learning-rates",
    state: {
      fn: "quadratic",
      runs: [gd(0.01), gd(0.1), gd(0.9), gd(1.1)],
      start: [8],
      speed: 2,
      tangent: false,
      arrow: true,
      table: true,
    },
  },
  {
    id: "steep-walls",
    state: { fn: "steep_walls", runs: [gd(0.02), gd(0.1), gd(0.2)], start: [2], speed: 2, tangent: true, arrow: true, table: true },
  },
  {
    id: "double-well",
    state: {
      fn: "double_well",
      runs: [gd(0.02, [2.2]), gd(0.02, [-0.5]), { optimizer: "momentum", hyperparameters: { lr: 0.02, momentum: 0.9 }, changes: [], start: [2.2] }],
      speed: 5,
      tangent: true,
      arrow: true,
      table: true,
    },
  },
  {
    id: "plateau",
    state: {
      fn: "plateau",
      runs: [gd(0.1), { optimizer: "momentum", hyperparameters: { lr: 0.05, momentum: 0.9 }, changes: [] }],
      start: [2.5],
      limit: 400,
      speed: 10,
      tangent: true,
      arrow: true,
      table: true,
    },
  },
  {
    id: "wavy",
    state: {
      fn: "wavy",
      runs: [gd(0.05), { optimizer: "momentum", hyperparameters: { lr: 0.1, momentum: 0.9 }, changes: [] }],
      start: [4],
      speed: 10,
      tangent: true,
      arrow: true,
      table: true,
    },
  },
];

export const DEFAULTS = { fn: "quadratic", runs: [gd(0.1)], speed: 2 };
