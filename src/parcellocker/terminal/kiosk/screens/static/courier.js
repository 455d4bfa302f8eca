/* Courier mode: sign in by card (scanned "COURIER:<id>") or typed id, and PIN; then parcels scanned (or typed)
   one after another, each opening a compartment that fits ("does not fit" and "door did not open" ask for
   another), optionally at reachable height; the carrier's parcels waiting here to be collected (expired,
   redirected, dropped off by their senders), each collected with one scan of its label (or its Collect button):
   its door opens, and closing it again completes the collection; a summary; signed out after 2 minutes without a
   touch. The session lives in this tab's sessionStorage only, and only while the courier
   screen is shown: any other screen removes it (kiosk.js). */
(function () {
  "use strict";
  var K = window.Kiosk;
  var SESSION = "kiosk.courier";
  var signInPanel = document.getElementById("courier-sign-in");
  var depositPanel = document.getElementById("courier-deposits");
  var summaryPanel = document.getElementById("courier-summary");
  var idField = K.byTestId("courier-id");
  var pinField = K.byTestId("courier-pin");
  var trackingField = K.byTestId("tracking-number");
  var reachable = K.byTestId("reachable-toggle");
  var now = K.byTestId("deposit-now");
  var openText = K.byTestId("deposit-open");
  var collectText = K.byTestId("collect-open");
  var depositProblems = K.byTestId("deposit-problems");
  var watching = null;
  var toCollect = [];  /* the parcels of the collection list as last loaded */

  function load() {
    var found = null;
    try { found = JSON.parse(sessionStorage.getItem(SESSION)) || null; } catch (broken) { found = null; }
    if (found && !found.collected) found.collected = [];
    return found;
  }
  function save() { sessionStorage.setItem(SESSION, JSON.stringify(session)); }
  function signOut() { sessionStorage.removeItem(SESSION); session = null; }

  var session = load();
  var asked = new URLSearchParams(window.location.search).get("courier_id");
  if (session && asked && asked !== session.courierId) signOut();  // another courier's card
  K.hooks.beforeIdleHome.push(signOut);

  function show(panel) {
    [signInPanel, depositPanel, summaryPanel].forEach(function (each) { each.hidden = each !== panel; });
    K.trouble.mount(panel);
    K.trouble.clear();
  }

  /* Sign-in. */
  K.onKeypad(document.querySelector('.keypad[data-target="courier-pin"]'), function (key) {
    pinField.value = K.keyed(pinField.value, key);
  });

  document.getElementById("sign-in-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    K.trouble.clear();
    var courierId = idField.value.trim();
    var reply = await K.api("POST", "/courier/sign-in", { courier_id: courierId, pin: pinField.value });
    pinField.value = "";
    if (!reply.ok) {
      K.trouble.show(reply.error.code === "locked_out"
        ? K.t("locked_out", { seconds: reply.error.retry_after_seconds })
        : K.errorText(reply.error), reply.error.code);
      return;
    }
    session = {
      token: reply.data.courier_token, courierId: courierId, deposits: [], problems: [], collected: [], current: null,
    };
    save();
    startDeposits();
  });

  K.scanHandlers.courier = function (courierId) {
    if (session) signOut();
    show(signInPanel);
    idField.value = courierId;
    pinField.value = "";
    pinField.focus();
  };

  K.scanHandlers.other = function (text) {
    if (!session || depositPanel.hidden) { K.toast(K.t("sign_in_first")); return; }
    depositOrCollect(text);
  };

  /* One scan each: a parcel on the collection list is collected, any other is deposited. */
  function depositOrCollect(tracking) {
    var listed = toCollect.some(function (parcel) { return parcel.tracking_number === tracking; });
    if (listed) collect(tracking); else deposit(tracking);
  }

  /* Deposits. */
  function startDeposits() {
    show(depositPanel);
    K.byTestId("courier-signed-in").textContent = K.t("signed_in_as", { courier: session.courierId });
    if (K.settings.accessible) reachable.checked = true;
    renderDeposits();
    loadCollections();
  }

  document.addEventListener("kiosk:accessibility", function (event) {
    if (event.detail.on) reachable.checked = true;
  });

  document.getElementById("deposit-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var tracking = trackingField.value.trim();
    if (tracking) depositOrCollect(tracking);
  });

  async function deposit(tracking) {
    K.trouble.clear();
    trackingField.value = "";
    trackingField.blur();
    var reply = await K.api("POST", "/deposit", {
      courier_token: session.token, tracking_number: tracking, reachable: reachable.checked,
    });
    if (!reply.ok) return refused(reply.error);
    opened(reply.data.tracking_number || tracking, reply.data.compartment);
  }

  async function problem(kind) {
    var current = session.current;
    if (!current) { K.trouble.show(K.t("no_parcel_scanned")); return; }
    K.trouble.clear();
    var reply = await K.api("POST", "/deposit/problem", {
      courier_token: session.token, tracking_number: current.tracking, problem: kind,
    });
    session.problems.push({ tracking: current.tracking, compartment: current.compartment, problem: kind });
    if (!reply.ok) {
      entryOf(current.tracking).status = "failed";
      session.current = null;
      save();
      renderDeposits();
      now.hidden = true;
      return refused(reply.error);
    }
    opened(current.tracking, reply.data.compartment);
  }

  K.byTestId("problem-does-not-fit").addEventListener("click", function () { problem("does_not_fit"); });
  K.byTestId("problem-door-did-not-open").addEventListener("click", function () { problem("door_did_not_open"); });

  function entryOf(tracking) {
    return session.deposits.find(function (entry) { return entry.tracking === tracking; });
  }

  function opened(tracking, compartment) {
    var entry = entryOf(tracking);
    if (!entry) { entry = { tracking: tracking }; session.deposits.push(entry); }
    entry.compartment = compartment;
    entry.status = "open";
    session.current = entry;
    save();
    openText.textContent = K.t("deposit_open", { number: compartment, tracking: tracking });
    openText.dataset.compartment = String(compartment);
    openText.dataset.tracking = tracking;
    openText.hidden = false;
    depositProblems.hidden = false;
    collectText.hidden = true;
    K.lightDoor(compartment);
    now.hidden = false;
    renderDeposits();
    watchDoor(entry);
  }

  /* The open door closing means the parcel is in (the terminal tells the server). */
  function watchDoor(entry) {
    clearTimeout(watching);
    var look = async function () {
      if (session === null || session.current !== entry) return;
      if (await K.doorOf(entry.compartment) === "closed") {
        entry.status = "stored";
        save();
        openText.textContent = K.t("deposit_closed", { number: entry.compartment, tracking: entry.tracking });
        renderDeposits();
        return;
      }
      watching = setTimeout(look, 500);
    };
    watching = setTimeout(look, 500);
  }

  function refused(error) {
    if (error.code === "not_authenticated" || error.code === "forbidden") {
      signOut();
      show(signInPanel);
      K.trouble.show(K.t("session_over"), error.code);
      return;
    }
    K.trouble.show(K.errorText(error), error.code);
    K.byTestId("error-message").dataset.detail = error.message || "";
  }

  function renderDeposits() {
    var list = K.byTestId("deposit-list");
    list.replaceChildren();
    session.deposits.forEach(function (entry) {
      var item = document.createElement("li");
      item.setAttribute("data-testid", "deposit-item");
      item.dataset.tracking = entry.tracking;
      item.dataset.compartment = String(entry.compartment);
      item.dataset.status = entry.status;
      var what = document.createElement("span");
      what.textContent = entry.tracking + " → " + entry.compartment;
      var state = document.createElement("span");
      state.textContent = K.t({ stored: "status_stored", open: "status_open", failed: "status_failed" }[entry.status]);
      item.append(what, state);
      list.append(item);
    });
  }

  /* Collections. */
  async function collect(tracking) {
    K.trouble.clear();
    trackingField.value = "";
    trackingField.blur();
    var asked = Date.now();
    var reply = await K.api("POST", "/courier/collect", { courier_token: session.token, tracking_number: tracking });
    if (!reply.ok) return refused(reply.error);
    var entry = collectedEntry(tracking);
    if (!entry) { entry = { tracking: tracking }; session.collected.push(entry); }
    entry.compartment = reply.data.compartment;
    entry.status = "open";
    session.current = entry;
    save();
    collectText.textContent = K.t("collect_open", { number: entry.compartment, tracking: tracking });
    collectText.dataset.compartment = String(entry.compartment);
    collectText.dataset.tracking = tracking;
    collectText.hidden = false;
    openText.hidden = true;
    depositProblems.hidden = true;
    K.lightDoor(entry.compartment);
    now.hidden = false;
    renderCollections();
    watchCollection(entry, asked);
  }

  function collectedEntry(tracking) {
    return session.collected.find(function (entry) { return entry.tracking === tracking; });
  }

  /* Its door closed after it was opened for the collection: the parcel is out (the terminal tells the server). */
  function watchCollection(entry, asked) {
    clearTimeout(watching);
    var look = async function () {
      if (session === null || session.current !== entry) return;
      if (await K.closedAfter(entry.compartment, asked)) {
        entry.status = "collected";
        save();
        collectText.textContent = K.t("collect_closed", { number: entry.compartment, tracking: entry.tracking });
        renderCollections();
        return;
      }
      watching = setTimeout(look, 400);
    };
    watching = setTimeout(look, 200);
  }

  async function loadCollections() {
    var reply = await K.api("POST", "/courier/collections", { courier_token: session.token });
    if (!reply.ok) { toCollect = []; renderCollections(); return refused(reply.error); }
    toCollect = reply.data.parcels;
    renderCollections();
  }

  function sinceLabel(parcel) {
    if (parcel.state === "redirected") return "redirected_since";
    if (parcel.state === "dropped_off") return parcel.kind === "return" ? "returned_since" : "sent_since";
    return "expired_since";
  }

  function renderCollections() {
    var list = K.byTestId("collections-list");
    list.replaceChildren();
    var since = new Intl.DateTimeFormat(K.settings.language, { dateStyle: "short", timeStyle: "short" });
    toCollect.forEach(function (parcel) {
      var entry = collectedEntry(parcel.tracking_number);
      var item = document.createElement("li");
      item.setAttribute("data-testid", "collection-item");
      item.dataset.tracking = parcel.tracking_number;
      item.dataset.compartment = String(parcel.compartment);
      item.dataset.state = parcel.state;
      item.dataset.kind = parcel.kind || "delivery";
      item.dataset.status = entry ? entry.status : "waiting";
      var what = document.createElement("span");
      what.textContent = parcel.tracking_number + " → " + parcel.compartment;
      var when = document.createElement("span");
      when.textContent = entry && entry.status === "collected"
        ? K.t("status_collected")
        : K.t(sinceLabel(parcel), { since: since.format(new Date(parcel.expired_at)) });
      item.append(what, when);
      if (!entry || entry.status !== "collected") {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button";
        button.setAttribute("data-testid", "collect-button");
        button.textContent = list.dataset.collectLabel;
        button.addEventListener("click", function () { collect(parcel.tracking_number); });
        item.append(button);
      }
      list.append(item);
    });
    K.byTestId("collections-empty").hidden = toCollect.length > 0;
  }

  /* The end: a summary, then sign out. */
  K.byTestId("courier-finish").addEventListener("click", function () {
    clearTimeout(watching);
    var deposited = session.deposits.filter(function (entry) { return entry.status !== "failed"; });
    K.byTestId("summary-deposited").textContent = String(deposited.length);
    K.byTestId("summary-problems").textContent = String(session.problems.length);
    var collected = session.collected.filter(function (entry) { return entry.status === "collected"; });
    K.byTestId("summary-collected").textContent = String(collected.length);
    var list = K.byTestId("summary-list");
    list.replaceChildren();
    session.deposits.forEach(function (entry) {
      var item = document.createElement("li");
      item.setAttribute("data-testid", "summary-item");
      item.textContent = entry.tracking + " → " + entry.compartment;
      list.append(item);
    });
    collected.forEach(function (entry) {
      var item = document.createElement("li");
      item.setAttribute("data-testid", "summary-collected-item");
      item.textContent = entry.compartment + " → " + entry.tracking;
      list.append(item);
    });
    session.problems.forEach(function (reported) {
      var item = document.createElement("li");
      item.setAttribute("data-testid", "summary-problem");
      item.textContent = reported.tracking + " (" + reported.compartment + "): "
        + K.t(reported.problem === "does_not_fit" ? "problem_does_not_fit" : "problem_door_did_not_open");
      list.append(item);
    });
    show(summaryPanel);
  });

  K.byTestId("courier-sign-out").addEventListener("click", function () {
    signOut();
    K.goHome(false);
  });

  if (session) startDeposits();
  else {
    show(signInPanel);
    if (idField.value) pinField.focus();
  }
})();
