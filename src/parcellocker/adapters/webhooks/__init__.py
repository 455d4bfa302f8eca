"""Telling carriers: the worker that POSTs queued webhook deliveries, and the HTTP sender it uses."""
