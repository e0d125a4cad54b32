/*
 * The portal's feedback widget, for the company's own sites (SPEC 12).
 *
 *   <script src="https://portal.example.com/static/widget.js" defer></script>
 *
 * adds a "Feedback" button; it opens the portal's /widget page in a frame (the portal allows
 * only the origins in WIDGET_ORIGINS to frame it). Optional attributes on the script tag:
 * data-label="Feedback" (the button's text), data-position="right" or "left".
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var portal = new URL(script.src).origin;
  var label = script.getAttribute("data-label") || "Feedback";
  var side = script.getAttribute("data-position") === "left" ? "left" : "right";

  function style(element, rules) {
    Object.keys(rules).forEach(function (name) { element.style[name] = rules[name]; });
  }

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-haspopup", "dialog");
  button.className = "portal-feedback-button";
  style(button, {
    position: "fixed", bottom: "1rem", zIndex: "2147483000", padding: ".6rem 1rem",
    border: "0", borderRadius: "2rem", background: "#1565c0", color: "#fff",
    font: "600 15px/1.2 system-ui, sans-serif", cursor: "pointer",
    boxShadow: "0 2px 8px rgba(0,0,0,.25)"
  });
  button.style[side] = "1rem";

  var panel = null;

  function close() {
    if (panel) { panel.remove(); panel = null; }
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }

  function open() {
    if (panel) { close(); return; }
    panel = document.createElement("div");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", label);
    panel.className = "portal-feedback-panel";
    style(panel, {
      position: "fixed", bottom: "4.5rem", width: "min(24rem, calc(100vw - 2rem))",
      height: "min(32rem, calc(100vh - 6rem))", zIndex: "2147483000", background: "#fff",
      borderRadius: ".75rem", boxShadow: "0 4px 24px rgba(0,0,0,.3)", overflow: "hidden"
    });
    panel.style[side] = "1rem";
    var closer = document.createElement("button");
    closer.type = "button";
    closer.textContent = "×";
    closer.setAttribute("aria-label", "Close");
    style(closer, {
      position: "absolute", top: ".25rem", right: ".25rem", border: "0", background: "none",
      font: "24px/1 system-ui, sans-serif", cursor: "pointer", color: "#333"
    });
    closer.addEventListener("click", close);
    var frame = document.createElement("iframe");
    frame.title = label;
    frame.src = portal + "/widget?page=" + encodeURIComponent(window.location.href);
    style(frame, { width: "100%", height: "100%", border: "0" });
    panel.appendChild(frame);
    panel.appendChild(closer);
    document.body.appendChild(panel);
    button.setAttribute("aria-expanded", "true");
  }

  button.addEventListener("click", open);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && panel) { close(); }
  });
  document.body.appendChild(button);
}());
