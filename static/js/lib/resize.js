// Plotly's `responsive` option follows the window only; our plots also change size when presenter
// mode hides the sidebar or the 2D view switches, so watch the containers themselves.

export function keepSized(...divs) {
  const observer = new ResizeObserver((entries) => {
    // Resize on the next frame: resizing inside the observer callback can re-trigger it.
    requestAnimationFrame(() => {
      for (const { target } of entries) {
        if (target.data && target.offsetWidth > 0 && target.offsetHeight > 0) Plotly.Plots.resize(target);
      }
    });
  });
  for (const div of divs) observer.observe(div);
  return observer;
}
