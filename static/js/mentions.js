// @mention suggestions while typing a comment: in a form with data-mentions-url, typing
// "@" and a letter or two lists people who may see the idea (the server decides who);
// arrows move, Enter or Tab takes one, Escape closes. Without JavaScript nothing changes:
// typing @handle still mentions. No inline script: the page loads this file.
(function () {
  "use strict";
  var TYPED = /(^|[^\w@\/])@([A-Za-z0-9][A-Za-z0-9_-]{0,39})$/;
  var list = null, field = null, options = [], active = -1, timer = null, asked = 0;

  function close() {
    if (list) list.remove();
    if (field) {
      field.removeAttribute("aria-activedescendant");
      field.setAttribute("aria-expanded", "false");
    }
    list = null; options = []; active = -1;
  }

  function typedHandle(textarea) {
    var before = textarea.value.slice(0, textarea.selectionStart);
    var match = TYPED.exec(before);
    return match ? match[2] : null;
  }

  function choose(index) {
    var person = options[index];
    if (!person || !field) return;
    var caret = field.selectionStart;
    var before = field.value.slice(0, caret).replace(/@[A-Za-z0-9_-]*$/, "@" + person.handle + " ");
    field.value = before + field.value.slice(caret);
    field.selectionStart = field.selectionEnd = before.length;
    field.focus();
    close();
  }

  function highlight(index) {
    if (!list) return;
    var items = list.querySelectorAll("[role=option]");
    items.forEach(function (item, n) { item.setAttribute("aria-selected", n === index ? "true" : "false"); });
    active = index;
    if (items[index]) field.setAttribute("aria-activedescendant", items[index].id);
  }

  function show(textarea, people) {
    close();
    if (!people.length) return;
    field = textarea;
    options = people;
    list = document.createElement("ul");
    list.className = "mention-list";
    list.id = textarea.id + "-mentions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People to mention");
    people.forEach(function (person, n) {
      var item = document.createElement("li");
      item.id = list.id + "-" + n;
      item.setAttribute("role", "option");
      var handle = document.createElement("strong");
      handle.textContent = "@" + person.handle;
      item.appendChild(handle);
      item.appendChild(document.createTextNode(" " + person.name));
      item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(n); });
      list.appendChild(item);
    });
    textarea.setAttribute("aria-controls", list.id);
    textarea.setAttribute("aria-expanded", "true");
    textarea.insertAdjacentElement("afterend", list);
    highlight(0);
  }

  function ask(textarea) {
    var form = textarea.closest("[data-mentions-url]");
    var handle = typedHandle(textarea);
    if (!form || !handle) { close(); return; }
    var ticket = ++asked;
    var url = form.getAttribute("data-mentions-url") + "?q=" + encodeURIComponent(handle);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (people) { if (ticket === asked) show(textarea, people); })
      .catch(close);
  }

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (!(textarea instanceof HTMLTextAreaElement) || !textarea.closest("[data-mentions-url]")) return;
    textarea.setAttribute("aria-autocomplete", "list");
    clearTimeout(timer);
    timer = setTimeout(function () { ask(textarea); }, 150);
  });

  document.addEventListener("keydown", function (event) {
    if (!list || event.target !== field) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + options.length) % options.length);
    } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      close();
    }
  });

  document.addEventListener("focusout", function (event) {
    if (event.target === field) setTimeout(close, 100);
  });
})();
