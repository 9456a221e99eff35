// One sigmoid neuron, x = 1, target 0, starting saturated: the loss over (w, b) for squared error and for
// cross-entropy side by side, each with its gradient-descent path from the same start.
import { t } from "../lib/messages.js";
import { colour } from "../lib/palette.js";
import { axis, baseLayout, PLOT_CONFIG, theme } from "../lib/theme.js";

export async function fetchNeuron() {
  const response = await fetch("/api/v1/network/neuron?w=2&b=2&lr=0.15&steps=300");
  if (!response.ok) throw new Error(response.statusText);
  return response.json();
}

export function drawNeuron(divs, result, step) {
  const th = theme();
  ["squared_error", "cross_entropy"].forEach((loss, k) => {
    const path = result.paths[loss].slice(0, step + 1);
    const a = result.outputs[loss][Math.min(step, result.outputs[loss].length - 1)];
    Plotly.react(
      divs[k],
      [
        { type: "contour", x: result.w, y: result.b, z: result[loss], colorscale: "Greys", reversescale: true, showscale: false, ncontours: 20 },
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
        margin: { l: th.font * 2.6, r: th.font * 0.5, t: th.font * 2.2, b: th.font * 2.6 },
        title: {
          text: t("net.neuron.title", { loss: t(`net.loss.${loss}`), a: a.toFixed(3) }),
          font: { size: th.font, color: colour(k) },
          x: 0.02,
          y: 0.98,
        },
        xaxis: axis(th, { title: { text: "w" } }),
        yaxis: axis(th, { title: { text: "b" }, scaleanchor: "x" }),
      }),
      PLOT_CONFIG,
    );
  });
}
