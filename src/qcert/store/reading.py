"""What the read views share: matching what people type as text (``LIKE`` with their own
``%``, ``_`` and ``\\`` taken literally), and the facts an aggregate's registration event
carries that the projections do not (``client.registered``, ``auditor.registered``)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from . import tables as t

__all__ = ["ESCAPE", "contains", "event_data", "mentions", "registrations"]

ESCAPE = "\\"


def contains(text: str) -> str:
    """A LIKE pattern (escape character :data:`ESCAPE`) matching ``text`` anywhere, its own
    ``%`` and ``_`` taken literally: "50%" finds "50%" and not "500"."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def mentions(column: sa.ColumnElement[Any], text: str) -> sa.ColumnElement[bool]:
    """Whether ``column`` holds ``text`` anywhere, whatever the case of Latin letters (ILIKE
    on PostgreSQL, ``lower() LIKE lower()`` elsewhere)."""
    return column.ilike(contains(text), escape=ESCAPE)


def registrations(event_type: str) -> sa.Subquery:
    """Each aggregate's ``event_type`` event (``aggregate``, ``document``), to join on the
    aggregate's id (``client:<id>``, ``auditor:<id>``)."""
    e = t.events
    name = event_type.replace(".", "_")
    return sa.select(e.c.aggregate, e.c.document).where(e.c.type == event_type).subquery(name)


def event_data(document: str | None) -> dict[str, Any]:
    """The ``data`` of an event's document (JSON text), or nothing when there is none."""
    return json.loads(document)["data"] if document else {}
