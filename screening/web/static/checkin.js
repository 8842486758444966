/* The private check-in's script. Without it every screen still works by plain forms.
   1. Quick exit: the Exit button, Escape, or Shift pressed three times blanks the page at
      once, clears this site's storage, tells the server to delete the check-in (its
      answer carries Clear-Site-Data), then replaces this history entry with an everyday
      site, so Back cannot come back here.
   2. Each step is sent with fetch and the new screen swapped in place: the browser's
      history keeps one entry for the whole check-in. */
(function () {
  "use strict";
  var root = document.documentElement;
  var leaving = false;
  var busy = false;
  root.classList.add("js");

  function exitForm() { return document.querySelector("form.leave"); }

  function clearStorage() {
    try { window.localStorage.clear(); } catch (e) { /* blocked: nothing kept there */ }
    try { window.sessionStorage.clear(); } catch (e) { /* idem */ }
    try {
      if (window.indexedDB && indexedDB.databases) {
        indexedDB.databases().then(function (all) {
          all.forEach(function (db) { if (db.name) { indexedDB.deleteDatabase(db.name); } });
        }, function () {});
      }
    } catch (e) { /* idem */ }
    try {
      if (window.caches) {
        caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); },
          function () {});
      }
    } catch (e) { /* idem */ }
  }

  function leave() {
    if (leaving) { return; }
    leaving = true;
    var form = exitForm();
    var to = (form && form.getAttribute("data-to")) || "about:blank";
    var action = (form && form.getAttribute("action")) || "/checkin/leave";
    document.title = "";
    document.body.replaceChildren();
    clearStorage();
    var gone = false;
    function go() { if (!gone) { gone = true; window.location.replace(to); } }
    window.setTimeout(go, 1500);
    fetch(action, {
      method: "POST", credentials: "same-origin", keepalive: true, cache: "no-store",
      headers: { "X-Leave": "fetch" }
    }).then(go, go);
  }

  var shifts = [];
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.preventDefault(); leave(); return; }
    if (e.key !== "Shift") { shifts = []; return; }
    if (e.repeat) { return; }
    var now = Date.now();
    shifts = shifts.filter(function (t) { return now - t < 2000; });
    shifts.push(now);
    if (shifts.length >= 3) { leave(); }
  });

  function say(text) {
    var main = document.querySelector("main");
    var old = document.getElementById("offline");
    if (old) { old.remove(); }
    var p = document.createElement("p");
    p.id = "offline";
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    main.prepend(p);
    p.scrollIntoView();
  }

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.querySelector("main");
    if (!fresh) { throw new Error("no page"); }
    document.querySelector("main").replaceWith(fresh);
    document.title = doc.title;
    window.scrollTo(0, 0);
    var heading = fresh.querySelector("h1");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  function load(url, options) {
    if (busy) { return; }
    busy = true;
    options.credentials = "same-origin";
    options.cache = "no-store";
    fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        if (!leaving) { swap(text); }
      });
    }).catch(function () {
      say("No connection just now. Your last step may not be saved. Please try again.");
    }).then(function () { busy = false; });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.classList.contains("leave")) { e.preventDefault(); leave(); return; }
    if (form.hasAttribute("data-native")) { return; } /* a download: no page to swap */
    /* getAttribute: a control named "action" shadows form.action. */
    var target = new URL(form.getAttribute("action") || "", window.location.href);
    if (target.origin !== window.location.origin) { return; }
    e.preventDefault();
    var data = new FormData(form);
    if (e.submitter && e.submitter.name) { data.append(e.submitter.name, e.submitter.value); }
    load(target.href, { method: "POST", body: new URLSearchParams(data) });
  });

  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("main a[href]");
    if (!link || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) { return; }
    var url = new URL(link.href);
    if (url.origin !== window.location.origin || url.pathname.indexOf("/checkin") !== 0) {
      return;
    }
    e.preventDefault();
    load(url.href, { method: "GET" });
  });
})();
