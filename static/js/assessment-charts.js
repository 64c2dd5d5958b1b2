// Bar charts for the star-rating dashboards. Each <div class="sb-chart" data-source="ID"> draws the
// JSON embedded by Django's json_script under ID: {categories: [...], series: [{name, data, stack?}]}.
(function () {
  if (typeof echarts === "undefined") return;
  var colours = ["#bdbdbd", "#90a4ae", "#ffb74d", "#f57c00", "#c62828", "#6d4c41"];
  document.querySelectorAll(".sb-chart").forEach(function (el) {
    var source = document.getElementById(el.dataset.source);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el);
    chart.setOption({
      color: colours,
      tooltip: { trigger: "axis" },
      legend: { show: data.series.length > 1, bottom: 0 },
      grid: { left: 40, right: 10, top: 20, bottom: data.series.length > 1 ? 40 : 25 },
      xAxis: { type: "category", data: data.categories },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s, i) {
        return {
          name: s.name, type: "bar", stack: s.stack, data: s.data,
          itemStyle: data.series.length === 1 ? { color: function (p) { return colours[p.dataIndex % colours.length]; } } : undefined,
        };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
