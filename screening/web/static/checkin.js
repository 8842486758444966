/* The private check-in's script. Without it every screen still works by plain forms.
   1. Quick exit: the Exit button, Escape, or Shift pressed three times blanks the page at
      once, clears this site's storage, tells the server to delete the check-in (its
      answer carries Clear-Site-Data), then replaces this history entry with an everyday
      site, so Back cannot come back here.
   2. Each step is sent with fetch and the new screen swapped in place: the browser's
      history keeps one entry for the whole check-in.
   3. The check-in's session token and data key live in this script's memory and go in
      request headers, never in a cookie: closing the browser leaves nothing of ours in
      its profile. Leaving the page (closing the tab, reloading) ends the check-in. */
(function () {
  "use strict";
  var root = document.documentElement;
  var leaving = false;
  var busy = false;
  var creds = null; /* {session, key} once started */
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
    var headers = withCreds({ "X-Leave": "fetch" });
    creds = null;
    fetch(action, {
      method: "POST", credentials: "same-origin", keepalive: true, cache: "no-store",
      headers: headers
    }).then(go, go);
  }

  function withCreds(headers) {
    if (creds) {
      headers["X-Checkin-Session"] = creds.session;
      headers["X-Checkin-Key"] = creds.key;
    }
    return headers;
  }

  /* Closing the tab or the browser, or reloading: the check-in ends on the server too. */
  window.addEventListener("pagehide", function () {
    if (!creds || leaving) { return; }
    fetch("/checkin/leave", {
      method: "POST", credentials: "same-origin", keepalive: true, cache: "no-store",
      headers: withCreds({ "X-Leave": "fetch" })
    });
    creds = null;
  });

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
    /* A change of language changes the page's language, direction and header too. */
    ["lang", "dir"].forEach(function (name) {
      var value = doc.documentElement.getAttribute(name);
      if (value) { root.setAttribute(name, value); }
    });
    var bar = doc.querySelector("header.bar");
    var oldBar = document.querySelector("header.bar");
    if (bar && oldBar) { oldBar.replaceWith(bar); }
    document.title = doc.title;
    window.scrollTo(0, 0);
    var heading = fresh.querySelector("h1");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  function fetchPage(url, options) {
    options.credentials = "same-origin";
    options.cache = "no-store";
    options.headers = withCreds(options.headers || {});
    return fetch(url, options).then(function (response) {
      if (response.status === 204 && response.headers.get("X-Checkin-Session")) {
        creds = { session: response.headers.get("X-Checkin-Session"),
                  key: response.headers.get("X-Checkin-Key") };
        return fetchPage("/checkin", { method: "GET" }); /* the first screen */
      }
      return response.text().then(function (text) {
        if (!leaving) { swap(text); }
      });
    });
  }

  function load(url, options) {
    if (busy) { return; }
    busy = true;
    fetchPage(url, options).catch(function () {
      say("No connection just now. Your last step may not be saved. Please try again.");
    }).then(function () { busy = false; });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.classList.contains("leave")) { e.preventDefault(); leave(); return; }
    if (form.hasAttribute("data-native")) { e.preventDefault(); download(form); return; }
    /* getAttribute: a control named "action" shadows form.action. */
    var target = new URL(form.getAttribute("action") || "", window.location.href);
    if (target.origin !== window.location.origin) { return; }
    e.preventDefault();
    var data = new FormData(form);
    if ((form.getAttribute("method") || "get").toLowerCase() === "get") {
      /* The start page's language choice: a plain GET of the start page in that language. */
      target.search = new URLSearchParams(data).toString();
      load(target.href, { method: "GET" });
      return;
    }
    if (e.submitter && e.submitter.name) { data.append(e.submitter.name, e.submitter.value); }
    var headers = /\/checkin\/start$/.test(target.pathname) ? { "X-Checkin-Memory": "1" } : {};
    load(target.href, { method: "POST", body: new URLSearchParams(data), headers: headers });
  });

  /* The summary's copy, on request: fetched with the in-memory credentials, then saved
     through a temporary link (a plain form could not send them). */
  function download(form) {
    fetch(form.getAttribute("action"), {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: withCreds({}), body: new URLSearchParams(new FormData(form))
    }).then(function (response) {
      if (!response.ok) { throw new Error("refused"); }
      return response.blob();
    }).then(function (blob) {
      var url = URL.createObjectURL(blob);
      var a = document.createElement("a");
      a.href = url;
      a.download = "check-in.pdf";
      document.body.appendChild(a);
      a.click();
      a.remove();
      window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    }).catch(function () {
      say("The file could not be made just now. Please try again.");
    });
  }

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
