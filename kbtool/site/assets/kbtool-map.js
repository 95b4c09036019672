// The citation maps (kbtool): papers placed by date, left to right, in one lane per topic;
// citations as arrows; the reading status as the mark. Drawn on a canvas from
// citation-map.json, which the site builds: nothing is fetched from anywhere else.
//
// Titles are data: they are drawn on the canvas or put in textContent, never parsed as HTML.
// At thousands of papers only what is in view is drawn, citations faint unless they touch
// the paper under the pointer, so the map never becomes a hairball.
(function () {
  "use strict";

  var ROW = 14; // px between rows of marks in a lane
  var LANE_PAD = 9;
  var LABEL_W = 160; // px for the lane labels
  var AXIS_H = 24;
  var RIGHT_PAD = 18;
  var UNDATED_W = 56; // the strip for papers without a date
  var RADIUS = 4.5;
  var HIT = 9; // px around a mark that count as pointing at it
  var GAP = 2.2 * RADIUS + 1; // closest two marks of a row may be
  var ARROWS_UP_TO = 800; // faint citations get arrowheads only when this few are drawn
  var STATUS_ORDER = ["read", "reading", "to-read", ""];
  var STATUS_LABEL = { read: "read", reading: "reading", "to-read": "to read", "": "no status" };
  var DAY_MS = 86400000;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function isoDate(day) {
    return new Date(day * DAY_MS).toISOString().slice(0, 10);
  }

  function CitationMap(figure, data) {
    this.figure = figure;
    this.root = figure.getAttribute("data-kb-root") || "";
    this.canvas = figure.querySelector(".kb-map__canvas");
    this.tip = figure.querySelector(".kb-map__tip");
    this.stage = figure.querySelector(".kb-map__stage");
    this.topics = data.topics.map(function (t) { return { id: t[0], title: t[1] }; });
    var papers = (this.papers = data.papers.map(function (p, i) {
      return { i: i, title: p[0], url: p[1], day: p[2], status: p[3] || "", topics: p[4] };
    }));
    var edges = data.edges;
    var count = edges.length >> 1;
    this.from = new Int32Array(count);
    this.to = new Int32Array(count);
    this.out = papers.map(function () { return []; });
    this.into = papers.map(function () { return []; });
    for (var e = 0; e < count; e++) {
      this.from[e] = edges[2 * e];
      this.to[e] = edges[2 * e + 1];
      this.out[this.from[e]].push(e);
      this.into[this.to[e]].push(e);
    }
    var wanted = (figure.getAttribute("data-kb-topics") || "").split(" ").filter(Boolean);
    var index = {};
    this.topics.forEach(function (t, i) { index[t.id] = i; });
    // A topic's map starts with its own topics; the whole map with all of them.
    this.scope = wanted.length ? wanted.map(function (id) { return index[id]; })
      .filter(function (i) { return i !== undefined; }) : null;
    this.inScope = papers.filter(this.isInScope, this);
    this.selectedTopics = new Set(this.lanesInScope());
    this.selectedStatus = new Set(STATUS_ORDER);
    this.zoom = 1;
    this.panX = 0;
    this.scrollY = 0;
    this.focus = -1;
    this.pinned = false;
    this.drawQueued = false;
    this.firstDraw = true;
    this.buildControls();
    this.bindEvents();
    this.layout();
    this.focusFromHash();
    this.requestDraw();
  }

  CitationMap.prototype.isInScope = function (paper) {
    if (!this.scope) return true;
    return paper.topics.some(function (t) { return this.scope.indexOf(t) >= 0; }, this);
  };

  // Lane ids in order: topic indexes (tree order), then -1 for papers without a topic.
  CitationMap.prototype.lanesInScope = function () {
    var used = new Set();
    var scope = this.scope;
    this.inScope.forEach(function (p) {
      if (!p.topics.length) used.add(-1);
      p.topics.forEach(function (t) { if (!scope || scope.indexOf(t) >= 0) used.add(t); });
    });
    var lanes = [];
    this.topics.forEach(function (t, i) { if (used.has(i)) lanes.push(i); });
    if (used.has(-1)) lanes.push(-1);
    return lanes;
  };

  CitationMap.prototype.laneTitle = function (lane) {
    return lane < 0 ? "No topic" : this.topics[lane].title;
  };

  CitationMap.prototype.buildControls = function () {
    var self = this;
    var controls = this.figure.querySelector(".kb-map__controls");
    controls.textContent = "";
    var lanes = this.lanesInScope();
    if (lanes.length > 1) {
      var topicBox = el("details", "kb-map__filter");
      var summary = el("summary", null, "Topics");
      topicBox.appendChild(summary);
      lanes.forEach(function (lane) {
        topicBox.appendChild(self.checkbox(self.laneTitle(lane), true, "topic", lane, function (on) {
          if (on) self.selectedTopics.add(lane); else self.selectedTopics.delete(lane);
          self.refilter();
        }));
      });
      controls.appendChild(topicBox);
      this.topicSummary = summary;
    }
    var present = new Set(this.inScope.map(function (p) { return p.status; }));
    var statusBox = el("fieldset", "kb-map__filter kb-map__filter--status");
    statusBox.appendChild(el("legend", null, "Status"));
    STATUS_ORDER.forEach(function (status) {
      if (!present.has(status)) return;
      statusBox.appendChild(self.checkbox(STATUS_LABEL[status], true, "status", status, function (on) {
        if (on) self.selectedStatus.add(status); else self.selectedStatus.delete(status);
        self.refilter();
      }));
    });
    controls.appendChild(statusBox);
    var zoom = el("span", "kb-map__zoom");
    [["+", "Zoom in", 1.6], ["−", "Zoom out", 1 / 1.6], ["Reset", "Show everything", 0]].forEach(
      function (b) {
        var button = el("button", "md-button kb-map__button", b[0]);
        button.type = "button";
        button.title = b[1];
        button.setAttribute("aria-label", b[1]);
        button.addEventListener("click", function () {
          if (b[2]) self.zoomAt(self.plotLeft() + self.plotWidth() / 2, b[2]);
          else self.reset();
        });
        zoom.appendChild(button);
      }
    );
    controls.appendChild(zoom);
    this.counter = el("span", "kb-map__count");
    this.counter.setAttribute("aria-live", "polite");
    controls.appendChild(this.counter);
  };

  CitationMap.prototype.checkbox = function (label, checked, kind, value, onChange) {
    var wrap = el("label", "kb-map__option");
    var box = el("input");
    box.type = "checkbox";
    box.checked = checked;
    box.setAttribute("data-kb-" + kind, String(value));
    box.addEventListener("change", function () { onChange(box.checked); });
    wrap.appendChild(box);
    wrap.appendChild(document.createTextNode(" " + label));
    return wrap;
  };

  CitationMap.prototype.refilter = function () {
    this.focus = -1;
    this.pinned = false;
    this.hideTip();
    this.layout();
    this.invalidate();
  };

  CitationMap.prototype.reset = function () {
    this.zoom = 1;
    this.panX = 0;
    this.scrollY = 0;
    this.invalidate();
  };

  // --- layout: where each shown paper goes, at zoom 1 -----------------------------------------

  CitationMap.prototype.plotLeft = function () { return LABEL_W; };
  CitationMap.prototype.plotWidth = function () {
    return Math.max(120, this.width - LABEL_W - RIGHT_PAD - (this.undated ? UNDATED_W : 0));
  };

  CitationMap.prototype.layout = function () {
    var self = this;
    this.width = Math.max(320, this.stage.clientWidth || 320);
    var lanes = this.lanesInScope().filter(function (l) { return self.selectedTopics.has(l); });
    var laneOf = new Int32Array(this.papers.length).fill(-2);
    var shown = [];
    this.inScope.forEach(function (p) {
      if (!self.selectedStatus.has(p.status)) return;
      var lane = -2;
      if (!p.topics.length) lane = self.selectedTopics.has(-1) ? -1 : -2;
      else {
        for (var k = 0; k < p.topics.length; k++) {
          var t = p.topics[k];
          if (self.selectedTopics.has(t) && (!self.scope || self.scope.indexOf(t) >= 0)) {
            lane = t;
            break;
          }
        }
      }
      if (lane === -2) return;
      laneOf[p.i] = lane;
      shown.push(p);
    });
    var days = shown.filter(function (p) { return p.day !== null; }).map(function (p) { return p.day; });
    this.undated = shown.some(function (p) { return p.day === null; });
    var min = days.length ? Math.min.apply(null, days) : 0;
    var max = days.length ? Math.max.apply(null, days) : 1;
    var pad = Math.max(15, (max - min) * 0.02);
    this.dayMin = min - pad;
    this.daySpan = Math.max(1, max - min + 2 * pad);
    var plotW = this.plotWidth();
    this.baseX = new Float64Array(this.papers.length);
    this.row = new Int32Array(this.papers.length);
    this.visible = new Uint8Array(this.papers.length);
    var byLane = new Map();
    lanes.forEach(function (l) { byLane.set(l, []); });
    shown.forEach(function (p) {
      self.visible[p.i] = 1;
      self.baseX[p.i] = p.day === null ? -1 : ((p.day - self.dayMin) / self.daySpan) * plotW;
      if (byLane.has(laneOf[p.i])) byLane.get(laneOf[p.i]).push(p);
    });
    this.lanes = [];
    var top = AXIS_H;
    byLane.forEach(function (papers, lane) {
      if (!papers.length) return;
      papers.sort(function (a, b) {
        return (a.day === null) - (b.day === null) || (a.day || 0) - (b.day || 0) || a.i - b.i;
      });
      var rowEnds = [];
      var undatedRows = 0;
      papers.forEach(function (p) {
        if (p.day === null) { self.row[p.i] = undatedRows++; return; }
        var x = self.baseX[p.i];
        var r = 0;
        while (r < rowEnds.length && rowEnds[r] > x - GAP) r++;
        rowEnds[r] = x;
        self.row[p.i] = r;
      });
      var rows = Math.max(1, rowEnds.length, undatedRows);
      var height = rows * ROW + 2 * LANE_PAD;
      self.lanes.push({ lane: lane, top: top, height: height, count: papers.length });
      papers.forEach(function (p) { p.y = top + LANE_PAD + self.row[p.i] * ROW + ROW / 2; });
      top += height;
    });
    this.contentHeight = top + 4;
    this.shown = shown;
    var cap = Math.max(320, Math.round(window.innerHeight * 0.72));
    this.height = Math.min(this.contentHeight, cap);
    var edgeCount = 0;
    for (var e = 0; e < this.from.length; e++) {
      if (this.visible[this.from[e]] && this.visible[this.to[e]]) edgeCount++;
    }
    this.shownEdges = edgeCount;
    this.figure.setAttribute("data-shown-papers", String(shown.length));
    this.figure.setAttribute("data-shown-citations", String(edgeCount));
    this.counter.textContent = shown.length + " papers, " + edgeCount + " citations";
    if (this.topicSummary) {
      this.topicSummary.textContent = "Topics (" + lanes.length + " of " +
        this.lanesInScope().length + ")";
    }
    this.resizeCanvas();
    this.clampView();
  };

  CitationMap.prototype.resizeCanvas = function () {
    var ratio = window.devicePixelRatio || 1;
    this.ratio = ratio;
    this.canvas.style.width = this.width + "px";
    this.canvas.style.height = this.height + "px";
    this.canvas.width = Math.round(this.width * ratio);
    this.canvas.height = Math.round(this.height * ratio);
  };

  CitationMap.prototype.clampView = function () {
    var plotW = this.plotWidth();
    this.zoom = Math.min(Math.max(this.zoom, 1), 400);
    this.panX = Math.min(0, Math.max(this.panX, plotW - plotW * this.zoom));
    this.scrollY = Math.min(Math.max(this.scrollY, 0), Math.max(0, this.contentHeight - this.height));
  };

  // Where a paper is on the screen (canvas CSS pixels), from its place at zoom 1.
  CitationMap.prototype.screenX = function (i) {
    if (this.baseX[i] < 0) return this.plotLeft() + this.plotWidth() + UNDATED_W / 2;
    return this.plotLeft() + this.baseX[i] * this.zoom + this.panX;
  };
  CitationMap.prototype.screenY = function (i) { return this.papers[i].y - this.scrollY; };

  // --- drawing -----------------------------------------------------------------------------

  CitationMap.prototype.requestDraw = function () {
    if (this.drawQueued) return;
    this.drawQueued = true;
    var self = this;
    window.requestAnimationFrame(function () { self.drawQueued = false; self.draw(); });
  };

  CitationMap.prototype.colors = function () {
    var style = getComputedStyle(this.figure);
    function value(name, fallback) { return style.getPropertyValue(name).trim() || fallback; }
    return {
      fg: value("--md-default-fg-color", "rgba(0,0,0,0.87)"),
      light: value("--md-default-fg-color--light", "rgba(0,0,0,0.54)"),
      lighter: value("--md-default-fg-color--lighter", "rgba(0,0,0,0.32)"),
      band: value("--md-default-fg-color--lightest", "rgba(0,0,0,0.07)"),
      bg: value("--md-default-bg-color", "#fff"),
      accent: value("--md-accent-fg-color", "#526cfe"),
      primary: value("--md-primary-fg-color", "#4051b5"),
      font: value("--md-text-font-family", "") || "sans-serif",
    };
  };

  // What the view shows changed (pan, zoom, filters, size, colours): redraw everything.
  CitationMap.prototype.invalidate = function () {
    this.baseValid = false;
    this.requestDraw();
  };

  CitationMap.prototype.layer = function (name) {
    var canvas = this[name] || (this[name] = document.createElement("canvas"));
    if (canvas.width !== this.canvas.width || canvas.height !== this.canvas.height) {
      canvas.width = this.canvas.width;
      canvas.height = this.canvas.height;
    }
    var ctx = canvas.getContext("2d");
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    return ctx;
  };

  // The view without a paper in focus, in two layers kept between frames: the lanes and the
  // axis, and the citations and papers. Pointing at a paper then redraws only its citations
  // over a faded copy of the rest, so hovering costs the same at ten or ten thousand.
  CitationMap.prototype.renderBase = function () {
    var c = (this.palette = this.colors());
    var w = this.width, h = this.height;
    var chrome = this.layer("chromeLayer");
    chrome.font = "12px " + c.font;
    chrome.textBaseline = "middle";
    this.drawLanes(chrome, c, w, h);
    this.drawAxis(chrome, c, w);
    this.inView = this.placeInView(w, h);
    var content = this.layer("contentLayer");
    this.faintEdges = this.drawEdges(content, c, w, h);
    this.drawMarks(content, c, this.inView, null);
    this.baseValid = true;
  };

  CitationMap.prototype.draw = function () {
    if (!this.baseValid) this.renderBase();
    var ctx = this.canvas.getContext("2d");
    var c = this.palette;
    var focus = this.focus;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.chromeLayer, 0, 0);
    ctx.globalAlpha = focus >= 0 ? 0.25 : 1;
    ctx.drawImage(this.contentLayer, 0, 0);
    ctx.globalAlpha = 1;
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    var strong = 0;
    if (focus >= 0) {
      strong = this.drawFocus(ctx, c, focus);
    }
    this.figure.setAttribute("data-drawn-papers", String(this.inView.length));
    this.figure.setAttribute("data-drawn-citations", String(this.faintEdges + strong));
    this.figure.setAttribute("data-focus", focus >= 0 ? this.papers[focus].url : "");
    if (this.firstDraw) {
      this.firstDraw = false;
      this.figure.setAttribute("data-state", "ready");
      if (window.performance && performance.mark) performance.mark("kb-map-drawn");
    }
  };

  // The paper in focus: what it cites (primary colour) and what cites it (accent), strong,
  // with those papers drawn again at full strength.
  CitationMap.prototype.drawFocus = function (ctx, c, focus) {
    var self = this;
    var cites = this.out[focus].filter(function (e) { return self.visible[self.to[e]]; });
    var citedBy = this.into[focus].filter(function (e) { return self.visible[self.from[e]]; });
    ctx.save();
    ctx.beginPath();
    ctx.rect(LABEL_W, AXIS_H, this.width - LABEL_W, this.height - AXIS_H);
    ctx.clip();
    ctx.globalAlpha = 0.95;
    ctx.lineWidth = 1.6;
    ctx.strokeStyle = ctx.fillStyle = c.primary;
    this.strokeEdges(ctx, cites, true);
    ctx.strokeStyle = ctx.fillStyle = c.accent;
    this.strokeEdges(ctx, citedBy, true);
    ctx.restore();
    var near = [focus];
    cites.forEach(function (e) { near.push(self.to[e]); });
    citedBy.forEach(function (e) { near.push(self.from[e]); });
    this.drawMarks(ctx, c, near, focus);
    return cites.length + citedBy.length;
  };

  CitationMap.prototype.drawLanes = function (ctx, c, w, h) {
    var self = this;
    this.lanes.forEach(function (lane, k) {
      var y = lane.top - self.scrollY;
      if (y > h || y + lane.height < 0) return;
      if (k % 2 === 0) {
        ctx.fillStyle = c.band;
        ctx.fillRect(0, Math.max(y, AXIS_H), w, lane.height - Math.max(0, AXIS_H - y));
      }
      var label = self.laneTitle(lane.lane);
      var labelY = Math.max(y + 11, AXIS_H + 11);
      if (labelY < y + lane.height) {
        ctx.fillStyle = c.light;
        ctx.fillText(self.fit(ctx, label, LABEL_W - 14), 6, labelY);
      }
    });
  };

  CitationMap.prototype.fit = function (ctx, text, width) {
    if (ctx.measureText(text).width <= width) return text;
    var cut = text;
    while (cut.length > 1 && ctx.measureText(cut + "…").width > width) cut = cut.slice(0, -1);
    return cut + "…";
  };

  CitationMap.prototype.drawAxis = function (ctx, c, w) {
    ctx.fillStyle = c.bg;
    ctx.fillRect(0, 0, w, AXIS_H);
    ctx.strokeStyle = c.lighter;
    ctx.fillStyle = c.light;
    ctx.lineWidth = 1;
    var left = this.plotLeft();
    var right = left + this.plotWidth();
    var pxPerDay = (this.plotWidth() * this.zoom) / this.daySpan;
    var monthly = pxPerDay * 30 > 46;
    var first = new Date((this.dayMin - this.panX / pxPerDay) * DAY_MS);
    var year = first.getUTCFullYear();
    var month = monthly ? first.getUTCMonth() : 0;
    var firstLabel = null;
    for (var guard = 0; guard < 2000; guard++) {
      var day = Date.UTC(year, month, 1) / DAY_MS;
      var x = left + (day - this.dayMin) * pxPerDay + this.panX;
      if (x > right) break;
      if (x >= left) {
        ctx.beginPath();
        ctx.moveTo(x + 0.5, AXIS_H - 6);
        ctx.lineTo(x + 0.5, AXIS_H);
        ctx.stroke();
        var label = monthly ? (month === 0 ? String(year) : String(month + 1).padStart(2, "0"))
          : String(year);
        var fits = x + 3 + ctx.measureText(label).width < right - 2;
        if (fits && (monthly || pxPerDay * 365 > 34 || year % 5 === 0)) {
          ctx.fillText(label, x + 3, AXIS_H - 12);
          if (firstLabel === null) firstLabel = x;
        }
      }
      if (monthly) { month++; if (month > 11) { month = 0; year++; } } else year++;
    }
    // Where the view starts, when no tick is near the left edge to say.
    if (firstLabel === null || firstLabel - left > 64) {
      ctx.fillText(isoDate(this.dayMin - this.panX / pxPerDay).slice(0, 7), left + 3, AXIS_H - 12);
    }
    if (this.undated) {
      ctx.fillText("undated", right + 6, AXIS_H - 12);
      ctx.save();
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(right + 2.5, AXIS_H);
      ctx.lineTo(right + 2.5, this.height);
      ctx.stroke();
      ctx.restore();
    }
    ctx.beginPath();
    ctx.moveTo(left, AXIS_H - 0.5);
    ctx.lineTo(w - 4, AXIS_H - 0.5);
    ctx.stroke();
  };

  // Screen places of the shown papers; the ones inside the canvas, for marks and hit tests.
  CitationMap.prototype.placeInView = function (w, h) {
    var n = this.papers.length;
    this.sx = this.sx && this.sx.length === n ? this.sx : new Float64Array(n);
    this.sy = this.sy && this.sy.length === n ? this.sy : new Float64Array(n);
    var inView = [];
    var cell = 16;
    var cols = Math.ceil(w / cell) + 1;
    this.gridCols = cols;
    this.grid = new Map();
    for (var k = 0; k < this.shown.length; k++) {
      var i = this.shown[k].i;
      var x = (this.sx[i] = this.screenX(i));
      var y = (this.sy[i] = this.screenY(i));
      if (x < LABEL_W - RADIUS || x > w + RADIUS || y < AXIS_H - RADIUS || y > h + RADIUS) continue;
      inView.push(i);
      var key = Math.floor(y / cell) * cols + Math.floor(x / cell);
      var bucket = this.grid.get(key);
      if (bucket) bucket.push(i); else this.grid.set(key, [i]);
    }
    return inView;
  };

  CitationMap.prototype.inside = function (x, y, w, h) {
    return x >= LABEL_W && x <= w && y >= AXIS_H && y <= h;
  };

  // Every citation between shown papers with an end in view (the rest would be lines to
  // nowhere), faint; the more there are, the fainter. Returns how many were drawn.
  CitationMap.prototype.drawEdges = function (ctx, c, w, h) {
    var faint = [];
    for (var e = 0; e < this.from.length; e++) {
      var a = this.from[e];
      var b = this.to[e];
      if (!this.visible[a] || !this.visible[b]) continue;
      if (this.inside(this.sx[a], this.sy[a], w, h) || this.inside(this.sx[b], this.sy[b], w, h)) {
        faint.push(e);
      }
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(LABEL_W, AXIS_H, w - LABEL_W, h - AXIS_H);
    ctx.clip();
    ctx.lineWidth = 1;
    ctx.strokeStyle = c.light;
    ctx.fillStyle = c.light;
    ctx.globalAlpha = faint.length > 3000 ? 0.1 : faint.length > 600 ? 0.18 : 0.32;
    this.strokeEdges(ctx, faint, faint.length <= ARROWS_UP_TO);
    ctx.restore();
    return faint.length;
  };

  CitationMap.prototype.strokeEdges = function (ctx, list, arrows) {
    if (!list.length) return;
    var heads = [];
    ctx.beginPath();
    for (var k = 0; k < list.length; k++) {
      var e = list[k];
      var x1 = this.sx[this.from[e]], y1 = this.sy[this.from[e]];
      var x2 = this.sx[this.to[e]], y2 = this.sy[this.to[e]];
      // A gentle arc, bulging upwards, so opposite citations and rows stay apart.
      var mx = (x1 + x2) / 2;
      var my = (y1 + y2) / 2 - Math.min(60, Math.abs(x2 - x1) * 0.18 + 4);
      ctx.moveTo(x1, y1);
      ctx.quadraticCurveTo(mx, my, x2, y2);
      if (arrows) heads.push([mx, my, x2, y2]);
    }
    ctx.stroke();
    if (!heads.length) return;
    ctx.beginPath();
    for (var j = 0; j < heads.length; j++) {
      var hd = heads[j];
      var angle = Math.atan2(hd[3] - hd[1], hd[2] - hd[0]);
      var tipX = hd[2] - Math.cos(angle) * (RADIUS + 1);
      var tipY = hd[3] - Math.sin(angle) * (RADIUS + 1);
      ctx.moveTo(tipX, tipY);
      ctx.lineTo(tipX - 7 * Math.cos(angle - 0.4), tipY - 7 * Math.sin(angle - 0.4));
      ctx.lineTo(tipX - 7 * Math.cos(angle + 0.4), tipY - 7 * Math.sin(angle + 0.4));
      ctx.closePath();
    }
    ctx.fill();
  };

  CitationMap.prototype.drawMarks = function (ctx, c, list, focus) {
    ctx.save();
    ctx.beginPath();
    ctx.rect(LABEL_W - RADIUS, AXIS_H, this.width, this.height);
    ctx.clip();
    for (var k = 0; k < list.length; k++) {
      var i = list[k];
      this.mark(ctx, c, i, i === focus ? RADIUS + 2 : RADIUS);
    }
    ctx.restore();
  };

  // read: filled; reading: half filled; to read: a ring; no status: a small grey dot.
  CitationMap.prototype.mark = function (ctx, c, i, r) {
    var x = this.sx[i], y = this.sy[i], status = this.papers[i].status;
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = c.primary;
    ctx.fillStyle = c.bg;
    ctx.beginPath();
    if (status === "") {
      ctx.arc(x, y, r - 1.5, 0, 2 * Math.PI);
      ctx.fillStyle = c.lighter;
      ctx.fill();
      return;
    }
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fill();
    if (status === "read") { ctx.fillStyle = c.primary; ctx.fill(); }
    if (status === "reading") {
      ctx.save();
      ctx.beginPath();
      ctx.arc(x, y, r, Math.PI / 2, (3 * Math.PI) / 2);
      ctx.fillStyle = c.primary;
      ctx.fill();
      ctx.restore();
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
    ctx.stroke();
  };

  // --- pointing, clicking, moving ------------------------------------------------------------

  CitationMap.prototype.paperAt = function (x, y) {
    if (!this.grid) return -1;
    var cell = 16, best = -1, bestDistance = HIT * HIT;
    var cx = Math.floor(x / cell), cy = Math.floor(y / cell);
    for (var gy = cy - 1; gy <= cy + 1; gy++) {
      for (var gx = cx - 1; gx <= cx + 1; gx++) {
        var bucket = this.grid.get(gy * this.gridCols + gx);
        if (!bucket) continue;
        for (var k = 0; k < bucket.length; k++) {
          var i = bucket[k];
          var dx = this.sx[i] - x, dy = this.sy[i] - y;
          var d = dx * dx + dy * dy;
          if (d <= bestDistance) { bestDistance = d; best = i; }
        }
      }
    }
    return best;
  };

  CitationMap.prototype.showTip = function (i, x, y) {
    var paper = this.papers[i];
    var tip = this.tip;
    tip.textContent = "";
    tip.appendChild(el("strong", "kb-map__tip-title", paper.title));
    var facts = [];
    if (paper.day !== null) facts.push(isoDate(paper.day));
    facts.push(STATUS_LABEL[paper.status]);
    if (paper.topics.length) facts.push(this.topics[paper.topics[0]].title);
    tip.appendChild(el("span", "kb-map__tip-facts", facts.join(" · ")));
    var cites = this.out[i].length, citedBy = this.into[i].length;
    tip.appendChild(el("span", "kb-map__tip-facts",
      "cites " + cites + " · cited by " + citedBy + " of your notes"));
    tip.hidden = false;
    var stageWidth = this.stage.clientWidth;
    var left = Math.min(x + 14, Math.max(0, stageWidth - tip.offsetWidth - 4));
    var top = y + 16 + tip.offsetHeight > this.height ? y - tip.offsetHeight - 10 : y + 16;
    tip.style.left = left + "px";
    tip.style.top = Math.max(0, top) + "px";
  };

  CitationMap.prototype.hideTip = function () { this.tip.hidden = true; };

  CitationMap.prototype.setFocus = function (i, x, y) {
    if (i >= 0) this.showTip(i, x, y); else this.hideTip();
    this.canvas.style.cursor = i >= 0 ? "pointer" : this.dragging ? "grabbing" : "grab";
    if (i !== this.focus) {
      this.focus = i;
      this.requestDraw();
    }
  };

  CitationMap.prototype.open = function (i) {
    window.location.assign(new URL(this.root + this.papers[i].url, window.location.href).href);
  };

  CitationMap.prototype.point = function (event) {
    var box = this.canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };

  CitationMap.prototype.zoomAt = function (x, factor) {
    var plotX = x - this.plotLeft();
    var before = (plotX - this.panX) / this.zoom;
    this.zoom *= factor;
    this.clampView();
    this.panX = plotX - before * this.zoom;
    this.clampView();
    this.invalidate();
  };

  CitationMap.prototype.bindEvents = function () {
    var self = this, canvas = this.canvas, start = null;
    canvas.style.cursor = "grab";
    canvas.addEventListener("pointerdown", function (event) {
      var p = self.point(event);
      start = { x: p.x, y: p.y, panX: self.panX, scrollY: self.scrollY, moved: false };
      if (canvas.setPointerCapture) canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", function (event) {
      var p = self.point(event);
      if (start) {
        var dx = p.x - start.x, dy = p.y - start.y;
        if (!start.moved && dx * dx + dy * dy > 16) { start.moved = true; self.dragging = true; }
        if (start.moved) {
          self.panX = start.panX + dx;
          self.scrollY = start.scrollY - dy;
          self.clampView();
          self.hideTip();
          self.invalidate();
          return;
        }
      }
      if (!self.pinned) self.setFocus(self.paperAt(p.x, p.y), p.x, p.y);
    });
    canvas.addEventListener("pointerup", function (event) {
      var p = self.point(event);
      var wasDrag = start && start.moved;
      start = null;
      self.dragging = false;
      if (wasDrag) return;
      var i = self.paperAt(p.x, p.y);
      if (i >= 0) self.open(i);
      else if (self.pinned) { self.pinned = false; self.setFocus(-1, 0, 0); }
    });
    canvas.addEventListener("pointerleave", function () {
      if (!start && !self.pinned) self.setFocus(-1, 0, 0);
    });
    canvas.addEventListener("wheel", function (event) {
      if (event.ctrlKey || event.metaKey) {
        event.preventDefault();
        self.zoomAt(self.point(event).x, event.deltaY < 0 ? 1.25 : 0.8);
        return;
      }
      var before = self.scrollY;
      self.scrollY += event.deltaY;
      self.clampView();
      if (self.scrollY !== before) {
        event.preventDefault(); // the map scrolls; at its ends, the page does
        self.hideTip();
        self.invalidate();
      }
    }, { passive: false });
    canvas.addEventListener("keydown", function (event) {
      var step = { ArrowLeft: [40, 0], ArrowRight: [-40, 0], ArrowUp: [0, -40], ArrowDown: [0, 40] };
      if (step[event.key]) {
        self.panX += step[event.key][0];
        self.scrollY += step[event.key][1];
      } else if (event.key === "+" || event.key === "=") {
        self.zoomAt(self.plotLeft() + self.plotWidth() / 2, 1.6);
        return event.preventDefault();
      } else if (event.key === "-") {
        self.zoomAt(self.plotLeft() + self.plotWidth() / 2, 1 / 1.6);
        return event.preventDefault();
      } else return;
      event.preventDefault();
      self.clampView();
      self.invalidate();
    });
    // Material's light/dark toggle changes the colours the map reads: draw again.
    if (window.MutationObserver && document.body) {
      new MutationObserver(function () { self.invalidate(); })
        .observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
    }
    if (window.ResizeObserver) {
      var lastWidth = 0;
      new ResizeObserver(function () {
        var width = self.stage.clientWidth;
        if (width && Math.abs(width - lastWidth) > 1) {
          lastWidth = width;
          self.layout();
          self.invalidate();
        }
      }).observe(this.stage);
    }
  };

  // ``map/#focus=papers/x/`` (from a paper's page) shows that paper and its citations.
  CitationMap.prototype.focusFromHash = function () {
    var match = /^#focus=(.+)$/.exec(window.location.hash);
    if (!match) return;
    var url = decodeURIComponent(match[1]);
    for (var i = 0; i < this.papers.length; i++) {
      if (this.papers[i].url === url && this.visible[i]) {
        this.focus = i;
        this.pinned = true;
        this.scrollY = this.papers[i].y - this.height / 2;
        this.clampView();
        return;
      }
    }
  };

  // For tests and benchmarks: where a paper is drawn now (canvas CSS pixels), or null.
  CitationMap.prototype.locate = function (url) {
    for (var i = 0; i < this.papers.length; i++) {
      if (this.papers[i].url === url && this.visible[i]) {
        return { x: this.screenX(i), y: this.screenY(i) };
      }
    }
    return null;
  };

  function fail(figure, text) {
    var stage = figure.querySelector(".kb-map__stage");
    var note = el("p", "kb-map__error", text);
    if (stage) stage.replaceWith(note); else figure.appendChild(note);
    figure.setAttribute("data-state", "failed");
  }

  function start(figure) {
    if (figure.getAttribute("data-state")) return;
    figure.setAttribute("data-state", "loading");
    fetch(figure.getAttribute("data-kb-map"))
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (data.v !== 1) throw new Error("data of another version");
        figure.kbMap = new CitationMap(figure, data);
      })
      .catch(function (err) {
        fail(figure, "The map could not be drawn (" + err.message +
          "); the same citations are listed below.");
      });
  }

  function startAll() {
    document.querySelectorAll("figure.kb-map").forEach(start);
  }

  // The script comes right after the map (async): start at once, while the rest of the page
  // loads. Material's instant navigation, if on, brings new pages through document$.
  startAll();
  document.addEventListener("DOMContentLoaded", function () {
    startAll();
    if (typeof document$ !== "undefined") document$.subscribe(startAll);
  });
})();
