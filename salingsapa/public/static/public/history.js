/* Keep a whole visit of the public site in ONE browser-history entry.
   Links and forms inside the public site replace the current entry instead of adding one, so
   Back never walks through the report steps, and the quick exit (which replaces that one entry)
   leaves nothing of the site behind. Without JavaScript everything still works with ordinary
   links and POST-redirect-GET; the pages are then no-store and the forms autocomplete="off",
   so Back shows no answers.

   Forms are sent with fetch(). The server answers a redirect with 200 + X-Redirect-To for such
   requests (public.middleware.ReplaceHistoryMiddleware), and we location.replace() to it; a page
   with errors is put in place of the current one and focus moves to its error summary. */
(function () {
  "use strict";
  var STAY_OUT = /^\/(staf|admin|api)\//;

  function internal(url) {
    return url.origin === window.location.origin && !STAY_OUT.test(url.pathname);
  }

  function focusErrors() {
    var summary = document.getElementById("kesalahan");
    if (summary) { summary.focus(); }
  }

  function showPage(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.title = doc.title;
    if (doc.documentElement.lang) { document.documentElement.lang = doc.documentElement.lang; }
    document.body.replaceWith(document.adoptNode(doc.body));
    window.scrollTo(0, 0);
    focusErrors();
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    var link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link.id === "quick-exit" || link.target || link.hasAttribute("download")) { return; }
    var url = new URL(link.href, window.location.href);
    if (!internal(url)) { return; }
    if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) {
      // an in-page link (skip link, error summary): move focus to the control it names
      var target = document.getElementById(decodeURIComponent(url.hash.slice(1)));
      if (target) {
        event.preventDefault();
        target.focus();
        if (target.scrollIntoView) { target.scrollIntoView({block: "center"}); }
      }
      return;
    }
    event.preventDefault();
    window.location.replace(url.href);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form || form.hasAttribute("data-plain")) { return; }
    var action = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    if (!internal(action) && !/^\/i18n\//.test(action.pathname)) { return; }
    var submitter = event.submitter || null;
    event.preventDefault();
    if (form.getAttribute("data-sending")) { return; }  // a second click while the first is on its way
    form.setAttribute("data-sending", "1");
    if ((form.method || "get").toLowerCase() !== "post") {
      var query = new URLSearchParams(new FormData(form, submitter));
      action.search = query.toString();
      window.location.replace(action.href);
      return;
    }
    var data;
    try { data = new FormData(form, submitter); } catch (e) {
      data = new FormData(form);
      if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    }
    fetch(action.href, {
      method: "POST", body: data, credentials: "same-origin", redirect: "follow",
      headers: {"X-Replace-History": "1"}
    }).then(function (response) {
      var next = response.headers.get("X-Redirect-To");
      if (next) {
        var url = new URL(next, window.location.href);
        var here = new URL(window.location.href);
        if (url.hash && url.pathname === here.pathname && url.search === here.search) {
          // only the #fragment differs: a replace would just scroll, so load the page again
          window.history.replaceState(null, "", url.href);
          window.location.reload();
        } else {
          window.location.replace(url.href);
        }
        return null;
      }
      return response.text().then(showPage);
    }).catch(function () {
      form.removeAttribute("data-sending");
      form.setAttribute("data-plain", "1");
      form.submit();
    });
  });

  document.addEventListener("DOMContentLoaded", focusErrors);
}());
