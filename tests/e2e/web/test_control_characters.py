"""A control character (NUL above all) in a path or query parameter is refused before any
query, on either database: PostgreSQL refuses NUL in a text parameter, so a body id such as
``a%00b`` once reached it and gave a server error. Every GET route of the application is tried
with each of its path parameters, and a query parameter, holding one."""

from __future__ import annotations

import re
from types import SimpleNamespace

from tests.e2e.web.admin_world import admin_ws, signed_in  # noqa: F401
from tests.e2e.web.test_absurd_queries import _declared, reads  # noqa: F401
from tests.e2e.web.test_access_matrix import _routes
from tests.integration.lifecycle.conftest import bus, world  # noqa: F401

# Values a path parameter takes where nothing else is named: records of the lifecycle world.
_SAMPLES = {
    "body_id": "cb1",
    "client_id": "c1",
    "certification_id": "c1-active",
    "number": "N-C1-0001",
    "device": "c1-line",
    "kind": "body",
    "key": "cb1",
}
_BEARER_PREFIXES = ("/api/", "/hub/v1/", "/evidence/v1/")
_SKIPPED = ("/static/", "/lang/")


def _targets(app) -> list[str]:
    """Each GET route with a path parameter, once per parameter, that one holding a NUL."""
    out = []
    for route in _routes(app):
        path = getattr(route, "path", "")
        if "GET" not in (getattr(route, "methods", None) or ()) or path.startswith(_SKIPPED):
            continue
        for name in re.findall(r"\{(\w+)(?::\w+)?\}", path):
            out.append(
                re.sub(
                    r"\{(\w+)(?::\w+)?\}",
                    lambda m, name=name: "a%00b" if m[1] == name else _SAMPLES.get(m[1], "x"),
                    path,
                )
            )
    return out


def test_a_nul_in_any_path_parameter_is_refused_before_any_query(admin_ws) -> None:  # noqa: F811
    web = signed_in(admin_ws, "root")
    token = admin_ws.services.identity.start("root", "api").token
    targets = _targets(admin_ws.app)
    assert len(targets) > 50  # the workspace's, the portal's and the API's routes were found
    failures = []
    for path in targets:
        headers = {"Authorization": f"Bearer {token}"} if path.startswith(_BEARER_PREFIXES) else {}
        try:
            answer = web.get(path, headers=headers, follow_redirects=False)
        except Exception as err:  # the test client re-raises what the server raised
            failures.append(f"{path}: {type(err).__name__}: {err}"[:300])
            continue
        error = answer.json()["error"] if answer.status_code == 400 else {}
        if "控制字符" not in error.get("message", "") or "NUL" not in error.get("message", ""):
            failures.append(f"{path}: {answer.status_code} {answer.text[:200]}")
    assert not failures, "\n".join(failures)


def _filled(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: _SAMPLES.get(m[1], "x"), path)


def test_a_nul_in_any_query_parameter_never_reaches_the_database(admin_ws, reads) -> None:  # noqa: F811
    # The pages and the API check their own query values (naming the field in the viewer's
    # language); on PostgreSQL one that let a NUL through would fail in the query.
    declared = _declared(SimpleNamespace(app=admin_ws.app))
    browsers = {who: signed_in(admin_ws, who) for who in ("root", "cadmin")}
    token = admin_ws.services.identity.start("root", "api").token
    failures, tried = [], 0
    for route in _routes(admin_ws.app):
        template = getattr(route, "path", "")
        if "GET" not in (getattr(route, "methods", None) or ()) or template.startswith(_SKIPPED):
            continue
        path = _filled(template)
        web = browsers["cadmin" if path.startswith("/portal/") else "root"]
        headers = {"Authorization": f"Bearer {token}"} if path.startswith(_BEARER_PREFIXES) else {}
        reads.clear()
        web.get(path, headers=headers, follow_redirects=False)
        for name in sorted(set(reads) | declared.get(template, set())):
            for value in ("a%00b", "%01"):
                tried += 1
                try:
                    answer = web.get(f"{path}?{name}={value}", headers=headers)
                except Exception as err:  # the test client re-raises what the server raised
                    failures.append(f"{path}?{name}={value}: {type(err).__name__}"[:300])
                    continue
                if answer.status_code >= 500:
                    failures.append(f"{path}?{name}={value}: {answer.status_code}")
    assert tried > 50
    assert not failures, "\n".join(failures)
