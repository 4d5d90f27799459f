"""A small certification world for the demo: one body with clients at every stage of the cycle."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from .lifecycle import commands as c
from .lifecycle.identifiers import uscc_check_char

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD", "build_world"]

DEMO_PASSWORD = "qcert-demo-2026"
DEMO_ACCOUNTS = {
    "demo-platform": ["platform-admin@platform"],
    "demo-admin": ["cb-admin@body:demo-cb"],
    "demo-reviewer": ["application-reviewer@body:demo-cb", "technical-reviewer@body:demo-cb"],
    "demo-lead": ["planner@body:demo-cb", "auditor@body:demo-cb"],
    "demo-auditor": ["auditor@body:demo-cb"],
    "demo-decider": ["decision-maker@body:demo-cb"],
    "demo-handler": ["cb-admin@body:demo-cb"],
    "demo-client": ["client-user@client:demo-client-05"],
}

_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CITIES = [
    ("110108", "北京市海淀区", 39.96, 116.30),
    ("310115", "上海市浦东新区", 31.22, 121.54),
    ("440305", "深圳市南山区", 22.53, 113.93),
    ("330106", "杭州市西湖区", 30.26, 120.13),
    ("510107", "成都市武侯区", 30.64, 104.04),
    ("420111", "武汉市洪山区", 30.50, 114.34),
    ("320505", "苏州市虎丘区", 31.30, 120.57),
    ("370212", "青岛市崂山区", 36.10, 120.47),
    ("610113", "西安市雁塔区", 34.21, 108.95),
    ("120116", "天津市滨海新区", 39.03, 117.71),
]
_NAMES = [
    "华东精密机械",
    "恒信电子科技",
    "瑞丰汽车零部件",
    "海川智能装备",
    "金石新材料",
    "蓝海仪器仪表",
    "同创光电",
    "宏远电气",
    "中科数控",
    "天工模具",
    "博达传感器",
    "锐思工业软件",
]
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


def _uscc(rng: random.Random, adcode: str) -> str:
    first = "91" + adcode + "".join(rng.choice(_CHARS) for _ in range(9))
    return first + uscc_check_char(first)


def build_world(bus: Callable[[Any], Any], today: date, seed: int = 7) -> dict[str, str]:
    """Register bodies, auditors and one client per stage; return ``stage -> certification``."""
    rng = random.Random(seed)
    for body, approval in (("demo-cb", "CNCA-R-2002-001"), ("demo-cb2", "CNCA-R-2003-017")):
        bus(
            c.RegisterBody(
                body,
                approval,
                "示例质量认证中心",
                "Example Quality Certification Centre",
                "CNAS C001-M",
            )
        )
        bus(c.GrantBodyScope(body, "iso9001", [14, 17, 18, 19, 29, 33], date(2015, 1, 1)))
    for person, name in (
        ("demo-lead", "王建国"),
        ("demo-auditor", "李敏"),
        ("demo-reviewer", "赵磊"),
        ("demo-decider", "陈静"),
        ("demo-handler", "刘洋"),
    ):
        bus(
            c.RegisterAuditor(
                person, f"2015-N1QMS-{rng.randint(1000000, 9999999)}", name, "demo-cb"
            )
        )
        bus(c.QualifyAuditor(person, "iso9001", [14, 17, 18, 19, 29, 33]))
    for account, roles in DEMO_ACCOUNTS.items():
        bus(c.OpenAccount(account, account, roles, DEMO_PASSWORD))
    ids = {}
    for i, stage in enumerate(STAGES):
        adcode, city, lat, lon = _CITIES[i % len(_CITIES)]
        client, cid = f"demo-client-{i + 1:02d}", f"demo-cert-{i + 1:02d}"
        name = _NAMES[i % len(_NAMES)]
        site = {
            "id": "main",
            "name": "主厂区",
            "address": f"{city}示例路{i + 1}号",
            "adcode": adcode,
            "lat": lat + rng.uniform(-0.05, 0.05),
            "lon": lon + rng.uniform(-0.05, 0.05),
            "central": True,
        }
        bus(
            c.RegisterClient(
                client,
                _uscc(rng, adcode),
                f"{name}有限公司",
                "",
                site["address"],
                adcode,
                rng.choice([12, 38, 55, 140, 320]),
                [site],
            )
        )
        _advance(bus, cid, client, stage, today, i)
        ids[stage] = cid
    return ids


def _advance(
    bus: Callable[[Any], Any], cid: str, client: str, stage: str, today: date, i: int
) -> None:
    bus(c.ApplyForCertification(cid, "demo-cb", client, "iso9001", [17], ["main"]))
    if stage == "applied":
        return
    bus(c.ReviewContract(cid, "demo-reviewer"))
    if stage == "contract-reviewed":
        return
    years_ago = {"expired": 4, "recertified": 3}.get(stage, 1)
    start = today - timedelta(days=365 * years_ago + 60)
    bus(c.PlanAudit(cid, "s1", "stage1", TEAM, "FS01", start, start, 1, ["main"]))
    bus(c.CompleteAudit(cid, "s1", 1, start))
    if stage == "stage1":
        return
    s2 = start + timedelta(days=21)
    bus(c.PlanAudit(cid, "s2", "stage2", TEAM, "FS03", s2, s2 + timedelta(days=2), 10, ["main"]))
    bus(
        c.RaiseFinding(
            cid,
            "nc1",
            "s2",
            "major" if stage == "stage2-open-major" else "minor",
            "8.5",
            "批次追溯记录不完整 / lot traceability incomplete",
            "demo-auditor",
        )
    )
    bus(c.CompleteAudit(cid, "s2", 10, s2 + timedelta(days=2)))
    if stage == "stage2-open-major":
        return
    bus(
        c.AnswerFinding(
            cid,
            "nc1",
            "补齐记录 / records completed",
            "标识规则缺失 / no labelling rule",
            "制定标识程序 / labelling procedure issued",
        )
    )
    bus(c.CloseFinding(cid, "nc1", "demo-lead", s2 + timedelta(days=20)))
    bus(c.TechnicalReview(cid, "demo-reviewer", "grant"))
    decided = s2 + timedelta(days=30)
    number = f"00126Q3{i + 1:04d}R0M"
    bus(
        c.Decide(
            cid,
            "demo-decider",
            "grant",
            decided,
            number,
            "精密机械零部件的设计和生产 / Design and production of precision parts",
        )
    )
    if stage == "certified":
        return
    sv = decided + timedelta(days=300)
    if sv <= today:
        bus(c.PlanAudit(cid, "sv1", "surveillance", TEAM, "FS01", sv, sv, 3.5, ["main"]))
        bus(c.CompleteAudit(cid, "sv1", 3.5, sv))
    if stage == "suspended":
        bus(
            c.SuspendCertificate(
                cid, "未按期接受监督审核 / surveillance overdue", today - timedelta(days=20)
            )
        )
    elif stage == "withdrawn":
        bus(c.SuspendCertificate(cid, "质量事故 / quality incident", today - timedelta(days=220)))
        bus(c.EnforceClocks([cid], today))
    elif stage == "expired":
        bus(c.EnforceClocks([cid], today))
    elif stage == "transferred":
        bus(
            c.AcceptTransfer(
                f"{cid}-cb2",
                "demo-cb2",
                cid,
                "cb2-reviewer",
                "cb2-decider",
                today - timedelta(days=5),
                f"00327Q2{i + 1:04d}R1M",
            )
        )
    elif stage == "appealed":
        bus(
            c.OpenCase(
                f"{cid}-appeal",
                "appeal",
                cid,
                "demo-handler",
                "客户对不符合判定提出申诉 / the client appeals a finding",
            )
        )
    elif stage == "recertified":
        for n, year in enumerate((1, 2)):
            day = decided + timedelta(days=330 * year)
            bus(
                c.PlanAudit(
                    cid, f"sv{n + 2}", "surveillance", TEAM, "FS02", day, day, 3.5, ["main"]
                )
            )
        rc = decided + timedelta(days=365 * 3 - 60)
        bus(c.PlanAudit(cid, "rc", "recertification", TEAM, "FS01", rc, rc, 7, ["main"]))
        bus(c.CompleteAudit(cid, "rc", 7, rc))
        bus(c.TechnicalReview(cid, "demo-reviewer", "renew"))
        bus(c.Decide(cid, "demo-decider", "renew", rc + timedelta(days=20)))
