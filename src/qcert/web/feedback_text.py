"""The words of the portal's audit plan and answer deadlines, of the confirmations shown
after an action, of the Word and Excel upload checks, and of the confirm step irreversible
actions ask for, in zh-CN and en (key -> (zh-CN, en))."""

from __future__ import annotations

__all__ = ["BODY_MESSAGES", "HOME_MESSAGES", "MESSAGES"]

MESSAGES: dict[str, tuple[str, str]] = {
    "portal.plan": ("审核安排", "Audit plan"),
    "plan.intro": (
        "认证机构为本组织安排的审核：日期、审核组和审核人日。如需调整日期，请联系认证机构。",
        "The audits the certification body planned for the organisation: dates, team and "
        "audit days. To change a date, contact the body.",
    ),
    "plan.upcoming": ("即将进行与进行中的审核", "Upcoming and running audits"),
    "plan.past": ("已完成的审核", "Completed audits"),
    "plan.kind": ("审核类型", "Audit"),
    "plan.dates": ("日期", "Dates"),
    "plan.team": ("审核组", "Audit team"),
    "plan.days": ("审核人日", "Audit days"),
    "plan.planned": ("计划 {days} 人日", "{days} planned"),
    "plan.actual": ("实际 {days} 人日", "{days} done"),
    "plan.method": ("审核方式", "Method"),
    "plan.running": ("进行中", "running"),
    "plan.done": ("已于 {day} 结束", "ended {day}"),
    "plan.to_come": ("待进行", "to come"),
    "plan.status": ("状态", "Status"),
    "role.lead": ("审核组长", "lead auditor"),
    "role.auditor": ("审核员", "auditor"),
    "role.technical-expert": ("技术专家", "technical expert"),
    "role.trainee": ("实习审核员", "trainee"),
    "finding.due": ("回复期限", "Answer by"),
    "finding.due_on": ("{day} 前", "by {day}"),
    "finding.overdue": ("已逾期 {days} 天", "{days} days overdue"),
    "finding.days_left": ("剩余 {days} 天", "{days} days left"),
    "finding.due_note": (
        "严重和一般不符合须在审核结束后 90 天内回复纠正、原因分析和纠正措施"
        "（ISO/IEC 17021-1:2015 第 9.4.9 条“规定的时间内”），认证机构另有规定的从其规定。",
        "Major and minor nonconformities are answered (correction, cause, corrective action) "
        "within 90 days of the audit's end (ISO/IEC 17021-1:2015, 9.4.9, 'within a defined "
        "time') unless the body set another time.",
    ),
    "done.title": ("操作成功", "Done"),
    "done.applied": (
        "申请已提交，认证机构将进行合同评审。申请编号：{ref}",
        "The application is filed; the body will review it. Application: {ref}",
    ),
    "done.answered": (
        "已提交对审核发现 {ref} 的回复，等待认证机构验证。",
        "Your answer to finding {ref} is sent; the body will verify it.",
    ),
    "done.uploaded": (
        "文件已上传并记入账本：{ref}",
        "The file is uploaded and recorded on the ledger: {ref}",
    ),
    "upload.kind": (
        "file：内容不是 PDF、PNG、JPEG、Word（.docx/.doc）、Excel（.xlsx/.xls）或 UTF-8 纯文本"
        "（按内容判断，不看文件名）",
        "file: the content is not PDF, PNG, JPEG, Word (.docx/.doc), Excel (.xlsx/.xls) or "
        "plain UTF-8 text (judged by the content, not the name)",
    ),
    "upload.macros": (
        "file：含宏的 Word 或 Excel 文件（.docm、.xlsm、VBA 工程或宏表）不予接收；"
        "请另存为不含宏的 .docx 或 .xlsx 后再上传",
        "file: Word or Excel files with macros (.docm, .xlsm, a VBA project or a macro sheet) "
        "are refused; save it as a .docx or .xlsx without macros and upload that",
    ),
    "upload.damaged": (
        "file：不是完整的 Word 或 Excel 文件（ZIP 结构或内容类型清单有误），可能已损坏",
        "file: not a whole Word or Excel file (its zip structure or content-type list is "
        "wrong); it may be damaged",
    ),
    "upload.unsupported": (
        "file：只接收 Word 文档和 Excel 工作簿，不接收演示文稿、模板或加密文件",
        "file: only Word documents and Excel workbooks are taken, not presentations, "
        "templates or encrypted files",
    ),
    "documents.intro_office": (
        "上传的文件按其 SHA-256 哈希存储，哈希记入账本，任何人都可证明文件未被改动。"
        "文件类型按内容判断（不看文件名），最大 10 MiB。",
        "Uploaded files are stored by their SHA-256, and the hash goes into the ledger, so "
        "anyone can prove a file is unchanged. The type is judged by the content, not the "
        "name; at most 10 MiB.",
    ),
    "documents.accepted": (
        "可上传：PDF、PNG、JPEG、Word（.docx、.doc）、Excel（.xlsx、.xls）、纯文本（.txt、.csv）；"
        "不接收含宏的文件。",
        "Accepted: PDF, PNG, JPEG, Word (.docx, .doc), Excel (.xlsx, .xls), plain text "
        "(.txt, .csv); files with macros are refused.",
    ),
}

# The body workspace's confirm step for actions that cannot be undone.
BODY_MESSAGES: dict[str, tuple[str, str]] = {
    "confirm.withdraw-certificate": (
        "我确认撤销此证书。撤销不可恢复，证书状态将立即公开为“撤销”。",
        "I confirm withdrawing this certificate. A withdrawal cannot be undone; the "
        "certificate shows as withdrawn at once.",
    ),
    "confirm.decide": (
        "我确认作出此认证决定。决定记入账本后不可更改。",
        "I confirm this certification decision. Once on the ledger it cannot be changed.",
    ),
    "confirm.required": (
        "confirm：此操作不可撤回，请勾选确认后再提交",
        "confirm: this action cannot be undone; tick the box to confirm, then submit",
    ),
}

# The workspace's landing list: each role by the name people use, and where it is held.
HOME_MESSAGES: dict[str, tuple[str, str]] = {
    "home.role.platform-admin": ("平台管理员", "Platform administrator"),
    "home.role.cb-admin": ("认证机构管理员", "Body administrator"),
    "home.role.application-reviewer": ("申请评审人员", "Application reviewer"),
    "home.role.planner": ("审核策划人员", "Audit planner"),
    "home.role.auditor": ("审核员", "Auditor"),
    "home.role.technical-reviewer": ("技术评审人员", "Technical reviewer"),
    "home.role.decision-maker": ("认证决定人员", "Decision maker"),
    "home.role.client-admin": ("组织管理员", "Organisation administrator"),
    "home.role.client-user": ("组织用户", "Organisation user"),
    "home.role.regulator": ("监管人员", "Regulator"),
    "home.role.reporter": ("数据报送人员", "Reporter"),
    "home.at.platform": ("全平台", "the whole platform"),
    "home.at.body": ("认证机构 {id}", "body {id}"),
    "home.at.client": ("组织 {id}", "organisation {id}"),
    "home.at.region": ("行政区划 {id}", "division {id}"),
    "home.hub": ("监管平台", "Supervision hub"),
}
