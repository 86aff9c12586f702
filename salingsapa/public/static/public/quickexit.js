/* Quick exit: the red button, or Esc pressed twice, leaves for a neutral site without a trace.
   - the page is blanked at once;
   - /keluar/?beacon=1 forgets the session and answers with Clear-Site-Data; we wait for that
     answer (at most 1 s), so reopening the site straight away finds no answers;
   - location.replace() then swaps the current history entry for the neutral site, so Back does
     not return here (history.js keeps the whole visit in that one entry).
   Without JavaScript the button is a plain link to /keluar/, which does the same on the server.
   No inline script: the Content-Security-Policy allows only 'self'. */
(function () {
  "use strict";
  var lastEsc = 0;
  var leaving = false;

  function leave() {
    var b = document.getElementById("quick-exit");
    if (!b || leaving) { return; }
    leaving = true;
    var exitUrl = b.getAttribute("data-exit-url");
    var beaconUrl = b.getAttribute("data-beacon-url");
    var gone = false;
    function go() {
      if (gone) { return; }
      gone = true;
      window.location.replace(exitUrl);
    }
    try {
      document.title = "";
      document.body.style.display = "none";
    } catch (e) { /* ignore */ }
    window.setTimeout(go, 1000);
    try {
      fetch(beaconUrl, {method: "POST", credentials: "same-origin", keepalive: true, cache: "no-store"})
        .then(go, go);
    } catch (e) {
      try { if (navigator.sendBeacon) { navigator.sendBeacon(beaconUrl); } } catch (e2) { /* ignore */ }
      go();
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target && target.closest && target.closest("#quick-exit")) {
      event.preventDefault();
      leave();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") { return; }
    var now = Date.now();
    if (now - lastEsc < 1500) {
      leave();
    }
    lastEsc = now;
  });
}());
