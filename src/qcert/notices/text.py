"""What a notice says, in zh-CN and en: its title by kind, and the page it links to. Shared by
the notices page, the command line and the e-mail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from .model import AHEAD_DAYS, ANSWER_DAYS

__all__ = ["TITLES", "link", "title"]

# kind -> (zh-CN, en); {item}, {cid} and {due} are filled in.
TITLES: dict[str, tuple[str, str]] = {
    "finding-overdue": (
        "不符合项 {item}（{cid}）逾期未回复：回复期限 {due}（审核结束后 {days} 天）",
        "Finding {item} of {cid} is past its answer deadline of {due} "
        "({days} days after the audit)",
    ),
    "answer-waiting": (
        "客户已回复不符合项 {item}（{cid}），待审核组验证",
        "The client answered finding {item} of {cid}: waiting for the body's review",
    ),
    "surveillance-due": (
        "{cid} 的监督审核 {item} 应于 {due} 前完成（{ahead} 天内到期或已逾期）",
        "Surveillance audit {item} of {cid} is due by {due} (within {ahead} days, or overdue)",
    ),
    "suspension-ending": (
        "{cid} 的证书暂停期将于 {due} 届满：届时未恢复将撤销",
        "The suspension of {cid}'s certificate runs out on {due}: not restored by then, "
        "it is withdrawn",
    ),
    "case-open": (
        "{cid} 的投诉或申诉 {item} 待处理",
        "Complaint or appeal {item} about {cid} is waiting to be handled",
    ),
}


def title(notice: Mapping[str, Any], lang: str) -> str:
    """The notice's one-line title in ``lang`` (zh-CN or en)."""
    zh, en = TITLES[notice["kind"]]
    return (zh if lang == "zh-CN" else en).format(
        item=notice["item"],
        cid=notice["certification_id"],
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
