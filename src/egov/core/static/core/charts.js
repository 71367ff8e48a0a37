// Draws a chart over each table marked data-egov-chart="bar" or "line", with Chart.js (vendored:
// core/vendor/chart.umd.min.js). The table is the chart's data and its accessible text: it stays
// in the page (screen readers and pages without JavaScript read it); the canvas is an image
// labelled by the table's caption. Rows: a header cell (the label) and a cell whose data-value
// is the number (empty: not available). data-egov-chart-max fixes the value axis's maximum.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") return;
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var RED = "#DA251D";

  function figures(table) {
    var labels = [], values = [];
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var head = row.querySelector("th"), cell = row.querySelector("td[data-value]");
      if (!head || !cell) return;
      labels.push(head.textContent.trim());
      var text = cell.getAttribute("data-value");
      values.push(text === "" ? null : parseFloat(text));
    });
    return { labels: labels, values: values };
  }

  document.querySelectorAll("table[data-egov-chart]").forEach(function (table) {
    var kind = table.getAttribute("data-egov-chart");
    var data = figures(table);
    if (!data.labels.length) return;
    var caption = table.querySelector("caption");
    var wrapper = document.createElement("div");
    wrapper.className = "egov-chart__canvas";
    var bar = kind === "bar";
    // A horizontal bar per organisation: the chart grows with the rows.
    wrapper.style.position = "relative";
    wrapper.style.height = (bar ? Math.max(160, data.labels.length * 22 + 60) : 280) + "px";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    // The page says, in its language, where the figures are (data-egov-chart-note).
    canvas.setAttribute("aria-label", [caption ? caption.textContent.trim() : "",
      table.getAttribute("data-egov-chart-note") || ""].join(". "));
    wrapper.appendChild(canvas);
    var anchor = table.closest("details") || table;
    anchor.parentNode.insertBefore(wrapper, anchor);
    var max = parseFloat(table.getAttribute("data-egov-chart-max"));
    var axis = { beginAtZero: true };
    if (!isNaN(max)) axis.max = max;
    new window.Chart(canvas, {
      type: bar ? "bar" : "line",
      data: {
        labels: data.labels,
        datasets: [{
          data: data.values,
          backgroundColor: RED,
          borderColor: RED,
          spanGaps: false,
          tension: 0,
        }],
      },
      options: {
        indexAxis: bar ? "y" : "x",
        maintainAspectRatio: false,
        animation: reduced ? false : undefined,
        plugins: { legend: { display: false } },
        scales: bar ? { x: axis } : { y: axis },
      },
    });
  });
})();
