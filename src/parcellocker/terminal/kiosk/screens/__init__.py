"""The kiosk's touch screens, served by the kiosk app on localhost: server-rendered pages (Jinja2, with the texts of
gettext catalogues in English, Polish, German and Chinese), a little plain JavaScript and CSS, every file local.
See docs/kiosk.md for the screens and how they behave.

Stable hooks for browser tests (`data-testid`):

- every page: `page-<name>` (body: home, pickup, courier, send, rent), `home-link`, `lang-en` `lang-pl` `lang-de`
  `lang-zh`, `a11y-toggle` (aria-pressed), `screensaver`, `scan-toast`; in a demo `emulator-panel`,
  `emulator-status`, and per door `emulator-door-N` (data-door="open"|"closed") with `emulator-door-N-state`,
  `emulator-door-N-open`, `emulator-door-N-close`.
- home: `home-pickup`, `home-send`, `home-courier`, `home-rent`; rent: `coming-soon`, `back-home`.
- send: `send-entry`, `dropoff-code-display`, the keypad's `key-…`, `dropoff-submit`, `send-busy`, `send-open`,
  `dropoff-open` (data-compartment), `dropoff-state` (data-state="open"|"dropped_off"), `dropoff-problems` with
  `dropoff-does-not-fit` and `dropoff-door-did-not-open`, `cabinet-picture`, `done`, `back-home`.
- pickup: `code-display`, `key-0` … `key-9`, `key-clear`, `key-back`, `key-ok`, `pickup-busy`, `pickup-open`,
  `compartment-open` (data-compartment="N"), `cabinet-picture` with `cabinet-door-N` (class "lit" when open),
  `door-state`, `reopen-button` (data-seconds-left), `done`, `back-home`.
- errors (pickup and courier): `error-message` (data-error-code; a wrong code also data-remaining-tries),
  `lockout-countdown` (data-seconds), `door-trouble`, `retry-door`, `help-phone`.
- courier: `courier-id`, `courier-pin`, the PIN keypad's `key-…`, `courier-sign-in`, `courier-deposits`,
  `courier-signed-in`, `tracking-number`, `deposit-submit`, `reachable-toggle`, `deposit-now`, `deposit-open`
  (data-compartment, data-tracking), `deposit-problems` with `problem-does-not-fit` and
  `problem-door-did-not-open`, `collect-open` (data-compartment, data-tracking), `deposit-list` of `deposit-item`
  (data-tracking, data-compartment, data-status="open"|"stored"|"failed"), `collections-list` of `collection-item`
  (data-tracking, data-compartment, data-state="expired"|"redirected"|"dropped_off", data-kind, data-status=
  "waiting"|"open"|"collected") each with its `collect-button` until collected, `collections-empty`,
  `collections-note`, `courier-finish`, `courier-summary`, `summary-deposited`, `summary-collected`,
  `summary-problems`, `summary-list` (with `summary-collected-item`s), `courier-sign-out`.
"""

from parcellocker.terminal.kiosk.screens.routes import ScreenSettings, install_screens

__all__ = ["ScreenSettings", "install_screens"]
