// The measuring half of tests/browser/layout.py: run in the page by Playwright's evaluate().
({ tolerance, minFont, foldSelectors }) => {
  const problems = [];
  const vw = window.innerWidth;
  const vh = window.innerHeight;

  const describe = (el, text) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += `#${el.id}`;
    const cls = typeof el.className === "string" ? el.className : el.getAttribute("class") || "";
    const classes = cls.split(/\s+/).filter(Boolean).slice(0, 2);
    if (classes.length) name += `.${classes.join(".")}`;
    const plot = el.closest(".js-plotly-plot");
    if (plot && plot !== el) name = `${name} in plot #${plot.id || "?"}`;
    const words = (text ?? el.textContent ?? "").replace(/\s+/g, " ").trim();
    return words ? `${name} "${words.slice(0, 40)}"` : name;
  };
  const box = (r) => `${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)}`;

  const hidden = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === "none" || s.visibility === "hidden" || Number(s.opacity) === 0) return true;
      if (e.hidden || (e.tagName === "DIALOG" && !e.open)) return true;
      // The contents of a closed <details> are not drawn, though their computed style says nothing of it.
      const up = e.parentElement;
      if (up?.tagName === "DETAILS" && !up.open && e.tagName !== "SUMMARY") return true;
      if (e.classList?.contains("hoverlayer") || e.classList?.contains("sr-only")) return true;
    }
    return false;
  };

  // The part of a rectangle that its clipping ancestors (overflow other than visible, an svg root) let through.
  const clipBoxes = new Map();
  const clippersOf = (el, self) => {
    const out = [];
    for (let e = self ? el : el.parentElement; e && e !== document.documentElement; e = e.parentElement) {
      if (!clipBoxes.has(e)) {
        const s = getComputedStyle(e);
        const x = s.overflowX !== "visible";
        const y = s.overflowY !== "visible";
        clipBoxes.set(e, x || y ? { el: e, x, y, style: s, rect: e.getBoundingClientRect() } : null);
      }
      const c = clipBoxes.get(e);
      if (c) out.push(c);
    }
    return out;
  };
  const visiblePart = (rect, clippers) => {
    let { left, top, right, bottom } = rect;
    for (const c of clippers) {
      const r = c.rect;
      const bl = parseFloat(c.style.borderLeftWidth) || 0;
      const bt = parseFloat(c.style.borderTopWidth) || 0;
      if (c.x) {
        left = Math.max(left, r.left + bl);
        right = Math.min(right, r.left + bl + c.el.clientWidth);
      }
      if (c.y) {
        top = Math.max(top, r.top + bt);
        bottom = Math.min(bottom, r.top + bt + c.el.clientHeight);
      }
    }
    return { left, top, right, bottom, width: right - left, height: bottom - top };
  };

  const items = []; // {el, rect (visible part), kind: "text" | "box", plot, label}

  // ----- HTML text: each text node's own box (a paragraph's text, not the whole width of the paragraph) -----
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || el.closest("svg, script, style, template, select, option, noscript")) continue;
    if (hidden(el)) continue;
    range.selectNodeContents(node);
    const font = parseFloat(getComputedStyle(el).fontSize);
    // One item per line box: a link that wraps covers its two lines, not the rectangle around them.
    for (const rect of range.getClientRects()) {
      if (rect.width < 1 || rect.height < 1) continue;
      // A text node is clipped by its own element too (a paragraph clamped to two lines).
      items.push({ el, full: rect, kind: "text", label: describe(el, node.textContent), font, node: true });
    }
  }
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (hidden(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width < 1 || rect.height < 1) continue;
    const text = el.tagName === "SELECT" ? el.selectedOptions[0]?.textContent ?? "" : el.value;
    const font = ["checkbox", "radio"].includes(el.type) ? Infinity : parseFloat(getComputedStyle(el).fontSize);
    items.push({ el, full: rect, kind: "text", label: describe(el, text), font });
  }

  // ----- Plotly's text: titles, tick labels, legends, annotations (not the hover layer) -----
  for (const el of document.querySelectorAll(".js-plotly-plot svg.main-svg text")) {
    if (!el.textContent.trim() || hidden(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width < 1 || rect.height < 1) continue;
    items.push({ el, full: rect, kind: "text", label: describe(el), font: parseFloat(getComputedStyle(el).fontSize), svg: true });
  }

  // ----- boxes: plots, tables, panels, buttons and fixed things -----
  const BOXES = ".js-plotly-plot, table, .card, .status, .caption, .presenter-exit, .toast, button, img, .plot-note";
  for (const el of document.querySelectorAll(BOXES)) {
    if (hidden(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width < 2 || rect.height < 2) continue;
    items.push({ el, full: rect, kind: "box", label: describe(el, el.matches(".js-plotly-plot, table, .card") ? "" : undefined) });
  }

  for (const item of items) {
    item.clippers = clippersOf(item.el, item.node);
    item.rect = visiblePart(item.full, item.clippers);
    item.plot = item.el.closest(".js-plotly-plot");
    item.overlay = item.el.closest("[data-overlay], .layer");
    item.sticky = false;
    for (let e = item.el; e && e !== document.body; e = e.parentElement) {
      if (getComputedStyle(e).position === "sticky") item.sticky = true;
    }
  }
  const shown = items.filter((i) => i.rect.width > tolerance && i.rect.height > tolerance);

  // ----- overlaps -----
  const related = (a, b) => a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el);
  const overlapOf = (a, b) => ({
    x: Math.min(a.right, b.right) - Math.max(a.left, b.left),
    y: Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top),
  });
  for (let i = 0; i < shown.length; i += 1) {
    const a = shown[i];
    for (let j = i + 1; j < shown.length; j += 1) {
      const b = shown[j];
      if (a.kind === "box" && b.kind === "box" && !(a.el.matches(".js-plotly-plot, .presenter-exit, .toast") || b.el.matches(".js-plotly-plot, .presenter-exit, .toast"))) continue;
      if (related(a, b)) continue;
      // Sticky things (a table's head, the phone's transport bar) float over what scrolls under them by design.
      if (a.sticky || b.sticky) continue;
      // Text of one plot against the other parts of the same plot is Plotly's own business, except text on text.
      if (a.plot && a.plot === b.plot && (a.kind === "box" || b.kind === "box")) continue;
      const o = overlapOf(a.rect, b.rect);
      if (o.x <= tolerance || o.y <= tolerance) continue;
      // Intended overlays lie over a sibling layer or over plots, not over words.
      if ((a.overlay || b.overlay) && (a.kind === "box" || b.kind === "box")) continue;
      // A text inside a box (a label in a card, a legend in its plot) lies on it by design.
      if (a.kind === "box" && a.el.contains(b.el)) continue;
      if (b.kind === "box" && b.el.contains(a.el)) continue;
      problems.push(`overlap: ${a.label} [${box(a.rect)}] and ${b.label} [${box(b.rect)}] overlap by ${Math.round(o.x)}x${Math.round(o.y)} px`);
    }
  }

  // ----- clipping (one sentence per container, naming the first few texts it cuts) -----
  const cuts = new Map(); // container -> {how, where, labels}
  for (const item of items) {
    if (item.kind !== "text") continue;
    const f = item.full;
    // Rows scrolled out of sight in a vertical scroller are not cut, just not shown yet.
    const v = visiblePart(f, item.clippers.filter((c) => c.y));
    if (v.height <= tolerance) continue;
    for (const c of item.clippers) {
      // A paragraph clamped to a few lines, or a line ending in "…", shows that it is shortened: by design.
      if (c.el === item.el && (c.style.webkitLineClamp !== "none" || c.style.textOverflow === "ellipsis")) continue;
      const r = c.rect;
      const scrollsY = ["auto", "scroll"].includes(c.style.overflowY);
      const inner = (parseFloat(c.style.borderLeftWidth) || 0);
      const cutX = c.x && (f.left < r.left - tolerance || f.right > r.left + inner + c.el.clientWidth + tolerance);
      const cutY = c.y && !scrollsY && (f.top < r.top - tolerance || f.bottom > r.top + (parseFloat(c.style.borderTopWidth) || 0) + c.el.clientHeight + tolerance);
      if (!cutX && !cutY) continue;
      if (!cuts.has(c.el)) {
        const where = c.el.tagName.toLowerCase() === "svg" ? `the edge of plot #${c.el.closest(".js-plotly-plot")?.id ?? "?"}` : describe(c.el, "");
        cuts.set(c.el, { how: cutX ? "horizontally" : "vertically", where: `${where} [${box(r)}]`, labels: [] });
      }
      cuts.get(c.el).labels.push(`${item.label} [${box(f)}]`);
      break;
    }
  }
  for (const { how, where, labels } of cuts.values()) {
    const more = labels.length > 3 ? ` and ${labels.length - 3} more` : "";
    problems.push(`clipped: ${where} cuts off ${how}: ${labels.slice(0, 3).join(", ")}${more}`);
  }
  // A text container that needs a horizontal scrollbar hides columns or the ends of lines.
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("svg") || el.tagName === "SELECT" || el.tagName === "MATH") continue;
    if (el.scrollWidth <= el.clientWidth + tolerance || el.clientWidth === 0) continue;
    const s = getComputedStyle(el);
    if (s.overflowX === "visible" || hidden(el)) continue;
    problems.push(`clipped: ${describe(el, "")} needs ${el.scrollWidth - el.clientWidth} px more width (scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth})`);
  }
  // A select shows its chosen entry in full, or the reader cannot tell which function is chosen.
  const canvas = document.createElement("canvas").getContext("2d");
  for (const el of document.querySelectorAll("select")) {
    if (hidden(el)) continue;
    const s = getComputedStyle(el);
    canvas.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    const text = el.selectedOptions[0]?.textContent ?? "";
    const need = canvas.measureText(text).width;
    const room = el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) - (s.appearance === "none" ? 0 : 20);
    if (need > room + tolerance) problems.push(`clipped: ${describe(el, text)} shows ${Math.round(room)} px of an entry ${Math.round(need)} px wide`);
  }
  // Outside the viewport horizontally, or the page scrolls sideways.
  const page = document.documentElement;
  if (page.scrollWidth > vw + tolerance) problems.push(`clipped: the page is ${page.scrollWidth} px wide in a ${vw} px viewport (it scrolls sideways)`);
  for (const item of items) {
    if (item.clippers.some((c) => c.x)) continue; // measured against its container above
    const f = item.full;
    if (f.left < -tolerance || f.right > vw + tolerance) {
      problems.push(`clipped: ${item.label} [${box(f)}] lies outside the ${vw} px wide viewport`);
    }
  }

  // ----- small text -----
  for (const item of items) {
    if (item.kind !== "text" || item.rect.width <= tolerance) continue;
    if (item.font + 0.05 < minFont) problems.push(`small: ${item.label} is ${item.font.toFixed(1)} px (minimum ${minFont} px)`);
  }

  // ----- below the fold: what a caption points to must be on the screen without scrolling -----
  for (const selector of foldSelectors) {
    for (const el of document.querySelectorAll(selector)) {
      if (hidden(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.bottom > vh + tolerance || r.top < -tolerance) {
        problems.push(`below the fold: ${describe(el, "")} [${box(r)}] is not inside the ${vw}x${vh} viewport`);
      }
    }
  }
  return problems;
}
