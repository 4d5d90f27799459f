"""Property tests of the certificate status machine, on the domain alone."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from qcert.exchange.certsearch import CERTSEARCH_STATUS
from qcert.lifecycle import events as ev
from qcert.lifecycle.aggregate import add_months
from qcert.lifecycle.certification import Certification
from qcert.lifecycle.cycle import CertStatus
from qcert.lifecycle.parties import Auditor, Body, Client
from qcert.schemes import RuleViolation

SITES = [
    {"id": "hq", "name": "HQ", "address": "北京", "adcode": "110108", "lat": 39.9, "lon": 116.3}
]
TEAM = [{"auditor": "lead", "role": "lead"}]


def granted(on: date = date(2023, 3, 1)) -> tuple[Certification, Body]:
    body = Body.register("cb", "A1", "机构", "Body", "CNAS")
    body.grant_scope("iso9001", [17], date(2000, 1, 1))
    lead = Auditor.register("lead", "R1", "组长", "cb")
    lead.qualify("iso9001", [17])
    client = Client.register("c", "91110108551385082Q", "公司", "Co", "北京", "110108", 20, SITES)
    cert = Certification.apply_for("x", body, client, "iso9001", [17], ["hq"], on=on)
    cert.review_contract("rev", body, on)
    cert.plan_audit("s1", "stage1", TEAM, "FS01", on, on, 1, ["hq"], {"lead": lead}, body)
    cert.complete_audit("s1", 1, on)
    cert.plan_audit("s2", "stage2", TEAM, "FS01", on, on, 3, ["hq"], {"lead": lead}, body)
    cert.complete_audit("s2", 3, on)
    cert.technical_review("rev", "grant")
    cert.decide("dec", "grant", on, body, "N1", "scope")
    return cert, body


OPS = st.sampled_from(["suspend", "restore", "withdraw", "expire", "clock", "reduce", "transfer"])
STEPS = st.lists(st.tuples(OPS, st.integers(0, 400), st.integers(1, 6)), max_size=12)


@settings(max_examples=300, deadline=None)
@given(STEPS)
def test_no_sequence_reaches_a_forbidden_state(steps):
    cert, body = granted()
    on = date(2023, 3, 1)
    for op, days, months in steps:
        on += timedelta(days=days)
        before = cert.certificate.status
        try:
            if op == "suspend":
                cert.suspend("r", on, months)
            elif op == "restore":
                cert.restore(on)
            elif op == "withdraw":
                cert.withdraw("r", on)
            elif op == "expire":
                cert.expire(on)
            elif op == "clock":
                cert.enforce_clocks(on)
            elif op == "reduce":
                cert.change_scope("reduce", "smaller", ["hq"], on, body)
            else:
                cert.transfer("cb2", on)
        except RuleViolation:
            assert cert.certificate.status == before  # a refusal changes nothing
            continue
        c = cert.certificate
        assert c.status in CERTSEARCH_STATUS
        if before in (CertStatus.withdrawn, CertStatus.expired):
            assert c.status == before, f"{op} changed a {before} certificate"
        if c.status == CertStatus.suspended:
            assert c.deadline is not None and c.deadline <= add_months(on, 6)
        else:
            assert c.deadline is None
        if op == "transfer":
            assert before == CertStatus.active and c.transferred_to == "cb2"
        if c.status == CertStatus.expired:
            assert on > c.expiry_date
    again = Certification.replay("x", [e for e in cert.pending])
    assert again.certificate == cert.certificate


def test_suspended_certificates_withdraw_only_after_their_deadline():
    cert, _ = granted()
    cert.suspend("r", date(2024, 1, 31), 1)
    assert cert.certificate.deadline == date(2024, 2, 29)
    assert cert.enforce_clocks(date(2024, 2, 29)) == []
    assert cert.enforce_clocks(date(2024, 3, 1)) == ["withdrawn"]


def test_what_the_clock_decides_names_the_rule_that_fired_and_its_source():
    cert, _ = granted(date(2023, 3, 1))
    cert.suspend("r", date(2024, 1, 31), 1)
    cert.enforce_clocks(date(2024, 3, 1))
    withdrawn = cert.pending[-1]
    assert isinstance(withdrawn, ev.CertificateWithdrawn)
    assert (withdrawn.rule, withdrawn.source) == (
        "clock.suspension-lapsed",
        "ISO/IEC 17021-1:2015 9.6.5",
    )
    assert withdrawn.reason.endswith(" / suspension not resolved by its deadline")
    lapsed, _ = granted(date(2023, 3, 1))
    assert lapsed.enforce_clocks(lapsed.certificate.expiry_date) == []
    assert lapsed.enforce_clocks(lapsed.certificate.expiry_date + timedelta(days=1)) == ["expired"]
    expired = lapsed.pending[-1]
    assert isinstance(expired, ev.CertificateExpired)
    assert (expired.rule, expired.source) == (
        "clock.expired",
        "ISO/IEC 17021-1:2015 8.2.2, 9.6.3.2",
    )
    assert lapsed.enforce_clocks(date(2030, 1, 1)) == []  # done once: nothing more to decide


def test_a_persons_withdrawal_and_events_recorded_before_rules_keep_their_bytes():
    cert, _ = granted()
    cert.withdraw("fraud", date(2024, 1, 1))
    assert cert.pending[-1].data() == {"reason": "fraud", "on": "2024-01-01"}
    for data in ({"reason": "r", "on": "2024-01-01"}, {"on": "2024-01-01"}):
        name = "certificate.withdrawn" if "reason" in data else "certificate.expired"
        doc = {"type": name, "aggregate": "certification:x", "seq": 9, "at": "2024-01-01T00:00Z"}
        doc |= {"tz": "Asia/Shanghai", "actor": "a", "tenant": "cb", "data": data}
        assert ev.decode(doc).document() == doc  # decodes and re-encodes to the same bytes


def test_each_status_maps_to_one_certsearch_status():
    assert len(set(CERTSEARCH_STATUS.values())) == len(CertStatus) == 4
