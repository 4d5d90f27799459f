"""Property: whatever commands succeed or fail, the projections equal a replay of the ledger."""

import contextlib
import uuid
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcert.lifecycle import (
    ChangeScope,
    EnforceClocks,
    ExpireCertificate,
    RestoreCertificate,
    SuspendCertificate,
    TransferCertificate,
    WithdrawCertificate,
)
from qcert.schemes import RuleViolation
from qcert.store.replay import check_projections

from .conftest import certify, register_client

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["suspend", "restore", "withdraw", "expire", "clock", "scope", "transfer"]),
        st.integers(0, 60),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(STEPS)
def test_projections_always_equal_the_replayed_ledger(world, clock, engine, steps):
    # Examples share the world and its clock, which only moves forward: each starts the
    # month after the last one ended.
    cid = uuid.uuid4().hex[:12]
    # An organisation of its own each time: one holds one live certificate per scheme and body.
    register_client(world, f"c-{cid}", cid)
    on = max(date(2016, 3, 1), clock().date() + timedelta(days=31))
    certify(world, cid, on=on, number=f"N-{cid}", client=f"c-{cid}")
    for op, days in steps:
        on += timedelta(days=days)
        cmd = {
            "suspend": SuspendCertificate(cid, "r", on),
            "restore": RestoreCertificate(cid, on),
            "withdraw": WithdrawCertificate(cid, "r", on),
            "expire": ExpireCertificate(cid, on),
            "clock": EnforceClocks([cid], on),
            "scope": ChangeScope(cid, "reduce", "smaller", ["hq"], on),
            "transfer": TransferCertificate(cid, "cb2", on),
        }[op]
        with contextlib.suppress(RuleViolation):
            world(cmd)
    assert check_projections(engine) == []
