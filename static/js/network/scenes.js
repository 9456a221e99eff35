// The network page's scenes: each one idea from the seeds, ready to play. Texts: scene.<id>.* in the catalogue.

const base = {
  dataset: "xor",
  hidden: "4",
  activation: "tanh",
  loss: "cross_entropy",
  init: "xavier_he",
  batch: 0,
  optimizer: "adam",
  lr: 0.03,
  compare: "none",
  view: "training",
  speed: 30,
};

export const SCENES = [
  { id: "net-xor", state: { ...base } },
  { id: "net-linear", state: { ...base, hidden: "" } },
  { id: "net-circles", state: { ...base, dataset: "circles", hidden: "8" } },
  { id: "net-spiral", state: { ...base, dataset: "spiral", hidden: "16,16,16", activation: "relu", lr: 0.01, speed: 60 } },
  {
    id: "net-vanishing",
    state: {
      ...base,
      dataset: "circles",
      hidden: "8,8,8,8,8,8",
      activation: "sigmoid",
      loss: "squared_error",
      optimizer: "gd",
      lr: 0.5,
      compare: "fixes",
      speed: 60,
    },
  },
  {
    id: "net-exploding",
    state: {
      ...base,
      dataset: "blobs",
      hidden: "8,8,8,8,8,8",
      activation: "linear",
      init: "large",
      optimizer: "gd",
      lr: 0.1,
      compare: "inits",
      speed: 5,
    },
  },
  { id: "net-batches", state: { ...base, dataset: "moons", hidden: "6", optimizer: "gd", lr: 0.3, compare: "batches", speed: 20 } },
  // The neuron is its own picture; the network behind it (a long spiral) only keeps the clock running.
  { id: "net-neuron", state: { ...base, dataset: "spiral", hidden: "8", optimizer: "gd", lr: 0.15, view: "neuron", speed: 20 } },
  { id: "net-landscape", state: { ...base, dataset: "circles", hidden: "8,8", view: "landscape", speed: 60 } },
  { id: "net-symmetry", state: { ...base, dataset: "circles", hidden: "6", init: "zeros", optimizer: "gd", lr: 0.5 } },
  {
    id: "net-sine",
    state: { ...base, dataset: "sine", hidden: "16,16", loss: "squared_error", lr: 0.01 },
  },
];

export const DEFAULTS = { ...base };
