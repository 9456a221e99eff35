// Presenter mode's previous and next scene buttons, where the lecture stands ("Scene 3 of 12"), and a visible
// end: a step past the last scene (or before the first) says so on the screen instead of doing nothing.
import { LECTURE } from "./lecture.js";
import { t } from "./messages.js";

const NOTE_MS = 6000;

export class SceneNav {
  /** page: "1d" | "2d" | "network"; goToScene(offset) moves through the lecture (PageDown, PageUp, the buttons). */
  constructor({ page, goToScene }) {
    this.page = page;
    this.position = document.getElementById("scene-position");
    this.note = document.getElementById("lecture-note");
    // Presenter mode's "P: controls" joins the strip of the scene buttons rather than taking a line of its own.
    const exit = document.querySelector(".presenter-exit");
    const strip = document.getElementById("timeline-strip");
    if (exit && strip) strip.append(exit);
    for (const button of document.querySelectorAll("[data-scene-step]")) {
      button.addEventListener("click", () => goToScene(Number(button.dataset.sceneStep)));
    }
  }

  /** The scene's place in the lecture (1-based), or 0 when the page shows no lecture scene. */
  indexOf(scene) {
    return LECTURE.findIndex((s) => s.page === this.page && s.scene === scene) + 1;
  }

  /** "Scene 3 of 12" beside the buttons (nothing when the page is off the lecture's scenes). */
  render(scene) {
    const n = this.indexOf(scene);
    if (this.note && !this.note.hidden && scene !== this.noteScene) this.note.hidden = true; // moved on
    const text = n ? t("lecture.position", { n, total: LECTURE.length }) : "";
    if (this.position && this.position.textContent !== text) this.position.textContent = text;
  }

  /** There is no scene `offset` away: say that this is the end (or the start) of the lecture. */
  atEnd(scene, offset) {
    if (!this.note) return;
    const total = LECTURE.length;
    const n = this.indexOf(scene) || (offset > 0 ? total : 1);
    this.note.textContent = t(offset > 0 ? "lecture.end" : "lecture.start", { n, total });
    this.note.dataset.edge = offset > 0 ? "end" : "start";
    this.noteScene = scene;
    this.note.hidden = false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.note.hidden = true;
    }, NOTE_MS);
  }
}
