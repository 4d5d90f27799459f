"""The served OpenAPI, fuzzed: every operation called with generated input over loopback, as
the platform's administrator, as a body's staff who is also an organisation's administrator,
and anonymously. No answer may be a server error, and every status must be one the operation
declares (Schemathesis's ``not_a_server_error`` and ``status_code_conformance`` checks).

Examples are bounded (``EXAMPLES`` per operation and principal) so the run stays short; the seed
is Hypothesis's own, so another run explores other inputs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from qcert.keys import create_keys, create_witness_key
from qcert.lifecycle import (
    GiveConsent,
    GrantBodyScope,
    OpenAccount,
    QualifyAuditor,
    RegisterAuditor,
    RegisterBody,
    RegisterClient,
)
from qcert.server import create_app
from qcert.store import create_engine, migrate
from tests.clock import ScenarioClock
from tests.e2e.web.live_server import served
from tests.integration.lifecycle.conftest import SITES
from tests.services import make_services, system_bus

pytestmark = pytest.mark.long  # scheduled first (tests/conftest.py)

EXAMPLES = 15
PASSWORD = "correct horse battery"
STAFF = [
    *(
        f"{role}@body:cb1"
        for role in (
            "cb-admin",
            "application-reviewer",
            "planner",
            "auditor",
            "technical-reviewer",
            "decision-maker",
        )
    ),
    "client-admin@client:c1",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The application served on a free 127.0.0.1 port over a small world, and the headers of
    each principal."""
    root: Path = tmp_path_factory.mktemp("fuzz")
    engine = create_engine(f"sqlite:///{root / 'qcert.db'}")
    migrate(engine)
    # A witness as well, of its own log, so add-checkpoint meets the generated bodies.
    create_keys(root / "data" / "keys", "test.qcert/ledger")
    create_witness_key(root / "data" / "keys", "fuzz.example/witness")
    services = make_services(engine, root / "data", host="fuzz.example", clock=ScenarioClock())
    assert services.witness_state is not None
    services.witness_state.follow(
        "test.qcert/ledger", [v.vkey() for v in services.ledger.verifiers()]
    )
    run = system_bus(services)
    run(RegisterBody("cb1", "A-1", "机构", "Body", "CNAS"))
    run(GrantBodyScope("cb1", "iso9001", [17], date(2020, 1, 1)))
    run(RegisterAuditor("lead", "R-1", "组长", "cb1"))
    run(QualifyAuditor("lead", "iso9001", [17]))
    run(RegisterClient("c1", "91110108551385082Q", "公司", "Co", "北京", "110108", 20, SITES))
    run(GiveConsent("c1", "cb1"))
    run(OpenAccount("root", "root", ["platform-admin@platform"], PASSWORD))
    run(OpenAccount("staff", "staff", STAFF, PASSWORD))
    services.ledger.sign_due()

    def headers(who: str) -> dict[str, str]:
        # A fresh session for each operation: an earlier one may have been revoke-sessions.
        if who == "anonymous":
            return {}
        account = {"platform": "root", "staff": "staff"}[who]
        return {"Authorization": f"Bearer {services.identity.start(account, 'api').token}"}

    with served(create_app(services)) as base:
        yield {"base": base, "headers": headers}
    services.close()


def _fuzz(server: dict[str, Any], who: str) -> list[str]:
    """Every operation of the served OpenAPI, called with generated input as ``who``; each
    failure found, one line each (Hypothesis shrinks each to its smallest case)."""
    schema = schemathesis.openapi.from_url(f"{server['base']}/openapi.json")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60  # every route of the API, commands included
    calls: list[int] = []

    for operation in operations:
        headers = server["headers"](who)

        @given(case=operation.as_strategy())
        @_SETTINGS
        def call(case: Any) -> None:
            answer = case.call_and_validate(headers=headers, checks=_CHECKS)  # noqa: B023
            calls.append(answer.status_code)

        try:
            call()
        except Exception as err:  # Schemathesis raises a group of the checks that failed
            failures.append(f"{operation.label} as {who}: {str(err)[:600]}")
    assert len(calls) >= 2 * len(operations)  # every operation was called, more than once
    return failures


_CHECKS = [checks.not_a_server_error, checks.status_code_conformance]
_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


@pytest.mark.parametrize("who", ["platform", "staff", "anonymous"])
def test_no_server_error_and_no_undeclared_status(server: dict[str, Any], who: str) -> None:
    failures = _fuzz(server, who)
    assert not failures, "\n\n".join(failures)
