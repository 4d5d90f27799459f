"""The demo world's fixed names: accounts, and one named certification per stage of the cycle.

The world itself (bodies, people, a few hundred generated clients) is built by
:mod:`qcert.worldgen`; the twelve certifications ``demo-cert-01`` … ``demo-cert-12`` at the stages
in :data:`STAGES` are always part of it, so documentation can point at them.
"""

from __future__ import annotations

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD", "NAMED", "STAGES", "TEAM"]

DEMO_PASSWORD = "qcert-demo-2026"
DEMO_ACCOUNTS = {
    "demo-platform": ["platform-admin@platform"],
    "demo-admin": ["cb-admin@body:demo-cb"],
    "demo-reviewer": ["application-reviewer@body:demo-cb", "technical-reviewer@body:demo-cb"],
    "demo-lead": ["planner@body:demo-cb", "auditor@body:demo-cb"],
    "demo-auditor": ["auditor@body:demo-cb"],
    "demo-decider": ["decision-maker@body:demo-cb"],
    "demo-handler": ["cb-admin@body:demo-cb"],
    "demo-client": ["client-admin@client:demo-client-05"],
    "demo-client10": ["client-admin@client:demo-client-10"],
    "demo-cb2-admin": ["cb-admin@body:demo-cb2"],
    "demo-cb3-admin": ["cb-admin@body:demo-cb3"],
    "demo-cb4-admin": ["cb-admin@body:demo-cb4"],
    # the supervision hub's regulators: the nation, Beijing, and Zhejiang
    "demo-regulator": ["regulator@region:100000"],
    "demo-regulator-bj": ["regulator@region:110000"],
    "demo-regulator-zj": ["regulator@region:330000"],
}
TEAM = [{"auditor": "demo-lead", "role": "lead"}, {"auditor": "demo-auditor", "role": "auditor"}]
STAGES = [
    "applied",
    "contract-reviewed",
    "stage1",
    "stage2-open-major",
    "certified",
    "surveilled",
    "suspended",
    "withdrawn",
    "expired",
    "transferred",
    "appealed",
    "recertified",
]
# The named clients: trade name (zh, en) and the GB/T 2260 code of their city.
NAMED = [
    ("华东精密机械", "East China Precision Machinery", "110100"),
    ("恒信电子科技", "Hengxin Electronic Technology", "310100"),
    ("瑞丰汽车零部件", "Ruifeng Auto Parts", "440300"),
    ("海川智能装备", "Haichuan Intelligent Equipment", "330100"),
    ("金石新材料", "Jinshi New Materials", "510100"),
    ("蓝海仪器仪表", "Lanhai Instruments", "420100"),
    ("同创光电", "Tongchuang Optoelectronics", "320500"),
    ("宏远电气", "Hongyuan Electric", "370200"),
    ("中科数控", "Zhongke CNC", "610100"),
    ("天工模具", "Tiangong Moulds", "120100"),
    ("博达传感器", "Boda Sensors", "110100"),
    ("锐思工业软件", "Ruisi Industrial Software", "310100"),
]
