// Plotly's `responsive` option follows the window only; our plots also change size when presenter
// mode hides the sidebar or the 2D view switches, so watch the containers themselves.

/** Keep each div's plot the size of the div; `afterResize(div)` runs once Plotly has redrawn it. */
export function keepSized(...divs) {
  return keepSizedThen(null, ...divs);
}

export function keepSizedThen(afterResize, ...divs) {
  const observer = new ResizeObserver((entries) => {
    // Resize on the next frame: resizing inside the observer callback can re-trigger it.
    requestAnimationFrame(() => {
      for (const { target } of entries) {
        if (target.data && target.offsetWidth > 0 && target.offsetHeight > 0) {
          Promise.resolve(Plotly.Plots.resize(target)).then(() => afterResize?.(target));
        }
      }
    });
  });
  for (const div of divs) observer.observe(div);
  return observer;
}
