"""Benchmarks that drive a real server process over loopback and report what they measured."""
