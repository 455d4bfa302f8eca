"""The kiosk's touch screens, served by the kiosk app on localhost: server-rendered pages (Jinja2, with the texts of
gettext catalogues in English, Polish, German and Chinese), a little plain JavaScript and CSS, every file local.
See docs/kiosk.md for the screens and how they behave.

Stable hooks for browser tests (`data-testid`):

- every page: `page-<name>` (body: home, pickup, courier, send, rent), `home-link`, `lang-en` `lang-pl` `lang-de`
  `lang-zh`, `a11y-toggle` (aria-pressed), `screensaver`, `scan-toast`; in a demo `emulator-panel`,
  `emulator-status`, and per door `emulator-door-N` (data-door="open"|"closed") with `emulator-door-N-state`,
  `emulator-door-N-open`, `emulator-door-N-close`.
- home: `home-pickup`, `home-send`, `home-courier`, `home-rent`; send/rent: `coming-soon`, `back-home`.
- pickup: `code-display`, `key-0` … `key-9`, `key-clear`, `key-back`, `key-ok`, `pickup-busy`, `pickup-open`,
  `compartment-open` (data-compartment="N"), `cabinet-picture` with `cabinet-door-N` (class "lit" when open),
  `door-state`, `reopen-button` (data-seconds-left), `done`, `back-home`.
- errors (pickup and courier): `error-message` (data-error-code; a wrong code also data-remaining-tries),
  `lockout-countdown` (data-seconds), `door-trouble`, `retry-door`, `help-phone`.
- courier: `courier-id`, `courier-pin`, the PIN keypad's `key-…`, `courier-sign-in`, `courier-deposits`,
  `courier-signed-in`, `tracking-number`, `deposit-submit`, `reachable-toggle`, `deposit-now`, `deposit-open`
  (data-compartment, data-tracking), `problem-does-not-fit`, `problem-door-did-not-open`, `deposit-list` of
  `deposit-item` (data-tracking, data-compartment, data-status="open"|"stored"|"failed"), `collections-list` of
  `collection-item` (data-tracking, data-compartment, data-state="expired"|"redirected"), `collections-empty`,
  `collections-note`, `courier-finish`, `courier-summary`, `summary-deposited`, `summary-problems`, `summary-list`,
  `courier-sign-out`.
"""

from parcellocker.terminal.kiosk.screens.routes import ScreenSettings, install_screens

__all__ = ["ScreenSettings", "install_screens"]
