// Progressive touches only: every page works without this file.
(function () {
  "use strict";

  var language = document.documentElement.lang || undefined;
  // The account's time zone when it chose one; else the browser's.
  var zone = document.documentElement.getAttribute("data-timezone") || undefined;
  var relative = new Intl.RelativeTimeFormat(language, { numeric: "auto" });
  var units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];

  // Show stored UTC times in the reader's time zone, as "3 days ago" with the exact time on hover.
  function localiseTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      if (el.dataset.localised) { return; }
      var date = new Date(el.getAttribute("datetime"));
      if (isNaN(date)) { return; }
      var seconds = (date.getTime() - Date.now()) / 1000;
      var text = relative.format(0, "minute");
      for (var i = 0; i < units.length; i++) {
        if (Math.abs(seconds) >= units[i][1]) {
          text = relative.format(Math.round(seconds / units[i][1]), units[i][0]);
          break;
        }
      }
      el.title = date.toLocaleString(language, zone ? { timeZone: zone } : undefined);
      el.textContent = text;
      el.dataset.localised = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { localiseTimes(document); });
  document.addEventListener("htmx:afterSettle", function (event) { localiseTimes(event.target); });

  // Clear the similar-ideas hint when the title is emptied.
  document.addEventListener("htmx:configRequest", function (event) {
    var source = event.detail.elt;
    if (source && source.id === "title" && source.value.trim().length < 3) {
      event.detail.parameters.title = "";
    }
  });
})();
