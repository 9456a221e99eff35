// The sidebar's numbered list of scenes, and the caption of the one being shown.
import { t } from "./messages.js";

export function renderSceneList(list, scenes, onPick) {
  list.replaceChildren(
    ...scenes.map((scene, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "scene";
      button.dataset.scene = scene.id;
      const number = Object.assign(document.createElement("span"), { className: "scene-number", textContent: String(i + 1) });
      const name = Object.assign(document.createElement("span"), { textContent: t(`scene.${scene.id}.name`) });
      button.append(number, name);
      button.addEventListener("click", () => onPick(scene.id));
      const item = document.createElement("li");
      item.append(button);
      return item;
    }),
  );
}

/** Mark the current scene in the list and show its caption over the plots (none: no caption). */
export function showScene(id, caption) {
  for (const button of document.querySelectorAll(".scene")) {
    button.setAttribute("aria-current", String(button.dataset.scene === id));
  }
  caption.hidden = !id;
  caption.textContent = id ? t(`scene.${id}.caption`) : "";
}
