"""What a notice says, in zh-CN and en: its title by kind, and the page it links to. Shared by
the notices page, the command line and the e-mail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ..lifecycle.naming import certification_name
from ..locale import messages as from_catalogs
from .model import AHEAD_DAYS, ANSWER_DAYS

__all__ = ["TITLES", "link", "title"]

# kind -> (zh-CN, en); {item}, {cid} and {due} are filled in.
TITLES = from_catalogs(__name__, "TITLES")


def title(notice: Mapping[str, Any], lang: str) -> str:
    """The notice's one-line title in ``lang`` (zh-CN or en). It names the certification as
    people do (organisation and standard) when the notice's row carries them (``name_zh``,
    ``name_en``, ``scheme_id``, as the store's reads of notices give), else by its id."""
    zh, en = TITLES[notice["kind"]]
    named = certification_name(notice, lang) if notice.get("name_zh") else None
    return (zh if lang == "zh-CN" else en).format(
        item=notice["item"],
        cid=named or notice["certification_id"],
        due=notice["due"],
        days=ANSWER_DAYS,
        ahead=AHEAD_DAYS,
    )


def link(notice: Mapping[str, Any]) -> str:
    """The path of the record's page: the portal for an organisation's user, the body's
    workspace for its staff, at the part of the page the notice is about."""
    cid, item = quote(notice["certification_id"], safe=""), notice["item"]
    if notice["audience"] == "client":
        client = quote(notice["client_id"], safe="")
        return f"/portal/{client}/findings#finding-{cid}-{quote(item, safe='')}"
    if notice["kind"] == "case-open":  # the case's own page, where it is decided
        body = quote(notice["body_id"], safe="")
        return f"/ws/bodies/{body}/cases/{quote(item, safe='')}"
    anchor = {
        "finding-overdue": "findings",
        "answer-waiting": "findings",
        "surveillance-due": "programme",
        "suspension-ending": "certificate",
    }[notice["kind"]]
    return f"/ws/bodies/{quote(notice['body_id'], safe='')}/certifications/{cid}#{anchor}"
