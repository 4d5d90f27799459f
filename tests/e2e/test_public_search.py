"""The public certificate search a page at a time, on the API and on the verification page:
totals and has-more, bounded inputs, ``%`` and ``_`` taken literally, and the results as a
download that shows no more of a confidential client than the page does."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from qcert.credentials import lookup
from qcert.lifecycle import (
    ApplyForCertification,
    CompleteAudit,
    Decide,
    PlanAudit,
    RegisterClient,
    ReviewContract,
    TechnicalReview,
)
from qcert.lifecycle.identifiers import uscc_check_char
from qcert.web import pages
from tests.e2e.test_public_api import public  # noqa: F401
from tests.integration.lifecycle.conftest import (  # noqa: F401
    CONFIDENTIAL,
    SITES,
    bus,
    certify,
    world,
)


def _more(world, count: int) -> list[str]:  # noqa: F811
    """``count`` more certified organisations with 精密 in their names; their numbers."""
    on = date(datetime.now(UTC).year - 1, datetime.now(UTC).month, 1)
    for i in range(count):
        first = f"9111010855138{i:04d}"
        world(
            RegisterClient(
                f"m{i}",
                first + uscc_check_char(first),
                f"精密{i}号公司",
                "",
                "北京",
                "110108",
                20,
                SITES,
            )
        )
        certify(world, f"m{i}", on=on, number=f"N-M{i:02d}", client=f"m{i}")
    return [f"N-M{i:02d}" for i in range(count)]


def _confidential(world, day: date) -> None:  # noqa: F811
    """The confidential organisation certified (number N-S), at its one site."""
    world(CONFIDENTIAL)
    world(ApplyForCertification("s", "cb1", "secret", "iso9001", [17], ["hq"]))
    world(ReviewContract("s", "rev1"))
    lead = [{"auditor": "lead1", "role": "lead"}]
    world(PlanAudit("s", "s1", "stage1", lead, "FS02", day, day, 1, ["hq"]))
    world(CompleteAudit("s", "s1", 1, day))
    world(PlanAudit("s", "s2", "stage2", lead, "FS01", day, day, 3, ["hq"]))
    world(CompleteAudit("s", "s2", 3, day))
    world(TechnicalReview("s", "rev1", "grant"))
    world(Decide("s", "dec1", "grant", day, "N-SECRET", "scope"))


def test_the_search_pages_with_a_total_and_has_more(public, world):  # noqa: F811
    client, _, _ = public
    numbers = sorted(["N-A", *_more(world, 4)])
    first = client.get("/public/certificates", params={"q": "精密", "size": 2}).json()
    assert first["total"] == 5 and first["has_more"] is True
    assert (first["page"], first["size"]) == (1, 2)
    pages_ = [
        client.get("/public/certificates", params={"q": "精密", "size": 2, "page": n}).json()
        for n in (1, 2, 3)
    ]
    assert [i["number"] for p in pages_ for i in p["items"]] == numbers
    assert pages_[2]["has_more"] is False and len(pages_[2]["items"]) == 1
    # Past the last page: nothing, and the total still says how many there are.
    beyond = client.get("/public/certificates", params={"q": "精密", "size": 2, "page": 9}).json()
    assert beyond["items"] == [] and beyond["total"] == 5
    default = client.get("/public/certificates", params={"q": "精密"}).json()
    assert default["size"] == lookup.PAGE_SIZE == 20 and len(default["items"]) == 5


def test_the_search_bounds_its_inputs(public):  # noqa: F811
    client, _, _ = public
    for params in (
        {"q": "精密", "size": 101},
        {"q": "精密", "size": 0},
        {"q": "精密", "page": 0},
        {"q": "精密", "page": "x"},
        {"q": "精密", "page": 10**12},
        {"q": "x" * 101},
        {"q": "x"},
        {"q": "精密\x00"},
        {"q": "\x1b[0m精密"},
    ):
        got = client.get("/public/certificates", params=params)
        assert got.status_code == 422, params
    for path in ("/verify?q=精密%00", "/verify/export?q=精密%00"):
        page = client.get(path)
        assert page.status_code == 422 and "不能包含控制字符" in page.text, path


def test_wildcards_are_searched_as_themselves(public):  # noqa: F811
    client, _, _ = public
    assert client.get("/public/certificates", params={"q": "精密"}).json()["total"] == 1
    for q in ("%%", "__", "精%", "_密", "%精密%"):
        found = client.get("/public/certificates", params={"q": q}).json()
        assert found["total"] == 0 and found["items"] == [], q


def test_the_page_pages_and_downloads_its_results(public, world, monkeypatch):  # noqa: F811
    client, _, _ = public
    _more(world, 2)
    monkeypatch.setattr(lookup, "PAGE_SIZE", 2)
    first = client.get("/verify", params={"q": "精密"})
    assert first.status_code == 200 and 'data-total="3"' in first.text
    assert 'rel="next"' in first.text and 'data-has-more="yes"' in first.text
    second = client.get("/verify", params={"q": "精密", "page": 2})
    assert second.text.count("data-number=") == 1 and 'rel="next"' not in second.text
    assert 'rel="prev"' in second.text
    bad = client.get("/verify", params={"q": "精密", "page": "0"})
    assert bad.status_code == 422 and 'data-error="page"' in bad.text
    data = client.get("/verify/export", params={"q": "精密", "format": "xlsx"})
    assert data.status_code == 200
    rows = list(load_workbook(io.BytesIO(data.content), read_only=True).worksheets[0].values)
    assert rows[0][0] == "证书编号 / Certificate number"
    assert sorted(r[0] for r in rows[1:]) == ["N-A", "N-M00", "N-M01"]  # every page
    assert rows[1][4] == "ISO 9001:2015 / GB/T 19001-2016"
    csv_file = client.get("/verify/export", params={"q": "精密", "format": "csv"})
    assert csv_file.content.startswith(b"\xef\xbb\xbf") and "N-M01" in csv_file.text
    assert client.get("/verify/export", params={"q": "精密", "format": "doc"}).status_code == 422
    assert client.get("/verify/export", params={"q": "x"}).status_code == 422
    monkeypatch.setattr(pages, "PUBLIC_EXPORT_MAX", 2)
    wide = client.get("/verify/export", params={"q": "精密"})
    assert wide.status_code == 422 and "more than 2 results" in wide.text


def test_a_confidential_client_is_downloaded_only_by_number(public, world, clock):  # noqa: F811
    client, _, _ = public
    _confidential(world, clock().date())
    by_name = client.get("/verify/export", params={"q": "保密公司", "format": "csv"})
    assert by_name.status_code == 200 and "N-SECRET" not in by_name.text
    by_number = client.get("/verify/export", params={"q": "N-SECRET", "format": "csv"})
    assert "N-SECRET" in by_number.text and "91440300708461136T" not in by_number.text
