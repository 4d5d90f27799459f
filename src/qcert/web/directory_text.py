"""The words of the body's organisation and auditor pages, in zh-CN and en.

``NAV`` holds the body navigation's links to them, which every page of the body's workspace
shows (``render.page`` adds them to each page's catalogue).
"""

from __future__ import annotations

__all__ = ["MESSAGES", "NAV"]

NAV: dict[str, tuple[str, str]] = {
    "directory.nav.clients": ("客户组织", "Organisations"),
    "directory.nav.auditors": ("审核员", "Auditors"),
}

# key -> (zh-CN, en)
MESSAGES: dict[str, tuple[str, str]] = {
    **NAV,
    # the list of organisations
    "clients.title": ("{body} 的客户组织", "Organisations of {body}"),
    "clients.intro": (
        "在本机构申请或获证的组织，以及同意本机构代为申请的组织。",
        "Organisations that applied to or are certified by this body, and those that "
        "consented to it filing their applications.",
    ),
    "clients.search": ("名称、统一社会信用代码或编号", "Name, credit code or id"),
    "clients.sort": ("排序", "Order"),
    "clients.sort.name": ("名称（升序）", "Name (A to Z)"),
    "clients.sort.-name": ("名称（降序）", "Name (Z to A)"),
    "clients.filter": ("查找", "Find"),
    "clients.count": (
        "共 {total} 个组织，第 {page}/{pages} 页",
        "{total} organisations, page {page} of {pages}",
    ),
    "clients.none": ("没有符合条件的组织。", "No organisation matches."),
    "col.name": ("名称", "Name"),
    "col.uscc": ("统一社会信用代码", "Unified social credit code"),
    "col.province": ("省份", "Province"),
    "col.held": ("认证项目", "Certifications"),
    "col.active": ("有效证书", "Active certificates"),
    # one organisation
    "client.facts": ("登记信息", "As registered"),
    "client.id": ("编号", "Id"),
    "client.name_en": ("英文名称", "English name"),
    "client.address": ("注册地址", "Registered address"),
    "client.adcode": ("行政区划", "Division"),
    "client.personnel": ("人数", "Personnel"),
    "client.confidential": ("保密", "Confidential"),
    "client.confidential.yes": (
        "是（公开查询只显示 IAF CertSearch 所示信息）",
        "Yes (public searches show only what IAF CertSearch shows)",
    ),
    "client.confidential.no": ("否", "No"),
    "client.consent": ("代为申请的同意", "Consent to file applications"),
    "client.consent.given": ("已同意（{by}）{note}", "Given (by {by}) {note}"),
    "client.consent.none": ("未同意", "None"),
    "client.contacts": ("联系人", "Contacts"),
    "client.contacts.none": (
        "平台未记录组织的联系人；组织的用户在其门户中管理。",
        "qcert records no contacts for an organisation; its users are managed in its portal.",
    ),
    "client.sites": ("场所", "Sites"),
    "client.central": ("总部/中心职能", "central function"),
    "client.certifications": ("在本机构的认证", "Certifications at this body"),
    "client.audits": ("审核", "Audits"),
    "client.findings": ("未关闭的发现", "Open findings"),
    "client.cases": ("投诉与申诉", "Complaints and appeals"),
    "client.documents": ("提交给本机构的文件", "Documents given to this body"),
    "client.streams": ("过程数据流", "Live process data"),
    "client.examination": ("质量体检报告", "Quality examination report"),
    "client.next_due": ("下次到期", "Next due"),
    "client.expiry": ("有效期至", "Valid until"),
    "client.none": ("无", "None"),
    "col.site": ("场所", "Site"),
    "col.address": ("地址", "Address"),
    "col.personnel": ("人数", "Personnel"),
    # the list of auditors
    "auditors.title": ("{body} 的审核员", "Auditors of {body}"),
    "auditors.search": ("编号、姓名或注册号", "Id, name or registration number"),
    "auditors.count": (
        "共 {total} 名审核员，第 {page}/{pages} 页",
        "{total} auditors, page {page} of {pages}",
    ),
    "auditors.none": ("没有符合条件的审核员。", "No auditor matches."),
    "col.registration_no": ("注册号", "Registration number"),
    "col.competence": ("能力（认证方案：IAF 行业代码）", "Competence (scheme: IAF sectors)"),
    # one auditor
    "auditor.title": ("审核员 {name}", "Auditor {name}"),
    "auditor.facts": ("注册信息", "As registered"),
    "auditor.registration": ("注册号", "Registration number"),
    "auditor.validity": ("注册有效期", "Registration valid until"),
    "auditor.validity.none": (
        "平台未记录（审核员注册事件只记录注册号）",
        "Not recorded (the auditor's registration records its number only)",
    ),
    "auditor.employer": ("聘用机构", "Employer"),
    "auditor.matrix": ("能力矩阵", "Competence matrix"),
    "auditor.matrix.intro": (
        "每个认证方案和 IAF 行业代码，以及首次记录该能力的事件（ISO/IEC 17021-1:2015 7.2）。",
        "Each scheme and IAF sector, with the event that first recorded the competence "
        "(ISO/IEC 17021-1:2015 7.2).",
    ),
    "auditor.matrix.none": ("尚未记录任何能力。", "No competence recorded yet."),
    "auditor.upcoming": ("待执行的审核", "Upcoming commitments"),
    "auditor.history": ("审核经历", "Audit history"),
    "auditor.history.newest": (
        "共 {total} 次审核，显示最近 {shown} 次。",
        "{total} audits; the newest {shown} are shown.",
    ),
    "col.sector": ("IAF 行业", "IAF sector"),
    "col.source": ("来源", "Source"),
    "col.recorded": ("记录于", "Recorded"),
    "col.by": ("记录人", "By"),
    "col.role": ("组内角色", "Role in the team"),
    "col.organisation": ("组织", "Organisation"),
    "source.entry": ("账本条目 #{index}", "ledger entry #{index}"),
    # errors: the field and the rule, in both languages
    "error.q": (
        "q（查找文字）：最多 100 个字符",
        "q (the text to find): at most 100 characters",
    ),
    "error.sort": ("sort（排序）：须为 name 或 -name", "sort (the order): must be name or -name"),
    "error.page": (
        "page（页码）：须为 1 至 1000000 的整数",
        "page (the page number): must be a whole number from 1 to 1000000",
    ),
}
