"""Photos as evidence: an uploaded photo records both digests and when and where it was taken
(the form's, else its EXIF's); a check-in's photo is stored, bound to the event by both
digests, checked by the ledger audit and reported to the hub in the CheckIn record."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from qcert.exchange.mapping import record_of
from qcert.exchange.records import CheckIn as CheckInRecord
from qcert.lifecycle import (
    ApplyForCertification,
    CheckIn,
    PlanAudit,
    ReviewContract,
    UploadDocument,
)
from qcert.schemes import RuleViolation
from qcert.store import reporting
from qcert.store import tables as t
from qcert.store.documents import DocumentStore, digests
from qcert.store.replay import check_projections
from tests.photos import jpeg, png_bomb

from .conftest import SITES, TEAM

START, END = date(2024, 5, 6), date(2024, 5, 8)
HQ = SITES[0]


def _upload(data: bytes, **facts) -> UploadDocument:
    return UploadDocument(
        "c1",
        hashlib.sha256(data).hexdigest(),
        "现场.jpg",
        "image/jpeg",
        len(data),
        "site photo",
        "client1",
        content=data,
        **facts,
    )


def _document(engine) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(t.documents)).mappings().one())


def test_a_photo_upload_records_both_digests_and_its_exif_position_and_time(world, engine):
    data = jpeg(31.2304, 121.4737, ("2024:05:06", (1.0, 2.0, 3.0)))
    world(_upload(data))
    row = _document(engine)
    assert (row["sha256"], row["sm3"]) == (digests(data).sha256, digests(data).sm3)
    assert row["taken_at"] == "2024-05-06T01:02:03Z"
    assert row["taken_lat"] == pytest.approx(31.2304, abs=1e-6)
    assert row["taken_lon"] == pytest.approx(121.4737, abs=1e-6)
    assert check_projections(engine) == []  # the new columns are what a replay gives


def test_the_upload_forms_position_and_time_win_over_the_exif(world, engine):
    data = jpeg(31.2304, 121.4737)
    taken = datetime(2024, 5, 6, 9, 30, tzinfo=UTC)
    world(_upload(data, taken_at=taken, taken_lat=39.96, taken_lon=116.3))
    row = _document(engine)
    assert (row["taken_at"], row["taken_lat"], row["taken_lon"]) == (
        "2024-05-06T09:30:00+00:00",
        39.96,
        116.3,
    )


def test_a_wrong_sm3_or_a_bomb_is_refused_and_records_nothing(world, engine, tmp_path):
    data = jpeg()
    with pytest.raises(RuleViolation, match="SM3 digest"):
        world(_upload(data, sm3="0" * 64))
    bomb = png_bomb()
    bomb_upload = UploadDocument(
        "c1",
        hashlib.sha256(bomb).hexdigest(),
        "b.png",
        "image/png",
        len(bomb),
        "x",
        "client1",
        content=bomb,
    )
    with pytest.raises(RuleViolation) as refused:
        world(bomb_upload)
    assert refused.value.rule == "input.invalid" and "file" in refused.value.en
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.documents)).scalar() == 0
    assert not DocumentStore(tmp_path / "docs").exists(hashlib.sha256(bomb).hexdigest())


@pytest.fixture
def planned(world, clock):
    clock.to_day(START - timedelta(days=30))
    world(ApplyForCertification("cert1", "cb1", "c1", "iso9001", [17], ["hq", "plant"]))
    world(ReviewContract("cert1", "rev1"))
    world(PlanAudit("cert1", "s1", "stage1", TEAM, "FS01", START, END, 1.5, ["hq"]), follow=False)
    clock.to_day(START)
    return lambda cmd: world(cmd, follow=False)


def _check_in(photo: bytes | None, **more) -> CheckIn:
    found = digests(photo) if photo is not None else None
    return CheckIn(
        "cert1",
        "s1",
        "lead1",
        HQ["lat"],
        HQ["lon"],
        accuracy_m=12.5,
        photo_sha256=found.sha256 if found else None,
        photo_sm3=found.sm3 if found else None,
        photo=photo,
        **more,
    )


def _events(engine, kind: str) -> list[tuple[int, dict]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.events.c.ledger_index, t.events.c.document)
            .where(t.events.c.type == kind)
            .order_by(t.events.c.ledger_index)
        ).all()
    return [(index, json.loads(doc)) for index, doc in rows]


def test_a_check_in_photo_is_stored_and_bound_by_both_digests(planned, engine, tmp_path):
    photo = jpeg(HQ["lat"], HQ["lon"])
    planned(_check_in(photo))
    [(index, doc)] = _events(engine, "certification.checked-in")
    data = doc["data"]
    assert (data["photo_sha256"], data["photo_sm3"]) == tuple(vars(digests(photo)).values())
    assert data["accuracy_m"] == 12.5 and "anomaly" not in data
    store = DocumentStore(tmp_path / "docs")
    assert store.read(data["photo_sha256"], data["photo_sm3"]) == photo
    assert check_projections(engine, store) == []
    store.path(data["photo_sha256"]).write_bytes(photo + b"changed")
    [problem] = check_projections(engine, store)
    assert problem.startswith(f"documents: entry {index}") and "no longer matches" in problem


def test_a_check_in_without_a_photo_stays_as_before(planned, engine):
    planned(CheckIn("cert1", "s1", "lead1", HQ["lat"], HQ["lon"]))
    [(_, doc)] = _events(engine, "certification.checked-in")
    assert not {"photo_sha256", "photo_sm3", "accuracy_m"} & set(doc["data"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"photo": None}, "photo"),  # digests without the bytes
        ({"photo_sha256": "0" * 64}, "photo_sha256"),
        ({"photo_sm3": "0" * 64}, "photo_sm3"),
        ({"photo": b"%PDF-1.4\n", "photo_sha256": None, "photo_sm3": None}, "photo"),
        ({"photo": png_bomb(), "photo_sha256": None, "photo_sm3": None}, "file"),
    ],
)
def test_a_check_in_photo_that_does_not_hold_is_refused(planned, engine, change, field):
    photo = jpeg()
    cmd = _check_in(photo)
    with pytest.raises(RuleViolation) as refused:
        planned(CheckIn(**{**{f: getattr(cmd, f) for f in vars(cmd)}, **change}))
    assert refused.value.rule == "input.invalid" and field in refused.value.en
    assert _events(engine, "certification.checked-in") == []


def test_far_from_site_still_applies_to_a_check_in_with_a_photo(planned, engine):
    photo = jpeg()
    planned(CheckIn("cert1", "s1", "aud1", 0.0, 0.0, photo=photo))
    [(_, doc)] = _events(engine, "certification.checked-in")
    assert doc["data"]["anomaly"] == "far-from-site"
    assert doc["data"]["photo_sha256"] == digests(photo).sha256


def test_the_hubs_check_in_record_carries_the_photos_hashes(planned, engine):
    photo = jpeg()
    planned(_check_in(photo))
    planned(CheckIn("cert1", "s1", "aud1", HQ["lat"], HQ["lon"], out=True))
    with engine.connect() as conn:
        context = reporting.StoreContext(conn)
        records = [
            record_of(index, env, context)
            for index, env in reporting.events_of(conn, "cb1", -1, 10**9, 1000)
        ]
    with_photo, without = [r for r in records if r and r["kind"] == "check-in"]
    checked = CheckInRecord.model_validate(with_photo)  # the published standard accepts it
    assert checked.photo_sha256 == digests(photo).sha256
    assert checked.photo_sm3 == digests(photo).sm3
    assert (checked.direction, without["direction"]) == ("in", "out")
    assert "photo_sha256" not in without
