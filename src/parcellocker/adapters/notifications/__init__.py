"""Telling recipients: the outbox worker that sends queued notifications, and the notifiers that deliver them."""
