/* What every kiosk screen does: its texts (from the page, rendered from the catalogue), calls to the kiosk API,
   going home after inactivity, the screen saver, the keyboard-wedge scanner, accessibility mode and, in a demo,
   the emulator's panel. Plain JavaScript, no build, no network beyond this kiosk. */
(function () {
  "use strict";

  var strings = JSON.parse(document.getElementById("kiosk-strings").textContent);
  var settings = JSON.parse(document.getElementById("kiosk-settings").textContent);

  /* A wedge scanner types a whole code in a few milliseconds per character and ends with Enter; a person types
     far slower. Keys closer together than this are one scan. */
  var SCAN_GAP_MS = 80;
  var SCAN_MIN_LENGTH = 4;
  var QR_PREFIX = "PLQR1.";
  var COURIER_PREFIX = "COURIER:";
  var PENDING_SCAN = "kiosk.pending-scan";
  var COURIER_SESSION = "kiosk.courier";

  /* A courier's session (courier.js) lives on the courier screen only: leaving it any way at all (the home link,
     another screen) signs the courier out, so that the next person to open the courier screen never finds the
     last courier signed in, with their carrier's deposits and parcels to collect. */
  if (settings.page !== "courier") sessionStorage.removeItem(COURIER_SESSION);

  function $(selector, root) { return (root || document).querySelector(selector); }
  function byTestId(id, root) { return $('[data-testid="' + id + '"]', root); }

  /* A text of the catalogue with its %(name)s placeholders filled. */
  function t(key, values) {
    var text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("%(" + name + ")s").join(String(values[name]));
    });
    return text;
  }

  /* A call to the kiosk API: {ok, status, data} or {ok: false, status, error: {code, message, …}}. */
  async function api(method, path, body) {
    var reply;
    try {
      reply = await fetch(path, {
        method: method,
        headers: body === undefined ? {} : { "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (failure) {
      return { ok: false, status: 0, error: { code: "kiosk_unreachable", message: String(failure) } };
    }
    var data = null;
    try { data = await reply.json(); } catch (notJson) { data = null; }
    if (reply.ok) return { ok: true, status: reply.status, data: data };
    var error = (data && data.error) || { code: "error", message: reply.statusText };
    var retryAfter = reply.headers.get("Retry-After");
    if (retryAfter !== null && error.retry_after_seconds === undefined) error.retry_after_seconds = Number(retryAfter);
    return { ok: false, status: reply.status, error: error };
  }

  /* What a person is told for an error of the kiosk API (codes of kiosk/errors.py and the server's). */
  var ERROR_TEXTS = {
    pickup_code_not_found: "wrong_code",
    door_did_not_open: "door_did_not_open",
    server_unreachable: "server_unreachable",
    not_ready: "not_ready",
    invalid_input: "invalid_input",
    reopen_refused: "reopen_refused",
    kiosk_unreachable: "kiosk_unreachable",
    not_authenticated: "sign_in_refused",
    locker_full: "locker_full",
    parcel_too_large: "parcel_too_large",
    not_found: "parcel_unknown",
    conflict: "parcel_refused",
    illegal_transition: "parcel_refused",
  };

  function errorText(error) {
    return t(ERROR_TEXTS[error.code] || "something_wrong");
  }

  /* The one block of error messages of a page, shown in the panel being used. */
  var trouble = {
    mount: function (panel) {
      var slot = $(".trouble-slot", panel);
      var message = byTestId("error-message");
      if (!slot || !message) return;
      [message, byTestId("lockout-countdown"), byTestId("door-trouble")].forEach(function (part) { slot.appendChild(part); });
    },
    show: function (text, code) {
      var message = byTestId("error-message");
      message.textContent = text;
      message.dataset.errorCode = code || "";
      message.hidden = false;
    },
    clear: function () {
      var message = byTestId("error-message");
      message.hidden = true;
      message.textContent = "";
      message.dataset.errorCode = "";
      byTestId("door-trouble").hidden = true;
      byTestId("help-phone").hidden = true;
    },
    help: function () {
      var help = byTestId("help-phone");
      help.textContent = settings.help_phone ? t("call_phone", { phone: settings.help_phone }) : t("call_help_line");
      help.hidden = false;
      byTestId("door-trouble").hidden = false;
    },
  };

  function toast(text) {
    var box = byTestId("scan-toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.hidden = true; }, 4000);
  }

  /* Inactivity: every screen but home goes home (in the kiosk's own language); home shows the screen saver. */
  var lastActivity = Date.now();
  var hooks = { beforeIdleHome: [] };

  function touched() {
    lastActivity = Date.now();
    var saver = byTestId("screensaver");
    if (!saver.hidden) saver.hidden = true;
  }

  ["pointerdown", "touchstart", "keydown", "input"].forEach(function (kind) {
    document.addEventListener(kind, touched, { capture: true, passive: true });
  });

  function goHome(idle) {
    hooks.beforeIdleHome.forEach(function (hook) { hook(); });
    window.location.assign(idle ? "/?idle=1" : "/");
  }

  setInterval(function () {
    var idle = (Date.now() - lastActivity) / 1000;
    if (settings.page === "home") {
      if (idle >= settings.screensaver_seconds) byTestId("screensaver").hidden = false;
    } else if (idle >= settings.idle_seconds) {
      goHome(true);
    }
  }, 250);

  /* The scanner: keystrokes that arrive while no field has the focus are collected; a fast run ending in Enter is
     a scan. A QR pickup token opens its compartment from any screen; a courier card leads to the courier's PIN. */
  var scan = { buffer: "", last: 0 };
  var scanHandlers = {
    qr: function (token) {
      sessionStorage.setItem(PENDING_SCAN, token);
      window.location.assign("/pickup");
    },
    courier: function (courierId) {
      window.location.assign("/courier?courier_id=" + encodeURIComponent(courierId));
    },
    other: function () { toast(t("scan_unknown")); },
  };

  function editing(element) {
    if (!element) return false;
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable) return true;
    return tag === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/i.test(element.type);
  }

  document.addEventListener("keydown", function (event) {
    if (editing(document.activeElement) || event.ctrlKey || event.altKey || event.metaKey) return;
    var now = performance.now();
    if (now - scan.last > SCAN_GAP_MS) scan.buffer = "";
    scan.last = now;
    if (event.key === "Enter") {
      var scanned = scan.buffer.trim();
      scan.buffer = "";
      if (scanned.length >= SCAN_MIN_LENGTH) {
        event.preventDefault();
        dispatchScan(scanned);
      }
      return;
    }
    if (event.key.length === 1) scan.buffer += event.key;
  }, true);

  function dispatchScan(text) {
    if (text.indexOf(QR_PREFIX) === 0) scanHandlers.qr(text);
    else if (text.toUpperCase().indexOf(COURIER_PREFIX) === 0) scanHandlers.courier(text.slice(COURIER_PREFIX.length).trim());
    else scanHandlers.other(text);
  }

  /* A QR token scanned on another screen, for the pickup screen to take. */
  function takePendingScan() {
    var token = sessionStorage.getItem(PENDING_SCAN);
    sessionStorage.removeItem(PENDING_SCAN);
    return token;
  }

  /* Accessibility mode: larger text, controls low on the screen; kept for the next page until the kiosk idles. */
  var a11yButton = byTestId("a11y-toggle");
  a11yButton.addEventListener("click", function () {
    var on = !document.body.classList.contains("a11y");
    document.body.classList.toggle("a11y", on);
    a11yButton.setAttribute("aria-pressed", on ? "true" : "false");
    document.cookie = "kiosk_a11y=" + (on ? "1" : "0") + "; path=/; SameSite=Strict";
    settings.accessible = on;
    document.dispatchEvent(new CustomEvent("kiosk:accessibility", { detail: { on: on } }));
  });

  /* The picture of the locker: light the door that is open. */
  function lightDoor(number) {
    document.querySelectorAll(".cabinet .door").forEach(function (door) {
      var lit = Number(door.dataset.door) === Number(number);
      door.classList.toggle("lit", lit);
      if (lit) door.setAttribute("aria-current", "true"); else door.removeAttribute("aria-current");
    });
  }

  /* The door of one compartment as the terminal last read it: "open", "closed" or null. */
  async function doorOf(number) {
    var status = await api("GET", "/status");
    if (!status.ok) return null;
    var door = status.data.doors.find(function (d) { return d.compartment === Number(number); });
    return door ? door.door : null;
  }

  /* Has the door of compartment `number` closed since `after` (a Date.now() taken before asking for it to open)?
     The terminal says since when each door is in its state; this machine's clock is the terminal's. */
  async function closedAfter(number, after) {
    var status = await api("GET", "/status");
    if (!status.ok) return false;
    var door = status.data.doors.find(function (d) { return d.compartment === Number(number); });
    return Boolean(door && door.door === "closed" && door.since && Date.parse(door.since) >= after);
  }

  /* Demo only: the emulator's panel. */
  var panel = byTestId("emulator-panel");
  if (panel) {
    var refreshDoors = async function () {
      var reply = await api("GET", "/demo/doors");
      var status = byTestId("emulator-status");
      if (!reply.ok) { status.textContent = t("emulator_unreachable"); return; }
      status.textContent = "";
      reply.data.doors.forEach(function (door) {
        var row = byTestId("emulator-door-" + door.compartment);
        if (!row) return;
        row.dataset.door = door.door;
        row.dataset.jammed = door.jammed ? "true" : "false";
        byTestId("emulator-door-" + door.compartment + "-state", row).textContent =
          t(door.door === "open" ? "door_state_open" : "door_state_closed");
      });
    };
    panel.addEventListener("click", async function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button) return;
      var row = button.closest("[data-compartment]");
      button.disabled = true;
      await api("POST", "/demo/doors/" + row.dataset.compartment + "/" + button.dataset.action);
      button.disabled = false;
      await refreshDoors();
    });
    refreshDoors();
    setInterval(refreshDoors, 1000);
  }

  /* The on-screen keypad: `pressed(key)` for each key touched ("clear", "back" or a digit). */
  function onKeypad(keypad, pressed) {
    keypad.addEventListener("click", function (event) {
      var key = event.target.closest("button[data-key]");
      if (key) pressed(key.dataset.key);
    });
  }

  /* What a keypad key makes of the text typed so far (at most `max` characters when given). */
  function keyed(text, key, max) {
    if (key === "clear") return "";
    if (key === "back") return text.slice(0, -1);
    return max && text.length >= max ? text : text + key;
  }

  /* A code typed on a keypad and shown on a display, with a submit button that stays disabled while the code is empty
     or the locker is locked out; a lockout counts down in the screen's "lockout-countdown". */
  function codeEntry(options) {
    var code = "";
    var lockedUntil = 0;
    function lockedOut() { return Date.now() < lockedUntil; }
    function render() {
      options.display.textContent = code;
      options.display.dataset.length = String(code.length);
      options.submit.disabled = code.length === 0 || lockedOut();
    }
    onKeypad(options.keypad, function (key) {
      if (lockedOut()) return;
      code = keyed(code, key, options.maxDigits);
      render();
    });
    function lockOut(seconds) {
      lockedUntil = Date.now() + seconds * 1000;
      var countdown = byTestId("lockout-countdown");
      var tick = function () {
        var left = Math.ceil((lockedUntil - Date.now()) / 1000);
        if (left <= 0) { countdown.hidden = true; lockedUntil = 0; render(); return; }
        countdown.textContent = t("locked_out", { seconds: left });
        countdown.dataset.seconds = String(left);
        countdown.hidden = false;
        setTimeout(tick, 250);
      };
      tick();
      render();
    }
    render();
    return {
      value: function () { return code; },
      set: function (text) { code = text; render(); },
      clear: function () { code = ""; render(); },
      render: render,
      lockOut: lockOut,
    };
  }

  /* The panels of a screen: the one shown takes the trouble message, the others are hidden. */
  function panels(list) {
    return function show(panel, keepTrouble) {
      list.forEach(function (each) { each.hidden = each !== panel; });
      if (!keepTrouble) trouble.mount(panel);
    };
  }

  /* A code the server did not find: the screen's text, and how many tries remain when the server says. */
  function wrongCode(textKey, error) {
    var text = t(textKey);
    if (error.remaining_tries !== undefined && error.remaining_tries !== null) {
      text += " " + t("tries_left", { tries: error.remaining_tries });
    }
    trouble.show(text, error.code);
    byTestId("error-message").dataset.remainingTries = String(error.remaining_tries);
  }

  /* The lock stayed shut: the first time, one more try is offered; after that, the help line. */
  function doorDidNotOpen(failures, error) {
    if (failures === 1) {
      trouble.show(t("door_did_not_open"), error.code);
      byTestId("door-trouble").hidden = false;
      byTestId("retry-door").hidden = false;
    } else {
      trouble.show(t("door_did_not_open_again"), error.code);
      byTestId("retry-door").hidden = true;
      trouble.help();
    }
  }

  /* Every script of the page has run: the page takes touches (tests wait for this). */
  document.addEventListener("DOMContentLoaded", function () { document.body.dataset.ready = "true"; });

  window.Kiosk = {
    t: t,
    api: api,
    settings: settings,
    byTestId: byTestId,
    errorText: errorText,
    trouble: trouble,
    toast: toast,
    goHome: goHome,
    hooks: hooks,
    scanHandlers: scanHandlers,
    takePendingScan: takePendingScan,
    lightDoor: lightDoor,
    doorOf: doorOf,
    closedAfter: closedAfter,
    onKeypad: onKeypad,
    keyed: keyed,
    codeEntry: codeEntry,
    panels: panels,
    wrongCode: wrongCode,
    doorDidNotOpen: doorDidNotOpen,
  };
})();
