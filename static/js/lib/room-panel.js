// The lecturer's side of a room: "Share live" in the top bar, and the room panel: the code in type big enough
// for the back of a hall, the join address and its QR code (the server's SVG), how many follow, "End the room",
// and the class race: open a question, watch answers arrive, start the race, show the distribution, clear it.
import { element } from "./controls.js";
import { num, point } from "./format.js";
import { t } from "./messages.js";
import { colour } from "./palette.js";
import { drawHistogram } from "./room-histogram.js";

/** A display name as Plotly text: its pseudo-HTML (<b>, <a>...) shown as the characters typed. */
export function plotText(text) {
  return String(text ?? "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// What each page may ask: a network has no start point to choose (the server refuses one).
const KINDS = { "1d": ["lr", "start", "optimizer"], "2d": ["lr", "start", "optimizer"], network: ["lr", "optimizer"] };

/** An answer's value as a person reads it: a learning rate, a start point, an optimizer with its rate. */
export function answerText(kind, value, optimizerName = (id) => id) {
  if (kind === "lr" && typeof value === "number") return t("lecture.value.lr", { lr: num(value, 3) });
  if (kind === "start" && Array.isArray(value)) return t("lecture.value.start", { point: point(value, 3) });
  if (kind === "optimizer" && value && typeof value === "object") {
    const lr = value.hyperparameters?.lr;
    const name = optimizerName(value.optimizer);
    return lr === undefined ? name : t("lecture.value.optimizer", { optimizer: name, lr: num(lr, 3) });
  }
  return "";
}

export class LecturerPanel {
  constructor(room) {
    this.room = room;
    this.page = room.page;
    this.kinds = KINDS[document.body.dataset.page] ?? ["lr"];
    this.showDistribution = false;
    this.button = element("button", {
      type: "button",
      class: "button ghost room-share",
      id: "room-share",
      title: t("lecture.share_hint"),
      "aria-expanded": "false",
      onclick: () => room.share(),
    }, [t("lecture.share")]);
    document.querySelector(".topbar-actions")?.prepend(this.button);
    this.corner = element("button", { type: "button", class: "room-corner", id: "room-corner", "data-overlay": "", hidden: true, onclick: () => this.toggle() });
    this.root = element("aside", { class: "room-panel", id: "room-panel", "data-overlay": "", "aria-label": t("lecture.panel"), hidden: true });
    document.body.append(this.corner);
    // Over the page's right edge on a wide screen; at the top of the page on a narrow one (room.css).
    document.getElementById("main")?.before(this.root);
    this.build();
  }

  build() {
    const hide = element("button", { type: "button", class: "button small", onclick: () => this.close() }, [t("lecture.hide")]);
    this.code = element("p", { class: "room-code", id: "room-code" });
    this.address = element("p", { class: "room-address", id: "room-address" });
    this.qr = element("img", { class: "room-qr", id: "room-qr", alt: t("lecture.qr_alt"), width: "256", height: "256" });
    this.count = element("p", { class: "room-count", id: "room-count", role: "status" });
    const end = element("button", { type: "button", class: "button room-end", id: "room-end", onclick: () => this.room.end() }, [t("lecture.end_room")]);

    this.askButtons = this.kinds.map((kind) =>
      element("button", { type: "button", class: "button small", "data-ask": kind, onclick: () => this.room.ask(kind) }, [t(`lecture.ask.${kind}`)]),
    );
    this.questionTitle = element("p", { class: "room-question-title", id: "room-question-title" });
    this.answerList = element("ol", { class: "room-answers", id: "room-answers" });
    this.histogram = element("div", { class: "plot room-histogram", id: "room-histogram", hidden: true });
    this.summary = element("div", { class: "room-race-summary", id: "room-race-summary", role: "status" });
    const act = (id, key, handler) => element("button", { type: "button", class: "button small", id, onclick: handler }, [t(key)]);
    this.closeButton = act("room-close-question", "lecture.close_question", () => this.room.closeQuestion());
    this.raceButton = act("room-race", "lecture.race", () => this.room.race());
    this.raceButton.classList.add("primary");
    this.distributionButton = act("room-distribution", "lecture.distribution", () => {
      this.showDistribution = !this.showDistribution;
      this.render();
    });
    this.clearButton = act("room-clear", "lecture.clear", () => {
      this.showDistribution = false;
      this.room.clearQuestion();
    });
    this.questionActions = element("div", { class: "room-actions" }, [this.closeButton, this.raceButton, this.distributionButton, this.clearButton]);

    this.root.append(
      element("div", { class: "room-head" }, [element("h2", { text: t("lecture.panel") }), hide]),
      element("div", {}, [element("p", { class: "room-label", text: t("lecture.code") }), this.code]),
      element("div", { class: "room-join" }, [
        element("div", {}, [element("p", { class: "room-label", text: t("lecture.join_at") }), this.address, this.count]),
        this.qr,
      ]),
      element("section", { class: "room-ask", hidden: !this.kinds.length }, [
        element("h3", { text: t("lecture.ask") }),
        element("div", { class: "room-actions" }, this.askButtons),
        this.questionTitle,
        this.questionActions,
        this.histogram,
        this.answerList,
        this.summary,
      ]),
      element("div", { class: "room-foot" }, [end]),
    );
  }

  // ----- showing -----

  show() {
    this.render();
  }

  open() {
    this.root.hidden = false;
    this.render();
    if (window.matchMedia("(max-width: 900px)").matches) this.root.scrollIntoView({ block: "start" });
  }

  close() {
    this.root.hidden = true;
    this.render();
  }

  toggle() {
    if (this.root.hidden) this.open();
    else this.close();
  }

  hide() {
    this.root.hidden = true;
    this.render();
  }

  render() {
    const room = this.room;
    const live = room.mode === "lecturer" && room.room;
    const wasOpen = document.documentElement.classList.contains("room-panel-open");
    const open = Boolean(live) && !this.root.hidden;
    if (open !== wasOpen) {
      document.documentElement.classList.toggle("room-panel-open", open);
      window.dispatchEvent(new Event("resize")); // the plots take the width the panel leaves
    }
    this.button.hidden = room.mode === "follower" || room.mode === "explorer";
    this.button.textContent = live ? t("lecture.live", { code: room.code, n: room.followers }) : t("lecture.share");
    this.button.classList.toggle("live", Boolean(live));
    this.button.setAttribute("aria-expanded", String(Boolean(live) && !this.root.hidden));
    this.corner.hidden = !live || !this.root.hidden;
    if (!live) {
      this.root.hidden = true;
      return;
    }
    this.corner.textContent = t("lecture.live", { code: room.code, n: room.followers });
    this.code.textContent = room.code;
    this.address.textContent = room.room.url;
    if (this.qr.getAttribute("src") !== room.room.qr) this.qr.src = room.room.qr;
    this.count.textContent = t("lecture.following", { n: room.followers });
    if (!this.root.hidden) this.renderQuestion();
  }

  renderQuestion() {
    const { question, answers } = this.room;
    const list = answers?.answers ?? [];
    for (const button of this.askButtons) button.setAttribute("aria-pressed", String(question?.kind === button.dataset.ask && question.open));
    this.questionTitle.textContent = question
      ? t(question.open ? "lecture.question_open" : "lecture.question_closed", { question: t(`lecture.ask.${question.kind}`), n: list.length })
      : "";
    this.questionActions.hidden = !question;
    this.closeButton.disabled = !question?.open;
    this.raceButton.disabled = !question;
    this.distributionButton.hidden = question?.kind !== "lr";
    this.distributionButton.setAttribute("aria-pressed", String(this.showDistribution));
    const kind = question?.kind;
    const optimizerName = (id) => this.page.optimizerById?.get(id)?.name ?? this.page.optimizers?.find((o) => o.id === id)?.name ?? id;
    const signature = JSON.stringify([kind, list]);
    if (signature !== this.shownAnswers) {
      this.shownAnswers = signature;
      // Runner i of the race is answer i - 1: the answers wear the colours their runners will.
      this.answerList.replaceChildren(
        ...list.map((a, i) => {
          const item = element("li", {}, [
            element("span", { class: "swatch" }),
            element("span", { class: "who", text: a.label }), // text, never HTML: a display name is anyone's
            element("span", { class: "what", text: answerText(kind, a.value, optimizerName) }),
          ]);
          item.firstChild.style.background = colour(i + 1);
          return item;
        }),
      );
    }
    this.markStarts(kind === "start" ? list : []);
    const histogram = this.showDistribution && kind === "lr";
    this.histogram.hidden = !histogram;
    if (histogram) {
      drawHistogram(this.histogram, list.map((a) => a.value), answers?.lambda_max?.stable_lr ?? question?.lambda_max?.stable_lr ?? null);
    }
    this.renderSummary();
  }

  /** The class's start points on the 2D map as they arrive, in the colours their runners will wear. */
  markStarts(answers) {
    const contour = this.page.views?.contour;
    if (!contour) return;
    const points = answers.filter((a) => Array.isArray(a.value) && a.value.length === 2);
    const signature = JSON.stringify(points);
    if (signature === this.markedStarts) return;
    this.markedStarts = signature;
    contour.extraTraces = (th) =>
      points.length
        ? [{
            type: "scatter",
            mode: "markers+text",
            x: points.map((a) => a.value[0]),
            y: points.map((a) => a.value[1]),
            text: points.map((a) => plotText(a.label)),
            textposition: "top center",
            textfont: { size: th.font * 0.8, color: th.text },
            marker: { size: th.marker * 0.8, symbol: "circle-open", color: points.map((a) => colour(answers.indexOf(a) + 1)), line: { width: 3 } },
            hoverinfo: "skip",
            showlegend: false,
          }]
        : [];
    this.page.render();
  }

  /** Who got lowest and who diverged, once a class race runs (the status list says why each diverged). */
  renderSummary() {
    const labels = this.room.raceLabels ? this.page.labels() : null;
    const session = this.room.session;
    if (!labels) {
      this.summary.replaceChildren();
      return;
    }
    this.summary.replaceChildren(...raceSummary(session, labels).map((text) => element("p", { text })));
  }
}

/** Sentences about a class race at the cursor: the lowest loss among runners that did not diverge, and who diverged. */
export function raceSummary(session, labels) {
  const lines = [];
  let best = null;
  const diverged = [];
  labels.forEach((label, run) => {
    const status = session.statuses[run]?.status;
    if (status === "diverged") {
      diverged.push(label ?? "");
      return;
    }
    const loss = session.current(run)?.loss;
    if (typeof loss === "number" && Number.isFinite(loss) && (best === null || loss < best.loss)) best = { label, loss, run };
  });
  if (best) lines.push(t("lecture.summary.lowest", { name: best.label ?? "", loss: num(best.loss, 4) }));
  if (diverged.length) lines.push(t("lecture.summary.diverged", { n: diverged.length, names: diverged.join(t("text.list_separator")) }));
  return lines;
}
