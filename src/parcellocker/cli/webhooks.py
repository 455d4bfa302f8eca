"""`parcellocker carrier webhook …`: a carrier's webhook, set up from the server's own machine."""

from __future__ import annotations

from typing import Annotated

import typer

from parcellocker.cli.console import console

webhook_app = typer.Typer(
    help="A carrier's webhook: where the changes of its shipments are POSTed, signed.", no_args_is_help=True
)

CarrierOption = Annotated[str, typer.Option("--carrier", help="The carrier's id.")]


@webhook_app.command("set")
def webhook_set(
    carrier: CarrierOption,
    url: Annotated[str, typer.Option(help="https:// (or http://) address of the carrier's receiver.")],
    new_secret: Annotated[bool, typer.Option("--new-secret", help="Replace the signing secret too.")] = False,
) -> None:
    """Register the carrier's webhook, or change its URL; prints the signing secret when it is new (shown once)."""
    from parcellocker.cli.admin import CLI_OPERATOR, run_use_case
    from parcellocker.service.webhooks import SetWebhook, set_webhook

    registered = run_use_case(set_webhook, SetWebhook(CLI_OPERATOR, carrier, url, new_secret))
    console.print(f"webhook of carrier [bold]{carrier}[/]: {registered.endpoint.url}")
    if registered.secret is not None:
        console.print(f"signing secret (shown once): [bold]{registered.secret}[/]")
    else:
        console.print("signing secret unchanged")
    console.print("server processes already running send to it within a few seconds")


@webhook_app.command("show")
def webhook_show(carrier: CarrierOption) -> None:
    """The carrier's webhook (never its secret) and the deliveries still waiting for it."""
    from parcellocker.cli.admin import CLI_OPERATOR, run_use_case
    from parcellocker.service.webhooks import GetWebhook, get_webhook

    shown = run_use_case(get_webhook, GetWebhook(CLI_OPERATOR, carrier))
    backlog = shown.backlog
    console.print(f"webhook of carrier [bold]{carrier}[/]: {shown.endpoint.url}")
    console.print(
        f"set up {shown.endpoint.created_at:%Y-%m-%d %H:%M} UTC, changed {shown.endpoint.updated_at:%Y-%m-%d %H:%M} UTC"
    )
    waiting = f"{backlog.waiting} deliveries waiting"
    if backlog.oldest_at is not None:
        waiting += f", the oldest from {backlog.oldest_at:%Y-%m-%d %H:%M:%S} UTC"
    console.print(waiting)
    if backlog.last_error:
        console.print(f"last failure: {backlog.last_error}")


@webhook_app.command("remove")
def webhook_remove(carrier: CarrierOption) -> None:
    """Stop the carrier's webhooks; the deliveries still waiting are given up."""
    from parcellocker.cli.admin import CLI_OPERATOR, run_use_case
    from parcellocker.service.webhooks import RemoveWebhook, remove_webhook

    given_up = run_use_case(remove_webhook, RemoveWebhook(CLI_OPERATOR, carrier))
    console.print(f"webhook of carrier [bold]{carrier}[/] removed ({given_up} deliveries waiting were given up)")
