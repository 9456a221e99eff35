// The landing page: the lecture's scenes as links, and the keys that work everywhere.
import { isPresenter, setPresenter, toggleFullscreen, toggleHelp, wireChrome } from "./lib/chrome.js";
import { bindKeys } from "./lib/keys.js";
import { LECTURE, sceneUrl } from "./lib/lecture.js";
import { t } from "./lib/messages.js";
import { wireJoinForm } from "./lib/room-join.js";

const list = document.getElementById("lecture-list");
list.replaceChildren(
  ...LECTURE.map((scene) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = sceneUrl(scene);
    link.textContent = t(`scene.${scene.scene}.name`);
    const where = document.createElement("span");
    where.className = "where";
    where.textContent = t(`nav.${scene.page}`);
    item.append(link, where);
    return item;
  }),
);

wireJoinForm();
setPresenter(new URLSearchParams(window.location.search).get("presenter") === "1");
const chrome = wireChrome();
bindKeys({
  presenter: chrome.presenter,
  fullscreen: toggleFullscreen,
  help: toggleHelp,
  nextScene: () => window.location.assign(sceneUrl(LECTURE[0], { presenter: isPresenter() })),
});
