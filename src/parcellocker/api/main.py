"""The entry point uvicorn runs: `uvicorn parcellocker.api.main:app_from_env --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from parcellocker.api.app import create_app
from parcellocker.bootstrap import bootstrap
from parcellocker.config import Settings
from parcellocker.logs import configure_logging


def app_from_env() -> FastAPI:
    """Settings from PARCELLOCKER_* variables, then the wired server and its app."""
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    return create_app(bootstrap(settings), own_process=True)
