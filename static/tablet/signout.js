/* Signing out wipes what the tablet kept: the encrypted queue and its key (IndexedDB) and the
   service worker's caches. Loaded on every page (templates/base.html) so any sign-out wipes. */
(function () {
  "use strict";
  var DB_NAME = "vip-tablet";

  function wipe() {
    var jobs = [];
    if (window.indexedDB) {
      jobs.push(new Promise(function (resolve) {
        var request = indexedDB.deleteDatabase(DB_NAME);
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      }));
    }
    if (window.caches) {
      jobs.push(caches.keys().then(function (names) {
        return Promise.all(names.map(function (name) { return caches.delete(name); }));
      }).catch(function () {}));
    }
    // Never keep the officer from signing out: go on after 3 seconds whatever happened.
    var deadline = new Promise(function (resolve) { window.setTimeout(resolve, 3000); });
    return Promise.race([Promise.all(jobs), deadline]);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("signout")) return;
    if (form.getAttribute("data-wiped")) return;
    event.preventDefault();
    form.setAttribute("data-wiped", "1");
    wipe().then(function () { HTMLFormElement.prototype.submit.call(form); });
  });
})();
