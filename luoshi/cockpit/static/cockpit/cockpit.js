// Draws the cockpit's charts from the json_script data on the page; the tables below each chart carry the same
// numbers, so the page is complete without this script. Clicking a bar opens the records behind it.
(function () {
  var COLORS = {red: "#c62828", yellow: "#e0a800", green: "#2e7d32"};
  var NAMES = {red: "红灯", yellow: "黄灯", green: "绿灯"};
  var charts = [];

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(id, option, onClick) {
    var node = document.getElementById(id);
    if (!node || !window.echarts) return;
    var chart = echarts.init(node, null, {renderer: "canvas"});
    // richText tooltips are drawn on the canvas: names typed by users never become HTML
    option.tooltip = Object.assign({trigger: "axis", renderMode: "richText"}, option.tooltip);
    option.animation = false;
    chart.setOption(option);
    if (onClick) chart.on("click", onClick);
    charts.push(chart);
  }

  function init() {
    var areas = data("area-data");
    if (areas) {
      draw("area-chart", {
        legend: {top: 0}, grid: {left: 8, right: 16, top: 30, bottom: 8, containLabel: true},
        xAxis: {type: "value", minInterval: 1}, yAxis: {type: "category", data: areas.labels, inverse: true},
        series: ["red", "yellow", "green"].map(function (light) {
          return {name: NAMES[light], type: "bar", stack: "lights", data: areas.series[light],
                  itemStyle: {color: COLORS[light]}, cursor: "pointer"};
        })
      }, function (e) {
        var light = ["red", "yellow", "green"][e.seriesIndex];
        var href = areas.links[light][e.dataIndex];
        if (href) window.location.href = href;
      });
    }
    var stages = data("stage-data");
    if (stages) {
      draw("stage-chart", {
        legend: {top: 0}, grid: {left: 8, right: 8, top: 30, bottom: 8, containLabel: true},
        xAxis: {type: "category", data: stages.map(function (s) { return s.label; })},
        yAxis: [{type: "value", name: "万元"}, {type: "value", name: "个", minInterval: 1}],
        series: [
          {name: "总投资", type: "bar", data: stages.map(function (s) { return Number(s.total); }), itemStyle: {color: "#90a4ae"}},
          {name: "累计完成", type: "bar", data: stages.map(function (s) { return Number(s.done); }), itemStyle: {color: "#a61b1b"}},
          {name: "项目数", type: "line", yAxisIndex: 1, data: stages.map(function (s) { return s.count; })}
        ]
      }, function (e) { window.location.href = stages[e.dataIndex].link; });
    }
    var curve = data("curve-data");
    if (curve) {
      draw("curve-chart", {
        legend: {top: 0}, grid: {left: 8, right: 16, top: 30, bottom: 8, containLabel: true},
        xAxis: {type: "category", data: curve.map(function (m) { return m.month + "月"; })},
        yAxis: {type: "value", name: "万元"},
        series: [
          {name: "计划", type: "line", data: curve.map(function (m) { return m.planned; }), lineStyle: {type: "dashed"}, itemStyle: {color: "#607d8b"}},
          {name: "完成", type: "line", data: curve.map(function (m) { return m.done; }), itemStyle: {color: "#a61b1b"}}
        ]
      });
    }
    var trend = data("trend-data");
    if (trend) {
      var rates = {response_rate: "响应率", resolution_rate: "解决率", satisfaction_rate: "满意率", on_time_rate: "按时率"};
      draw("trend-chart", {
        legend: {top: 0}, grid: {left: 8, right: 16, top: 30, bottom: 8, containLabel: true},
        xAxis: {type: "category", data: trend.map(function (m) { return m.month; })},
        yAxis: {type: "value", min: 0, max: 100, name: "%"},
        series: Object.keys(rates).map(function (key) {
          return {name: rates[key], type: "line", connectNulls: true, data: trend.map(function (m) { return m[key]; })};
        })
      });
    }
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
