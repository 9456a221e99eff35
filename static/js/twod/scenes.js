// The 2D page's scenes. Names and captions are in the message catalogue under scene.<id>.*.

const run = (optimizer, hyperparameters = {}, start) => ({
  optimizer,
  hyperparameters,
  changes: [],
  ...(start ? { start } : {}),
});
const view = { view: "contour", fog: false, arrows: true };

export const SCENES = [
  { id: "gradient", state: { ...view, fn: "bowl", runs: [run("gd", { lr: 0.1 })], speed: 5 } },
  { id: "fog", state: { ...view, fog: true, fn: "himmelblau", runs: [run("gd", { lr: 0.01 })], speed: 10 } },
  {
    id: "zigzag",
    state: { ...view, fn: "elongated", runs: [run("gd", { lr: 0.075 }), run("momentum", { lr: 0.02, momentum: 0.8 })], speed: 10 },
  },
  {
    id: "rosenbrock",
    state: {
      ...view,
      fn: "rosenbrock",
      runs: [run("adam", { lr: 0.1 }), run("momentum", { lr: 0.001, momentum: 0.9 }), run("gd", { lr: 0.001 })],
      limit: 3000,
      speed: 120,
    },
  },
  {
    id: "himmelblau",
    state: {
      ...view,
      fn: "himmelblau",
      runs: [
        run("gd", { lr: 0.01 }, [0.5, 4.5]),
        run("gd", { lr: 0.01 }, [-1, 0.5]),
        run("gd", { lr: 0.01 }, [-0.5, -4.5]),
        run("gd", { lr: 0.01 }, [1, -0.5]),
      ],
      speed: 10,
    },
  },
  {
    id: "saddle",
    state: {
      ...view,
      fn: "saddle",
      runs: [run("gd", { lr: 0.05 }), run("momentum", { lr: 0.02, momentum: 0.6 }), run("adam", { lr: 0.05 })],
      limit: 60,
      speed: 5,
    },
  },
  {
    id: "derivative-free",
    state: { ...view, fn: "himmelblau", runs: [run("nelder_mead", { initial_step: 1 }), run("hooke_jeeves", { step: 1 })], start: [-1, 0.5], speed: 2 },
  },
  {
    id: "race",
    state: {
      ...view,
      fn: "rosenbrock",
      runs: [
        run("gd", { lr: 0.001 }),
        run("momentum", { lr: 0.001, momentum: 0.9 }),
        run("adam", { lr: 0.1 }),
        run("newton"),
        run("bfgs"),
        run("cg"),
        run("nelder_mead"),
        run("hooke_jeeves"),
      ],
      limit: 3000,
      speed: 20,
    },
  },
];

export const DEFAULTS = { fn: "bowl", runs: [run("gd", { lr: 0.1 })], speed: 30 };
