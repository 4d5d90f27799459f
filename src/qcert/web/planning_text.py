"""The words of the planner's view of who is free, and of refusals shown at the top of a
certification's page, in zh-CN and en."""

from __future__ import annotations

__all__ = ["MESSAGES"]

# key -> (zh-CN, en)
MESSAGES: dict[str, tuple[str, str]] = {
    "refusal.title": ("未能{what}", "{what} was refused"),
    "refusal.to_form": ("回到表单修改", "Back to the form to change it"),
    "avail.title": (
        "审核员的安排（{first} 至 {last}）",
        "Auditors' commitments, {first} to {last}",
    ),
    "avail.intro": (
        "每位审核员在这段日期参加的审核；同一审核员不能在相同日期参加两个组织的审核"
        "（audit.double-booking）。",
        "The audits each auditor is on over these days; nobody is on two organisations' audits "
        "on the same days (audit.double-booking).",
    ),
    "avail.dates": ("查看日期", "Show dates"),
    "avail.from": ("自", "From"),
    "avail.to": ("至", "To"),
    "avail.show": ("查看谁有空", "Show who is free"),
    "avail.bad_dates": (
        "查看日期：须为起止日期（YYYY-MM-DD），结束不早于开始，最长 62 天；已改为显示本月。",
        "Dates: a start and an end (YYYY-MM-DD), the end not before the start, at most 62 days; "
        "showing this month instead.",
    ),
    "avail.auditor": ("审核员", "Auditor"),
    "avail.free_col": ("是否有空", "Free?"),
    "avail.free": ("有空", "free"),
    "avail.busy": ("已有安排", "busy"),
    "avail.commitments": ("参加的审核", "Audits they are on"),
    "avail.none": ("无", "none"),
    "avail.entry": (
        "{organisation} · {scheme} · {kind} · {start} 至 {end}",
        "{organisation} · {scheme} · {kind} · {start} to {end}",
    ),
    "prefill.days": (
        "计划人日已按合同评审预填：{kind} {days} 人日（{why}）。",
        "Planned days prefilled from the contract review: {kind}, {days} days ({why}).",
    ),
    "prefill.initial": (
        "初次审核时间 {total} 人日，扣除已策划的 {spent} 人日",
        "initial audit time {total} days less {spent} days already planned",
    ),
    "prefill.surveillance": ("监督审核时间", "surveillance audit time"),
    "prefill.recertification": ("再认证审核时间", "recertification audit time"),
    "prefill.fixed": ("方案规定的该阶段人日", "the scheme's days for this stage"),
    "number.offered": (
        "证书编号 {number} 按本机构的编号规则给出（机构代码、年份、认证领域代码、流水号、"
        "再认证次数、组织规模）；可修改，编号须唯一。",
        "Number {number} is the next by the body's numbering rule (body code, year, scheme code, "
        "serial, renewals, organisation size); you may change it, and a number is given once.",
    ),
}
