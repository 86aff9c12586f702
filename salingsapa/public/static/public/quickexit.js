/* Quick exit: the red button, or Esc pressed twice, replaces this page with a neutral site.
   location.replace() leaves no history entry for the current page; a beacon asks the server to
   forget the session and to send Clear-Site-Data. No inline script: CSP allows only 'self'. */
(function () {
  "use strict";
  var button = document.getElementById("quick-exit");
  if (!button) { return; }
  var exitUrl = button.getAttribute("data-exit-url");
  var beaconUrl = button.getAttribute("data-beacon-url");
  var lastEsc = 0;

  function leave() {
    try {
      if (navigator.sendBeacon && beaconUrl) { navigator.sendBeacon(beaconUrl); }
    } catch (e) { /* leaving matters more than clearing */ }
    try { document.body.style.display = "none"; } catch (e) { /* ignore */ }
    window.location.replace(exitUrl);
  }

  button.addEventListener("click", function (event) {
    event.preventDefault();
    leave();
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
