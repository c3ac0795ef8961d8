/* The lobby screen (楼道屏): rotates its slides, refreshes its content from the JSON endpoint, and when the
   network drops keeps showing the last good content (kept in localStorage) with an "offline since" marker.
   No inline script (CSP); everything is built with DOM methods and textContent, never innerHTML. */
(function () {
  "use strict";

  var root = document.getElementById("lobby");
  if (!root) { return; }
  var slidesBox = document.getElementById("lobby-slides");
  var dotsBox = document.getElementById("lobby-dots");
  var statusBox = document.getElementById("lobby-status");
  var offlineBox = document.getElementById("lobby-offline");
  var clockBox = document.getElementById("lobby-clock");
  var feed = root.getAttribute("data-feed");
  var storageKey = root.getAttribute("data-storage-key");
  var rotateMs = Math.max(3, parseInt(root.getAttribute("data-rotate"), 10) || 15) * 1000;
  var refreshMs = Math.max(5, parseInt(root.getAttribute("data-refresh"), 10) || 180) * 1000;
  var lang = document.documentElement.lang === "en" ? "en" : "zh-CN";

  var shown = "";        // the JSON text on screen now
  var current = 0;       // the index of the slide shown
  var offlineSince = null;
  var rotateTimer = null;

  function hhmm(date) {
    return new Intl.DateTimeFormat(lang, {
      timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false
    }).format(date);
  }

  function tick() {
    clockBox.textContent = new Intl.DateTimeFormat(lang, {
      timeZone: "Asia/Shanghai", month: "long", day: "numeric", weekday: "short",
      hour: "2-digit", minute: "2-digit", hour12: false
    }).format(new Date());
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function picture(url, className) {
    var img = el("img", className);
    img.src = url;
    img.alt = "";
    img.loading = "eager";
    return img;
  }

  function noticeSlide(s) {
    var section = el("section", "slide slide-notice");
    var label = el("div", "slide-label", s.label);
    if (s.pinned) {
      label.appendChild(el("span", "slide-pin", root.getAttribute("data-pinned-label")));
    }
    section.appendChild(label);
    section.appendChild(el("h2", "slide-title", s.title));
    var body = el("div", s.image ? "slide-body with-image" : "slide-body");
    var text = el("div", "slide-text");
    (s.paragraphs || []).forEach(function (p) { text.appendChild(el("p", null, p)); });
    body.appendChild(text);
    if (s.image) { body.appendChild(picture(s.image, "slide-image")); }
    section.appendChild(body);
    section.appendChild(el("div", "slide-date", s.date));
    return section;
  }

  function listSlide(s) {
    var section = el("section", "slide slide-" + s.type);
    section.appendChild(el("h2", "slide-title", s.title));
    var list = el("ul", "slide-items");
    (s.items || []).forEach(function (item) {
      var li = el("li", "slide-item");
      if (item.image) { li.appendChild(picture(item.image, "item-image")); }
      var words = el("div", "item-words");
      words.appendChild(el("div", "item-title", item.title));
      var meta = [item.when, item.place, item.done_on].filter(function (x) { return x; }).join(" · ");
      if (meta) { words.appendChild(el("div", "item-meta", meta)); }
      li.appendChild(words);
      list.appendChild(li);
    });
    section.appendChild(list);
    return section;
  }

  function figuresSlide(s) {
    var section = el("section", "slide slide-figures");
    section.appendChild(el("h2", "slide-title", s.title));
    var grid = el("div", "figures");
    (s.items || []).forEach(function (f) {
      var box = el("div", "figure");
      box.appendChild(el("div", "figure-value", f.value));
      box.appendChild(el("div", "figure-label", f.label));
      grid.appendChild(box);
    });
    section.appendChild(grid);
    return section;
  }

  function show(index) {
    var slides = slidesBox.querySelectorAll(".slide");
    if (!slides.length) { return; }
    current = ((index % slides.length) + slides.length) % slides.length;
    slides.forEach(function (s, i) { s.classList.toggle("active", i === current); });
    dotsBox.querySelectorAll(".dot").forEach(function (d, i) { d.classList.toggle("active", i === current); });
    root.setAttribute("data-slide", String(current));
  }

  function render(data) {
    var slides = (data && data.slides) || [];
    slidesBox.textContent = "";
    dotsBox.textContent = "";
    slides.forEach(function (s) {
      var node = s.type === "notice" ? noticeSlide(s) : s.type === "figures" ? figuresSlide(s) : listSlide(s);
      slidesBox.appendChild(node);
      dotsBox.appendChild(el("span", "dot"));
    });
    if (data && data.compound) { document.getElementById("lobby-compound").textContent = data.compound; }
    if (data && data.generated_label) {
      statusBox.textContent = root.getAttribute("data-updated-label").replace("%(time)s", data.generated_label);
    }
    root.setAttribute("data-slides", String(slides.length));
    show(0);
  }

  function accept(text) {
    if (text === shown) { return; }
    var data = JSON.parse(text);
    shown = text;
    render(data);
  }

  function remember(text) {
    try {
      window.localStorage.setItem(storageKey, text);
    } catch (e) { /* storage full or disabled: the screen still works, only without the offline copy */ }
  }

  function recall() {
    try {
      return window.localStorage.getItem(storageKey);
    } catch (e) {
      return null;
    }
  }

  function online() {
    offlineSince = null;
    offlineBox.hidden = true;
    root.setAttribute("data-state", "live");
  }

  function offline() {
    if (offlineSince === null) { offlineSince = new Date(); }
    offlineBox.textContent = root.getAttribute("data-offline-label").replace("%(time)s", hhmm(offlineSince));
    offlineBox.hidden = false;
    root.setAttribute("data-state", "offline");
    if (!shown) {
      var kept = recall();
      if (kept) { accept(kept); }
    }
  }

  function refused() {
    try { window.localStorage.removeItem(storageKey); } catch (e) { /* nothing kept */ }
    shown = "";
    slidesBox.textContent = "";
    dotsBox.textContent = "";
    statusBox.textContent = "";
    offlineBox.hidden = true;
    var section = el("section", "slide active lobby-refused");
    section.appendChild(el("p", null, root.getAttribute("data-refused-label")));
    slidesBox.appendChild(section);
    root.setAttribute("data-state", "refused");
  }

  function load() {
    var request = window.fetch(feed, { cache: "no-store", credentials: "omit", headers: { Accept: "application/json" } });
    request.then(function (response) {
      if (response.status === 403 || response.status === 404 || response.status === 410) {
        refused();
        return null;
      }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text().then(function (text) {
        JSON.parse(text);  // only good JSON is kept
        remember(text);
        accept(text);
        online();
      });
    }).catch(function () {
      offline();
    });
  }

  tick();
  window.setInterval(tick, 15000);
  var kept = recall();
  if (kept) {
    try { accept(kept); } catch (e) { shown = ""; }
  }
  load();
  window.setInterval(load, refreshMs);
  rotateTimer = window.setInterval(function () {
    if (root.getAttribute("data-state") !== "refused") { show(current + 1); }
  }, rotateMs);
  root.setAttribute("data-rotate-timer", rotateTimer ? "on" : "off");
})();
