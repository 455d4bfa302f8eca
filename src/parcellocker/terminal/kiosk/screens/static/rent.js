/* The rent screen: renting a compartment (a size, a duration, then paying: free, by a prepaid voucher typed on the
   keypad, or by card on the renter's phone at the provider's page shown as a QR code, which the kiosk waits for),
   after which the compartment opens and its code is shown once; and the renter's code opening their compartment
   again, or a last time to take everything out (overdue: the time overstayed paid first). The server decides;
   this page only shows what it says. */
(function () {
  "use strict";
  var K = window.Kiosk;
  var CODE_DIGITS = 8;
  var POLL_MS = 1500;
  var panels = ["rent-start", "rent-size", "rent-duration", "rent-pay", "rent-checkout", "rent-busy", "rent-code-entry",
    "rent-overdue", "rent-open"].map(function (id) { return document.getElementById(id); });
  var keypad = document.querySelector("#rent-keypad .keypad");
  var codeDisplay = K.byTestId("rent-code-display");
  var openButton = K.byTestId("rent-code-open");
  var finishButton = K.byTestId("rent-code-finish");
  var doorState = K.byTestId("rent-door-state");

  var offer = null;
  var choice = { size: null, minutes: null, price: null };
  var code = "";
  var polling = null;
  var watching = null;
  var overdueCode = null;

  function show(id) {
    clearTimeout(polling);
    panels.forEach(function (panel) { panel.hidden = panel.id !== id; });
    var panel = document.getElementById(id);
    if (id !== "rent-busy") K.trouble.mount(panel);
    var slot = panel.querySelector(".keypad-slot");
    if (slot) {
      slot.appendChild(keypad);
      keypad.dataset.target = slot.dataset.target;
    }
  }

  function money(amount, currency) {
    try {
      return new Intl.NumberFormat(K.settings.language, { style: "currency", currency: currency }).format(amount / 100);
    } catch (unknown) {
      return (amount / 100).toFixed(2) + " " + currency;
    }
  }

  function duration(minutes) {
    if (minutes % 1440 === 0) {
      var days = minutes / 1440;
      return days === 1 ? K.t("one_day") : K.t("days", { days: days });
    }
    var hours = Math.round(minutes / 60);
    return hours === 1 ? K.t("one_hour") : K.t("hours", { hours: hours });
  }

  function when(iso) {
    return new Date(iso).toLocaleString(K.settings.language, { dateStyle: "medium", timeStyle: "short" });
  }

  var RENT_ERRORS = {
    rental_code_not_found: "rental_code_not_found",
    rental_not_started: "rental_not_started",
    rental_ended: "rental_ended",
    no_compartment_for_rent: "no_compartment_for_rent",
    voucher_refused: "voucher_refused",
    voucher_required: "voucher_required",
    voucher_not_found: "voucher_refused",
    payment_failed: "payment_failed",
    conflict: "rent_refused",
    illegal_transition: "rent_refused",
  };

  function refused(error) {
    var text;
    if (error.code === "locked_out") text = K.t("locked_out", { seconds: error.retry_after_seconds || 1 });
    else text = RENT_ERRORS[error.code] ? K.t(RENT_ERRORS[error.code]) : K.errorText(error);
    if (error.remaining_tries !== undefined && error.remaining_tries !== null) {
      text += " " + K.t("tries_left", { tries: error.remaining_tries });
    }
    K.trouble.show(text, error.code);
    if (error.remaining_tries !== undefined) K.byTestId("error-message").dataset.remainingTries = String(error.remaining_tries);
    if (error.code === "door_did_not_open") K.trouble.help();
  }

  /* The keypad: the rental's code, or the voucher field of the panel it sits in. */
  K.onKeypad(keypad, function (key) {
    var target = keypad.dataset.target;
    if (target === "code") {
      code = K.keyed(code, key, CODE_DIGITS);
      renderCode();
      return;
    }
    var field = document.getElementById(target);
    field.value = K.keyed(field.value, key);
  });

  function renderCode() {
    codeDisplay.textContent = code;
    codeDisplay.dataset.length = String(code.length);
    openButton.disabled = finishButton.disabled = code.length !== CODE_DIGITS;
  }

  document.querySelectorAll("[data-back]").forEach(function (button) {
    button.addEventListener("click", function () { K.trouble.clear(); show(button.dataset.back); });
  });

  /* Renting: the offer, a size, a duration. */
  K.byTestId("rent-new").addEventListener("click", async function () {
    K.trouble.clear();
    var reply = await K.api("GET", "/rental/offer");
    if (!reply.ok) { refused(reply.error); return; }
    offer = reply.data;
    var list = K.byTestId("rent-sizes");
    list.textContent = "";
    offer.sizes.forEach(function (size) {
      var tile = document.createElement("button");
      tile.type = "button";
      tile.className = "tile choice";
      tile.dataset.testid = "rent-size-" + size.size;
      tile.dataset.size = size.size;
      tile.disabled = size.free === 0;
      var cheapest = size.durations.length ? size.durations[0] : null;
      tile.innerHTML = "<strong></strong><span></span><span></span>";
      tile.children[0].textContent = K.t("size", { size: size.size });
      tile.children[1].textContent = K.t("dimensions", {
        height: size.height_mm / 10, width: size.width_mm / 10, depth: size.depth_mm / 10,
      });
      tile.children[2].textContent = K.t("free_count", { free: size.free }) +
        (cheapest ? " · " + K.t("from_price", { price: money(cheapest.price, offer.currency), duration: duration(cheapest.minutes) }) : "");
      tile.addEventListener("click", function () { chooseSize(size); });
      list.appendChild(tile);
    });
    K.byTestId("rent-none-free").hidden = offer.sizes.some(function (size) { return size.free > 0; });
    show("rent-size");
  });

  function chooseSize(size) {
    choice.size = size.size;
    var list = K.byTestId("rent-durations");
    list.textContent = "";
    size.durations.forEach(function (offered) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button choice";
      button.dataset.testid = "rent-duration-" + offered.minutes;
      button.dataset.price = String(offered.price);
      button.textContent = duration(offered.minutes) + " · " + (offered.price ? money(offered.price, offer.currency) : K.t("free_of_charge"));
      button.addEventListener("click", function () { chooseDuration(offered); });
      list.appendChild(button);
    });
    K.trouble.clear();
    show("rent-duration");
  }

  function chooseDuration(offered) {
    choice.minutes = offered.minutes;
    choice.price = offered.price;
    var price = offered.price ? money(offered.price, offer.currency) : K.t("free_of_charge");
    var summary = K.byTestId("rent-summary");
    summary.textContent = K.t("rent_summary", { size: choice.size, duration: duration(offered.minutes), price: price });
    summary.dataset.price = String(offered.price);
    var methods = offer.walk_up_methods;
    K.byTestId("rent-pay-free").hidden = offered.price !== 0 || methods.indexOf("prepaid") < 0;
    K.byTestId("rent-voucher-box").hidden = offered.price === 0 || methods.indexOf("prepaid") < 0;
    K.byTestId("rent-pay-phone").hidden = offered.price === 0 || methods.indexOf("hosted_checkout") < 0;
    K.byTestId("rent-voucher").value = "";
    K.trouble.clear();
    show("rent-pay");
  }

  async function rent(method, voucher) {
    K.trouble.clear();
    show("rent-busy");
    var reply = await K.api("POST", "/rental", {
      size: choice.size,
      duration_minutes: choice.minutes,
      payment_method: method,
      voucher_code: voucher || null,
      email: K.byTestId("rent-email").value.trim() || null,
      phone: K.byTestId("rent-phone").value.trim() || null,
      language: K.settings.language,
    });
    if (!reply.ok) { show("rent-pay"); refused(reply.error); return; }
    if (reply.data.code) { showOpen(reply.data, "new"); return; }
    showCheckout(reply.data, function () { return K.api("POST", "/rental/" + reply.data.rental_id + "/complete"); }, "new");
  }

  K.byTestId("rent-pay-free").addEventListener("click", function () { rent("prepaid", null); });
  K.byTestId("rent-pay-voucher").addEventListener("click", function () {
    rent("prepaid", K.byTestId("rent-voucher").value.replace(/\D/g, ""));
  });
  K.byTestId("rent-pay-phone").addEventListener("click", function () { rent("hosted_checkout", null); });

  /* At the provider's page: the QR code for the renter's phone, and asking until it was paid. */
  function showCheckout(answer, ask, mode) {
    K.byTestId("rent-checkout-qr").innerHTML = answer.checkout_qr || "";
    K.byTestId("rent-checkout-qr").dataset.url = answer.checkout_url || "";
    K.byTestId("rent-checkout-amount").textContent = answer.amount ? money(answer.amount, answer.currency) : "";
    show("rent-checkout");
    var poll = async function () {
      var reply = await ask();
      if (reply.ok && reply.data.compartment !== null && !reply.data.checkout_url) { showOpen(reply.data, mode); return; }
      if (!reply.ok && reply.error.code !== "payment_pending") { refused(reply.error); return; }
      polling = setTimeout(poll, POLL_MS);
    };
    polling = setTimeout(poll, POLL_MS);
  }

  /* The renter's code. */
  K.byTestId("rent-have-code").addEventListener("click", function () {
    code = "";
    renderCode();
    K.trouble.clear();
    show("rent-code-entry");
  });

  openButton.addEventListener("click", async function () {
    var entered = code;
    K.trouble.clear();
    show("rent-busy");
    var reply = await K.api("POST", "/rental/open", { code: entered });
    code = "";
    renderCode();
    if (reply.ok) { showOpen(reply.data, reply.data.last ? "last" : "again"); return; }
    if (reply.error.code === "payment_required") { showOverdue(entered, reply.error); return; }
    show("rent-code-entry");
    refused(reply.error);
  });

  finishButton.addEventListener("click", function () {
    var entered = code;
    code = "";
    renderCode();
    finish(entered, null, null);
  });

  async function finish(entered, method, voucher) {
    K.trouble.clear();
    var from = document.querySelector(".panel:not([hidden])").id;
    show("rent-busy");
    var reply = await K.api("POST", "/rental/finish", { code: entered, payment_method: method, voucher_code: voucher });
    if (reply.ok && reply.data.compartment !== null) { showOpen(reply.data, "last"); return; }
    if (reply.ok) {
      showCheckout(reply.data, function () { return K.api("POST", "/rental/finish", { code: entered }); }, "last");
      return;
    }
    if (reply.error.code === "payment_required") { showOverdue(entered, reply.error); return; }
    show(from === "rent-busy" ? "rent-code-entry" : from);
    refused(reply.error);
  }

  /* Overdue: the time overstayed is paid before the door opens a last time. */
  async function showOverdue(entered, error) {
    overdueCode = entered;
    var fee = K.byTestId("rent-overdue-fee");
    fee.textContent = K.t("overdue_fee", { minutes: error.overdue_minutes, price: money(error.amount, error.currency) });
    fee.dataset.amount = String(error.amount);
    var reply = await K.api("GET", "/rental/offer");
    var methods = reply.ok ? reply.data.walk_up_methods : ["prepaid"];
    K.byTestId("rent-overdue-voucher-box").hidden = methods.indexOf("prepaid") < 0;
    K.byTestId("rent-overdue-pay-phone").hidden = methods.indexOf("hosted_checkout") < 0;
    K.byTestId("rent-overdue-voucher").value = "";
    show("rent-overdue");
  }

  K.byTestId("rent-overdue-pay-voucher").addEventListener("click", function () {
    finish(overdueCode, "prepaid", K.byTestId("rent-overdue-voucher").value.replace(/\D/g, ""));
  });
  K.byTestId("rent-overdue-pay-phone").addEventListener("click", function () { finish(overdueCode, "hosted_checkout", null); });

  /* The compartment is open: where it is, the code (once, for a new rental), and the door as the terminal reads it. */
  function showOpen(answer, mode) {
    var heading = K.byTestId("rent-compartment");
    heading.textContent = K.t(mode === "new" ? "rent_open" : "rent_open_again", { number: answer.compartment });
    heading.dataset.compartment = String(answer.compartment);
    heading.dataset.mode = mode;
    var box = K.byTestId("rent-code-box");
    box.hidden = !answer.code;
    if (answer.code) {
      var shown = K.byTestId("rent-code");
      shown.textContent = answer.code.slice(0, 4) + " " + answer.code.slice(4);
      shown.dataset.code = answer.code;
    }
    K.byTestId("rent-until").textContent = mode === "last" ? K.t("rent_last") : K.t("rent_until", { time: when(answer.ends_at) });
    K.lightDoor(answer.compartment);
    show("rent-open");
    heading.focus();
    watchDoor(answer.compartment, mode);
  }

  function watchDoor(number, mode) {
    clearTimeout(watching);
    var wasOpen = false;
    var look = async function () {
      var door = await K.doorOf(number);
      if (door === "open") {
        wasOpen = true;
        doorState.textContent = K.t(mode === "last" ? "rent_take_everything" : "rent_put_and_close");
        doorState.dataset.door = "open";
      } else if (door === "closed" && wasOpen) {
        doorState.dataset.door = "closed";
        if (mode === "last") {
          doorState.textContent = K.t("rent_ended_thanks");
          watching = setTimeout(function () { K.goHome(false); }, 5000);
          return;
        }
        doorState.textContent = K.t("rent_door_closed");
      }
      watching = setTimeout(look, 400);
    };
    doorState.textContent = K.t("opening");
    doorState.dataset.door = "";
    look();
  }

  show("rent-start");
})();
