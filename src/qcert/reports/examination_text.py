"""The examination report's words in zh-CN and en: headings, notes and reasons."""

from __future__ import annotations

__all__ = ["LABELS", "LANGS", "SKIPPED"]

LANGS = ("en", "zh-CN", "both")

# Every heading and label of the report, as (zh-CN, en).
LABELS: dict[str, tuple[str, str]] = {
    "title": ("质量体检报告", "Quality Physical Examination Report"),
    "organisation": ("受检组织", "Organisation"),
    "date": ("报告日期", "Report date"),
    "window": ("数据期间（UTC）", "Period (UTC)"),
    "sources": ("数据来源", "Data sources"),
    "sources_text": (
        "本报告仅依据平台存储的记录：组织实时数据流的读数（经接入校验、按时间窗锚定于账本）及设备"
        "登记的单位与规格限；认证记录（证书、审核、不符合项、暂停）；同一 IAF 专业代码、有数据流的"
        "其他组织（同行）在同一期间的过程能力。每个数据流在期间内的前一半读数为基线期。",
        "This report rests on the platform's stored records only: the readings of the "
        "organisation's live streams (checked at intake, anchored on the ledger by window) with "
        "the units and specification limits of its device registry; its certification records "
        "(certificates, audits, findings, suspensions); and the capability of other organisations "
        "of the same IAF sector with streams (its peers) over the same period. The first half of "
        "each stream's readings in the period is its baseline.",
    ),
    "streams": ("数据流", "Streams"),
    "device": ("数据源", "Data source"),
    "readings": ("读数", "Readings"),
    "baseline": ("基线期读数", "Baseline readings"),
    "anchored": ("已锚定于账本", "Anchored on the ledger"),
    "first": ("首个读数", "First reading"),
    "last": ("末个读数", "Last reading"),
    "no_streams": (
        "该组织在所选期间没有数据流读数：本报告不对过程能力、报警与趋势下任何结论。",
        "The organisation has no stream readings in this period: this report draws no "
        "conclusion on capability, alarms or trend.",
    ),
    "history": ("认证记录", "Certification record"),
    "no_history": ("无可查阅的认证记录。", "No certification record on file that you may read."),
    "certifications": ("认证项目", "Certifications"),
    "certificate": ("证书", "Certificate"),
    "status": ("状态", "Status"),
    "audits": ("审核次数", "Audits"),
    "findings": ("审核发现（按等级）", "Findings (by grade)"),
    "open_findings": ("未关闭发现", "Open findings"),
    "open_major": ("未关闭严重不符合项", "Open major nonconformities"),
    "suspensions": ("证书暂停次数", "Certificate suspensions"),
    "sectors": ("IAF 专业代码", "IAF sectors"),
    "peers_count": ("同行组织数", "Peer organisations"),
    "no_peers": ("无同行数据，不给出百分位。", "No peer data: no percentiles."),
    "not_examined": ("未检查", "Not examined"),
    "summary": ("结论摘要", "Summary"),
    "capability": ("关键特性过程能力", "Capability of key characteristics"),
    "characteristic": ("特性", "Characteristic"),
    "ci": ("95% 置信区间", "95% CI"),
    "normal": ("正态性", "Normality"),
    "yes": ("正态", "normal"),
    "no": ("非正态", "not normal"),
    "signals": ("基线后控制图信号", "Chart signals after baseline"),
    "peers": ("同行百分位", "Peer percentile"),
    "charts": ("单值控制图", "Individuals charts"),
    "alarms": ("多变量报警与可能原因", "Process alarms and likely causes"),
    "no_alarm": ("基线期后无持续报警", "No persistent alarm after the baseline"),
    "alarm_at": ("首次持续报警读数", "First persistent alarm at reading"),
    "alarm_time": ("报警时间", "Alarm time"),
    "onset": ("偏离起始（变点）", "Deviation began (change point)"),
    "statistic": ("统计量", "Statistic"),
    "contributors": ("主要贡献变量（重构贡献）", "Top contributing variables (RBC)"),
    "alarm_rate": ("基线后报警率（每千读数）", "Alarm rate after baseline (per 1000)"),
    "trend": ("趋势", "Trend"),
    "risk": ("抽检不合格风险", "Risk of failing a sampling inspection"),
    "risk_note": (
        "不给出风险概率：平台尚无真实抽检结果可用于建立风险模型。",
        "No risk figure: there are no real inspection outcomes to fit a risk model on.",
    ),
    "recommendations": ("改进建议", "Recommended improvements"),
    "priority": ("优先级", "Priority"),
    "finding": ("依据的发现", "Finding"),
    "source": ("依据", "Source"),
    "none": ("无", "none"),
    "shaded": ("阴影：基线期之后", "Shaded: after the baseline"),
}

# Why a stream was not examined, as (zh-CN, en).
SKIPPED: dict[str, tuple[str, str]] = {
    "few_readings": (
        "完整读数不足 40 个（20 个基线、20 个监视），不作检查。",
        "Fewer than 40 complete readings (20 for the baseline, 20 to watch): not examined.",
    ),
    "no_limits": (
        "没有登记规格限的变量，无法计算过程能力。",
        "No variable has specification limits registered: capability cannot be computed.",
    ),
    "one_variable": (
        "只有一个变量，多变量监控至少需要两个。",
        "A single variable: the multivariate monitor needs two or more.",
    ),
    "unexaminable": (
        "数据无法检查（例如基线期内某变量没有波动）。",
        "The readings cannot be examined (e.g. a variable does not vary in the baseline).",
    ),
}
