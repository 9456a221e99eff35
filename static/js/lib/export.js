// The Download menu of the 1D and 2D pages: the race as CSV, JSON or a standalone replay (made by the
// server from the race's configs: the page's runs are live runs, and the same config replays the same
// path), each plot as PNG (1920 wide) or SVG, an animated GIF of the picture from step 0 to the cursor
// (encoded here by the vendored gifenc), and a downloaded JSON dropped or opened to replay its race.
import { showToast } from "./chrome.js";
import { has, t } from "./messages.js";
import { normaliseSchedule, specOf, stripDefaults } from "./run-text.js";

const PROJECTOR_WIDTH = 1920;
const GIF_MOST_FRAMES = 200; // a longer race is sampled: every k-th step, always ending at the cursor
const GIF_FPS = [5, 10, 20];
const GIF_WIDTHS = [640, 960, 1280];
const GIFENC = "/static/vendor/gifenc/gifenc.esm.js";

// The picture a GIF animates on each page, and how to draw it at a given step.
const SCENES = {
  "1d": { group: () => "curve-plot", draw: (views, session, state) => views.curve.render(session, state) },
  "2d": {
    group: (state) => (state.view === "surface" ? "surface-plot" : "landscape"),
    draw: (views, session, state) =>
      state.view === "surface" ? views.surface.render(session, state) : views.contour.render(session, state),
  },
};

/**
 * Add the menu to the page's top bar. `page` is the RacePage; with `race: false` (the network page, whose
 * runs the export API does not replay) the menu offers the pictures only, and dropped files are left alone.
 */
export function installExportMenu(page, { race = true } = {}) {
  const menu = new ExportMenu(page, race);
  menu.install();
  return menu;
}

// ----- small helpers -----

function element(tag, attributes = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = element("a", { href: url, download: name });
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function fileName(disposition, fallback) {
  return /filename="([^"]+)"/.exec(disposition ?? "")?.[1] ?? fallback;
}

/** A data: URL from Plotly.toImage as bytes (fetching a data: URL is outside the pages' connect-src). */
function dataUrlBlob(url) {
  const [head, body] = [url.slice(0, url.indexOf(",")), url.slice(url.indexOf(",") + 1)];
  const type = head.slice(5).split(";")[0];
  if (head.endsWith(";base64")) return new Blob([Uint8Array.from(atob(body), (c) => c.charCodeAt(0))], { type });
  return new Blob([decodeURIComponent(body)], { type });
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error("image"));
    image.src = url;
  });
}

const nextPaint = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));

// ----- plots on the page -----

/** The plots a person sees, grouped: the 2D map is two layers (contour and paths), downloaded as one. */
function plotGroups() {
  const groups = new Map();
  for (const div of document.querySelectorAll(".js-plotly-plot")) {
    if (!div.offsetParent || !div.data) continue;
    let key = div.closest(".landscape")?.id ?? div.id;
    if (!key && div.classList.contains("boundary")) key = `boundary-${[...div.parentElement.children].indexOf(div) + 1}`;
    if (!key) continue;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(div);
  }
  return [...groups].map(([key, layers]) => ({ key, layers, name: groupName(key, layers) }));
}

function groupName(key, layers) {
  if (has(`export.plot.${key}`)) return t(`export.plot.${key}`);
  if (key.startsWith("boundary-")) return t("export.plot.boundary", { n: key.slice("boundary-".length) });
  return layers.find((l) => l.getAttribute("aria-label"))?.getAttribute("aria-label") ?? key;
}

/** The layers as one figure on a white page: every layer's traces, the first layer's axes, all shapes. */
function figureOf(layers) {
  const layout = { ...layers[0].layout, paper_bgcolor: "#ffffff" };
  layout.shapes = layers.flatMap((l) => l.layout.shapes ?? []);
  layout.annotations = layers.flatMap((l) => l.layout.annotations ?? []);
  return { data: layers.flatMap((l) => l.data), layout };
}

// ----- the menu -----

class ExportMenu {
  constructor(page, race) {
    this.page = page;
    this.race = race;
    this.busy = false;
  }

  install() {
    const bar = document.querySelector(".topbar-actions");
    if (!bar) return;
    if (!document.querySelector('link[href="/static/css/export.css"]')) {
      document.head.append(element("link", { rel: "stylesheet", href: "/static/css/export.css" }));
    }
    this.details = element("details", { class: "export-menu", id: "export-menu" });
    const summary = element("summary", { class: "button ghost", title: t("export.menu.label") }, t("export.menu"));
    this.panel = element("div", { class: "export-panel", role: "menu", "aria-label": t("export.menu.label") });
    this.details.append(summary, this.panel);
    bar.prepend(this.details);
    this.details.addEventListener("toggle", () => this.details.open && this.fill());
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.details.open) this.details.open = false;
    });
    document.addEventListener("click", (event) => {
      if (this.details.open && !this.details.contains(event.target)) this.details.open = false;
    });
    // Keys inside the menu (space on a button, typing in a field) are the menu's, not the transport's.
    this.details.addEventListener("keydown", (event) => {
      event.stopPropagation();
      if (event.key === "Escape" && this.details.open) {
        this.details.open = false;
        summary.focus();
      }
    });
    this.fileInput = element("input", { type: "file", accept: ".json,application/json", id: "export-file", hidden: "" });
    this.fileInput.addEventListener("change", () => this.fileInput.files[0] && this.open(this.fileInput.files[0]));
    document.body.append(this.fileInput);
    if (this.race) this.listenForDrops();
  }

  /** Built each time it opens: the plots on show depend on the view. */
  fill() {
    const section = (title) => {
      const box = element("section", { class: "export-section" });
      box.append(element("h3", {}, title));
      this.panel.append(box);
      return box;
    };
    const item = (box, text, action, attributes = {}) => {
      const button = element("button", { type: "button", role: "menuitem", ...attributes }, text);
      button.addEventListener("click", () => action());
      box.append(button);
      return button;
    };
    this.panel.replaceChildren();
    if (this.race) {
      const data = section(t("export.section.data"));
      for (const format of ["csv", "json", "html"]) {
        item(data, t(`export.${format}`), () => this.downloadRace(format), { "data-export": format });
      }
    }
    const pictures = section(t("export.section.pictures"));
    for (const group of plotGroups()) {
      for (const format of ["png", "svg"]) {
        item(pictures, t(`export.${format}`, { plot: group.name }), () => this.downloadPicture(group, format), {
          "data-export": `${format}:${group.key}`,
        });
      }
    }
    if (this.race) {
      this.gifForm(pictures);
      const open = section(t("export.section.open"));
      item(open, t("export.open"), () => this.fileInput.click(), { "data-export": "open" });
    }
    this.progress = element("p", { class: "export-progress", role: "status", "aria-live": "polite" });
    this.panel.append(this.progress);
  }

  gifForm(box) {
    const scene = SCENES[this.page.page];
    if (!scene) return;
    const key = scene.group(this.page.state);
    const group = plotGroups().find((g) => g.key === key);
    if (!group) return;
    const form = element("form", { class: "export-gif" });
    const choice = (label, name, values, chosen) => {
      const field = element("label", {}, label);
      const select = element("select", { name });
      for (const value of values) select.append(element("option", { value: String(value) }, String(value)));
      select.value = String(chosen);
      field.append(select);
      form.append(field);
      return select;
    };
    form.append(element("p", {}, t("export.gif")));
    const fps = choice(t("export.gif.fps"), "fps", GIF_FPS, 10);
    const width = choice(t("export.gif.width"), "width", GIF_WIDTHS, 960);
    form.append(element("button", { type: "submit", class: "button small", "data-export": "gif" }, t("export.gif.make")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.downloadGif(Number(fps.value), Number(width.value));
    });
    box.append(form);
  }

  say(text) {
    if (this.progress) this.progress.textContent = text;
  }

  async guarded(name, work) {
    if (this.busy) return;
    this.busy = true;
    this.say(t("export.working", { name }));
    try {
      await work();
      this.say("");
    } catch (error) {
      this.say("");
      showToast(t("export.failed", { detail: error.message }), { error: true, ms: 15000 });
    } finally {
      this.busy = false;
    }
  }

  // ----- the race as a file -----

  downloadRace(format) {
    return this.guarded(format.toUpperCase(), async () => {
      const { session, state } = this.page;
      const body = {
        runs: session.configs.map(specOf),
        steps: session.cursor,
        max_steps: this.page.maxSteps?.() ?? state.limit, // a fair race may take as many steps as its budget
        labels: this.page.labels(),
      };
      const response = await fetch(`/api/v1/export?format=${format}&lang=${encodeURIComponent(document.documentElement.lang || "en")}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!response.ok) {
        const detail = await response.json().catch(() => ({}));
        throw new Error(detail.detail ?? response.statusText);
      }
      save(await response.blob(), fileName(response.headers.get("content-disposition"), `hillside.${format}`));
    });
  }

  // ----- pictures -----

  baseName() {
    const state = this.page.state;
    const what = this.race ? (state.expr ? "formula" : state.fn) : this.page.page ?? "network";
    return `hillside-${what}-step-${this.page.session.cursor}`;
  }

  downloadPicture(group, format) {
    return this.guarded(format.toUpperCase(), async () => {
      const first = group.layers[0];
      const size = { width: first.clientWidth, height: first.clientHeight };
      const options = format === "png" ? { ...size, scale: PROJECTOR_WIDTH / size.width } : size;
      const url = await Plotly.toImage(figureOf(group.layers), { format, ...options });
      save(dataUrlBlob(url), `${this.baseName()}-${group.key}.${format}`);
    });
  }

  /**
   * Every step (or every k-th) from 0 to the cursor, drawn by the page's own view with a session that
   * stops at that step, so the GIF shows exactly what the page showed. Layers that never change (the
   * contour under the paths) are drawn once.
   */
  downloadGif(fps, width) {
    return this.guarded("GIF", async () => {
      const { GIFEncoder, quantize, applyPalette } = await import(GIFENC);
      const { session, state, views } = this.page;
      const scene = SCENES[this.page.page];
      const group = plotGroups().find((g) => g.key === scene.group(state));
      const end = session.cursor;
      const stride = Math.ceil((end + 1) / GIF_MOST_FRAMES);
      const steps = [];
      for (let k = 0; k < end; k += stride) steps.push(k);
      steps.push(end);
      if (session.playing) session.pause();
      const first = group.layers[0];
      const scale = width / first.clientWidth;
      const size = { width: first.clientWidth, height: first.clientHeight, scale };
      const canvas = element("canvas");
      canvas.width = width;
      canvas.height = Math.round(first.clientHeight * scale);
      const context = canvas.getContext("2d", { willReadFrequently: true });
      const still = group.layers.filter((l) => l._context?.staticPlot);
      const moving = group.layers.filter((l) => !l._context?.staticPlot);
      const background = await Promise.all(still.map(async (l) => loadImage(await Plotly.toImage(l, { format: "png", ...size }))));
      const gif = GIFEncoder();
      const view = Object.create(session); // the session's frames, seen with the cursor at each step in turn
      try {
        for (const [n, step] of steps.entries()) {
          this.say(t("export.gif.progress", { n: n + 1, total: steps.length }));
          view.cursor = step;
          scene.draw(views, view, state);
          await nextPaint();
          const images = await Promise.all(
            moving.map(async (l) => loadImage(await Plotly.toImage(l, { format: "png", ...size }))),
          );
          context.fillStyle = "#ffffff";
          context.fillRect(0, 0, canvas.width, canvas.height);
          for (const image of [...background, ...images]) context.drawImage(image, 0, 0, canvas.width, canvas.height);
          const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
          const palette = quantize(data, 256);
          gif.writeFrame(applyPalette(data, palette), canvas.width, canvas.height, {
            palette,
            delay: Math.round(1000 / fps),
          });
        }
      } finally {
        this.page.render(); // back to the live picture
      }
      gif.finish();
      save(new Blob([gif.bytes()], { type: "image/gif" }), `${this.baseName()}.gif`);
      showToast(t("export.gif.done", { frames: steps.length, width: canvas.width, height: canvas.height }));
    });
  }

  // ----- a downloaded race, opened again -----

  listenForDrops() {
    const hint = element("div", { class: "export-drop", hidden: "" }, t("export.drop"));
    document.body.append(hint);
    const carriesFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes("Files");
    document.addEventListener("dragover", (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      hint.hidden = false;
    });
    document.addEventListener("dragleave", (event) => {
      if (!event.relatedTarget) hint.hidden = true;
    });
    document.addEventListener("drop", (event) => {
      hint.hidden = true;
      if (!carriesFiles(event)) return;
      event.preventDefault();
      const file = event.dataTransfer.files[0];
      if (file) this.open(file);
    });
  }

  async open(file) {
    let target;
    try {
      target = this.replayUrl(JSON.parse(await file.text()));
    } catch (error) {
      const detail = error instanceof SyntaxError ? t("export.import.not_json") : error.message;
      showToast(t("export.import.failed", { detail }), { error: true, ms: 15000 });
      return;
    }
    window.location.assign(target);
  }

  /** The page and URL state that replay a downloaded race: its configs, and the cursor at its last step. */
  replayUrl(race) {
    const runs = race?.runs ?? (race?.config ? [race] : null);
    const configs = (runs ?? []).map((run) => run?.config).filter((c) => c?.optimizer && Array.isArray(c.start));
    if (runs?.some((run) => run?.config?.network)) throw new Error(t("export.import.network"));
    if (!configs.length || configs.length !== runs.length) throw new Error(t("export.import.no_runs"));
    const fn = JSON.stringify(configs[0].function);
    if (configs.some((c) => JSON.stringify(c.function) !== fn)) throw new Error(t("export.import.mixed"));
    const optimizers = this.page.optimizerById;
    if (configs.some((c) => !optimizers.has(c.optimizer))) throw new Error(t("export.import.no_runs"));
    const lastStep = (run) => run.frames?.at?.(-1)?.step ?? 0;
    const step = Math.max(...runs.map(lastStep));
    const function_ = configs[0].function;
    const state = {
      fn: typeof function_ === "string" ? function_ : undefined,
      expr: typeof function_ === "object" ? function_.expression : undefined,
      runs: configs.map((c) => {
        const optimizer = optimizers.get(c.optimizer);
        const schedule = normaliseSchedule(c.schedule, optimizer, this.page.scheduleByKind);
        return {
          optimizer: c.optimizer,
          hyperparameters: stripDefaults(c.hyperparameters ?? {}, optimizer),
          changes: (c.changes ?? []).map((h) => ({
            at_step: h.at_step,
            hyperparameters: stripDefaults(h.hyperparameters, optimizer),
          })),
          start: c.start,
          ...(schedule ? { schedule } : {}),
        };
      }),
      step,
      limit: Math.max(step, configs[0].max_steps ?? step, 1),
      ...(configs[0].budget ? { fair: true, budget: configs[0].budget } : {}),
    };
    // Relative to nothing, so every value is written: the other page's defaults may differ from this one's.
    const query = this.page.url.query(state, {});
    return `${configs[0].start.length === 1 ? "/1d" : "/2d"}${query}`;
  }
}
