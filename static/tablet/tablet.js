/* The tablet's weak-network layer. No framework; the pages work without it (plain forms, PRG).

   With it, a step form (form[data-queue]) is first written to this tablet, encrypted, then sent.
   - Sent: the entry is wiped and the page goes where the server says.
   - No signal: the entry stays, the officer is told so plainly, and it is sent, in order, when the
     network returns (the same form POST, the same idempotency key, so it is never applied twice).
   - Refused (the CN moved meanwhile: 409 with a reason): the officer is told why and what to do.
   - An outcome that ends the encounter (form[data-hold], refused and not located, after their confirm
     page) is held on the tablet for that many seconds before it is sent, with an Undo button: taken back,
     nothing was sent. A held or waiting outcome can be taken back until it is sent; while one is kept for a
     CN, the other outcomes for that CN are locked (aria-disabled, with the reason tied by aria-describedby).
   - The door kit: the team's briefing cards (/tablet/briefings/) are kept the same way, so that they can be
     read without signal from the "No signal" page.
   Stored: only the form's own fields (what the step needs) and the cards, AES-GCM encrypted with a key
   that cannot leave the browser (WebCrypto, extractable=false, kept in IndexedDB): `encrypt`/`decrypt`,
   the one home for both. Signing out wipes it all (static/tablet/signout.js). */
(function () {
  "use strict";

  var script = document.currentScript;
  var SW_URL = script && script.getAttribute("data-sw");
  var SCOPE = script && script.getAttribute("data-scope");
  var DB_NAME = "vip-tablet";
  var QUEUE_HEADER = "X-VIP-Queue";
  var RETRY_MS = 15000;
  var BRIEFINGS_URL = script && script.getAttribute("data-briefings");

  var supported = !!(window.indexedDB && window.crypto && window.crypto.subtle && window.fetch && window.TextEncoder);
  var flushing = null;

  // --- IndexedDB -----------------------------------------------------------------------------------

  var dbPromise = null;
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 2);
        request.onupgradeneeded = function () {
          var db = request.result;
          if (!db.objectStoreNames.contains("keys")) db.createObjectStore("keys");
          if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
          if (!db.objectStoreNames.contains("briefings")) db.createObjectStore("briefings");  // version 2
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
    var holdSeconds = Number(form.getAttribute("data-hold") || 0);
    return encrypt(formFields(form)).then(function (sealed) {
      var entry = {
        url: url,
        cn: cnOf(url),
        label: form.getAttribute("data-queue") || "A step",
        outcome: form.getAttribute("data-outcome") || "",
        holdUntil: holdSeconds ? Date.now() + holdSeconds * 1000 : 0,
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
          if (!goOn || entry.status !== "waiting" || held(entry)) return false;
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

  function held(entry) { return entry.holdUntil && entry.holdUntil > Date.now(); }

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
      var holding = waiting.filter(held);
      var unsent = waiting.filter(function (e) { return !held(e); });
      holding.forEach(function (entry) {
        var note = el("p", { "class": "undo-note" }, entry.label + " for CN #" + entry.cn + ": kept on this tablet, sent in ");
        // The countdown is for the eye; a screen reader hears the sentence once, not a tick a second.
        note.appendChild(el("strong", { "data-countdown": String(entry.holdUntil), "aria-hidden": "true" }, secondsLeft(entry.holdUntil)));
        note.appendChild(document.createTextNode(" s (10 seconds). Tapped by mistake? Undo it now."));
        box.appendChild(note);
        box.appendChild(el("button", { type: "button", "class": "btn btn-primary", "data-undo": String(entry.id) }, "Undo: " + entry.label.toLowerCase()));
      });
      if (unsent.length) {
        box.appendChild(el("p", {}, (unsent.length === 1 ? "1 step is" : unsent.length + " steps are") +
          " kept on this tablet, not sent yet: there is no connection to the server. Nothing you typed is lost. They will be sent in order when the network returns."));
        var list = el("ul");
        unsent.forEach(function (e) {
          var item = el("li", {}, e.label + " for CN #" + e.cn + " ");
          if (e.outcome) item.appendChild(el("button", { type: "button", "class": "btn", "data-undo": String(e.id) }, "Take back"));
          list.appendChild(item);
        });
        box.appendChild(list);
        var retry = el("button", { type: "button", "class": "btn", "data-send-now": "1" }, "Send now");
        box.appendChild(retry);
      }
      if (lastNews && !refused.length) box.insertBefore(el("p", {}, lastNews.text), box.firstChild);
      box.hidden = !(waiting.length || refused.length || lastNews);
      lockOutcomes(waiting);
      if (holding.length) tick();
      holding.forEach(function (entry) {
        // Held on an earlier page and not taken back: sent from here when its seconds are up.
        if (scheduled[entry.id]) return;
        scheduled[entry.id] = true;
        window.setTimeout(function () { flush(); }, entry.holdUntil - Date.now() + 50);
      });
    });
  }

  function secondsLeft(until) { return String(Math.max(0, Math.ceil((until - Date.now()) / 1000))); }

  var scheduled = {};  // the held entries whose sending is already timed on this page
  var ticking = null;
  function tick() {
    if (ticking) return;
    ticking = window.setInterval(function () {
      var counters = document.querySelectorAll("[data-countdown]");
      Array.prototype.forEach.call(counters, function (node) { node.textContent = secondsLeft(Number(node.getAttribute("data-countdown"))); });
      if (!counters.length) { window.clearInterval(ticking); ticking = null; }
    }, 250);
  }

  // While an outcome is kept for this CN (held or waiting for signal), the others are locked: two
  // contradictory outcomes must not be queued (issue 18). Locked as the server locks a step: aria-disabled,
  // still reached by Tab, the reason tied with aria-describedby.
  function lockOutcomes(waiting) {
    var here = cnOf(window.location.pathname);
    var kept = waiting.filter(function (e) { return e.outcome && e.cn === here; })[0];
    Array.prototype.forEach.call(document.querySelectorAll("[data-locked-by-queue]"), function (node) {
      node.removeAttribute("aria-disabled");
      node.removeAttribute("aria-describedby");
      node.removeAttribute("data-locked-by-queue");
    });
    var reason = document.getElementById("outcome-locked");
    if (!kept) {
      if (reason) reason.hidden = true;
      return;
    }
    if (!reason) {
      reason = el("p", { "class": "outcome-locked", id: "outcome-locked" });
      var first = document.querySelector("form[data-outcome]");
      if (first) first.parentNode.insertBefore(reason, first);
    }
    reason.textContent = "\u201c" + kept.label + "\u201d is kept on this tablet for CN #" + kept.cn +
      ", waiting to be sent. The other outcomes are locked until it is sent, or taken back with Undo.";
    reason.hidden = false;
    var targets = document.querySelectorAll("a[data-outcome], form[data-outcome] button[type=submit]");
    Array.prototype.forEach.call(targets, function (node) {
      if (node.getAttribute("aria-disabled") === "true") return;  // locked by the server already
      node.setAttribute("aria-disabled", "true");
      node.setAttribute("aria-describedby", "outcome-locked");
      node.setAttribute("data-locked-by-queue", "1");
    });
  }

  // --- The door kit: the team's briefing cards, kept encrypted to read without signal ---------------

  function keepBriefings() {
    var note = document.querySelector("[data-keep-briefings]");
    if (!BRIEFINGS_URL || !note || !navigator.onLine) return Promise.resolve();
    return fetch(BRIEFINGS_URL, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      return response.ok && json ? response.json() : null;
    }).then(function (kit) {
      if (!kit) return null;
      return encrypt(kit).then(function (sealed) {
        return store("briefings", "readwrite", function (s) { return s.put(sealed, "cards"); });
      }).then(function () {
        if (!kit.cards.length) return;
        note.textContent = (kit.cards.length === 1 ? "1 briefing card is" : kit.cards.length + " briefing cards are") +
          " kept on this tablet, encrypted, to read without signal (from the \u201cNo signal\u201d page). Signing out wipes them.";
        note.hidden = false;
      });
    }).catch(function () { /* no signal: the cards kept last time stay */ });
  }

  function keptBriefings() {
    return store("briefings", "readonly", function (s) { return s.get("cards"); }).then(function (sealed) {
      return sealed ? decrypt(sealed) : null;
    });
  }

  function section(card, title) {
    card.appendChild(el("h3", {}, title));
    var list = el("ul");
    card.appendChild(list);
    return list;
  }

  // The same card as templates/tablet/_card.html, drawn from the kept values (text only, never HTML).
  function drawCard(c) {
    var card = el("article", { "class": "briefing card", "aria-labelledby": "kept-card-" + c.cn });
    var name = el("h2", { id: "kept-card-" + c.cn }, c.name + " ");
    if (c.juvenile) name.appendChild(el("span", { "class": "badge badge-juvenile" }, "Juvenile"));
    card.appendChild(name);
    card.appendChild(el("p", { "class": "muted" }, "CN #" + c.cn + " \u00b7 " + c.state + (c.planned_for ? " \u00b7 planned " + c.planned_for : "") + " \u00b7 born " + c.born));
    var facts = el("dl", { "class": "facts" });
    function fact(term, value) { facts.appendChild(el("dt", {}, term)); facts.appendChild(el("dd", {}, value)); }
    fact("Looks like", c.description || "No physical description recorded.");
    fact("Language", c.language || "Not recorded");
    if (c.juvenile) {
      fact("Parent or guardian", c.guardians.length ? c.guardians.map(function (g) {
        return g.name + " (" + g.relationship + ") \u00b7 " + (g.phone || "no phone on record");
      }).join("; ") : "None on record: ask the LE Lead.");
    }
    card.appendChild(facts);
    var checks = section(card, "Safety");
    checks.className = "checks";
    c.checks.forEach(function (k) {
      var item = el("li", { "class": k.flag ? "check-flag" : "" });
      item.appendChild(el("strong", {}, k.label + ":"));
      item.appendChild(document.createTextNode(" " + k.result + (k.on ? " (" + k.on + ")" : "")));
      if (k.notes) item.appendChild(el("p", {}, k.notes));
      checks.appendChild(item);
    });
    var places = section(card, "Addresses");
    if (!c.addresses.length) places.appendChild(el("li", {}, "No address on record"));
    c.addresses.forEach(function (a) { places.appendChild(el("li", {}, a.text + " (" + a.when + ")")); });
    var letter = el("details", { "class": "letter" });
    letter.appendChild(el("summary", {}, "The letter (" + c.letter_status.toLowerCase() + ")"));
    letter.appendChild(el("div", { "class": "letter-body" }, c.letter));
    card.appendChild(letter);
    return card;
  }

  function showBriefings() {
    var box = document.getElementById("briefings");
    if (!box) return Promise.resolve();
    return keptBriefings().then(function (kit) {
      box.textContent = "";
      if (!kit || !kit.cards.length) {
        box.appendChild(el("p", { "class": "card" }, "No briefing cards are kept on this tablet. Open My deliveries once with signal to keep them."));
      } else {
        var here = cnOf(window.location.pathname);
        var cards = kit.cards.slice().sort(function (a, b) { return (String(b.cn) === here) - (String(a.cn) === here); });
        box.appendChild(el("h2", {}, "Briefing cards kept on this tablet"));
        box.appendChild(el("p", { "class": "muted" }, "Kept " + new Date(kit.kept_at).toLocaleString() + ". For the delivery team only."));
        cards.forEach(function (c) { box.appendChild(drawCard(c)); });
      }
      box.hidden = false;
    }, function () {
      box.textContent = "The briefing cards kept on this tablet can no longer be read (their key was wiped).";
      box.hidden = false;
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
    if (form.querySelector("[data-locked-by-queue]")) return;  // another outcome is kept for this CN
    if (form.getAttribute("data-sending")) return;  // a double tap: the first one is on its way
    form.setAttribute("data-sending", "1");
    var holding = form.hasAttribute("data-hold");
    setBusy(form, true, holding ? "Kept for a few seconds: Undo is above" : "Sending…");
    enqueue(form).then(function (entry) {
      if (!held(entry)) return flushThen(entry, form);
      scheduled[entry.id] = true;
      return render().then(function () {
        var undo = document.querySelector("[data-undo='" + entry.id + "']");
        if (undo) undo.focus();
        window.setTimeout(function () {
          entriesHave(entry.id).then(function (still) { if (still) flushThen(entry, form); });
        }, entry.holdUntil - Date.now() + 50);
      });
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

  function undo(id) {
    return entries().then(function (all) {
      var entry = all.filter(function (e) { return e.id === id; })[0];
      if (!entry) return render();  // already sent: nothing to take back
      return removeEntry(id).then(function () {
        announce("ok", "Taken back: " + entry.label + " for CN #" + entry.cn + " was not sent. Nothing was recorded.");
        var again = null;
        Array.prototype.forEach.call(document.querySelectorAll("form[data-sending]"), function (form) {
          form.removeAttribute("data-sending");
          setBusy(form, false);
          again = again || form.querySelector("button[type=submit]");
        });
        return render().then(function () { if (again) again.focus(); });  // the Undo button is gone: focus stays on the form
      });
    });
  }

  function onClick(event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var locked = target.closest("[aria-disabled=true]");
    if (locked) {
      event.preventDefault();  // a blocked choice goes nowhere; its reason is beside it
      return;
    }
    if (target.hasAttribute("data-show-briefings")) {
      showBriefings();
      return;
    }
    var undoId = target.getAttribute("data-undo");
    if (undoId) {
      undo(Number(undoId));
      return;
    }
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
    keepBriefings();
    Array.prototype.forEach.call(document.querySelectorAll(".hold-note, [data-show-briefings]"), function (node) { node.hidden = false; });
  }
  registerServiceWorker();
})();
