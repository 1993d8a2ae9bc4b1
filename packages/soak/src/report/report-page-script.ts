/**
 * The report page's own script (plain browser JavaScript, inlined into report.html). It reads
 * the run's data from the `soak-data` JSON block and draws one uPlot chart per series, with
 * the cleanup events as vertical lines and the end of the warm-up as a dashed one. Cursors are
 * synchronised across charts.
 */
export const REPORT_PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var d = JSON.parse(document.getElementById('soak-data').textContent);
  var kindColors = {};
  d.kinds.forEach(function (kind, i) { kindColors[kind] = d.kindColors[i]; });

  function elapsed(s) {
    if (s < 120) return Math.round(s) + 's';
    if (s < 7200) return Math.round(s / 60) + 'm';
    return (s / 3600).toFixed(1) + 'h';
  }

  function markers(u) {
    var ctx = u.ctx;
    var top = u.bbox.top;
    var bottom = top + u.bbox.height;
    ctx.save();
    ctx.lineWidth = Math.max(1, devicePixelRatio);
    d.events.forEach(function (ev) {
      var x = Math.round(u.valToPos(ev[0], 'x', true));
      ctx.strokeStyle = kindColors[ev[1]] || '#999';
      ctx.globalAlpha = 0.35;
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, bottom); ctx.stroke();
    });
    ctx.globalAlpha = 1;
    ctx.strokeStyle = '#555';
    ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
    var wx = Math.round(u.valToPos(d.warmupSeconds, 'x', true));
    ctx.beginPath(); ctx.moveTo(wx, top); ctx.lineTo(wx, bottom); ctx.stroke();
    ctx.restore();
  }

  var container = document.getElementById('charts');
  var width = Math.max(480, Math.min(1200, container.clientWidth || 960));
  d.charts.forEach(function (chart) {
    var box = document.createElement('section');
    container.appendChild(box);
    var series = [{ label: 'elapsed', value: function (u, v) { return v == null ? '-' : elapsed(v); } }];
    var data = [d.t];
    chart.series.forEach(function (s) {
      series.push({ label: s.label, stroke: s.color, width: 1.5, dash: s.dash || undefined, spanGaps: false,
        value: function (u, v) { return v == null ? '-' : v.toFixed(chart.digits); } });
      data.push(s.values);
    });
    new uPlot({
      title: chart.title,
      width: width,
      height: 240,
      cursor: { sync: { key: 'soak' } },
      scales: { x: { time: false } },
      axes: [
        { values: function (u, splits) { return splits.map(elapsed); } },
        { label: chart.unit, size: 60 }
      ],
      series: series,
      hooks: { draw: [markers] }
    }, data, box);
  });
})();
`;
