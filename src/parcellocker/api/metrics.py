"""Prometheus metrics of the API: requests counted and timed by method, route template and status."""

from __future__ import annotations

import time
from collections.abc import Iterable

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "unmatched"  # requests for paths no route knows, kept as one label so they cannot flood the metrics
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class ApiMetrics:
    def __init__(self) -> None:
        self.templates: dict[int, str] = {}
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "parcellocker_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "parcellocker_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route template and status.",
            ("method", "route", "status"),
            buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=self.registry,
        )

    def name_routes(self, prefix: str, routes: Iterable[BaseRoute]) -> None:
        """Label requests to these routes with their full template: `prefix` + the route's own path."""
        for route in routes:
            self.templates[id(route)] = prefix + str(getattr(route, "path", ""))

    def template_of(self, route: object) -> str:
        if route is None:
            return UNMATCHED
        return self.templates.get(id(route)) or str(getattr(route, "path", UNMATCHED))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def router(self) -> APIRouter:
        router = APIRouter(tags=["operations"])

        @router.get("/metrics", include_in_schema=False)
        async def read_metrics(request: Request) -> Response:
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

        return router


class RequestMetrics:
    """ASGI middleware that times every HTTP request and counts it under its route template."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            template = self.metrics.template_of(scope.get("route"))
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            self.metrics.observe(method, template, status, time.perf_counter() - started)
