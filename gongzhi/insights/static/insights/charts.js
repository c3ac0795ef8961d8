/* The one renderer of the insights charts (docs: insights.md "Charts: one format, one renderer").
 *
 * Every <div class="gz-chart" data-spec="ID"> is drawn from the JSON of <script type="application/json" id="ID">
 * (Django's json_script):
 *   {"type": "line"|"bar"|"stacked"|"scatter", "x": [...], "unit": "rate"|"count"|"amount"|"hours",
 *    "series": [{"name": "...", "data": [number|null, ...]}], "links": [[url|null, ...], ...] (optional),
 *    "x_name": "...", "y_name": "...", "x_unit": "..." (scatter, optional)}
 * Rates are fractions (0.253 → 25.3%), amounts yuan. Scatter points are [x, y] pairs.
 *
 * CSP-safe: no inline script, no eval, no HTML with style attributes (tooltips are drawn on the canvas:
 * renderMode "richText"). Clicking a point with a link opens it (same-site paths only). Charts follow the
 * window's size. Without JavaScript the table beneath each chart carries the same figures.
 */
(function () {
  "use strict";

  var PALETTE = ["#b42318", "#1d4ed8", "#1e7b34", "#9a5b00", "#6d28d9", "#0f766e", "#be185d", "#52606d"];
  var charts = [];

  function noDataText(el) {
    return el.getAttribute("data-no-data") || "—";
  }

  function format(unit, value, noData) {
    if (value === null || value === undefined || (typeof value === "number" && isNaN(value))) {
      return noData;
    }
    if (unit === "rate") {
      return (value * 100).toFixed(1) + "%";
    }
    if (unit === "amount") {
      return "¥" + Number(value).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    if (unit === "hours") {
      return Number(value).toFixed(1) + " h";
    }
    return Number(value).toLocaleString("zh-CN", { maximumFractionDigits: 2 });
  }

  function axisLabel(unit) {
    if (unit === "rate") {
      return function (v) { return Math.round(v * 100) + "%"; };
    }
    if (unit === "amount") {
      return function (v) { return "¥" + Number(v).toLocaleString("zh-CN", { maximumFractionDigits: 0 }); };
    }
    return function (v) { return String(v); };
  }

  function safeLink(url) {
    // only same-site paths: "/insights/…", never "//host" or "javascript:"
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" && url.charAt(1) !== "\\" ? url : null;
  }

  function linkOf(spec, seriesIndex, dataIndex) {
    var links = spec.links;
    if (!links || !links[seriesIndex]) {
      return null;
    }
    return safeLink(links[seriesIndex][dataIndex]);
  }

  function option(spec, el) {
    var unit = spec.unit || "count";
    var noData = noDataText(el);
    var type = spec.type || "line";
    var narrow = el.clientWidth < 480;
    var scatter = type === "scatter";
    var series = (spec.series || []).map(function (s, i) {
      var out = {
        name: s.name,
        data: s.data,
        type: scatter ? "scatter" : (type === "line" ? "line" : "bar"),
        connectNulls: false,
        emphasis: { focus: "series" },
        cursor: spec.links && spec.links[i] ? "pointer" : "default"
      };
      if (type === "stacked") {
        out.stack = "total";
      }
      if (type === "line") {
        out.symbolSize = 7;
      }
      if (scatter) {
        out.symbolSize = 10;
      }
      return out;
    });
    var tooltip = {
      trigger: scatter ? "item" : "axis",
      renderMode: "richText",
      confine: true,
      formatter: function (params) {
        var list = Array.isArray(params) ? params : [params];
        if (!list.length) {
          return "";
        }
        if (scatter) {
          var p = list[0];
          var pair = p.value || [];
          return p.seriesName + "\n" + (spec.x_name || "") + " " + format(spec.x_unit || unit, pair[0], noData) +
            "\n" + (spec.y_name || "") + " " + format(unit, pair[1], noData);
        }
        var lines = [list[0].axisValueLabel || list[0].name];
        list.forEach(function (p) {
          lines.push(p.seriesName + ": " + format(unit, p.value, noData));
        });
        return lines.join("\n");
      }
    };
    var valueAxis = {
      type: "value",
      name: spec.y_name || "",
      axisLabel: { formatter: axisLabel(unit) },
      min: unit === "rate" ? 0 : undefined,
      max: unit === "rate" ? function (v) { return Math.max(1, v.max); } : undefined
    };
    return {
      color: PALETTE,
      animation: false,
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { type: "scroll", top: 0, show: series.length > 1 || scatter },
      tooltip: tooltip,
      xAxis: scatter
        ? { type: "value", name: spec.x_name || "", axisLabel: { formatter: axisLabel(spec.x_unit || unit) } }
        : {
            type: "category",
            data: spec.x || [],
            name: narrow ? "" : (spec.x_name || ""),
            axisLabel: { hideOverlap: true, rotate: narrow && (spec.x || []).length > 6 ? 45 : 0 }
          },
      yAxis: valueAxis,
      series: series
    };
  }

  function draw(el) {
    var id = el.getAttribute("data-spec");
    var source = id ? document.getElementById(id) : null;
    if (!source || typeof window.echarts === "undefined") {
      return;
    }
    var spec;
    try {
      spec = JSON.parse(source.textContent);
    } catch (e) {
      return;
    }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option(spec, el));
    chart.on("click", function (params) {
      var url = linkOf(spec, params.seriesIndex, params.dataIndex);
      if (url) {
        window.location.assign(url);
      }
    });
    el.classList.add("gz-chart-ready");
    charts.push(chart);
  }

  function resizeAll() {
    charts.forEach(function (c) { c.resize(); });
  }

  function start() {
    var nodes = document.querySelectorAll(".gz-chart[data-spec]");
    Array.prototype.forEach.call(nodes, draw);
    var timer = null;
    window.addEventListener("resize", function () {
      if (timer) {
        window.clearTimeout(timer);
      }
      timer = window.setTimeout(resizeAll, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
