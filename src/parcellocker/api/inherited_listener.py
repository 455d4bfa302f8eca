"""`python -m parcellocker.api.inherited_listener --fd N`: the server on a listening socket that its parent bound.

The parent (server_process.py) binds the port and hands the socket down, so no other process can take the port
between the choice of a free one and the server's start. uvicorn's own `--fd` would take the socket for a Unix one
(and leave Nagle's algorithm on for every connection); here its family is read from the descriptor.
"""

from __future__ import annotations

import argparse
import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

SERVER_APP = "parcellocker.api.main:app_from_env"
STARTUP_FAILURE = 3  # what uvicorn's command exits with when the server did not start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m parcellocker.api.inherited_listener")
    parser.add_argument("--fd", type=int, required=True, help="the listening TCP socket, inherited")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--no-access-log", dest="access_log", action="store_false")
    parser.add_argument("--timeout-graceful-shutdown", type=int, default=None)
    parser.add_argument("--app", default=SERVER_APP, help="the app factory to serve, as module:function")
    args = parser.parse_args(argv)
    listener = socket.socket(fileno=args.fd)  # family, type and protocol read from the descriptor
    host, port = listener.getsockname()[:2]
    config = uvicorn.Config(
        args.app,
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=args.access_log,
        timeout_graceful_shutdown=args.timeout_graceful_shutdown,
    )
    if args.workers > 1:
        Multiprocess(config, sockets=[listener]).run()
        return
    server = uvicorn.Server(config)
    server.run(sockets=[listener])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


if __name__ == "__main__":
    main()
