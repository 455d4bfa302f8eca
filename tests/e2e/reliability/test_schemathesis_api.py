"""schemathesis against the real server's OpenAPI (/openapi.json), over HTTP: no server error, no answer that breaks
the schema (status code, body, content type, headers), for every operation.

Each generated request goes out with the credential of one role, drawn by hypothesis: most often the role the
operation is meant for (so that it reaches past 401 and 403), sometimes another role or none at all. Path
parameters are sometimes real objects (a locker, announced and stored shipments, a carrier, a command, a rental
account), so that requests reach the use cases and not only "not found". A short run by default (`make test`);
PARCELLOCKER_CHAOS=full generates many more requests per operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_sizes import chaos_is_full, chaos_size
from schema_rigs import ROLES, SchemaSample, role_of
from schemathesis import APIOperation, BaseSchema, Case, GenerationMode
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from e2e.conftest import RunningServer, Site, start_server

if TYPE_CHECKING:
    from tests.conftest import PostgresDatabases, SqliteDatabases

pytestmark = pytest.mark.chaos

load_all_checks()
from schemathesis.checks import not_a_server_error  # noqa: E402 - registered by load_all_checks

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES_PER_OPERATION = chaos_size(short=6, full=100)
STATEFUL_SCENARIOS = 60  # full run only


@pytest.fixture(scope="module")
def schema_server(
    tmp_path_factory: pytest.TempPathFactory, sqlite_databases: SqliteDatabases, postgres_databases: PostgresDatabases
) -> Iterator[RunningServer]:
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    yield from start_server("sqlite", folder, sqlite_databases, postgres_databases, log_level="WARNING")


@pytest.fixture(scope="module")
def sample(schema_server: RunningServer) -> Iterator[SchemaSample]:
    site = Site(schema_server)
    try:
        yield SchemaSample.build(site)
    finally:
        site.close()


@pytest.fixture(scope="module")
def api_schema(schema_server: RunningServer, sample: SchemaSample) -> BaseSchema:
    config = SchemathesisConfig.from_dict(
        {"base-url": schema_server.base_url, "generation": {"with-security-parameters": False}, "request-timeout": 60}
    )
    loaded = schemathesis.openapi.from_url(f"{schema_server.base_url}/openapi.json", config=config)

    @loaded.hook
    def before_generate_path_parameters(context: Any, strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        """Half of the time, the real objects of the sample for the parameters that name one."""
        names = [parameter.name for parameter in context.operation.path_parameters]
        if not names or not all(name in sample.path_values for name in names):
            return strategy
        real = st.fixed_dictionaries({name: st.sampled_from(sample.path_values[name]) for name in names})
        return st.one_of(real, strategy)

    return loaded


def roles_for(operation: APIOperation) -> list[str]:
    """The operation's own role first (hypothesis shrinks towards it), then the others and no credential at all."""
    own = role_of(operation.definition.raw.get("summary"))
    return [own, own, own, *(role for role in ROLES if role != own)]


def test_the_schema_covers_every_route_of_the_api(api_schema: BaseSchema) -> None:
    """Every operation loads, so the test below reaches each one."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    assert len(labels) >= 70
    assert {"POST /api/v1/lockers/{locker_id}/pickups", "POST /api/v1/shipments", "GET /healthz"} <= labels


def test_every_answer_is_the_one_the_schema_describes(
    api_schema: BaseSchema, sample: SchemaSample, subtests: pytest.Subtests
) -> None:
    with requests.Session() as http:
        for result in api_schema.get_all_operations():
            operation = result.ok()
            with subtests.test(operation.label):
                _fuzz(api_schema, operation, sample, http)


def _fuzz(api_schema: BaseSchema, operation: APIOperation, sample: SchemaSample, http: requests.Session) -> None:
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, hooks=api_schema.hooks),
        operation.as_strategy(GenerationMode.NEGATIVE, hooks=api_schema.hooks),
    )

    @given(case=cases, role=st.sampled_from(roles_for(operation)))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def one_request(case: Case, role: str) -> None:
        case.call_and_validate(session=http, headers=sample.headers_of(role), checks=CHECKS)

    one_request()


@pytest.mark.skipif(not chaos_is_full(), reason="sequences of calls run in the full run only (PARCELLOCKER_CHAOS=full)")
def test_sequences_of_linked_calls_answer_as_the_schema_says(api_schema: BaseSchema, sample: SchemaSample) -> None:
    """Schemathesis's stateful phase: calls chained by the ids earlier answers gave (links inferred by its
    dependency analysis, as FastAPI declares none), each with the credential of the operation's own role."""
    machine = api_schema.as_state_machine()
    calls: list[str] = []

    class Sequences(machine):  # type: ignore[valid-type,misc]
        def after_call(self, response: Any, case: Case) -> None:
            calls.append(f"{case.operation.label} -> {response.status_code}")

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return {"headers": sample.headers_of(role_of(case.operation.definition.raw.get("summary")))}

        def validate_response(self, response: Any, case: Case, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Sequences.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
    linked = [call for call in calls if "{" in call.split(" -> ")[0]]
    answered = sum(1 for call in linked if call.endswith(("-> 200", "-> 201")))
    print(f"{len(calls)} calls, {len(linked)} to an operation with path parameters, {answered} of those 2xx")
    assert len(calls) >= STATEFUL_SCENARIOS
