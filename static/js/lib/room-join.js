// "Join a lecture" on the landing page: a code typed (any case, spaces or dashes) opens /join/CODE, which the
// server sends on to the lecturer's page. A code that is not live is said here, before leaving the page; the
// server's own "not live" answer (/join/CODE that ended) lands here too, with the code filled in.
import { language, t } from "./messages.js";
import { normaliseCode, roomInfo } from "./room-link.js";

export function wireJoinForm() {
  const form = document.getElementById("join-form");
  if (!form) return;
  const input = document.getElementById("join-code");
  const error = document.getElementById("join-error");
  const say = (text) => {
    error.textContent = text;
    error.hidden = !text;
  };
  const fromPath = /^\/join\/([^/]+)/.exec(window.location.pathname)?.[1];
  if (fromPath) {
    input.value = decodeURIComponent(fromPath);
    say(t("lecture.join.not_live", { code: normaliseCode(input.value) ?? input.value }));
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = normaliseCode(input.value);
    if (!code) {
      say(t("lecture.join.bad_code"));
      input.focus();
      return;
    }
    say("");
    try {
      await roomInfo(code);
    } catch (problem) {
      say(problem.status === 404 ? t("lecture.join.not_live", { code }) : problem.message);
      return;
    }
    window.location.assign(`/join/${code}?lang=${encodeURIComponent(language())}`);
  });
}
