"""The words of a case's steps (ISO/IEC 17021-1:2015 9.7, 9.8): acknowledging receipt,
recording progress, who decided, and the clauses each form rests on; in zh-CN and en."""

from __future__ import annotations

__all__ = ["MESSAGES"]

# key -> (zh-CN, en)
MESSAGES: dict[str, tuple[str, str]] = {
    "cases.rules_note": (
        "申诉的处理人不得是实施审核或作出认证决定的人员（ISO/IEC 17021-1:2015 9.7.3）；"
        "投诉、申诉的结论须由未曾参与该事项的人员作出或审查批准（9.7.8、9.8.8）。"
        "系统会拒绝不独立的处理人。",
        "An appeal's handler must not be who audited or decided the certification "
        "(ISO/IEC 17021-1:2015 9.7.3), and a case's decision is made, or reviewed and approved, "
        "by people not involved in its subject (9.7.8, 9.8.8); a handler who was involved is "
        "refused.",
    ),
    "case.acknowledged": ("确认收到", "Receipt acknowledged"),
    "case.not_acknowledged": ("尚未确认收到", "Not acknowledged yet"),
    "case.decider": ("作出结论的人员", "Decided by"),
    "case.decider_unknown": (
        "（该结论记录于登记决定人员之前）",
        "(decided before deciders were recorded)",
    ),
    "case.col.detail": ("内容", "Details"),
    "case.acknowledge": ("确认收到", "Acknowledge receipt"),
    "case.acknowledge_note": (
        "向提出人确认已收到该投诉或申诉（ISO/IEC 17021-1:2015 9.7.7、9.8.7），记录所告知的内容；"
        "时间由服务器记录，只记录一次。",
        "Record that receipt was acknowledged to whoever raised the case (ISO/IEC "
        "17021-1:2015 9.7.7, 9.8.7) and what they were told; the server records the time, once.",
    ),
    "case.progress": ("记录处理进展", "Record progress"),
    "case.progress_note": (
        "记录收集和核实的信息，或向提出人通报的进展（ISO/IEC 17021-1:2015 9.7.6、9.7.7、"
        "9.8.6、9.8.7）；时间由服务器记录。结案后不能再记录。",
        "Record information gathered and verified, or a progress report given to whoever "
        "raised the case (ISO/IEC 17021-1:2015 9.7.6, 9.7.7, 9.8.6, 9.8.7); the server records "
        "the time. Nothing is recorded once the case is closed.",
    ),
    "case.decide_note": (
        "结案即向提出人正式告知处理结果和处理过程结束（ISO/IEC 17021-1:2015 9.7.9、9.8.9），"
        "不能重新打开。作出结论的是您本人：参与过所涉认证项目审核、技术评审或认证决定的人员会被拒绝"
        "（9.7.8、9.8.8）。",
        "Closing the case gives whoever raised it formal notice of the outcome and of the end "
        "of the process (ISO/IEC 17021-1:2015 9.7.9, 9.8.9); it cannot be reopened. You are "
        "recorded as the decider: someone who audited, reviewed or decided the certification "
        "concerned is refused (9.7.8, 9.8.8).",
    ),
    "case.field.note": ("说明", "Note"),
    "case.submit.acknowledge": ("确认收到", "Acknowledge"),
    "case.submit.progress": ("记录进展", "Record"),
    "case.event.case.acknowledged": ("确认收到", "receipt acknowledged"),
    "case.event.case.progress-recorded": ("处理进展", "progress recorded"),
    "case.done.acknowledge-case": ("已确认收到", "receipt acknowledged"),
    "case.done.record-case-progress": ("已记录进展", "progress recorded"),
}
