"""Adapters: the technologies behind the ports (database, clock, notifications)."""
