// Live (SPEC 14): an open page asks /live what changed since it was rendered, and htmx swaps
// in what the server sends back (out-of-band fragments of the page's own templates).
// Without JavaScript nothing here runs and the page stays as it was rendered.
//
// The page's #live element (base.html) names what it watches and the cursor it was rendered
// at, and holds the htmx GET (hx-trigger="live-poll", hx-swap="none": only out-of-band
// swaps). Every few seconds while the tab is visible (about a minute while hidden, with
// jitter, longer after errors) this file triggers it; the answer is 204 when nothing
// changed, and its X-Live-Cursor header moves the cursor on.
(function () {
  "use strict";

  var MAX_BACKOFF_MS = 60000;
  var TIMEOUT_MS = 20000;
  var timer = null;
  var inFlight = 0;  // when the request in flight was sent
  var failures = 0;
  var stale = {};  // pieces not swapped in while someone was typing in them
  var asked = [];  // the stale pieces the request in flight asks for again

  function poller() { return document.getElementById("live"); }

  function seconds(el, name, fallback) {
    var value = parseFloat(el.getAttribute(name));
    return value > 0 ? value : fallback;
  }

  function delay() {
    var el = poller();
    var visible = seconds(el, "data-live-seconds", 3) * 1000;
    var base = document.visibilityState === "hidden" ? seconds(el, "data-live-hidden-seconds", 60) * 1000 : visible;
    if (failures > 0) {
      base = Math.max(base, Math.min(MAX_BACKOFF_MS, visible * Math.pow(2, failures)));
    }
    return base * (0.8 + Math.random() * 0.4);  // jitter: open pages do not ask in step
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms === undefined ? delay() : ms);
  }

  function poll() {
    var el = poller();
    if (!el) { return; }
    if (inFlight && Date.now() - inFlight < TIMEOUT_MS + 5000) { schedule(); return; }
    inFlight = Date.now();  // a request that never ends (or never started) stops no one
    htmx.trigger(el, "live-poll");
  }

  // Someone is working in this part of the page: a focused field, an open form, typed text.
  function busy(el) {
    var active = document.activeElement;
    if (active && active !== el && el.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) {
      return true;
    }
    if (el.querySelector("details[open] input, details[open] textarea, details[open] select")) {
      return true;
    }
    var fields = el.querySelectorAll("textarea, input");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if ((f.type === "checkbox" || f.type === "radio") ? f.checked !== f.defaultChecked : f.value !== f.defaultValue) {
        return true;
      }
    }
    return false;
  }

  function readyToRefresh() {
    var pieces = [];
    Object.keys(stale).forEach(function (piece) {
      var el = document.querySelector('[data-live-piece="' + piece + '"]');
      if (!el) { delete stale[piece]; } else if (!busy(el)) { pieces.push(piece); }
    });
    return pieces;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var el = event.detail.elt;
    if (!el || el.id !== "live") { return; }
    var p = event.detail.parameters;
    p.cursor = el.getAttribute("data-live-cursor") || "0";
    p.watch = el.getAttribute("data-live-watch") || "";
    p.page = el.getAttribute("data-live-page") || "/";
    asked = readyToRefresh();
    if (asked.length) { p.refresh = asked.join(" "); }
    event.detail.timeout = TIMEOUT_MS;
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var el = event.detail.elt;
    if (!el || el.id !== "live") { return; }
    inFlight = 0;
    var xhr = event.detail.xhr;
    if (event.detail.successful === true) {
      failures = 0;
      var cursor = xhr && xhr.getResponseHeader("X-Live-Cursor");
      if (cursor && /^[0-9]+$/.test(cursor)) { el.setAttribute("data-live-cursor", cursor); }
      asked.forEach(function (piece) { delete stale[piece]; });
    } else {
      failures += 1;  // a restart, a network cut, a 5xx: ask again later, then less often
    }
    schedule();
  });

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    var fragment = event.detail.fragment;
    if (!target || !fragment || !fragment.querySelectorAll) { return; }
    var replacing = target.id && fragment.querySelector("#" + CSS.escape(target.id));
    if (replacing) {
      // A whole list in which someone is typing waits until they are done.
      var piece = target.getAttribute("data-live-piece");
      if (piece && busy(target)) {
        event.detail.shouldSwap = false;
        stale[piece] = true;
      }
      return;
    }
    // Appending: never a second copy of what the page already shows (a comment the page
    // was rendered with, or one this page posted itself).
    var withIds = fragment.querySelectorAll("[id]");
    for (var i = 0; i < withIds.length; i++) {
      if (document.getElementById(withIds[i].id)) {
        event.detail.shouldSwap = false;
        return;
      }
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (!poller()) { return; }
    // Back in view: ask soon (not all tabs at once); hidden: slow down from now on.
    schedule(document.visibilityState === "hidden" ? undefined : Math.random() * 500);
  });

  window.addEventListener("online", function () {
    if (poller()) { failures = 0; schedule(Math.random() * 500); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (poller() && window.htmx) { schedule(); }
  });
})();
