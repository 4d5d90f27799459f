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
        st.integers(0, 300),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(STEPS)
def test_projections_always_equal_the_replayed_ledger(world, engine, steps):
    cid = uuid.uuid4().hex[:12]
    # An organisation of its own each time: one holds one live certificate per scheme and body.
    register_client(world, f"c-{cid}", cid)
    certify(world, cid, number=f"N-{cid}", client=f"c-{cid}")
    on = date(2023, 3, 1)
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
