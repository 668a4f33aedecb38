/* The tablet's weak-network layer. No framework; the pages work without it (plain forms, PRG).

   With it, a step form (form[data-queue]) is first written to this tablet, encrypted, then sent.
   - Sent: the entry is wiped and the page goes where the server says.
   - No signal: the entry stays, the officer is told so plainly, and it is sent, in order, when the
     network returns (the same form POST, the same idempotency key, so it is never applied twice).
   - Refused (the CN moved meanwhile: 409 with a reason): the officer is told why and what to do.
   Stored: only the form's own fields (what the step needs), AES-GCM encrypted with a key that cannot
   leave the browser (WebCrypto, extractable=false, kept in IndexedDB). Signing out wipes it all
   (static/tablet/signout.js). */
(function () {
  "use strict";

  var script = document.currentScript;
  var SW_URL = script && script.getAttribute("data-sw");
  var SCOPE = script && script.getAttribute("data-scope");
  var DB_NAME = "vip-tablet";
  var QUEUE_HEADER = "X-VIP-Queue";
  var RETRY_MS = 15000;

  var supported = !!(window.indexedDB && window.crypto && window.crypto.subtle && window.fetch && window.TextEncoder);
  var flushing = null;

  // --- IndexedDB -----------------------------------------------------------------------------------

  var dbPromise = null;
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          db.createObjectStore("keys");
          db.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
        };
        request.onsuccess = function () {
          var db = request.result;
          db.onversionchange = function () { db.close(); dbPromise = null; };  // a wipe at sign-out
          resolve(db);
        };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }

  function store(name, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var result;
        var request = work(tx.objectStore(name));
        if (request) request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  // --- WebCrypto: a non-extractable AES-GCM key that never leaves this browser ---------------------

  function theKey() {
    return store("keys", "readonly", function (s) { return s.get("aes-gcm"); }).then(function (key) {
      if (key) return key;
      return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
        .then(function (fresh) {
          return store("keys", "readwrite", function (s) { return s.put(fresh, "aes-gcm"); }).then(function () { return fresh; });
        });
    });
  }

  function encrypt(value) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var plain = new TextEncoder().encode(JSON.stringify(value));
    return theKey().then(function (key) {
      return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, key, plain);
    }).then(function (cipher) { return { iv: iv, data: cipher }; });
  }

  function decrypt(entry) {
    return theKey().then(function (key) {
      return crypto.subtle.decrypt({ name: "AES-GCM", iv: entry.iv }, key, entry.data);
    }).then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
  }

  // --- The queue -----------------------------------------------------------------------------------

  function formFields(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") fields.push([name, value]);
    });
    return fields;
  }

  function cnOf(url) {
    var match = /\/tablet\/(\d+)\//.exec(url);
    return match ? match[1] : "";
  }

  function enqueue(form) {
    var url = new URL(form.getAttribute("action") || window.location.href, window.location.href).pathname;
    return encrypt(formFields(form)).then(function (sealed) {
      var entry = {
        url: url,
        cn: cnOf(url),
        label: form.getAttribute("data-queue") || "A step",
        created: Date.now(),
        iv: sealed.iv,
        data: sealed.data,
        status: "waiting",
        problem: null
      };
      return store("queue", "readwrite", function (s) { return s.add(entry); }).then(function (id) {
        entry.id = id;
        return entry;
      });
    });
  }

  function entries() {
    return store("queue", "readonly", function (s) { return s.getAll(); }).then(function (all) {
      return (all || []).sort(function (a, b) { return a.id - b.id; });
    });
  }

  function removeEntry(id) { return store("queue", "readwrite", function (s) { return s.delete(id); }); }
  function saveEntry(entry) { return store("queue", "readwrite", function (s) { return s.put(entry); }); }

  function freshCsrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : null;
  }

  // Send one entry. Resolves {kind: "sent"|"offline"|"refused"|"signed_out", ...}; never rejects.
  function send(entry) {
    return decrypt(entry).then(function (fields) {
      var token = freshCsrfToken();  // the session's token may have rotated since the form was drawn
      var body = new URLSearchParams();
      fields.forEach(function (pair) {
        body.append(pair[0], pair[0] === "csrfmiddlewaretoken" && token ? token : pair[1]);
      });
      var headers = {};
      headers[QUEUE_HEADER] = "1";
      return fetch(entry.url, { method: "POST", body: body, headers: headers, credentials: "same-origin" })
        .then(function (response) {
          var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
          if (!json) {
            if (response.redirected || response.status === 403) return { kind: "signed_out", status: response.status };
            if (response.status >= 500) return { kind: "offline", status: response.status };
            return { kind: "refused", status: response.status, detail: "The server did not accept this step (" + response.status + ")." };
          }
          return response.json().then(function (answer) {
            if (response.ok && answer.ok) return { kind: "sent", location: answer.location, replayed: answer.replayed };
            if (response.status === 409 && answer.code === "in_progress") return { kind: "offline", status: 409 };
            return { kind: "refused", status: response.status, detail: answer.detail, reasons: answer.reasons || [] };
          });
        }, function () { return { kind: "offline" }; });
    }, function () {
      return { kind: "refused", detail: "This tablet can no longer read this entry (its key was wiped)." };
    });
  }

  // Send the waiting entries one by one, oldest first; stop at the first that can't go.
  function flush() {
    if (!supported) return Promise.resolve();
    if (flushing) return flushing;
    flushing = entries().then(function (all) {
      var sentHere = null;
      var chain = Promise.resolve(true);
      all.forEach(function (entry) {
        chain = chain.then(function (goOn) {
          if (!goOn || entry.status !== "waiting") return false;
          return send(entry).then(function (result) {
            if (result.kind === "sent") {
              // The officer is looking at this CN: take them to where it stands now.
              if (entry.cn && entry.cn === cnOf(window.location.pathname)) sentHere = result.location;
              return removeEntry(entry.id).then(function () { announce("ok", entry.label + " for CN #" + entry.cn + " was sent and recorded."); return true; });
            }
            if (result.kind === "refused") {
              entry.status = "refused";
              entry.problem = { status: result.status || 0, detail: result.detail || "", reasons: result.reasons || [] };
              return saveEntry(entry).then(function () { return false; });
            }
            if (result.kind === "signed_out") {
              announce("problem", "You are signed out. Sign in again: the steps kept on this tablet will then be sent.");
            }
            return false;
          });
        });
      });
      return chain.then(function () { return sentHere; });
    }).then(function (location) {
      flushing = null;
      return render().then(function () {
        if (location) window.location.assign(location);
      });
    }, function () { flushing = null; });
    return flushing;
  }

  // --- Telling the officer, in plain words ---------------------------------------------------------

  var lastNews = null;
  function announce(kind, text) { lastNews = { kind: kind, text: text }; }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function render() {
    var box = document.getElementById("queue-status");
    if (!box || !supported) return Promise.resolve();
    return entries().then(function (all) {
      box.textContent = "";
      box.className = "queue-status";
      var waiting = all.filter(function (e) { return e.status === "waiting"; });
      var refused = all.filter(function (e) { return e.status === "refused"; });
      if (refused.length) {
        box.classList.add("queue-problem");
        refused.forEach(function (entry) {
          box.appendChild(el("p", {}, "Not recorded: " + entry.label + " for CN #" + entry.cn + ". The CN moved on while this tablet was offline, or the step was refused:"));
          var list = el("ul");
          var problem = entry.problem || { detail: "", reasons: [] };
          var reasons = [problem.detail].concat(problem.reasons).filter(function (r, i, all) { return r && all.indexOf(r) === i; });
          if (!reasons.length) reasons = ["No reason was given."];
          reasons.forEach(function (r) { list.appendChild(el("li", {}, r)); });
          box.appendChild(list);
          box.appendChild(el("p", {}, "What to do: open the CN to see where it stands now. If this step still needs doing, record it again there. Then discard this entry."));
          box.appendChild(el("a", { "class": "btn btn-primary", href: "/tablet/" + entry.cn + "/" }, "Open CN #" + entry.cn));
          var discard = el("button", { type: "button", "class": "btn", "data-discard": String(entry.id) }, "Discard this entry");
          box.appendChild(discard);
        });
      } else if (waiting.length) {
        // no extra class: the amber "waiting" look
      } else if (lastNews) {
        box.classList.add(lastNews.kind === "ok" ? "queue-ok" : "queue-problem");
      }
      if (waiting.length) {
        box.appendChild(el("p", {}, (waiting.length === 1 ? "1 step is" : waiting.length + " steps are") +
          " kept on this tablet, not sent yet: there is no connection to the server. Nothing you typed is lost. They will be sent in order when the network returns."));
        var list = el("ul");
        waiting.forEach(function (e) { list.appendChild(el("li", {}, e.label + " for CN #" + e.cn)); });
        box.appendChild(list);
        var retry = el("button", { type: "button", "class": "btn", "data-send-now": "1" }, "Send now");
        box.appendChild(retry);
      }
      if (lastNews && !refused.length) box.insertBefore(el("p", {}, lastNews.text), box.firstChild);
      box.hidden = !(waiting.length || refused.length || lastNews);
    });
  }

  // --- Hooks ---------------------------------------------------------------------------------------

  function setBusy(form, busy, label) {
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit], button:not([type])"), function (button) {
      if (busy) {
        button.setAttribute("data-label", button.textContent);
        button.disabled = true;
        if (label) button.textContent = label;
      } else {
        button.disabled = false;
        if (button.getAttribute("data-label")) button.textContent = button.getAttribute("data-label");
      }
    });
  }

  function onSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-queue")) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    event.preventDefault();
    if (form.getAttribute("data-sending")) return;  // a double tap: the first one is on its way
    form.setAttribute("data-sending", "1");
    setBusy(form, true, "Sending…");
    enqueue(form).then(function (entry) {
      return flushThen(entry, form);
    }).catch(function () {
      // This browser can't keep it (private mode, storage full): send it the plain way.
      form.removeAttribute("data-sending");
      HTMLFormElement.prototype.submit.call(form);
    });
  }

  // Send everything waiting, this step last; then follow the server or say what happened.
  function flushThen(entry, form) {
    return entries().then(function (all) {
      var earlier = all.filter(function (e) { return e.id < entry.id && e.status === "waiting"; });
      if (earlier.length) {
        return flush().then(function () { return entriesHave(entry.id); }).then(function (still) {
          if (still) keptMessage(form);
        });
      }
      return send(entry).then(function (result) {
        if (result.kind === "sent") {
          return removeEntry(entry.id).then(function () { window.location.assign(result.location); });
        }
        if (result.kind === "offline") return keptMessage(form);
        if (result.kind === "signed_out") {
          announce("problem", "You are signed out. Sign in again: this step is kept on this tablet and will then be sent.");
          setBusy(form, true, "Kept on this tablet: sign in again");
          return render();
        }
        // Refused or signed out: the entry is dropped and the form goes the plain way, so the server's
        // page shows the reasons next to the fields, with what was typed still in them.
        return removeEntry(entry.id).then(function () {
          form.removeAttribute("data-sending");
          HTMLFormElement.prototype.submit.call(form);
        });
      });
    });
  }

  function entriesHave(id) {
    return entries().then(function (all) { return all.some(function (e) { return e.id === id; }); });
  }

  function keptMessage(form) {
    setBusy(form, true, "Kept on this tablet: waiting for signal");
    announce("problem", "Not sent: no connection to the server. What you typed is kept on this tablet (encrypted) and will be sent by itself when the network returns. You can keep working.");
    return render().then(function () {
      var box = document.getElementById("queue-status");
      if (box) box.scrollIntoView({ block: "start" });
    });
  }

  function onClick(event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var discard = target.getAttribute("data-discard");
    if (discard) {
      removeEntry(Number(discard)).then(function () { lastNews = null; return render(); });
    } else if (target.getAttribute("data-send-now")) {
      flush();
    }
  }

  function registerServiceWorker() {
    if (!SW_URL || !("serviceWorker" in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker.register(SW_URL, { scope: SCOPE || "/tablet/" }).catch(function () { /* pages still work */ });
  }

  if (supported) {
    document.addEventListener("submit", onSubmit);
    document.addEventListener("click", onClick);
    window.addEventListener("online", function () { flush(); });
    window.setInterval(function () { if (navigator.onLine) flush(); }, RETRY_MS);
    render().then(function () { if (navigator.onLine) flush(); });
  }
  registerServiceWorker();
})();
