/* 在线监测 point chart: one pollutant over the chosen window, the limit as a dashed line,
   data with a non-normal HJ 212 flag (maintenance, calibration, fault …) marked by kind.
   Data come from the page's own JSON endpoint; ECharts is vendored (no CDN). */
(function () {
  "use strict";
  var holder = document.getElementById("chart");
  if (!holder) { return; }
  var COLORS = { maintenance: "#d69e2e", calibration: "#319795", fault: "#c53030", stop: "#718096", other: "#805ad5" };

  function yMax(data) {
    return function (extent) {
      var top = extent.max;
      if (data.limit) { top = Math.max(top, data.limit.value * 1.1); }
      return top;
    };
  }

  function option(data) {
    var unit = data.unit ? " " + data.unit : "";
    var series = [{
      name: data.pollutant_name, type: "line", data: data.line, showSymbol: false,
      connectNulls: false, lineStyle: { width: 1.2, color: "#2b6cb0" }, itemStyle: { color: "#2b6cb0" },
      sampling: "lttb",
      markLine: data.limit ? {
        symbol: "none", silent: true,
        lineStyle: { color: "#c53030", type: "dashed", width: 1.5 },
        label: { formatter: "限值 " + data.limit.value + unit, position: "insideEndTop", color: "#c53030" },
        data: [{ yAxis: data.limit.value, name: "排放限值" }]
      } : undefined
    }];
    data.flagged.forEach(function (group) {
      series.push({
        name: group.label, type: "scatter", data: group.data, symbolSize: 6,
        itemStyle: { color: COLORS[group.kind] || COLORS.other }
      });
    });
    return {
      animation: false,
      title: { text: data.pollutant_name + "（" + data.pollutant + "）" + data.cn_label, left: 8, top: 0, textStyle: { fontSize: 13 } },
      legend: { top: 0, right: 8 },
      grid: { left: 56, right: 24, top: 48, bottom: 56 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + unit; } },
      // from the first record in the window (a point may have less history than the window)
      xAxis: { type: "time", min: "dataMin", max: data.end },
      yAxis: { type: "value", name: data.unit, scale: true, max: yMax(data) },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }],
      series: series
    };
  }

  function draw(data) {
    if (!data.count) {
      holder.textContent = "所选时段内无数据";
      holder.classList.add("chart-empty");
      holder.setAttribute("data-ready", "empty");
      return;
    }
    var chart = echarts.init(holder, null, { renderer: "canvas" });
    chart.setOption(option(data));
    window.addEventListener("resize", function () { chart.resize(); });
    holder.setAttribute("data-ready", "1");
    window.eco263PointChart = { chart: chart, data: data };
  }

  fetch(holder.getAttribute("data-src"), { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(draw)
    .catch(function () {
      holder.textContent = "曲线数据加载失败，请刷新页面";
      holder.setAttribute("data-ready", "error");
    });
})();
