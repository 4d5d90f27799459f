"""A body's people: the accounts holding a role at the body, for its administrator to create,
grant and remove roles, and disable.

The access policy (``qcert.access.commands._role_change``) lets a body's cb-admin grant and
remove that body's roles and no others, and nobody change their own; the bus records each
change as an event and ends the account's sessions. Disabling an account removes every role it
holds at this body (one SetRoles); removing a role and disabling ask for confirmation.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from ..lifecycle import commands as c
from ..lifecycle.accounts import CLIENT_ROLES, ROLES
from ..store import casework
from .admin_common import (
    PAGE_SIZE,
    TEXT,
    FormError,
    back_to,
    body_of,
    confirmed,
    paging,
    posted,
    posted_by,
    refusal,
    run,
    text,
)
from .i18n import lang_of
from .render import PageNotFound, Viewer, guard, page, services

__all__ = ["BODY_ROLES", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
# The roles that hold for a body (qcert.lifecycle.accounts.parse_role).
BODY_ROLES = tuple(r for r in ROLES if r not in ("platform-admin", "regulator", *CLIENT_ROLES))
ACTIONS = ("grant-role", "remove-role", "disable-account")


def _people_page(
    request: Request,
    who: Viewer,
    body: dict[str, Any],
    status: int = 200,
    error: dict[str, str] | None = None,
    failed: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    asked = paging(request, PAGE_SIZE)
    with services(request).engine.connect() as conn:
        rows, total = casework.body_accounts(conn, body["id"], asked.offset, asked.size)
    done = request.query_params.get("done")
    return page(
        request,
        "ws/body/people.html",
        asked.status(status),
        who,
        TEXT,
        body=body,
        rows=rows,
        **asked.fields(total),
        roles=BODY_ROLES,
        error=error,
        failed=failed,
        values=values or {},
        done=done if done in (*ACTIONS, "open-account") else None,
    )


@router.get("/ws/bodies/{body_id}/people", response_class=HTMLResponse)
def people(request: Request, body_id: str) -> Response:
    """The accounts holding a role at the body, with the forms to manage them."""
    who, body = body_of(request, body_id)
    return _people_page(request, who, body)


@router.post("/ws/bodies/{body_id}/people")
async def open_account(request: Request, body_id: str) -> Response:
    """Create an account with roles at this body (OpenAccount)."""
    return await posted(request, _open, body_id)


def _open(request: Request, body_id: str, form: Any) -> Response:
    who, body = posted_by(request, body_id, form)
    chosen = [r for r in form.getlist("roles") if isinstance(r, str)][: len(BODY_ROLES) + 1]
    values = {"account_id": str(form.get("account_id", ""))[:64], "roles": chosen}
    values["display_name"] = str(form.get("display_name", ""))[:200]
    try:
        if not chosen:
            raise FormError("admin.required", field="roles")
        if any(r not in BODY_ROLES for r in chosen):
            raise FormError("admin.choice", field="roles")
        command = c.OpenAccount(
            text(form, "account_id", 64),
            text(form, "display_name", 200),
            [f"{r}@body:{body_id}" for r in chosen],
            text(form, "password", 1024),
        )
        refused = run(request, who, command, say_forbidden=True)
    except FormError as err:
        refused = refusal(err, lang_of(request))
    if refused is not None:
        return _people_page(request, who, body, *refused, "open-account", values)
    return back_to(body_id, "people", done="open-account")


@router.post("/ws/bodies/{body_id}/people/{account_id}/{action}")
async def change(request: Request, body_id: str, account_id: str, action: str) -> Response:
    """Grant a role at this body, remove one, or remove them all (SetRoles)."""
    return await posted(request, _change, body_id, account_id, action)


def _change(request: Request, body_id: str, account_id: str, action: str, form: Any) -> Response:
    who, body = posted_by(request, body_id, form)
    if action not in ACTIONS:
        raise PageNotFound
    with services(request).engine.connect() as conn:
        held = casework.account_roles(conn, account_id)
    if held is None:
        raise PageNotFound
    scope = f"@body:{body_id}"
    values = {"account": account_id, "role": str(form.get("role", ""))[:32]}
    try:
        if action == "disable-account":
            confirmed(form)
            roles = [r for r in held if not r.endswith(scope)]
        else:
            role = text(form, "role", 32)
            if role not in BODY_ROLES:
                raise FormError("admin.choice", field="role")
            if action == "grant-role":
                roles = sorted({*held, role + scope})
            else:
                confirmed(form)
                roles = [r for r in held if r != role + scope]
        refused = run(request, who, c.SetRoles(account_id, roles), say_forbidden=True)
    except FormError as err:
        refused = refusal(err, lang_of(request))
    if refused is not None:
        return _people_page(request, who, body, *refused, f"{action}:{account_id}", values)
    return back_to(body_id, "people", done=action)
