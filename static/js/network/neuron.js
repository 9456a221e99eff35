// One sigmoid neuron, x = 1, target 0, starting saturated: the loss over (w, b) for squared error and for
// cross-entropy side by side, each with its gradient-descent path from the same start and its colour scale.
import { t } from "../lib/messages.js";
import { colour } from "../lib/palette.js";
import { axis, baseLayout, PLOT_CONFIG, theme } from "../lib/theme.js";
import { colourBar } from "./landscape.js";

export async function fetchNeuron(steps) {
  const response = await fetch(`/api/v1/network/neuron?w=2&b=2&lr=0.15&steps=${steps}`);
  if (!response.ok) throw new Error(response.statusText);
  return response.json();
}

/** Draws both pictures at `step` and returns each title's text (the page puts titles above the plots). */
export function drawNeuron(divs, result, step) {
  const th = theme();
  return ["squared_error", "cross_entropy"].map((loss, k) => {
    const at = Math.min(step, result.paths[loss].length - 1);
    const path = result.paths[loss].slice(0, at + 1);
    Plotly.react(
      divs[k],
      [
        {
          type: "contour",
          x: result.w,
          y: result.b,
          z: result[loss],
          colorscale: "Greys",
          reversescale: true,
          ncontours: 20,
          showscale: true,
          colorbar: colourBar(th, t("plot.loss.y")),
          hoverinfo: "skip",
        },
        {
          type: "scatter",
          mode: "lines+markers",
          x: path.map((p) => p[0]),
          y: path.map((p) => p[1]),
          line: { color: colour(k), width: th.line },
          marker: { size: th.marker * 0.3, color: colour(k) },
        },
      ],
      baseLayout(th, {
        margin: { l: th.font * 2.6, r: th.font * 0.5, t: th.font * 0.5, b: th.font * 2.6 },
        xaxis: axis(th, { title: { text: "w" }, constrain: "domain" }),
        yaxis: axis(th, { title: { text: "b" }, scaleanchor: "x", constrain: "domain" }),
      }),
      PLOT_CONFIG,
    );
    return t("net.neuron.title", { loss: t(`net.loss.${loss}`), a: result.outputs[loss][at].toFixed(3) });
  });
}
