/* The "Send a parcel" screen: the drop-off code typed on the keypad (or scanned) opens a compartment the parcel fits;
   "compartment N is open: put your parcel in and close the door" on the picture of the locker; "the parcel does not
   fit" opens one of the next size, "door did not open" another; once the door closes, the parcel is dropped off.
   A wrong code says how many tries remain (the same count as wrong pickup codes); a lockout counts down. The same
   screen takes returns: a return's code works the same way. */
(function () {
  "use strict";
  var K = window.Kiosk;
  var MAX_DIGITS = 8;
  var GO_HOME_AFTER_MS = 6000;
  var entry = document.getElementById("send-entry");
  var busy = document.getElementById("send-busy");
  var open = document.getElementById("send-open");
  var submit = K.byTestId("dropoff-submit");
  var heading = K.byTestId("dropoff-open");
  var state = K.byTestId("dropoff-state");
  var problems = K.byTestId("dropoff-problems");
  var done = K.byTestId("done");

  var code = K.codeEntry({
    keypad: document.querySelector('.keypad[data-target="dropoff-code"]'),
    display: K.byTestId("dropoff-code-display"),
    submit: submit,
    maxDigits: MAX_DIGITS,
  });
  var panels = K.panels([entry, busy, open]);
  var sentCode = null;  /* the code the open compartment is for: problems are reported with it */
  var doorFailures = 0;
  var opened = null;
  var asked = 0;  /* when the compartment now open was asked for */
  var watching = null;

  function show(panel) { panels(panel, panel === busy); }

  submit.addEventListener("click", function () { if (code.value()) send(code.value()); });

  /* A scanned drop-off code (digits from a message's barcode) is taken as typed. */
  K.scanHandlers.other = function (text) {
    var digits = text.replace(/[\s-]/g, "");
    if (!/^\d{6,8}$/.test(digits) || entry.hidden) { K.toast(K.t("scan_not_dropoff")); return; }
    code.set(digits);
    send(digits);
  };

  async function send(typed) {
    K.trouble.clear();
    doorFailures = 0;
    show(busy);
    asked = Date.now();
    var reply = await K.api("POST", "/dropoff", { code: typed, reachable: Boolean(K.settings.accessible) });
    code.clear();
    if (reply.ok) { sentCode = typed; showOpen(reply.data); return; }
    show(entry);
    refused(reply.error);
  }

  async function problem(kind) {
    K.trouble.clear();
    clearTimeout(watching);
    show(busy);
    asked = Date.now();
    var reply = await K.api("POST", "/dropoff/problem", { code: sentCode, problem: kind });
    if (reply.ok) { showOpen(reply.data); return; }
    show(open);
    refused(reply.error);
  }

  K.byTestId("dropoff-does-not-fit").addEventListener("click", function () { problem("does_not_fit"); });
  K.byTestId("dropoff-door-did-not-open").addEventListener("click", function () { problem("door_did_not_open"); });
  K.byTestId("retry-door").addEventListener("click", function () { problem("door_did_not_open"); });

  function refused(error) {
    if (error.code === "locked_out") {
      code.lockOut(Number(error.retry_after_seconds) || 1);
    } else if (error.code === "dropoff_code_not_found") {
      K.wrongCode("dropoff_wrong_code", error);
    } else if (error.code === "door_did_not_open") {
      /* The lock stayed shut: the sender may ask for another compartment once, then for help. */
      doorFailures += 1;
      show(open);
      problems.hidden = true;
      K.doorDidNotOpen(doorFailures, error);
    } else {
      K.trouble.show(K.errorText(error), error.code);
    }
    code.render();
  }

  function showOpen(answer) {
    opened = { compartment: answer.compartment, shipment: answer.shipment_id };
    heading.textContent = K.t("compartment_open", { number: answer.compartment });
    heading.dataset.compartment = String(answer.compartment);
    K.lightDoor(answer.compartment);
    state.textContent = K.t("dropoff_put_in");
    state.dataset.state = "open";
    problems.hidden = false;
    done.hidden = true;
    show(open);
    heading.focus();
    watchDoor();
  }

  /* Once the door has closed after it was opened for the parcel, the parcel is in: the terminal tells the server. */
  function watchDoor() {
    clearTimeout(watching);
    var current = opened;
    var since = asked;
    var look = async function () {
      if (opened !== current) return;
      if (await K.closedAfter(current.compartment, since)) {
        state.textContent = K.t("dropoff_done");
        state.dataset.state = "dropped_off";
        problems.hidden = true;
        done.hidden = false;
        sentCode = null;
        watching = setTimeout(function () { K.goHome(false); }, GO_HOME_AFTER_MS);
        return;
      }
      watching = setTimeout(look, 400);
    };
    look();
  }

})();
