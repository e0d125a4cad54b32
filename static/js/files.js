// Pictures and files in the idea and comment forms: what is picked, pasted or dropped is
// uploaded at once to the form's data-upload-url, and its Markdown goes into the text at the
// cursor. Without this file the form's file input sends the files with the post instead.
(function () {
  "use strict";

  function uploadForm(element) {
    var form = element && element.closest ? element.closest("form[data-upload-url]") : null;
    return form;
  }

  function textArea(form, preferred) {
    if (preferred && preferred.tagName === "TEXTAREA") { return preferred; }
    return form.querySelector("textarea[name=body]");
  }

  function statusOf(form) {
    return form.querySelector(".upload-status");
  }

  function say(form, message, isError) {
    var status = statusOf(form);
    if (!status) {
      if (isError) { window.alert(message); }
      return;
    }
    status.textContent = message;
    status.classList.toggle("field-error", Boolean(isError));
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var value = textarea.value;
    var before = value.slice(0, start), after = value.slice(end);
    // A paragraph of its own: a picture stands apart from the words around it.
    var lead = !before || /\n\n$/.test(before) ? "" : (/\n$/.test(before) ? "\n" : "\n\n");
    var insert = lead + text + "\n\n";
    textarea.value = before + insert + after;
    var caret = before.length + insert.length;
    textarea.setSelectionRange(caret, caret);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function upload(form, textarea, file) {
    var input = form.querySelector("input[type=file]");
    var limit = input ? Number(input.dataset.maxBytes || 0) : 0;
    var name = file.name || "pasted picture";
    if (limit && file.size > limit) {
      say(form, name + ": larger than " + (limit / 1000000) + " MB, the limit.", true);
      return Promise.resolve();
    }
    var body = new FormData();
    body.append("file", file, file.name || "pasted.png");
    say(form, "Uploading " + name + "…", false);
    return fetch(form.dataset.uploadUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(form), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (!response.ok || !answer.markdown) {
          var error = answer.error || {};
          throw new Error(error.message || ("The upload failed (" + response.status + ")."));
        }
        insertAtCursor(textarea, answer.markdown);
        say(form, answer.name + " added to the text.", false);
      });
    }).catch(function (error) {
      say(form, name + ": " + error.message, true);
    });
  }

  function uploadAll(form, textarea, files) {
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file) {
      chain = chain.then(function () { return upload(form, textarea, file); });
    });
    return chain;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "file") { return; }
    var form = uploadForm(input);
    var textarea = form && textArea(form);
    if (!textarea || !input.files.length) { return; }
    var files = Array.prototype.slice.call(input.files);
    input.value = "";  // uploaded now: the post must not send them again
    uploadAll(form, textarea, files);
  });

  document.addEventListener("paste", function (event) {
    var form = uploadForm(event.target);
    var data = event.clipboardData;
    if (!form || event.target.tagName !== "TEXTAREA" || !data || !data.files.length) { return; }
    event.preventDefault();
    uploadAll(form, event.target, data.files);
  });

  document.addEventListener("dragover", function (event) {
    if (uploadForm(event.target) && event.target.tagName === "TEXTAREA" &&
        event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
      event.preventDefault();
    }
  });

  document.addEventListener("drop", function (event) {
    var form = uploadForm(event.target);
    var data = event.dataTransfer;
    if (!form || event.target.tagName !== "TEXTAREA" || !data || !data.files.length) { return; }
    event.preventDefault();
    uploadAll(form, event.target, data.files);
  });
})();
