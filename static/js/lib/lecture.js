// The lecture: scenes in the order a lecturer shows them, across pages. PageDown/PageUp (a clicker)
// walk through them; the landing page lists them.

export const LECTURE = [
  { page: "1d", scene: "seeds" },
  { page: "1d", scene: "learning-rates" },
  { page: "1d", scene: "steep-walls" },
  { page: "1d", scene: "double-well" },
  { page: "1d", scene: "plateau" },
  { page: "2d", scene: "gradient" },
  { page: "2d", scene: "fog" },
  { page: "2d", scene: "zigzag" },
  { page: "2d", scene: "rosenbrock" },
  { page: "2d", scene: "himmelblau" },
  { page: "2d", scene: "saddle" },
  { page: "2d", scene: "derivative-free" },
  { page: "2d", scene: "race" },
  { page: "network", scene: "net-xor" },
  { page: "network", scene: "net-linear" },
  { page: "network", scene: "net-circles" },
  { page: "network", scene: "net-spiral" },
  { page: "network", scene: "net-neuron" },
  { page: "network", scene: "net-vanishing" },
  { page: "network", scene: "net-exploding" },
  { page: "network", scene: "net-batches" },
  { page: "network", scene: "net-symmetry" },
  { page: "network", scene: "net-landscape" },
];

export function sceneUrl({ page, scene }, { presenter = false } = {}) {
  return `/${page}?scene=${scene}${presenter ? "&presenter=1" : ""}`;
}

/** The scene `offset` places from (page, scene) in the lecture, or null at either end. */
export function neighbour(page, scene, offset) {
  let index = LECTURE.findIndex((s) => s.page === page && s.scene === scene);
  if (index < 0) {
    // Not on a scene: next goes to this page's first scene, previous to the one before it.
    index = LECTURE.findIndex((s) => s.page === page);
    if (offset > 0) return LECTURE[index] ?? null;
  }
  return LECTURE[index + offset] ?? null;
}
