/* The pickup screen: the code typed on the keypad (or a QR token from the scanner) opens the compartment; then
   "compartment N is open" on the picture of the locker, "close the door", and for 30 s after the door closed
   "I forgot something – open again". Wrong codes say how many tries remain; a lockout counts down; a door that
   did not open may be tried once more, then the person is sent to the help line. */
(function () {
  "use strict";
  var K = window.Kiosk;
  var MAX_DIGITS = 8;
  var entry = document.getElementById("pickup-entry");
  var busy = document.getElementById("pickup-busy");
  var open = document.getElementById("pickup-open");
  var reopenButton = K.byTestId("reopen-button");
  var doorState = K.byTestId("door-state");
  var heading = K.byTestId("compartment-open");

  var submit = K.byTestId("key-ok");
  var code = K.codeEntry({
    keypad: document.querySelector('.keypad[data-target="code"]'),
    display: K.byTestId("code-display"),
    submit: submit,
    maxDigits: MAX_DIGITS,
  });
  var panels = K.panels([entry, busy, open]);
  var lastRequest = null;
  var doorFailures = 0;
  var opened = null;
  var watching = null;

  function show(panel) { panels(panel, panel === busy); }

  submit.addEventListener("click", function () {
    if (code.value()) pickUp({ code: code.value() });
  });

  K.byTestId("retry-door").addEventListener("click", function () {
    if (lastRequest) pickUp(lastRequest);
  });

  K.scanHandlers.qr = function (token) { pickUp({ qr_token: token }); };

  async function pickUp(request) {
    if (request !== lastRequest) doorFailures = 0;
    lastRequest = request;
    K.trouble.clear();
    show(busy);
    var reply = await K.api("POST", "/pickup", request);
    if (reply.ok) {
      code.clear();
      showOpen(reply.data);
      return;
    }
    show(entry);
    refused(reply.error);
  }

  function refused(error) {
    if (error.code === "locked_out") {
      code.clear();
      code.lockOut(Number(error.retry_after_seconds) || 1);
    } else if (error.code === "door_did_not_open") {
      doorFailures += 1;
      K.doorDidNotOpen(doorFailures, error);
    } else if (error.code === "pickup_code_not_found") {
      code.clear();
      K.wrongCode("wrong_code", error);
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
    doorState.textContent = K.t("take_and_close");
    reopenButton.hidden = true;
    show(open);
    heading.focus();
    watchDoor();
  }

  /* While the door is open: "close the door". Once it closed: the reopen button counts down from 30 s. */
  function watchDoor() {
    clearTimeout(watching);
    var closedAt = null;
    var windowSeconds = Math.max(1, Math.floor(K.settings.reopen_seconds) - 1);
    var look = async function () {
      var door = await K.doorOf(opened.compartment);
      if (door === "closed") {
        if (closedAt === null) closedAt = Date.now();
        var left = windowSeconds - Math.floor((Date.now() - closedAt) / 1000);
        if (left <= 0) {
          reopenButton.hidden = true;
          doorState.textContent = K.t("goodbye");
          watching = setTimeout(function () { K.goHome(false); }, 4000);
          return;
        }
        doorState.textContent = K.t("door_closed_thanks");
        reopenButton.textContent = K.t("reopen", { seconds: left });
        reopenButton.dataset.secondsLeft = String(left);
        reopenButton.hidden = false;
      } else {
        closedAt = null;
        reopenButton.hidden = true;
        doorState.textContent = K.t("take_and_close");
      }
      watching = setTimeout(look, 400);
    };
    look();
  }

  reopenButton.addEventListener("click", async function () {
    reopenButton.disabled = true;
    K.trouble.clear();
    var reply = await K.api("POST", "/pickup/reopen", { shipment_id: opened.shipment });
    reopenButton.disabled = false;
    if (reply.ok) {
      doorState.textContent = K.t("reopened", { number: reply.data.compartment });
      watchDoor();
      return;
    }
    reopenButton.hidden = true;
    clearTimeout(watching);
    K.trouble.show(K.errorText(reply.error), reply.error.code);
    K.trouble.help();
    K.byTestId("retry-door").hidden = true;
  });

  var scanned = K.takePendingScan();
  if (scanned) pickUp({ qr_token: scanned });
})();
