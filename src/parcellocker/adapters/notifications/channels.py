"""One notifier per channel: e-mail to one, SMS to another."""

from __future__ import annotations

from parcellocker.adapters.notifications.port import Message, NotificationFailed, Notifier


class ChannelNotifier(Notifier):
    """Hands each message to the notifier of its channel; a channel without one fails (and is tried again later,
    when the settings may name one) with `missing[channel]` saying what to set."""

    def __init__(self, by_channel: dict[str, Notifier], missing: dict[str, str] | None = None) -> None:
        self.by_channel = by_channel
        self.missing = missing or {}

    async def send(self, message: Message) -> None:
        notifier = self.by_channel.get(message.channel)
        if notifier is None:
            hint = self.missing.get(message.channel, "")
            raise NotificationFailed(f"no notifier sends {message.channel} messages" + (f": {hint}" if hint else ""))
        await notifier.send(message)

    async def close(self) -> None:
        for notifier in {id(n): n for n in self.by_channel.values()}.values():
            await notifier.close()
