"""An organisation's users and consents: its administrator invites people (each invitation's
code shown once) and gives or withdraws its consent that a body's reviewers file
applications for it. The access policy decides each command; the bus records it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..lifecycle import commands as c
from ..store import portal
from .portal_pages import Portal, Refusal, portal_of, render, run
from .render import PageForbidden, guard, require_csrf, services

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
_INVITABLE = ("client-user", "client-admin")


def _users_page(
    request: Request,
    p: Portal,
    status: int = 200,
    error: Refusal | None = None,
    invited: dict[str, Any] | None = None,
) -> HTMLResponse:
    if not p.own:
        raise PageForbidden
    with services(request).engine.connect() as conn:
        invitations = portal.invitations(conn, p.client["id"])
        consents = portal.consents(conn, p.client["id"])
        bodies = portal.bodies(conn)
    return render(
        request,
        p,
        "ws/portal/users.html",
        "users",
        status,
        error,
        invitations=invitations,
        consents=consents,
        bodies=[b for b in bodies if b["id"] not in p.consented],
        roles=_INVITABLE,
        invited=invited,
        admin=p.admin,
    )


@router.get("/portal/{client_id}/users", response_class=HTMLResponse)
def users(request: Request, client_id: str) -> Response:
    """The organisation's invitations and consents (its own users only)."""
    return _users_page(request, portal_of(request, client_id))


@router.post("/portal/{client_id}/users")
async def invite(request: Request, client_id: str) -> Response:
    """Invite someone (InviteUser); the page shows the invitation's code once."""
    form = await request.form(max_files=0, max_fields=8)
    p = await run_in_threadpool(portal_of, request, client_id)
    require_csrf(request, form, p.who)
    cmd = c.InviteUser(client_id, str(form.get("role", ""))[:32], str(form.get("note", ""))[:500])
    refused, reply = await run_in_threadpool(run, request, p.who, cmd)
    if refused is not None:
        return await run_in_threadpool(_users_page, request, p, refused.status, refused)
    return await run_in_threadpool(_users_page, request, p, 200, None, reply)


@router.post("/portal/{client_id}/consents")
async def consent(request: Request, client_id: str) -> Response:
    """Give (GiveConsent) or withdraw (WithdrawConsent) the organisation's consent that a
    body's application reviewers file applications for it."""
    form = await request.form(max_files=0, max_fields=8)
    p = await run_in_threadpool(portal_of, request, client_id)
    require_csrf(request, form, p.who)
    body_id = str(form.get("body_id", ""))[:64]
    cmd: Any
    if form.get("withdraw"):
        cmd = c.WithdrawConsent(client_id, body_id)
    else:
        cmd = c.GiveConsent(client_id, body_id, str(form.get("note", ""))[:500])
    refused, _ = await run_in_threadpool(run, request, p.who, cmd)
    if refused is not None:
        return await run_in_threadpool(_users_page, request, p, refused.status, refused)
    return RedirectResponse(f"/portal/{quote(client_id, safe='')}/users", status_code=303)
