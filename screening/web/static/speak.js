// Read aloud (issue 4): the question and its options with the browser's own speech
// synthesis, no server, no third party. The button stays hidden without a voice for
// the page's language. Loaded as a file: the Content-Security-Policy forbids inline code.
(function () {
  "use strict";
  var synth = window.speechSynthesis;
  var button = document.querySelector("button.speak");
  if (!synth || !button) { return; }
  var lang = (button.getAttribute("data-lang") || document.documentElement.lang).toLowerCase();
  function voiceFor() {
    var base = lang.split("-")[0];
    var alias = { tl: ["tl", "fil"] }[base] || [base];
    return synth.getVoices().filter(function (v) {
      var vl = v.lang.toLowerCase().replace("_", "-");
      return alias.indexOf(vl.split("-")[0]) >= 0 &&
        (base !== "zh" || vl.indexOf("tw") < 0 && vl.indexOf("hk") < 0);
    })[0];
  }
  function text() {
    var parts = [];
    var q = document.querySelector("main h1");
    if (q) { parts.push(q.querySelector("[lang]") ? q.querySelector("[lang]").textContent : q.textContent); }
    document.querySelectorAll(".opt").forEach(function (o) {
      var first = o.querySelector(".bi > span");
      parts.push((first || o).textContent.trim());
    });
    return parts.join(". ");
  }
  function setUp() {
    var voice = voiceFor();
    if (!voice) { button.hidden = true; return; }
    button.hidden = false;
    button.onclick = function () {
      synth.cancel();
      var u = new SpeechSynthesisUtterance(text());
      u.voice = voice; u.lang = voice.lang;
      synth.speak(u);
    };
  }
  setUp();
  if ("onvoiceschanged" in synth) { synth.addEventListener("voiceschanged", setUp); }
}());
