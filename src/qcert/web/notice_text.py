"""The notices page's words, and the header's notices link (key -> (zh-CN, en))."""

from __future__ import annotations

__all__ = ["MESSAGES"]

MESSAGES: dict[str, tuple[str, str]] = {
    "notices.title": ("通知", "Notices"),
    "notices.nav": ("通知", "Notices"),
    "notices.unread": ("{count} 条未读", "{count} unread"),
    "notices.intro": (
        "需要您处理的到期事项：逾期未回复的不符合项、待验证的客户回复、30 天内到期的监督审核、"
        "即将届满的暂停、待处理的投诉与申诉。每条通知只发送一次，并记录在账本上。",
        "What is due for you: findings past their answer deadline, clients' answers to "
        "review, surveillance audits due within 30 days, suspensions running out, complaints "
        "and appeals to handle. Each notice is sent once, and recorded on the ledger.",
    ),
    "notices.none": ("暂无通知。", "No notices."),
    "notices.sent": ("发送时间", "Sent"),
    "notices.due": ("到期日", "Due"),
    "notices.what": ("事项", "What"),
    "notices.state": ("状态", "State"),
    "notices.read": ("已读", "Read"),
    "notices.new": ("未读", "Unread"),
    "notices.mark": ("标为已读", "Mark read"),
    "notices.mailed": ("已发送邮件至 {to}", "E-mailed to {to}"),
    "notices.page": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "notices.newer": ("较新", "Newer"),
    "notices.older": ("较早", "Older"),
    "notices.email": ("邮件通知", "Notices by e-mail"),
    "notices.email_note": (
        "填写邮件地址后，平台配置了邮件服务器时会把每条通知同时发到该地址；留空则只在此页显示。",
        "With an address, each notice is also e-mailed to it when the platform has a mail "
        "server configured; leave it empty to see notices on this page only.",
    ),
    "notices.email_label": ("电子邮件地址", "E-mail address"),
    "notices.email_save": ("保存", "Save"),
    "notices.email_saved": ("邮件地址已保存。", "E-mail address saved."),
    "notices.marked": ("通知已标为已读。", "Notice marked read."),
    "notices.refused": ("操作被拒绝：", "Refused: "),
    "notices.kind.finding-overdue": ("不符合项逾期", "Finding overdue"),
    "notices.kind.answer-waiting": ("客户回复待验证", "Answer to review"),
    "notices.kind.surveillance-due": ("监督审核到期", "Surveillance due"),
    "notices.kind.suspension-ending": ("暂停即将届满", "Suspension ending"),
    "notices.kind.case-open": ("投诉或申诉待处理", "Complaint or appeal open"),
}
