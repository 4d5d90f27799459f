"""The words of the body workspace's search, lists, exports and reports, in zh-CN and en.

``MESSAGES`` extends the body's catalogue (:mod:`qcert.web.body_text`) for the search page,
the certification list's filters and sorting, the dashboard's paged lists, the downloads, and
the CertSearch and national reporting downloads; ``PUBLIC`` holds the public search's words.
"""

from __future__ import annotations

__all__ = ["MESSAGES", "PUBLIC"]

# key -> (zh-CN, en)
MESSAGES: dict[str, tuple[str, str]] = {
    "search.nav": ("搜索", "Search"),
    "search.box": (
        "搜索组织名称、信用代码、证书编号或审核员",
        "Search organisation, credit code, certificate number or auditor",
    ),
    "search.go": ("搜索", "Search"),
    "search.title": ("{body} 内搜索", "Search {body}"),
    "search.results": ("“{q}”的搜索结果", "Results for “{q}”"),
    "search.hint": (
        "可输入组织名称的一部分、统一社会信用代码（或其开头部分）、证书编号或审核员姓名。",
        "Type part of an organisation's name, its unified social credit code (or how it "
        "starts), a certificate number or an auditor's name.",
    ),
    "search.group.organisations": ("组织", "Organisations"),
    "search.group.certifications": ("认证项目", "Certifications"),
    "search.group.certificates": ("证书", "Certificates"),
    "search.group.auditors": ("审核员", "Auditors"),
    "search.shown": ("显示 {shown} 项，共 {total} 项", "{shown} shown of {total}"),
    "search.more": ("在认证项目列表中查看全部", "See them all in the certification list"),
    "search.none": ("未找到。", "Nothing found."),
    "search.bad_q": (
        "q：搜索内容须为 1 至 {max} 个字符",
        "q: the search must be 1 to {max} characters",
    ),
    "search.bad_chars": ("q：不能包含控制字符", "q: must not hold control characters"),
    "list.scheme": ("认证方案", "Scheme"),
    "list.all_schemes": ("全部方案", "All schemes"),
    "list.status": ("证书状态", "Certificate status"),
    "list.all_statuses": ("全部状态", "All statuses"),
    "list.text": ("组织、信用代码或证书编号", "Organisation, credit code or certificate"),
    "list.size": ("每页条数", "Rows a page"),
    "list.sort_by": ("按此列排序", "Sort by this column"),
    "list.sorted_up": ("升序", "ascending"),
    "list.sorted_down": ("降序", "descending"),
    "list.page": ("第 {page} 页", "Page {page}"),
    "list.bad_scheme": ("scheme：本机构没有该认证方案的项目", "scheme: not a scheme of this body"),
    "list.bad_status": ("status：未知的证书状态", "status: not a certificate status"),
    "list.bad_sort": ("sort：不能按此列排序", "sort: not a column to sort by"),
    "list.bad_size": (
        "size：每页条数须为 1 至 {max} 的整数",
        "size: must be a whole number from 1 to {max}",
    ),
    "list.bad_text": (
        "text：筛选内容不能超过 {max} 个字符",
        "text: at most {max} characters",
    ),
    "list.bad_text_chars": ("text：不能包含控制字符", "text: must not hold control characters"),
    "col.organisation": ("组织", "Organisation"),
    "col.uscc": ("统一社会信用代码", "Credit code"),
    "col.next_due": ("下次审核截止", "Next audit due"),
    "col.expiry": ("证书有效期至", "Certificate valid until"),
    "col.registration": ("注册编号", "Registration no."),
    "col.name": ("名称", "Name"),
    "col.group": ("类别", "Kind"),
    "col.id": ("编号", "Id"),
    "dash.all": ("查看全部 {total} 项", "See all {total}"),
    "dash.list.title": ("{body}：{list}列表", "{body}: {list}"),
    "dash.bad_list": ("list：没有这个列表", "list: no such list"),
    "problem.back": ("返回", "Go back"),
    "export.label": ("下载", "Download"),
    "export.xlsx": ("Excel 表格（xlsx）", "Excel (xlsx)"),
    "export.csv": ("CSV 文件", "CSV"),
    "export.bad_format": ("format：须为 xlsx 或 csv", "format: must be xlsx or csv"),
    "export.too_many": (
        "export：超过 {max} 行，请缩小筛选范围后再下载",
        "export: more than {max} rows; narrow the filter and download again",
    ),
    "reports.nav": ("报送与导出", "Reports"),
    "reports.title": ("{body}：报送数据下载", "{body}: reporting downloads"),
    "reports.certsearch": ("IAF CertSearch 上传文件", "IAF CertSearch upload files"),
    "reports.certsearch_note": (
        "每个文件最多 1,000 张证书，共 {total} 张证书、{batches} 个文件。",
        "At most 1,000 certificates a file: {total} certificates in {batches} file(s).",
    ),
    "reports.batch": ("第 {batch} 个文件（xlsx）", "File {batch} (xlsx)"),
    "reports.national": ("国家认证监管报送数据（JSON）", "National reporting set (JSON)"),
    "reports.from": ("起始日期", "First day"),
    "reports.to": ("截止日期", "Last day"),
    "reports.download": ("下载", "Download"),
    "reports.who": (
        "仅本机构的机构管理员、认证决定人员和报送人员可下载。",
        "For the body's administrators, decision makers and reporters only.",
    ),
    "reports.bad_period": (
        "to：截止日期早于起始日期",
        "to: the last day comes before the first",
    ),
    "reports.bad_batch": ("batch：没有这个文件编号", "batch: no such file number"),
    "reports.bad_date": (
        "{field}：须为 YYYY-MM-DD 格式的日期",
        "{field}: must be a date as YYYY-MM-DD",
    ),
}

# The public search's words (its pages show both languages side by side): key -> (zh-CN, en)
PUBLIC: dict[str, tuple[str, str]] = {
    "found": (
        "共找到 {total} 张证书，第 {page}/{pages} 页",
        "{total} found, page {page} of {pages}",
    ),
    "prev": ("上一页", "Previous page"),
    "next": ("下一页", "Next page"),
    "download": ("下载结果", "Download the results"),
    "bad_page": ("须为 1 至 {max} 的整数", "must be a whole number from 1 to {max}"),
    "bad_format": ("须为 xlsx 或 csv", "must be xlsx or csv"),
    "bad_chars": ("不能包含控制字符", "must not hold control characters"),
    "too_many": (
        "超过 {max} 条结果，请缩小查询范围后再下载",
        "more than {max} results; narrow the search to download them",
    ),
    "col.number": ("证书编号", "Certificate number"),
    "col.verdict": ("查验结论", "Verdict"),
    "col.organisation": ("组织名称", "Organisation"),
    "col.organisation_en": ("组织英文名称", "Organisation (English)"),
    "col.scheme": ("认证方案", "Scheme"),
    "col.body": ("认证机构", "Certification body"),
    "col.expiry": ("有效期至", "Valid until"),
}
