"""How long the tests wait for things that take CPU to come about, on a machine that may be busy.

The suite runs in parallel (pytest-xdist, `make test`) on a 2-core machine that other people use as well: a process
that imports FastAPI and SQLAlchemy takes about 4 s of CPU, and under load that can be a minute of wall time. The
waits poll, so a long limit costs nothing when things are quick; it only stops a test from failing because the
machine was busy.
"""

START_WITHIN = 180.0
"""Seconds a process of the tests' own (server, terminal, broker, demo) may take to start and answer."""

STOP_WITHIN = 60.0
"""Seconds a process may take to stop once told to."""
