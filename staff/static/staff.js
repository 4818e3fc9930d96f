// Werkpunt staff workspace: the only script (no inline scripts; the CSP forbids them).
// 1. Live handoff: reload the message list every 3 s (server-rendered, escaped HTML).
// 2. Forms with data-confirm ask before they submit.
(function () {
  "use strict";
  function poll(box) {
    var url = box.getAttribute("data-poll");
    var busy = false;
    setInterval(function () {
      if (busy || document.hidden) return;
      busy = true;
      fetch(url, { headers: { "X-Staff-Poll": "1" }, credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 401) { window.location.reload(); return null; }
          return r.ok ? r.text() : null;
        })
        .then(function (html) {
          if (html === null || html === undefined) return;
          var atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 20;
          box.innerHTML = html;
          if (atBottom) box.scrollTop = box.scrollHeight;
        })
        .catch(function () {})
        .then(function () { busy = false; });
    }, 3000);
    box.scrollTop = box.scrollHeight;
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(poll);
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  });
})();
