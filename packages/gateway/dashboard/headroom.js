// RSS against the monitor's thresholds, as a bar. The thresholds derive from the heap or container
// limit (gigabytes) while RSS is often a hundred MB, so on the memory chart's scale they would sit
// far above the data; the bar shows how much room is left before each.
const MB = 1024 * 1024;
// The bar spans a little past the critical threshold, so its mark and an RSS above it both show.
const SPAN = 1.1;

/** Updates the bar; hidden until the monitor has reported its thresholds. */
export function renderHeadroom(rss, thresholds) {
  const element = document.getElementById('headroom');
  if (!thresholds || rss === undefined) {
    element.hidden = true;
    return;
  }
  const span = thresholds.critical * SPAN;
  const percent = (bytes) => `${Math.min(100, (bytes / span) * 100)}%`;
  // CSSOM property writes, which the page's CSP (no inline styles) allows.
  document.getElementById('headroom-fill').style.width = percent(rss);
  for (const name of ['warning', 'cleanup', 'critical']) {
    const mark = element.querySelector(`.mark.${name}`);
    mark.style.left = percent(thresholds[name]);
    mark.title = `${name} ${(thresholds[name] / MB).toFixed(0)} MB`;
  }
  const share = ((rss / thresholds.critical) * 100).toFixed(1);
  document.getElementById('headroom-text').textContent =
    `RSS ${(rss / MB).toFixed(1)} MB is ${share}% of the critical ${(thresholds.critical / MB).toFixed(0)} MB`;
  element.hidden = false;
}
