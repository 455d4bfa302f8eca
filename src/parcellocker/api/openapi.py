"""The OpenAPI description, with the error answers that the shared machinery gives declared on every operation
where they really occur: a route declares the refusals of its use case (403, 404, 409, 429, ...) itself, while
these come from what all routes share (api/deps.py and api/errors.py), so they are added here, in one place:

- the credential (`securitySchemes`, and `security` on every operation that depends on `get_principal`, which reads
  the headers itself rather than through FastAPI's security dependencies: api/deps.py says why) and 401 there;
- 409 on every operation that takes an `Idempotency-Key` (the key sent again with another request);
- 400 (not valid JSON), 415 (not sent as JSON) and 422 on every operation with a request body;
- 422 on every operation with parameters, in the shape of every other error rather than FastAPI's
  `HTTPValidationError`, which the server never sends.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute, iter_route_contexts

from parcellocker.api.deps import CREDENTIAL_SCHEMES, get_principal

ERROR_REF = {"$ref": "#/components/schemas/ErrorPublic"}

UNAUTHENTICATED = "No credential, or an unknown, revoked or expired one."
KEY_REUSED = "The Idempotency-Key was already used for a different request (`idempotency_key_reused`)."
MALFORMED = "The body is not valid JSON (`malformed_json`)."
NOT_JSON = "The body was not sent as JSON (`unsupported_media_type`)."
INVALID = "The request is not valid; `fields` names what is wrong."


def describe_shared_errors(app: FastAPI) -> None:
    """Make `app.openapi()` declare the shared error answers on each operation (computed once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            _declare_credentials(app, schema)
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    _declare_shared_errors(operation)
            _drop_unused_validation_models(schema)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def _declare_credentials(app: FastAPI, schema: dict[str, Any]) -> None:
    schemes = {
        scheme.scheme_name: jsonable_encoder(scheme.model, by_alias=True, exclude_none=True)
        for scheme in CREDENTIAL_SCHEMES
    }
    requirement: list[dict[str, list[str]]] = [{name: []} for name in schemes]
    paths = schema.get("paths", {})
    declared = False
    for route in iter_route_contexts(app.routes):
        api_route = route.original_route
        if not isinstance(api_route, APIRoute) or not _depends_on(api_route.dependant, get_principal):
            continue
        for method in route.methods or ():
            operation = paths.get(route.path_format, {}).get(method.lower())
            if operation is not None:
                operation["security"] = requirement
                declared = True
    if declared:
        schema.setdefault("components", {})["securitySchemes"] = schemes


def _depends_on(dependant: Dependant, call: Any) -> bool:
    return any(sub.call is call or _depends_on(sub, call) for sub in dependant.dependencies)


def _declare_shared_errors(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    parameters = operation.get("parameters", [])
    if operation.get("security"):
        _declare(responses, 401, UNAUTHENTICATED)
    if any(p.get("in") == "header" and p.get("name", "").lower() == "idempotency-key" for p in parameters):
        _declare(responses, 409, KEY_REUSED)
    if "requestBody" in operation:
        _declare(responses, 400, MALFORMED)
        _declare(responses, 415, NOT_JSON)
        _declare(responses, 422, INVALID)
    if parameters:
        _declare(responses, 422, INVALID)
    invalid = responses.get("422")
    if invalid is not None and "HTTPValidationError" in str(invalid.get("content", "")):
        responses["422"] = _error(INVALID)


def _declare(responses: dict[str, Any], status: int, description: str) -> None:
    """Add `status` unless the route declared it already (its own description says more)."""
    responses.setdefault(str(status), _error(description))


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def _drop_unused_validation_models(schema: dict[str, Any]) -> None:
    """FastAPI's HTTPValidationError and ValidationError once nothing refers to them any more."""
    components = schema.get("components", {}).get("schemas", {})
    if "HTTPValidationError" in components and "HTTPValidationError" not in str(schema.get("paths")):
        components.pop("HTTPValidationError")
        rest = {name: model for name, model in components.items() if name != "ValidationError"}
        if "#/components/schemas/ValidationError" not in str(rest) and "ValidationError" not in str(schema["paths"]):
            components.pop("ValidationError", None)
