// mamori console: small progressive enhancements only; every page works without JavaScript.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // A <select class="autosubmit"> submits its form when changed.
  document.querySelectorAll("select.autosubmit").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  // Forms marked .confirm ask first (removing a reference cannot be undone).
  document.querySelectorAll("form.confirm").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      var lang = document.documentElement.lang;
      var msg = lang === "ja" ? "削除してよろしいですか？" : "Remove this? This cannot be undone.";
      if (!window.confirm(msg)) { ev.preventDefault(); }
    });
  });
});
