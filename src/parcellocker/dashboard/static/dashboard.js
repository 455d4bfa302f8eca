// The operator dashboard's script: plain JavaScript, served locally. Every page works without it; with it, the
// locker's grid follows the compartments live (server-sent events) and a remote opening shows its outcome.
"use strict";

(function () {
  const LIVE_TEXT = {
    connected: "Live: changes show as they happen.",
    reconnecting: "Connection lost; reconnecting…",
  };

  function words(value) {
    return String(value).replace(/_/g, " ");
  }

  function showCell(cell) {
    const door = document.querySelector('[data-testid="compartment-' + cell.number + '"]');
    if (!door) {
      return;
    }
    door.dataset.state = cell.state;
    door.dataset.door = cell.door;
    door.querySelector(".state").textContent = words(cell.state);
    const doorText = door.querySelector(".door");
    doorText.lastChild.textContent = cell.door;
    const parcel = door.querySelector(".parcel");
    parcel.textContent = cell.tracking_number || cell.out_of_order_reason || "";
    parcel.title = cell.out_of_order_reason || "";
    const share = door.querySelector(".share");
    if (share) {
      share.dataset.carrier = cell.reserved_for_carrier_id || "";
      share.textContent = cell.reserved_for_carrier_id || "";
      share.title = cell.reserved_for_carrier_id ? "set aside for carrier " + cell.reserved_for_carrier_id : "";
    }
  }

  function showFill(fill) {
    for (const size of fill) {
      const item = document.querySelector('[data-testid="grid-fill-' + size.size + '"]');
      if (!item) {
        continue;
      }
      item.dataset.inUse = size.in_use;
      item.querySelector("meter").value = size.in_use;
      item.querySelector(".count").textContent = size.in_use + "/" + size.total;
    }
  }

  function showStatus(status) {
    const badge = document.querySelector('[data-testid="locker-status"]');
    if (badge && badge.textContent !== status) {
      badge.textContent = status;
      badge.className = "badge status-" + status;
    }
  }

  function followCabinet(cabinet) {
    const indicator = document.querySelector('[data-testid="live-status"]');
    function mark(state) {
      cabinet.dataset.live = state;
      if (indicator) {
        indicator.dataset.live = state;
        indicator.textContent = LIVE_TEXT[state];
      }
    }
    const stream = new EventSource(cabinet.dataset.liveUrl);
    stream.addEventListener("open", function () { mark("connected"); });
    stream.addEventListener("error", function () { mark("reconnecting"); });
    stream.addEventListener("cells", function (message) {
      const change = JSON.parse(message.data);
      change.cells.forEach(showCell);
      showFill(change.fill);
      showStatus(change.status);
      mark("connected");
    });
    stream.addEventListener("signed_out", function () {
      stream.close();
      window.location.assign("/dashboard/sign-in?next=" + encodeURIComponent(window.location.pathname));
    });
  }

  // A remote opening: ask how it is getting on every second until the terminal has answered.
  function followOpening(box) {
    const text = box.querySelector('[data-testid="opening-text"]');
    function ask() {
      fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (reply) { return reply.ok ? reply.json() : null; })
        .then(function (progress) {
          if (progress) {
            box.dataset.status = progress.status;
            text.textContent = progress.text;
            if (progress.finished) {
              box.dataset.finished = "yes";
              return;
            }
          }
          window.setTimeout(ask, 1000);
        })
        .catch(function () { window.setTimeout(ask, 2000); });
    }
    window.setTimeout(ask, 500);
  }

  // Forms that change something at the locker ask first.
  function confirmFirst(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const cabinet = document.querySelector("[data-live-url]");
    if (cabinet && window.EventSource) {
      followCabinet(cabinet);
    }
    const opening = document.querySelector('[data-testid="opening"][data-finished="no"]');
    if (opening) {
      followOpening(opening);
    }
    document.querySelectorAll("form[data-confirm]").forEach(confirmFirst);
  });
})();
