/* Saling Sapa · field pages (/staf/lapangan/): record sessions offline, sync them exactly once.
 *
 * - Each entry gets an id on the device (crypto.randomUUID); the server stores it under a UNIQUE
 *   constraint, so sending it again (a retry, a double tap, two tabs) never makes a second session.
 * - Entries are kept in IndexedDB sealed with AES-GCM (the entry id is the associated data) under a
 *   key the server gives only to the signed-in session (GET kunci/). The key is imported as a
 *   non-extractable CryptoKey and kept in IndexedDB so that a page reloaded offline still works.
 * - Sign-out wipes the database and the service worker's caches (the server also answers the
 *   sign-out with Clear-Site-Data).
 * Without JavaScript the form simply posts (the same checks run on the server).
 */
(function () {
  "use strict";
  var DB_NAME = "ss-lapangan";
  var CACHE_PREFIX = "ss-lapangan";
  var app = document.querySelector("[data-field-app]");
  // Words shown by this script come from the page (staff/field_views.py, gettext), in the reader's language.
  var stringsNode = document.getElementById("field-strings");
  var S = stringsNode ? JSON.parse(stringsNode.textContent) : {};
  function t(key, n) { return String(S[key] || key).replace("%(n)s", String(n)); }
  var T = {
    saved: t("saved"), allSent: t("allSent"), offline: t("offline"), signedOut: t("signedOut"), noKey: t("noKey"),
    fix: t("fix"), edit: t("edit"), consultation: t("consultation"), disclosure: t("disclosure"),
    unsupported: t("unsupported"),
    waiting: function (n) { return t("waiting", n); },
    sent: function (n) { return t("sent", n); },
    leave: function (n) { return t("leave", n); }
  };

  var supported = !!(window.indexedDB && window.crypto && crypto.subtle && crypto.randomUUID && window.isSecureContext);

  // --- IndexedDB ------------------------------------------------------------------------------
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = function () {
          var d = req.result;
          d.createObjectStore("keys", {keyPath: "key_id"});
          d.createObjectStore("entries", {keyPath: "id"});
          d.createObjectStore("meta", {keyPath: "k"});
        };
        req.onsuccess = function () {
          req.result.onversionchange = function () { req.result.close(); dbPromise = null; };
          resolve(req.result);
        };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }
  function tx(store, mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(store, mode);
        var result;
        t.oncomplete = function () { resolve(result); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
        var r = fn(t.objectStore(store));
        if (r) r.onsuccess = function () { result = r.result; };
      });
    });
  }
  function getAll(store) { return tx(store, "readonly", function (s) { return s.getAll(); }); }
  function get(store, key) { return tx(store, "readonly", function (s) { return s.get(key); }); }
  function put(store, value) { return tx(store, "readwrite", function (s) { return s.put(value); }); }
  function del(store, key) { return tx(store, "readwrite", function (s) { return s.delete(key); }); }

  // --- the key -------------------------------------------------------------------------------
  var current = null; // {key_id, owner, key: CryptoKey}
  var csrf = null;
  var signedOut = false;

  function b64urlToBytes(text) {
    var s = text.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function loadKey() {
    if (!app) return Promise.resolve(null);
    return fetch(app.dataset.keyUrl, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (r) {
        if (r.status === 401) { signedOut = true; return null; }
        if (!r.ok) throw new Error("key " + r.status);
        return r.json();
      })
      .then(function (data) {
        if (!data) return null;
        signedOut = false;
        csrf = data.csrf;
        return crypto.subtle.importKey("raw", b64urlToBytes(data.key), {name: "AES-GCM"}, false, ["encrypt", "decrypt"])
          .then(function (key) {
            current = {key_id: data.key_id, owner: data.owner, key: key};
            return put("keys", current).then(function () {
              return put("meta", {k: "current", key_id: data.key_id, owner: data.owner});
            });
          }).then(function () { return current; });
      })
      .catch(function () {
        // offline: the key this session stored earlier
        return get("meta", "current").then(function (meta) {
          if (!meta) return null;
          return get("keys", meta.key_id).then(function (k) { current = k || null; return current; });
        });
      });
  }

  function seal(entry, payload) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var data = new TextEncoder().encode(JSON.stringify(payload));
    return crypto.subtle.encrypt({name: "AES-GCM", iv: iv, additionalData: new TextEncoder().encode(entry.id)}, current.key, data)
      .then(function (ct) { entry.iv = iv; entry.ct = ct; return entry; });
  }
  function open(entry) {
    return get("keys", entry.key_id).then(function (k) {
      if (!k) throw new Error("no key");
      return crypto.subtle.decrypt({name: "AES-GCM", iv: entry.iv, additionalData: new TextEncoder().encode(entry.id)}, k.key, entry.ct);
    }).then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
  }

  // A key of an earlier session is kept only while entries sealed with it wait.
  function pruneKeys() {
    return Promise.all([getAll("keys"), getAll("entries")]).then(function (both) {
      var used = {};
      both[1].forEach(function (e) { used[e.key_id] = true; });
      return Promise.all(both[0].filter(function (k) { return (!current || k.key_id !== current.key_id) && !used[k.key_id]; })
        .map(function (k) { return del("keys", k.key_id); }));
    });
  }

  // --- wipe (sign-out) -----------------------------------------------------------------------
  function wipe() {
    current = null;
    var closing = dbPromise ? dbPromise.then(function (d) { d.close(); }).catch(function () {}) : Promise.resolve();
    dbPromise = null;
    return closing.then(function () {
      return Promise.all([
        new Promise(function (resolve) {
          var req = indexedDB.deleteDatabase(DB_NAME);
          req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
        }),
        window.caches ? caches.keys().then(function (names) {
          return Promise.all(names.filter(function (n) { return n.indexOf(CACHE_PREFIX) === 0; })
            .map(function (n) { return caches.delete(n); }));
        }) : Promise.resolve(),
        navigator.serviceWorker ? navigator.serviceWorker.getRegistrations().then(function (regs) {
          return Promise.all(regs.filter(function (r) { return app && r.scope.indexOf(app.dataset.scope) !== -1; })
            .map(function (r) { return r.unregister(); }));
        }) : Promise.resolve()
      ]);
    });
  }
  window.salingsapaFieldWipe = wipe; // for the sign-out hook below and the browser test

  function pendingOfOwner() {
    return getAll("entries").then(function (all) {
      return all.filter(function (e) { return current && e.owner === current.owner; });
    });
  }

  var logout = document.querySelector("form.logout");
  if (logout && supported) {
    logout.addEventListener("submit", function (ev) {
      if (logout.dataset.wiped) return;
      ev.preventDefault();
      getAll("entries").catch(function () { return []; }).then(function (all) {
        if (all.length && !window.confirm(T.leave(all.length))) return;
        wipe().catch(function () {}).then(function () { logout.dataset.wiped = "1"; logout.submit(); });
      });
    });
  }

  if (!app) return;

  // --- status ---------------------------------------------------------------------------------
  var statusBox = app.querySelector("[data-field-status]");
  function say(text) { if (statusBox) statusBox.textContent = text; }

  // --- service worker ------------------------------------------------------------------------
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(app.dataset.swUrl, {scope: app.dataset.scope}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      // Keep this very page (it was loaded before the worker could keep it) and, from the list of visits,
      // the form of each visit listed, so that a visit opened for the first time in the field works offline.
      if (!navigator.onLine || !window.caches) return;
      var pages = [location.pathname];
      app.querySelectorAll("a[data-offline-page]").forEach(function (a) { pages.push(new URL(a.href).pathname); });
      return caches.open(CACHE_PREFIX + "-v1").then(function (cache) {
        return Promise.all(pages.map(function (path) {
          var url = location.origin + path;
          return cache.match(url).then(function (hit) {
            if (!hit) return cache.add(new Request(url, {credentials: "same-origin"}));
          });
        }));
      });
    }).catch(function () {});
  }

  var form = app.querySelector("[data-field-form]");
  if (!form) {
    if (supported) loadKey(); // the list of visits: the key is then on the device for a visit opened offline
    return;
  }
  if (!supported) { say(T.unsupported); return; }

  var saveButton = form.querySelector("[data-save]");
  var pendingBox = app.querySelector("[data-pending]");
  var pendingList = app.querySelector("[data-pending-list]");
  var pendingSummary = app.querySelector("[data-pending-summary]");
  var jsErrors = app.querySelector("[data-js-errors]");
  var visitId = parseInt(app.dataset.visit, 10);
  var idField = form.querySelector("[name=client_id]");

  // Show only the part of the form for the chosen kind of session.
  function showKind() {
    var checked = form.querySelector("[name=kind]:checked");
    var kind = checked ? checked.value : "";
    app.querySelectorAll("[data-kind-section]").forEach(function (section) {
      section.hidden = !!kind && section.dataset.kindSection !== kind;
    });
  }
  form.querySelectorAll("[name=kind]").forEach(function (r) { r.addEventListener("change", showKind); });
  showKind();

  function newId() { idField.value = crypto.randomUUID(); }
  newId(); // a cached page carries an old id: every entry gets its own

  function collect() {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "client_id" || name === "recorded_at") return;
      if (typeof value !== "string") return;
      if (name === "violence_forms") { (fields[name] = fields[name] || []).push(value); return; }
      fields[name] = value;
    });
    return fields;
  }

  // Checks the phone can make alone (the server checks everything again with intake's one schema).
  function localErrors(fields) {
    var errors = [];
    function need(name, text) { if (!fields[name]) errors.push([name, text]); }
    need("kind", t("needKind"));
    if (fields.kind === "consultation") {
      need("sex", t("needSex"));
      need("age_group", t("needAge"));
      need("topic", t("needTopic"));
    } else if (fields.kind === "disclosure") {
      need("reporter_role", t("needReporter"));
      if (!(fields.narrative || "").trim()) errors.push(["narrative", t("needNarrative")]);
      if (!fields.violence_forms || !fields.violence_forms.length) errors.push(["violence_forms", t("needForms")]);
      need("victim_sex", t("needVictimSex"));
      need("victim_age_group", t("needVictimAge"));
      need("kelurahan", t("needKelurahan"));
    }
    return errors;
  }

  function controlFor(name) {
    return form.querySelector("[name=" + name + "]:not([type=hidden])");
  }
  function clearErrors() {
    jsErrors.hidden = true;
    jsErrors.querySelector("ul").innerHTML = "";
    form.querySelectorAll(".js-error").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      var rest = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id.indexOf("err-") !== 0; });
      if (rest.length) el.setAttribute("aria-describedby", rest.join(" ")); else el.removeAttribute("aria-describedby");
    });
  }
  function showErrors(errors) {
    clearErrors();
    var ul = jsErrors.querySelector("ul");
    errors.forEach(function (pair) {
      var name = pair[0], text = pair[1];
      var control = name ? controlFor(name) : null;
      var li = document.createElement("li");
      if (control) {
        if (!control.id) control.id = "f-" + name;
        var a = document.createElement("a");
        a.href = "#" + control.id;
        var label = form.querySelector("label[for='" + control.id + "']");
        var group = control.closest("fieldset");
        var caption = label ? label.textContent : (group && group.querySelector("legend") ? group.querySelector("legend").textContent : "");
        caption = caption.trim().replace(/:$/, "");
        a.textContent = (caption ? caption + ": " : "") + text;
        li.appendChild(a);
        control.setAttribute("aria-invalid", "true");
        var p = document.createElement("p");
        p.className = "errorlist js-error";
        p.id = "err-" + name;
        p.textContent = text;
        // before the widget, as Django places a field's errors (a checkbox group: before the whole group)
        var widget = form.querySelector("#id_" + name) || control;
        widget.parentNode.insertBefore(p, widget);
        control.setAttribute("aria-describedby", ((control.getAttribute("aria-describedby") || "") + " " + p.id).trim());
      } else {
        li.textContent = text;
      }
      ul.appendChild(li);
    });
    jsErrors.hidden = false;
    jsErrors.focus();
  }

  function kindLabel(kind) { return kind === "disclosure" ? T.disclosure : T.consultation; }
  function timeLabel(iso) {
    var d = new Date(iso);
    return ("0" + d.getHours()).slice(-2) + "." + ("0" + d.getMinutes()).slice(-2);
  }

  function render() {
    if (!current) return Promise.resolve();
    return pendingOfOwner().then(function (entries) {
      entries.sort(function (a, b) { return a.created < b.created ? -1 : 1; });
      pendingList.innerHTML = "";
      entries.forEach(function (e) {
        var li = document.createElement("li");
        li.textContent = kindLabel(e.kind) + " · " + timeLabel(e.created);
        if (e.state === "invalid") {
          var strong = document.createElement("strong");
          strong.textContent = " — " + T.fix + ": " + (e.errors || []).map(function (p) { return p[1]; }).join(" ");
          li.appendChild(strong);
          var b = document.createElement("button");
          b.type = "button";
          b.textContent = T.edit;
          b.addEventListener("click", function () { edit(e); });
          li.appendChild(document.createTextNode(" "));
          li.appendChild(b);
        }
        pendingList.appendChild(li);
      });
      pendingBox.hidden = entries.length === 0;
      pendingSummary.textContent = T.waiting(entries.length);
      return entries.length;
    });
  }

  function edit(entry) {
    open(entry).then(function (payload) {
      form.reset();
      Object.keys(payload.fields).forEach(function (name) {
        var value = payload.fields[name];
        var values = Array.isArray(value) ? value : [value];
        form.querySelectorAll("[name=" + name + "]").forEach(function (el) {
          if (el.type === "checkbox" || el.type === "radio") el.checked = values.indexOf(el.value) !== -1 || (el.type === "checkbox" && value === "on" && el.value === "on");
          else el.value = values[0];
        });
      });
      idField.value = entry.id; // the same entry: saving again replaces it
      showKind();
      showErrors(entry.errors || []);
    });
  }

  // --- save -----------------------------------------------------------------------------------
  var busy = false;
  form.addEventListener("submit", function (ev) {
    if (!current) {
      if (navigator.onLine) return; // no key yet but online: let the form post normally
      ev.preventDefault();
      say(T.noKey);
      return;
    }
    ev.preventDefault();
    if (busy) return; // a second tap while the first is being saved
    var fields = collect();
    var errors = localErrors(fields);
    if (errors.length) { showErrors(errors); return; }
    busy = true;
    saveButton.disabled = true;
    saveButton.setAttribute("aria-busy", "true");
    var now = new Date().toISOString();
    var entry = {id: idField.value, owner: current.owner, key_id: current.key_id, visit: visitId,
                 kind: fields.kind, created: now, state: "pending", errors: []};
    seal(entry, {fields: fields, recorded_at: now, visit: visitId})
      .then(function (sealed) { return put("entries", sealed); })
      .then(function () {
        clearErrors();
        form.reset();
        newId();
        showKind();
        say(T.saved + (navigator.onLine ? "" : " " + T.offline));
        return render();
      })
      .catch(function (err) { say(String(err)); })
      .then(function () {
        busy = false;
        saveButton.disabled = false;
        saveButton.removeAttribute("aria-busy");
        syncSoon();
      });
  });

  // --- sync -----------------------------------------------------------------------------------
  var syncing = false;
  var lastSent = 0;
  function syncNow() {
    if (syncing || !navigator.onLine) return Promise.resolve();
    syncing = true;
    var run = function () {
      return (csrf ? Promise.resolve(current) : loadKey()).then(function () {
        if (signedOut) { say(T.signedOut); return; }
        if (!current || !csrf) return;
        return pendingOfOwner().then(function (entries) {
          entries = entries.filter(function (e) { return e.state === "pending"; }).slice(0, 25);
          if (!entries.length) return;
          return Promise.all(entries.map(function (e) {
            return open(e).then(function (p) { return {id: e.id, visit: p.visit, recorded_at: p.recorded_at, fields: p.fields}; });
          })).then(function (body) {
            return fetch(app.dataset.syncUrl, {
              method: "POST", credentials: "same-origin", cache: "no-store",
              headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf},
              body: JSON.stringify({entries: body})
            });
          }).then(function (r) {
            if (r.status === 401) { signedOut = true; say(T.signedOut); return null; }
            if (r.status === 403) { csrf = null; return null; } // a stale CSRF token: fetch the key again next time
            if (!r.ok) return null;
            return r.json();
          }).then(function (data) {
            if (!data) return;
            var sent = 0;
            return Promise.all(data.results.map(function (res) {
              var entry = entries.filter(function (e) { return e.id === res.id; })[0];
              if (!entry) return null;
              if (res.status === "created" || res.status === "duplicate") { sent++; return del("entries", entry.id); }
              entry.state = "invalid";
              entry.errors = [];
              Object.keys(res.errors || {}).forEach(function (name) {
                (res.errors[name] || []).forEach(function (m) { entry.errors.push([name, m]); });
              });
              return put("entries", entry);
            })).then(function () { lastSent = sent; if (sent) say(T.sent(sent)); });
          });
        });
      });
    };
    var lock = navigator.locks ? function (fn) { return navigator.locks.request("ss-lapangan-sync", fn); } : function (fn) { return fn(); };
    return lock(run).then(pruneKeys).catch(function () {}).then(function () {
      syncing = false;
      return render();
    }).then(function (left) {
      if (left === 0 && lastSent) say(T.allSent);
      lastSent = 0;
    });
  }
  var timer = null;
  function syncSoon() { clearTimeout(timer); timer = setTimeout(syncNow, 300); }
  window.addEventListener("online", syncSoon);
  window.addEventListener("offline", function () { say(T.offline); });
  app.querySelector("[data-sync-now]").addEventListener("click", syncNow);
  setInterval(function () { if (navigator.onLine) syncNow(); }, 30000);

  loadKey().then(function () {
    if (signedOut && !current) say(T.signedOut);
    return render();
  }).then(syncSoon);
  window.salingsapaFieldSync = syncNow; // for the browser test
})();
