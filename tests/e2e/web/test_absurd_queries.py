"""No query value gives a server error: every GET route of the workspace, the portal, the API
and the public pages, opened as a signed-in user who may see it, with each query parameter the
route reads set in turn to an absurd value (5,000 digits, a negative number, a NUL byte, a
60 KB string, a superscript digit, "nan", bytes that are not UTF-8).

Which parameters a route reads is learnt by watching it answer a plain request (and, for the
API, from the parameters its OpenAPI operation declares), so a parameter added later is tried
without this file changing. The world is the access matrix's (tests/e2e/web/test_access_matrix.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape
from typing import Any
from urllib.parse import unquote, urlencode

import pytest
from starlette.datastructures import ImmutableMultiDict, QueryParams

from qcert.web.admin_text import MESSAGES as ADMIN_TEXT
from qcert.web.body_text import MESSAGES as BODY_TEXT
from qcert.web.input_text import MESSAGES as INPUT_TEXT
from qcert.web.notice_pages import MAX_PAGE as NOTICES_MAX_PAGE
from tests.e2e.web.admin_world import admin_ws, signed_in  # noqa: F401
from tests.e2e.web.test_access_matrix import (
    ANONYMOUS,
    Matrix,
    _cases,
    _matrix,
    _posts,
    _routes,
    changing,  # noqa: F401
)
from tests.integration.lifecycle.conftest import bus, world  # noqa: F401

pytestmark = pytest.mark.long  # scheduled first (tests/conftest.py)

# Each absurd value as it is written in the query string (already percent-encoded).
ABSURD = {
    "5,000 digits": "9" * 5000,
    "negative": "-1",
    "NUL byte": "%00",
    # httpx refuses URLs past 64 KiB (as servers do their request lines): the longest it sends.
    "60 KB": "x" * 60_000,
    "superscript two": "%C2%B2",
    "nan": "nan",
    "not UTF-8": "%FF%FE%FD",
    # Months and days at and past the calendar's edges (a month's weeks reach into the next).
    "year past a C long": "99999999999999999999-01",
    "last month of year 9999": "9999-12",
    "first month of year 1": "0001-01",
    "last day of year 9999": "9999-12-31T23:59:59%2B14:00",
}
# Sample values for the path parameters of routes outside the workspace table.
_SAMPLES = {
    "body_id": "cb1",
    "client_id": "c1",
    "certification_id": "c1-active",
    "number": "N-C1-0001",
    "purpose": "revocation",
    "list_no": "0",
    "index": "0",
    "device": "c1-line",
    "seq": "0",
    "kind": "body",
    "key": "cb1",
}
# Who opens each route that the access matrix's table does not fill: the platform's operator,
# who may read everything the API and the public pages show.
_OPERATOR = "root"
_BEARER_PREFIXES = ("/api/", "/hub/v1/", "/evidence/v1/")
_SKIPPED = ("/static/", "/openapi.json", "/docs", "/redoc", "/lang/")


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    yield from _matrix(tmp_path_factory.mktemp("absurd"))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The names of the query parameters read while a request is answered."""
    names: set[str] = set()
    get, getitem, getlist = (
        ImmutableMultiDict.get,
        ImmutableMultiDict.__getitem__,
        ImmutableMultiDict.getlist,
    )

    def spy(real: Any) -> Any:
        def read(self: Any, key: Any, *args: Any) -> Any:
            if isinstance(self, QueryParams) and isinstance(key, str):
                names.add(key)
            return real(self, key, *args)

        return read

    monkeypatch.setattr(ImmutableMultiDict, "get", spy(get))
    monkeypatch.setattr(ImmutableMultiDict, "__getitem__", spy(getitem))
    monkeypatch.setattr(ImmutableMultiDict, "getlist", spy(getlist))
    return names


def _targets(matrix: Matrix) -> list[tuple[str, str]]:
    """(path, who) for every GET route: the workspace and portal's from the access matrix's
    table (as someone it lets in), every other route filled with sample values, as the
    platform's operator."""
    targets, seen = [], set()
    for case in _cases(matrix.docs):
        allowed = sorted(case.allowed)
        if case.route in seen or not allowed:
            continue
        seen.add(case.route)
        targets.append((case.path, "root" if "root" in allowed else allowed[0]))
    for route in _routes(matrix.app):
        path = route.path
        if "GET" not in (getattr(route, "methods", None) or ()) or path in seen:
            continue
        if path.startswith(("/ws/", "/portal/", *_SKIPPED)):
            continue
        filled = re.sub(r"\{(\w+)\}", lambda m: _SAMPLES.get(m[1], "x"), path)
        targets.append((filled, _OPERATOR))
    return targets


def _declared(matrix: Matrix) -> dict[str, set[str]]:
    """The query parameters each API operation declares, by its path template."""
    spec = matrix.app.openapi()
    return {
        path: {
            p["name"] for p in (op.get("get") or {}).get("parameters", []) if p.get("in") == "query"
        }
        for path, op in spec["paths"].items()
    }


def _headers(matrix: Matrix, path: str, who: str) -> dict[str, str]:
    if not path.startswith(_BEARER_PREFIXES) or who == ANONYMOUS:
        return {}
    token = matrix.world.services.identity.start(who, "api").token
    return {"Authorization": f"Bearer {token}"}


def test_no_absurd_query_value_gives_a_server_error(walked: Matrix, reads: set[str]) -> None:
    declared = _declared(walked)
    templates = {re.sub(r"\{(\w+)\}", lambda m: _SAMPLES.get(m[1], "x"), p): p for p in declared}
    failures, tried = [], 0
    for path, who in _targets(walked):
        web, headers = walked.as_(who), _headers(walked, path, who)
        reads.clear()
        plain = web.get(path, headers=headers, follow_redirects=False)
        assert plain.status_code < 500, (path, plain.text[:300])
        names = set(reads) | declared.get(templates.get(path, ""), set())
        for name in sorted(names):
            for label, value in ABSURD.items():
                tried += 1
                try:
                    answer = web.get(
                        f"{path}?{name}={value}", headers=headers, follow_redirects=False
                    )
                except Exception as err:  # the test client re-raises what the server raised
                    failures.append(f"{path}?{name}= {label}: {type(err).__name__}: {err}"[:300])
                    continue
                if answer.status_code >= 500:
                    failures.append(f"{path}?{name}= {label}: {answer.status_code}")
    assert tried > 100  # the pages' and the API's parameters were found and tried
    assert not failures, "\n".join(failures)


def test_the_walk_reaches_the_workspace_pages_that_read_a_page_number(
    walked: Matrix, reads: set[str]
) -> None:
    # The spy sees what a page reads: without it the walk above would try nothing.
    web = walked.as_("root")
    reads.clear()
    assert web.get("/ws/bodies/cb1/certifications").status_code == 200
    assert {"page", "stage"} <= reads


@pytest.mark.parametrize("value", ["9" * 5000, "-3", "%00", "x" * 60_000, "%C2%B2", "%FF%FE"])
def test_an_absurd_page_number_is_named_in_both_languages(walked: Matrix, value: str) -> None:
    pages = (
        ("/ws/bodies/cb1/certifications", BODY_TEXT["body.list.bad_page"], {}),
        ("/ws/bodies/cb1/cases", ADMIN_TEXT["admin.bad_page"], {}),
        ("/ws/bodies/cb1/people", ADMIN_TEXT["admin.bad_page"], {}),
        ("/ws/notices", INPUT_TEXT["input.page"], {"max": NOTICES_MAX_PAGE}),
    )
    for lang, position in (("zh-CN", 0), ("en", 1)):
        web = walked.as_("root")
        web.get(f"/lang/{lang}", follow_redirects=False)
        for path, said, values in pages:
            answer = web.get(f"{path}?page={value}")
            assert answer.status_code == 422, (path, value, answer.status_code)
            assert escape(said[position].format(**values)) in answer.text, (path, lang)


def test_an_entry_index_that_is_not_ascii_digits_is_not_there(walked: Matrix) -> None:
    # "²" passes str.isdigit but int() refuses it: the entry is simply not found.
    path = "/ws/bodies/cb1/certifications/c1-active/entries/%C2%B2"
    answer = walked.as_("root").get(path)
    assert answer.status_code == 404 and 'data-status="404"' in answer.text


@pytest.mark.parametrize("path", ["/ws/bodies/cb1/clients", "/ws/bodies/cb1/auditors"])
def test_a_nul_byte_in_the_text_to_find_is_dropped_on_either_database(admin_ws, path: str) -> None:  # noqa: F811
    # PostgreSQL refuses NUL in a text parameter (psycopg's DataError): it never reaches it.
    web = signed_in(admin_ws, "admin1")
    for q in ("%00", "a%00b", "%01%1F"):
        answer = web.get(f"{path}?q={q}")
        assert answer.status_code == 200, (path, q, answer.text[:300])


# Form values: each as it is written in a urlencoded body (already percent-encoded).
ABSURD_FIELDS = {
    "5,000 digits": "9" * 5000,
    "negative": "-1",
    "NUL byte": "%00",
    "60 KB": "x" * 60_000,
    "superscript two": "%C2%B2",
    "nan": "nan",
    "not UTF-8": "%FF%FE%FD",
    "year past a C long": "99999999999999999999-01-01",
}


# Known, in a module changed elsewhere at the moment (the portal's application form reads each
# IAF sector with int() after str.isdigit, which "²" and 5,000 digits pass): its one-line bound
# (ASCII digits, at most two) belongs with that change. The test below fails once it is fixed.
KNOWN: set[tuple[str, str]] = set()  # server errors known and not fixed yet: none


def _form_failures(matrix: Matrix, posts: list[Any]) -> list[tuple[str, str, str]]:
    """(path, field, what happened) for each absurd form value that gave a server error."""
    failures, tried = [], 0
    for _, path, who, fields, files in posts:
        web = matrix.as_(who)
        token = re.search(r'name="csrf" value="([^"]*)"', web.get("/workspace").text)[1]
        for name in fields:
            for label, value in ABSURD_FIELDS.items():
                rest = {k: v for k, v in fields.items() if k != name}
                tried += 1
                try:
                    if files:  # multipart: the value is sent as text, decoded
                        data = {**rest, name: unquote(value), "csrf": token}
                        answer = web.post(path, data=data, files=files, follow_redirects=False)
                    else:
                        body = urlencode({**rest, "csrf": token}, doseq=True) + f"&{name}={value}"
                        answer = web.post(
                            path,
                            content=body.encode(),
                            headers={"Content-Type": "application/x-www-form-urlencoded"},
                            follow_redirects=False,
                        )
                except Exception as err:  # the test client re-raises what the server raised
                    failures.append((path, name, f"{label}: {type(err).__name__}: {err}"[:300]))
                    continue
                if answer.status_code >= 500:
                    failures.append((path, name, f"{label}: {answer.status_code}"))
    assert tried >= len(ABSURD_FIELDS) * len(posts)
    return failures


def test_no_absurd_form_value_gives_a_server_error(changing: Matrix) -> None:  # noqa: F811
    """Every form of the workspace and the portal, posted by who may post it, with each of its
    fields in turn set to an absurd value."""
    failures = _form_failures(changing, _posts())
    unknown = [f for f in failures if (f[0], f[1]) not in KNOWN]
    assert not unknown, "\n".join(" ".join(f) for f in unknown)


def test_the_portal_application_bounds_its_sectors(changing: Matrix) -> None:  # noqa: F811
    apply = [p for p in _posts() if p[1] == "/portal/c1/apply"]
    assert _form_failures(changing, apply) == []
