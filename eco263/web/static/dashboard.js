/* 驾驶舱 map: Suzhou's districts coloured by open / overdue problems, 苏州工业园区 as a point.
   ECharts and the boundaries are served by this site (vendored at set-up); no network. */
(function () {
  "use strict";
  var script = document.getElementById("dash-script");
  var holder = document.getElementById("map");
  var data = JSON.parse(document.getElementById("dash-data").textContent);
  var metric = "open";
  var chart = null;
  var LABELS = { open: "在办", overdue: "逾期" };

  function ledgerUrl(code) {
    return "/problems?division=" + encodeURIComponent(code) + (metric === "overdue" ? "&due=overdue" : "&state=open");
  }

  function maxOf(items) {
    var m = 0;
    items.forEach(function (d) { m = Math.max(m, d[metric]); });
    return Math.max(m, 1);
  }

  function option() {
    var regions = data.regions.map(function (d) {
      return { name: d.name, value: d[metric], code: d.code, open: d.open, overdue: d.overdue, due_soon: d.due_soon };
    });
    var points = data.points.map(function (d) {
      return { name: d.name, value: d.coord.concat([d[metric]]), code: d.code, open: d.open, overdue: d.overdue, due_soon: d.due_soon };
    });
    if (!points.length && data.sip && data.regions.length > 1) {
      points.push({ name: data.sip.name, value: data.sip.coord.concat([0]), code: data.sip.code, open: 0, overdue: 0, due_soon: 0 });
    }
    var colors = metric === "overdue" ? ["#fff5f0", "#fcae91", "#de2d26", "#a50f15"] : ["#f0f9f4", "#a1d9b4", "#41ab5d", "#0b5d3b"];
    return {
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var d = p.data;
          if (!d) { return p.name + "<br>无数据或不在本辖区"; }
          return ((data.labels && data.labels[d.name]) || d.name) + "<br>在办 " + d.open + " · 临期 " + d.due_soon + " · 逾期 " + d.overdue;
        }
      },
      visualMap: {
        min: 0, max: maxOf(data.regions.concat(data.points)), left: 8, bottom: 8, calculable: false,
        text: ["多", LABELS[metric] + " 少"], inRange: { color: colors }, seriesIndex: [0, 1]
      },
      geo: {
        map: "suzhou", roam: false, top: 8, bottom: 8, left: 60, right: 8,
        label: {
          show: true, fontSize: 10, color: "#1f2933", textBorderColor: "#fff", textBorderWidth: 2,
          formatter: function (p) { return (data.labels && data.labels[p.name]) || p.name; }
        },
        itemStyle: { areaColor: "#eceff1", borderColor: "#fff", borderWidth: 1 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffe082" } }
      },
      series: [
        { id: "regions", type: "map", geoIndex: 0, data: regions },
        {
          id: "sip", type: "scatter", coordinateSystem: "geo", data: points, symbolSize: 18,
          label: { show: true, formatter: "园区 {@[2]}", position: "bottom", fontSize: 11, textBorderColor: "#fff", textBorderWidth: 2 },
          itemStyle: { borderColor: "#fff", borderWidth: 2 }, encode: { value: 2 }
        }
      ]
    };
  }

  function draw() { chart.setOption(option(), true); }

  function start(geojson) {
    echarts.registerMap("suzhou", geojson);
    chart = echarts.init(holder, null, { renderer: "canvas" });
    draw();
    chart.on("click", function (p) {
      if (p.data && p.data.code) { window.location.href = ledgerUrl(p.data.code); }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    holder.setAttribute("data-ready", "1");
    window.eco263Dashboard = { chart: chart, data: data };
  }

  document.querySelectorAll(".toggle button").forEach(function (button) {
    button.addEventListener("click", function () {
      metric = button.getAttribute("data-metric");
      document.querySelectorAll(".toggle button").forEach(function (b) { b.classList.toggle("on", b === button); });
      if (chart) { draw(); }
    });
  });

  fetch(script.getAttribute("data-map"), { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(start)
    .catch(function () {
      holder.textContent = "地图数据未加载（请运行 make assets）";
      holder.setAttribute("data-ready", "error");
    });
})();
