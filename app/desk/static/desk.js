// The desk's keys, on top of pages that work without them: c confirm, d dismiss, n note,
// j/k next/previous, / search, ? help. Keys typed into a field stay in the field (Esc leaves it).
(function () {
  "use strict";
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }
  function byKey(key) {
    return document.querySelector('[data-key="' + key + '"]');
  }
  function feedMove(step) {
    var items = Array.prototype.slice.call(document.querySelectorAll("[data-item]"));
    if (!items.length) return false;
    var at = items.indexOf(document.activeElement);
    var next = at < 0 ? (step > 0 ? 0 : items.length - 1) : at + step;
    if (next >= 0 && next < items.length) items[next].focus();
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      return;
    }
    if (typing(event.target)) return;
    var target;
    switch (event.key) {
      case "c":
      case "d":
        target = byKey(event.key);
        if (target) { event.preventDefault(); target.click(); }
        break;
      case "n":
        target = byKey("n");
        if (target) { event.preventDefault(); target.focus(); }
        break;
      case "j":
      case "k":
        if (feedMove(event.key === "j" ? 1 : -1)) { event.preventDefault(); break; }
        target = byKey(event.key);
        if (target) { event.preventDefault(); target.click(); }
        break;
      case "/":
        target = document.getElementById("q") || byKey("/");
        if (target) { event.preventDefault(); target.focus(); target.select(); }
        break;
      case "?":
        target = document.getElementById("keys-help");
        if (target) {
          event.preventDefault();
          target.open = !target.open;
          if (target.open) target.querySelector("summary").focus();
        }
        break;
    }
  });
})();
