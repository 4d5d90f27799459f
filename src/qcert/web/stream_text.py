"""The live streams' and the examination's words on the workspace pages (key -> (zh-CN, en))."""

from __future__ import annotations

__all__ = ["MESSAGES"]

MESSAGES: dict[str, tuple[str, str]] = {
    "streams.title": ("实时数据流", "Live streams"),
    "streams.intro": (
        "组织的数据源（生产线、工位、传感器）上报的读数：每个变量的单值控制图（控制限由所示读数"
        "估计）及登记的规格限；读数按时间窗以默克尔根锚定在账本上，可下载任一读数的证明离线核验。",
        "Readings the organisation's data sources (lines, stations, sensors) report: an "
        "individuals control chart per variable (trial limits from the readings shown) with "
        "its registered specification limits. Readings are anchored on the ledger by window "
        "as a Merkle root; download a reading's proof to check it offline.",
    ),
    "streams.none": ("尚未登记数据源。", "No data source is registered yet."),
    "streams.device": ("数据源", "Data source"),
    "streams.kind": ("类型", "Kind"),
    "streams.kind.line": ("生产线", "line"),
    "streams.kind.station": ("工位", "station"),
    "streams.kind.sensor": ("传感器", "sensor"),
    "streams.retired": ("已停用", "retired"),
    "streams.latest": ("最新读数", "Latest reading"),
    "streams.no_readings": ("尚无读数。", "No readings yet."),
    "streams.seq": ("序号", "Seq"),
    "streams.time": ("时间（UTC）", "Time (UTC)"),
    "streams.variable": ("变量", "Variable"),
    "streams.value": ("数值", "Value"),
    "streams.unit": ("单位", "Unit"),
    "streams.lsl": ("规格下限", "LSL"),
    "streams.usl": ("规格上限", "USL"),
    "streams.cl": ("中心线", "CL"),
    "streams.lcl": ("控制下限", "LCL"),
    "streams.ucl": ("控制上限", "UCL"),
    "streams.uncharted": (
        "另有 {count} 个变量未在本页绘图（每页最多 {max} 幅图）。",
        "{count} more variables are not charted on this page (at most {max} charts a page).",
    ),
    "streams.points": ("图中读数", "Readings drawn"),
    "streams.anchored": ("最新锚定时间窗", "Newest anchored window"),
    "streams.not_anchored": ("尚无锚定的时间窗。", "No window anchored yet."),
    "streams.window": ("时间窗", "Window"),
    "streams.count": ("读数个数", "Readings"),
    "streams.root": ("默克尔根", "Merkle root"),
    "streams.entry": ("账本条目", "Ledger entry"),
    "streams.proof": ("下载第 {seq} 号读数的证明", "Download the proof of reading {seq}"),
    "streams.verify": (
        "离线核验：qcert evidence verify 证明文件.json",
        "Check it offline: qcert evidence verify PROOF.json",
    ),
    "streams.dead_letters": ("被拒消息", "Refused messages"),
    "streams.refresh": (
        "本页每 {seconds} 秒自动刷新数据。",
        "This page refreshes its data every {seconds} s.",
    ),
    "streams.examination": ("质量体检报告", "Quality examination report"),
    "streams.examination_pdf": ("PDF 版", "PDF"),
    "streams.clients": ("组织数据", "Organisations' data"),
    "examination.refused": ("无法完成请求", "The request cannot be met"),
    "streams.proof_pending": (
        "seq：该读数所在时间窗尚未锚定，或尚无覆盖其锚定事件的签名检查点；请稍后再试。",
        "seq: the reading's window is not anchored yet, or no signed checkpoint covers its "
        "anchor yet; try again shortly.",
    ),
}
