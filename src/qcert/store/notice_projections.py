"""Projection rows of notices and of the addresses they are e-mailed to."""

from __future__ import annotations

from typing import Any

from ..lifecycle.aggregate import Aggregate
from ..notices.model import Mailbox, Notice
from . import tables as t

__all__ = ["notice_rows"]


def notice_rows(agg: Aggregate) -> dict[Any, list[dict[str, Any]]] | None:
    """The rows of a notice or a mailbox by table; None for an aggregate of another part."""
    if isinstance(agg, Mailbox):
        rows = [{"account_id": agg.id, "email": agg.email}] if agg.email else []
        return {t.notice_addresses: rows}
    if not isinstance(agg, Notice) or not agg.about:
        return None
    return {
        t.notices: [{"id": agg.id, **agg.about, "read_at": agg.read_at, "mailed_to": agg.mailed_to}]
    }
