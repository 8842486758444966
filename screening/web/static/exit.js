/* Quick exit on the public services pages: the Exit button, Escape, or Shift pressed
   three times blanks the page, clears this site's storage and replaces this history
   entry with an everyday site, so Back does not come here. Without it, the button is a
   plain link to the same site. These pages keep nothing, so nothing is sent anywhere. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var gone = false;
  function leave(e) {
    if (e) { e.preventDefault(); }
    if (gone) { return; }
    gone = true;
    var link = document.getElementById("quick-exit");
    var to = (link && link.getAttribute("href")) || "about:blank";
    document.title = "";
    document.body.replaceChildren();
    try { window.localStorage.clear(); window.sessionStorage.clear(); } catch (x) { /* none */ }
    window.location.replace(to);
  }
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("#quick-exit")) { leave(e); }
  });
  var shifts = [];
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { leave(e); return; }
    if (e.key !== "Shift") { shifts = []; return; }
    if (e.repeat) { return; }
    var now = Date.now();
    shifts = shifts.filter(function (t) { return now - t < 2000; });
    shifts.push(now);
    if (shifts.length >= 3) { leave(); }
  });
})();
