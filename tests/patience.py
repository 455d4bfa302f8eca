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

PAGE_WITHIN = 60.0
"""Seconds a browser page may take to show what a test waits for (Playwright's own defaults are 5 and 30 s). A
courier's sign-in alone hashes a PIN with argon2, seconds of CPU on a busy machine."""

ANSWER_WITHIN = 30.0
"""Seconds a server may take to answer one request of a test's terminal before the terminal calls it unreachable
(no test stalls a server: one that is down refuses at once)."""

SOON = 30.0
"""Seconds a test waits by default for what the system does by itself (a state changed, a message sent)."""
