"""A body's forms for its clients: register a new client organisation (its unified social
credit code checked by GB 32100-2015), take over a certification from another body (IAF MD 2),
and change an active certificate's scope (ISO/IEC 17021-1:2015 9.6.4.1, 9.6.5).

Each form is one existing command (RegisterClient, AcceptTransfer, ChangeScope); the page
offers those the viewer's roles allow, the bus decides, and the domain's refusals (a wrong
check character, a suspended certificate, one person reviewing and deciding) are shown with
their rule and source.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from ..access import Resource, may
from ..lifecycle import commands as c
from ..store import casework
from .admin_common import (
    TEXT,
    FormError,
    back_to,
    body_of,
    day,
    number,
    posted,
    posted_by,
    refusal,
    run,
    text,
    whole,
)
from .i18n import lang_of
from .render import PageForbidden, PageNotFound, Viewer, guard, page, services

__all__ = ["FORMS", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
FORMS: dict[str, type] = {
    "register-client": c.RegisterClient,
    "accept-transfer": c.AcceptTransfer,
    "change-scope": c.ChangeScope,
}
CHANGES = ("reduce", "extend")


def _offered(who: Viewer, body_id: str) -> list[str]:
    here = Resource(bodies=frozenset({body_id}))
    return [name for name, cls in FORMS.items() if may(who.principal, cls, here)]


def _forms_page(
    request: Request,
    who: Viewer,
    body: dict[str, Any],
    status: int = 200,
    error: dict[str, str] | None = None,
    failed: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    done = request.query_params.get("done")
    return page(
        request,
        "ws/body/client_forms.html",
        status,
        who,
        TEXT,
        body=body,
        forms=_offered(who, body["id"]),
        changes=CHANGES,
        error=error,
        failed=failed,
        values=values or {},
        done=done if done in FORMS else None,
    )


@router.get("/ws/bodies/{body_id}/client-forms", response_class=HTMLResponse)
def client_forms(request: Request, body_id: str) -> Response:
    """The client forms the viewer's roles at the body allow."""
    who, body = body_of(request, body_id)
    return _forms_page(request, who, body)


@router.post("/ws/bodies/{body_id}/client-forms/{action}")
async def submit(request: Request, body_id: str, action: str) -> Response:
    """Run one client form's command, then show the page with what was done."""
    return await posted(request, _submit, body_id, action)


def _submit(request: Request, body_id: str, action: str, form: Any) -> Response:
    who, body = posted_by(request, body_id, form)
    if action not in FORMS:
        raise PageNotFound
    if action not in _offered(who, body_id):
        raise PageForbidden
    values = {k: str(v)[:4000] for k, v in form.items() if k not in ("csrf",)}
    try:
        command = _build(action, form, body_id, who.account_id)
        if action == "change-scope":
            # The certification must be this body's: another's is not this page's to change.
            with services(request).engine.connect() as conn:
                if casework.certification_body(conn, command.certification_id) != body_id:
                    raise FormError("cases.not_ours", field="certification_id")
        refused = run(request, who, command)
    except FormError as err:
        refused = refusal(err, lang_of(request))
    if refused is not None:
        return _forms_page(request, who, body, refused[0], refused[1], action, values)
    return back_to(body_id, "client-forms", done=action)


def _build(action: str, form: Any, body_id: str, actor: str) -> Any:
    """The command form ``action`` asks for; FormError names the first bad field."""
    if action == "register-client":
        site = {
            "id": text(form, "site_id", 64),
            "name": text(form, "site_name", 200),
            "address": text(form, "address", 500),
            "adcode": text(form, "adcode", 6),
            "lat": number(form, "lat"),
            "lon": number(form, "lon"),
            "central": True,
        }
        return c.RegisterClient(
            text(form, "client_id", 64),
            text(form, "uscc", 18).upper(),
            text(form, "name_zh", 200),
            text(form, "name_en", 200, required=False),
            site["address"],
            site["adcode"],
            whole(form, "personnel"),
            [site],
            form.get("confidential") == "yes",
        )
    if action == "accept-transfer":
        return c.AcceptTransfer(
            text(form, "certification_id", 64),
            body_id,
            text(form, "from_certification_id", 64),
            text(form, "reviewer", 64),
            actor,
            day(form, "on"),
            text(form, "number", 64),
        )
    change = text(form, "change", 16)
    if change not in CHANGES:
        raise FormError("admin.choice", field="change")
    sites = [s.strip() for s in text(form, "sites", 2000).split(",") if s.strip()]
    return c.ChangeScope(
        text(form, "certification_id", 64),
        change,
        text(form, "scope", 2000),
        sites,
        day(form, "on"),
    )
