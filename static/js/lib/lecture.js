// The scenes, as the server declares them (GET /api/v1/scenes), in the order a lecturer shows them across
// pages. PageDown/PageUp (a clicker) walk through those marked for the lecture; the landing page lists them.

// Scene ids that shared links may still carry, and the scene each now opens.
const RENAMED = { seeds: "worked-example" };

async function loadScenes() {
  try {
    const response = await fetch("/api/v1/scenes", { headers: { accept: "application/json" } });
    if (response.ok) return await response.json();
  } catch {
    /* no scenes: the pages still work from their defaults */
  }
  return [];
}

/** An old link's scene id in the address bar becomes the scene's current id, before any page reads it. */
function renameSceneInUrl() {
  const url = new URL(window.location.href);
  const renamed = RENAMED[url.searchParams.get("scene")];
  if (!renamed) return;
  url.searchParams.set("scene", renamed);
  window.history.replaceState(window.history.state, "", url);
}

renameSceneInUrl();
export const ALL_SCENES = await loadScenes();

/** One page's scenes ({id, state, ...}), in lecture order. */
export const scenesOf = (page) => ALL_SCENES.filter((scene) => scene.page === page);

export const LECTURE = ALL_SCENES.filter((scene) => scene.lecture).map((scene) => ({ page: scene.page, scene: scene.id }));

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
