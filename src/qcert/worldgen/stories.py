"""One certification's lifecycle, written as dated commands that keep the lifecycle's rules.

A story walks a certification from its application towards a target stage: contract review with
its audit time (IAF MD 5, or per site under IAF MD 1 7.3), the initial stages its scheme declares
(stage 1 and stage 2 of a management system; the type test and initial factory inspection of a
product) with findings and corrective actions, the decision, surveillance in every calendar year
with the first within 12 months of the decision (ISO/IEC 17021-1:2015 9.1.3.2, 9.6.2.2) and, for
a product, its sampling test, recertification before expiry (9.6.3.2), and what may happen in
between: suspension, restoration, withdrawal, expiry, scope changes, transfer (IAF MD 2),
complaints and appeals. Multi-site audits visit the IAF MD 1 sample with its randomly drawn
sites; audits spend their planned days, on site as the scheme asks. Every step is dated; none is
dated after ``today``.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .. import schemes
from ..lifecycle import commands as c
from ..lifecycle.aggregate import add_months
from ..lifecycle.numbering import SCHEME_CODES
from .clients import ClientPlan
from .names import (
    ACTIONS,
    APPEALS,
    COMPLAINTS,
    EXTENSIONS,
    FINDINGS,
    OPPORTUNITIES,
    RESOLUTIONS,
    SUSPENSIONS,
    WITHDRAWALS,
    both,
)
from .parties import BodyPlan
from .schedule import Schedule

__all__ = ["Context", "Fixed", "Story", "StoryEnd"]

_SITE_COLUMN = {"initial": 0, "surveillance": 1, "recertification": 2}
_ID_PREFIX = {"surveillance": "sv", "recertification": "rc", "special": "sp"}
_LABORATORIES = (
    ("国家电器产品质量检验检测中心", "National Electrical Products Testing Centre"),
    ("广州检验检测认证集团实验室", "Guangzhou Testing and Certification Group laboratory"),
    ("上海市质量监督检验技术研究院", "Shanghai Institute of Quality Inspection"),
)
# A surveillance audit is held 300-345 days after the decision, then about yearly.
_FIRST_SURVEILLANCE = (300, 345)
_NEXT_SURVEILLANCE = (330, 375)
# No surveillance in the last 120 days of a cycle: that is the recertification's time.
_RECERT_WINDOW = 120
_UPCOMING = 45  # audits starting this many days ahead are already planned


class StoryEnd(Exception):
    """The story's next required step would fall after today."""


@dataclass
class Context:
    """What every story of a world shares: the schedule, today, the bodies, case numbers."""

    schedule: Schedule
    today: date
    bodies: dict[str, BodyPlan]
    cases: int = 0


@dataclass(frozen=True)
class Fixed:
    """People and numbers fixed in advance (the named demo certifications)."""

    team: list[dict[str, str]]
    reviewer: str
    decider: str
    handler: str
    number: str
    transfer_to: str


@dataclass
class AuditDone:
    id: str
    kind: str
    start: date
    end: date
    lead: str
    findings: list[tuple[str, str]] = field(default_factory=list)  # (finding id, grade)


class Story:
    """A certification's steps, written in date order into the world's schedule."""

    def __init__(
        self,
        ctx: Context,
        cid: str,
        body: BodyPlan,
        client: ClientPlan,
        scheme_id: str,
        rng: random.Random,
        fixed: Fixed | None = None,
    ) -> None:
        self.ctx, self.id, self.body, self.client, self.rng, self.fixed = (
            ctx,
            cid,
            body,
            client,
            rng,
            fixed,
        )
        self.scheme = schemes.get(scheme_id)
        self.key = scheme_id  # as the bodies' scopes and qualifications name it
        self.short = self.scheme.id.split(":")[3]
        self.sector = client.industry.sector
        self.sites = [s["id"] for s in client.sites]
        self.complexity = self._complexity()
        self.day = date.min
        self.cycle = 0
        self.planned: Counter[tuple[int, str]] = Counter()
        self.sv_starts: list[date] = []  # surveillance starts of the current cycle
        self.findings = 0
        self.decided: date | None = None
        self.expiry: date | None = None
        self.deadline: date | None = None
        self.number = ""
        self.reached = "none"
        self.scenario = ""
        self.surveil = True
        self.initial_days = self.surveillance_days = self.recert_days = 0.0
        self.site_days: dict[str, list[float]] | None = None
        self.sample: dict[str, int] | None = None
        self.stage1_days: dict[int, float] = {}  # the initial stages before the closing one
        self.tests = 0
        initial = self.scheme.stages_in("initial")
        self.initial_stages = [st.id for st in initial]
        self.closing = [st.id for st in initial if st.activity == "audit"][-1]

    # .. steps ...............................................................

    def step(self, day: date, command: Any) -> date:
        """Add ``command`` on ``day`` (or the story's latest day); StoryEnd if after today."""
        day = max(day, self.day)
        if day > self.ctx.today:
            raise StoryEnd(self.id)
        self.ctx.schedule.add(day, command)
        self.day = day
        return day

    def at(self, day: date) -> date:
        """``day``, or the story's latest day when that is later."""
        return max(day, self.day)

    def maybe(self, day: date, command: Any) -> date | None:
        """Add ``command`` unless it would fall after today (an optional step)."""
        try:
            return self.step(day, command)
        except StoryEnd:
            return None

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    # .. application, contract review .......................................

    def _complexity(self) -> str | None:
        rule = self.scheme.audit_time
        if rule.method != "iaf-md5":
            return None
        columns = schemes.md5_table(rule.table or "").columns
        if columns == ("all",):
            return None
        wanted = self.client.industry.env if rule.table == "ems" else self.client.industry.ohs
        return wanted if wanted in columns else columns[-1]

    def apply(self, day: date) -> None:
        self.step(
            day,
            c.ApplyForCertification(
                self.id,
                self.body.id,
                self.client.id,
                self.scheme.id,
                [self.sector],
                self.sites,
                self.complexity,
            ),
        )
        self.reached = "applied"

    def review(self, day: date) -> None:
        """Contract review; works out the audit days the lifecycle will hold audits to."""
        fixed = self.scheme.audit_time.method == "fixed"
        cut = 0.0 if fixed else self.rng.choices((0.0, 10.0, 20.0), weights=(60, 25, 15))[0]
        t = schemes.scheme_audit_time(self.scheme, self.client.personnel, self.complexity, cut)
        self.initial_days, self.surveillance_days = t.initial_days, t.surveillance_days
        self.recert_days = t.recertification_days
        staffed = [s.get("personnel") for s in self.client.sites]
        if len(self.sites) > 1:
            sizes = schemes.sample_sizes(len(self.sites) - 1)
            self.sample = {
                "initial": sizes.initial,
                "surveillance": sizes.surveillance,
                "recertification": sizes.recertification,
            }
            if not fixed and all(staffed):
                self.site_days = {}
                for s in self.client.sites:
                    st = schemes.scheme_audit_time(
                        self.scheme, s["personnel"], self.complexity, per_site=True
                    )
                    days = [st.initial_days, st.surveillance_days, st.recertification_days]
                    self.site_days[s["id"]] = days
        reviewer = self.fixed.reviewer if self.fixed else self.body.reviewers[0]
        self.step(day, c.ReviewContract(self.id, reviewer, reduction_pct=cut))
        self.reached = "contract-reviewed"

    # .. audits ..............................................................

    def _phase(self, kind: str) -> str:
        return self.scheme.stage(kind).phase

    def _preliminary(self, kind: str) -> bool:
        """An initial stage held before the closing one (stage 1)."""
        return self._phase(kind) == "initial" and kind != self.closing

    def _stage_of(self, phase: str) -> str:
        """The scheme's first audit stage of ``phase``."""
        return self.scheme.stages_in(phase, "audit")[0].id

    def _audit_sites(self, kind: str) -> list[str]:
        central = self.client.central
        phase = self._phase(kind)
        if phase == "special" or self._preliminary(kind):
            return [central]
        if len(self.sites) == 1:
            return list(self.sites)
        assert self.sample is not None
        size = self.sample[phase]  # the contract review keys its samples by phase
        others = [s for s in self.sites if s != central]
        nth = self.planned[(self.cycle, kind)]
        # IAF MD 1 6.1: the lifecycle draws part of the sample at random from facts no planner
        # chooses; the rest is the planner's choice.
        drawn = schemes.random_sites(others, size, self.id, self.cycle, kind, nth)
        rest = [s for s in others if s not in drawn]
        chosen = drawn + self.rng.sample(rest, k=max(0, size - len(drawn)))
        return [central, *sorted(chosen)]

    def _planned_days(self, kind: str, sites: list[str]) -> float:
        """The audit days the contract review requires of this audit, sometimes half a day more.

        A fixed-time scheme gives each stage its own days. Otherwise the initial stages together
        meet the initial time; a multi-site audit meets the sum of its sites' own times (IAF MD
        1:2018 7.3), other audits the cycle's time (IAF MD 5 3.9).
        """
        phase, rule = self._phase(kind), self.scheme.audit_time
        before = self.stage1_days.get(self.cycle, 0.0) if kind == self.closing else 0.0
        if phase == "special":
            return 1.0
        if rule.method == "fixed" and phase != "recertification":
            minimum = rule.days.get(kind, 0.5)
        elif self._preliminary(kind):
            return max(0.5, schemes.round_half_day(self.initial_days * 0.3))
        elif self.site_days:
            minimum = sum(self.site_days[s][_SITE_COLUMN[phase]] for s in sites) - before
        else:
            minimum = {
                "initial": self.initial_days - before,
                "surveillance": self.surveillance_days,
                "recertification": self.recert_days,
            }[phase]
        extra = 0.5 if self.rng.random() < 0.15 else 0.0
        return max(0.5, minimum) + extra

    def _team(self, days: float, start: date) -> tuple[list[dict[str, str]], date] | None:
        """The team for an audit of ``days`` from ``start`` and its last day, of people free
        on those days; None when too few are."""
        if self.fixed:
            # A named story's own team, on days each of them is free: a day they are booked
            # elsewhere moves the audit on (the platform refuses double booking).
            team = [dict(m) for m in self.fixed.team]
            end = self._last_day(start, days, team)
            if not all(self.body.free(m["auditor"], start, end, self.id) for m in team):
                return None
            return team, end
        pool = self.body.auditors_for(self.key, self.sector)
        size = 1 if days <= 1.5 else 2 if days <= 6 else 3
        size = min(size, len(pool))
        end = start + timedelta(days=max(0, math.ceil(days / max(size, 1)) - 1))
        pool = [p for p in pool if self.body.free(p, start, end, self.id)]
        if size == 0 or len(pool) < size:
            return None
        people = self.rng.sample(pool, k=size)
        lead_free = self.body.free("demo-lead", start, end, self.id)
        if (
            self.body.id == "demo-cb"
            and self.short == "iso9001"
            and self.rng.random() < 0.3
            and lead_free
        ):
            # Let the demo's own lead auditor see real work in the workspace.
            people = ["demo-lead", *[p for p in people if p != "demo-lead"]][:size]
        team = [{"auditor": people[0], "role": "lead"}]
        team += [{"auditor": p, "role": "auditor"} for p in people[1:]]
        others = [
            p
            for p in self.body.qualified
            if p not in people and self.body.free(p, start, end, self.id)
        ]
        if days > 3 and others and self.rng.random() < 0.15:
            team.append({"auditor": self.rng.choice(others), "role": "trainee"})
        return team, end

    @staticmethod
    def _last_day(start: date, days: float, team: list[dict[str, str]]) -> date:
        auditors = [m for m in team if m["role"] in ("lead", "auditor")]
        return start + timedelta(days=max(0, math.ceil(days / len(auditors)) - 1))

    def _staffed(
        self, days: float, start: date, latest: date | None
    ) -> tuple[list[dict[str, str]], date, date]:
        """(team, first day, last day): the first working day from ``start`` (a fortnight at
        most, never past ``latest``) on which enough of the body's people are free."""
        for _ in range(14):
            found = self._team(days, start)
            if found is not None:
                return found[0], start, found[1]
            start += timedelta(days=3 if start.weekday() == 4 else 1)
            if latest and start > latest:
                break
        raise StoryEnd(self.id)

    def _audit_id(self, kind: str) -> str:
        """s1, s2 for the initial stages; sv1, sv2 … of the first cycle; sv1-c2 … of the next (ids
        are unique)."""
        if self._phase(kind) == "initial":
            return f"s{self.initial_stages.index(kind) + 1}"
        n = self.planned[(self.cycle, kind)] + 1
        prefix = _ID_PREFIX[self._phase(kind)]
        return f"{prefix}{n}" if self.cycle <= 1 else f"{prefix}{n}-c{self.cycle}"

    def _method(self, kind: str) -> str:
        """On site, except a stage held off site now and then remote (FS02) and a surveillance
        now and then partly remote (FS03)."""
        stage = self.scheme.stage(kind)
        if not stage.on_site and self.rng.random() < 0.4:
            return "FS02"
        if stage.phase == "surveillance" and self.rng.random() < 0.15:
            return "FS03"
        return "FS01"

    def _on_site_days(self, method: str, days: float) -> float | None:
        """A combined audit's days on site: the scheme's share, to the half day above."""
        if method != "FS03":
            return None
        return min(days, math.ceil(days * self.scheme.audit_time.on_site_share * 2) / 2)

    def audit(
        self,
        kind: str,
        start: date,
        grades: list[str] | None = None,
        complete: bool = True,
        latest: date | None = None,
    ) -> AuditDone | None:
        """Plan, hold and complete an audit from ``start``; None when only planned."""
        start = max(start, self.day + timedelta(days=3))
        if start.weekday() >= 5:
            start += timedelta(days=7 - start.weekday())
        if latest and start > latest:
            start = latest
            if start < self.day:
                raise StoryEnd(self.id)
        sites = self._audit_sites(kind)
        days = self._planned_days(kind, sites)
        team, start, end = self._staffed(days, start, latest)
        auditors = [m["auditor"] for m in team if m["role"] in ("lead", "auditor")]
        method = self._method(kind)
        aid = self._audit_id(kind)
        plan_day = max(self.day, start - self.days(7, 25))
        if plan_day > self.ctx.today:
            raise StoryEnd(self.id)
        self.step(plan_day, c.PlanAudit(self.id, aid, kind, team, method, start, end, days, sites))
        self.body.book([m["auditor"] for m in team], start, end, self.id)
        self.planned[(self.cycle, kind)] += 1
        if self._preliminary(kind):
            self.stage1_days[self.cycle] = self.stage1_days.get(self.cycle, 0.0) + days
        if self._phase(kind) == "surveillance":
            self.sv_starts.append(start)
        if not complete or end > self.ctx.today:
            return None
        done = AuditDone(aid, kind, start, end, team[0]["auditor"])
        self._check_in(aid, method, sites[0], [m["auditor"] for m in team], (start, end))
        span = (end - start).days
        for grade in grades or []:
            day = start + timedelta(days=self.rng.randint(0, span))
            done.findings.append((self._raise(day, aid, grade, self.rng.choice(auditors)), grade))
        on_site = self._on_site_days(method, days)
        self.step(end, c.CompleteAudit(self.id, aid, days, end, on_site))
        return done

    def _check_in(
        self, aid: str, method: str, site_id: str, auditors: list[str], days: tuple[date, date]
    ) -> None:
        """Each member of the team checks in on site on the first day and out on the last, a
        few hundred metres from the site (国认监〔2021〕3号); remote audits (FS02) have none."""
        if method == "FS02":
            return
        site = next(s for s in self.client.sites if s["id"] == site_id)
        # A stream of its own, so the rest of the story draws what it drew before.
        jitter = random.Random(f"{self.id}/{aid}").uniform(-0.002, 0.002)
        lat, lon = site["lat"] + jitter, site["lon"]
        for person in auditors:
            self.step(days[0], c.CheckIn(self.id, aid, person, round(lat, 6), lon))
        for person in auditors:
            self.step(days[1], c.CheckIn(self.id, aid, person, round(lat, 6), lon, True))

    def test(self, stage: str, day: date, result: str = "pass") -> date:
        """A laboratory's report on the samples a test stage asks for, dated ``day``."""
        self.tests += 1
        zh, en = self.rng.choice(_LABORATORIES)
        report = f"{day.year}-{self.rng.randint(10000, 99999)}"
        note = both("样品 3 台，按认证实施规则全部项目检测", "3 samples, every item of the scheme")
        test = c.RecordTest(
            self.id, f"t{self.tests}", stage, both(zh, en), report, result, day, note
        )
        return self.step(day, test)

    def _raise(self, day: date, audit_id: str, grade: str, auditor: str) -> str:
        self.findings += 1
        fid = f"f{self.findings:03d}"
        clauses = [x.id for x in self.scheme.all_clauses() if "." in x.id]
        if grade == "improvement":
            text = both(*self.rng.choice(OPPORTUNITIES))
        else:
            zh, en = self.rng.choice(FINDINGS)
            values = {"n": self.rng.randint(8, 30), "k": self.rng.randint(1, 4)}
            values["d"] = self.rng.randint(3, 90)
            text = both(zh.format(**values), en.format(**values))
        clause = self.rng.choice(clauses)
        self.step(day, c.RaiseFinding(self.id, fid, audit_id, grade, clause, text, auditor))
        return fid

    def grades(self, major: float = 0.1, kind: str = "") -> list[str]:
        """Findings of one audit: nonconformities, observations, opportunities (observations
        only at an initial stage before the closing one)."""
        rng = self.rng
        if kind and self._preliminary(kind):
            return ["observation"] * rng.choices((0, 1, 2), weights=(50, 35, 15))[0]
        minors = rng.choices((0, 1, 2, 3, 4), weights=(25, 30, 25, 12, 8))[0]
        out = ["major"] * int(rng.random() < major) + ["minor"] * minors
        out += ["observation"] * rng.choices((0, 1, 2), weights=(55, 35, 10))[0]
        return out + ["improvement"] * int(rng.random() < 0.2)

    def resolve(self, audit: AuditDone | None, close_majors: bool = True) -> None:
        """Observations closed or left open; nonconformities answered by the client together,
        then verified and closed by the lead (a major of stage 2 only if ``close_majors``)."""
        if audit is None:
            return
        for fid, grade in audit.findings:
            if grade not in ("major", "minor") and self.rng.random() < 0.6:
                on = self.at(audit.end + self.days(0, 10))
                self.maybe(on, c.CloseFinding(self.id, fid, audit.lead, on))
        ncs = [(fid, grade) for fid, grade in audit.findings if grade in ("major", "minor")]
        answered = self.at(audit.end + self.days(5, 20))
        for fid, _ in ncs:
            actions = (both(*p) for p in self.rng.choice(ACTIONS))
            answer = c.AnswerFinding(self.id, fid, *actions)
            if self.maybe(answered + self.days(0, 2), answer) is None:
                return
        verified = self.at(self.day + self.days(3, 14))
        for fid, grade in ncs:
            if grade == "major" and not close_majors:
                continue
            on = self.at(verified + self.days(0, 3))
            self.maybe(on, c.CloseFinding(self.id, fid, audit.lead, on))

    # .. decisions ...........................................................

    def _reviewer(self) -> str:
        return self.fixed.reviewer if self.fixed else self.rng.choice(self.body.reviewers)

    def _decider(self) -> str:
        return self.fixed.decider if self.fixed else self.rng.choice(self.body.deciders)

    def grant(self, day: date) -> None:
        self.step(day, c.TechnicalReview(self.id, self._reviewer(), "grant"))
        on = self.day + self.days(1, 6)
        if on > self.ctx.today:
            raise StoryEnd(self.id)
        if self.fixed:
            self.number = self.fixed.number
        else:
            code = SCHEME_CODES[self.short]
            self.number = self.body.next_number(on.year, code, self.client.size_code)
        site_scopes = None
        if len(self.sites) > 1 and self.rng.random() < 0.5:
            site_scopes = {
                s: both("本场所仅从事生产活动", "production activities only at this site")
                for s in self.sites
                if s != self.client.central
            }
        scope = self.client.industry.scope
        decide = c.Decide(self.id, self._decider(), "grant", on, self.number, scope, site_scopes)
        self.step(on, decide)
        self.decided, self.cycle, self.reached = on, self.cycle + 1, "certified"
        self.expiry = add_months(on, 12 * self.scheme.validity_years) - timedelta(days=1)
        self.sv_starts = []

    def refuse(self, day: date) -> None:
        self.step(day, c.TechnicalReview(self.id, self._reviewer(), "refuse"))
        on = self.day + self.days(1, 5)
        self.step(on, c.Decide(self.id, self._decider(), "refuse", on))
        self.reached = "refused"

    def initial(self, d0: date, stop: str = "", major: float = 0.12) -> None:
        """Application to decision, or to ``stop`` (a stage) on the way."""
        self.apply(d0)
        if stop == "applied":
            return
        self.review(d0 + self.days(2, 8))
        if stop == "contract-reviewed":
            return
        # The initial stages the scheme declares, in order; the closing audit (stage 2, the
        # initial factory inspection) is the one whose nonconformities hold the decision up.
        start = self.day + self.days(14, 30)
        for n, kind in enumerate(self.initial_stages):
            if kind == self.closing:
                continue
            if self.scheme.stage(kind).activity == "test":
                end = self.test(kind, start + self.days(10, 30))
            else:
                s1 = self.audit(kind, start, self.grades(kind=kind))
                if s1 is None:
                    raise StoryEnd(self.id)
                self.resolve(s1)
                end = s1.end
            self.reached = "stage1"
            start = end + self.days(20, 45)
            if stop == "stage1" and n == 0:
                nxt = self.initial_stages[1]
                audit = self.scheme.stage(nxt).activity == "audit"
                if audit and start - timedelta(days=7) <= self.ctx.today:
                    self.audit(nxt, start, complete=False)
                return
        s2_start = start
        if stop == "stage1":
            return
        forced = stop in ("stage2-open-major", "refused", "appealed")
        s2 = self.audit(self.closing, s2_start, self.grades(1.0 if forced else major, self.closing))
        if s2 is None:
            raise StoryEnd(self.id)
        self.reached = "stage2"
        if stop == "stage2-open-major":
            self.resolve(s2, close_majors=False)
            self.reached = "stage2-open-major"
            return
        if stop == "refused":
            self.resolve(s2, close_majors=False)
            # ISO/IEC 17021-1 9.5.3.2: a major not closed within six months of stage 2 ends it.
            self.refuse(add_months(s2.end, 6) + self.days(5, 30))
            if self.rng.random() < 0.5:
                self.case(self.day + self.days(5, 15), "appeal", resolve=True, summary=APPEALS[1])
            return
        if stop == "appealed":
            # The named demo appeal stays open, for the body's administrator to decide it.
            held = self.fixed is not None
            self.case(s2.end + self.days(3, 10), "appeal", True, APPEALS[0], keep_open=held)
        self.resolve(s2)
        self.grant(self.day + self.days(2, 8))

    # .. the certified cycle ..................................................

    def _next_surveillance(self) -> tuple[date, date] | None:
        """(intended start, latest allowed start) of the next surveillance; None when the cycle
        has none left (ISO/IEC 17021-1:2015 9.1.3.2, 9.6.2.2)."""
        assert self.decided is not None and self.expiry is not None
        if not self.sv_starts:
            latest = add_months(self.decided, 12)
            start = self.decided + self.days(*_FIRST_SURVEILLANCE)
        else:
            prev = self.sv_starts[-1]
            latest = date(prev.year + 1, 12, 20)
            start = prev + self.days(*_NEXT_SURVEILLANCE)
        start = min(start, latest)
        if start >= self.expiry - timedelta(days=_RECERT_WINDOW):
            return None
        return start, latest

    def surveillance(self, start: date, latest: date) -> None:
        """A surveillance audit and, where the scheme samples products in surveillance, the test
        of the samples taken at it."""
        kind = self._stage_of("surveillance")
        audit = self.audit(kind, start, self.grades(0.04, kind), latest=latest)
        if audit is not None:
            for stage in self.scheme.stages_in("surveillance", "test"):
                day = audit.end + self.days(10, 30)
                if day <= self.ctx.today:
                    self.test(stage.id, day)
        self.resolve(audit)
        if self.reached == "certified":
            self.reached = "surveilled"

    def run(self, events: list[tuple[date, Callable[[date], bool | None]]]) -> None:
        """The certified cycle up to today: surveillance as it falls due, and ``events`` in date
        order (each returns whether surveillance goes on, or None to leave that as it is)."""
        events = sorted(events, key=lambda e: e[0])
        while self.certified:
            nxt = self._next_surveillance() if self.surveil else None
            if events and (nxt is None or events[0][0] <= nxt[0]):
                day, act = events.pop(0)
                if day > self.ctx.today:
                    break
                keep = act(max(day, self.day))
                if keep is not None:
                    self.surveil = keep
                continue
            if nxt is None:
                break
            start, latest = nxt
            if start > self.ctx.today:
                if start <= self.ctx.today + timedelta(days=_UPCOMING):
                    kind = self._stage_of("surveillance")
                    self.audit(kind, start, complete=False, latest=latest)
                break
            self.surveillance(start, latest)

    @property
    def certified(self) -> bool:
        return self.decided is not None and self.reached not in (
            "withdrawn",
            "expired",
            "transferred",
        )

    def recertify(self, day: date) -> bool:
        """Recertification audit, review and renewal before expiry (9.6.3)."""
        assert self.expiry is not None
        kind = self._stage_of("recertification")
        audit = self.audit(kind, day, self.grades(0.03, kind))
        if audit is None:
            raise StoryEnd(self.id)
        self.resolve(audit)
        self.step(self.day + self.days(2, 6), c.TechnicalReview(self.id, self._reviewer(), "renew"))
        # Renewed before expiry where it can be; later only within the six months 9.6.3.2.5 allows.
        on = max(self.day, min(self.day + self.days(1, 5), self.expiry - timedelta(days=1)))
        self.step(on, c.Decide(self.id, self._decider(), "renew", on))
        base = self.expiry if on <= self.expiry else on
        self.expiry = add_months(base, 12 * self.scheme.validity_years)
        self.decided, self.cycle, self.sv_starts, self.reached = (
            on,
            self.cycle + 1,
            [],
            "recertified",
        )
        return True

    def suspend(self, day: date, months: int = 6) -> bool:
        reason = both(*self.rng.choice(SUSPENSIONS))
        self.step(day, c.SuspendCertificate(self.id, reason, day, months))
        self.deadline = add_months(day, months)
        self.reached = "suspended"
        return False

    def restore(self, day: date) -> bool:
        """A special audit checks the corrections, then the certificate is restored (9.6.5)."""
        assert self.deadline is not None
        kind = self._stage_of("special")
        audit = self.audit(kind, day, ["minor"] * (self.rng.random() < 0.3))
        if audit is None:
            raise StoryEnd(self.id)
        self.resolve(audit)
        on = min(self.day + self.days(3, 12), self.deadline)
        if on < self.day:
            return self.enforce(self.deadline + self.days(1, 5))
        self.step(on, c.RestoreCertificate(self.id, on))
        self.reached, self.deadline = "restored", None
        return True

    def enforce(self, day: date) -> bool:
        """The daily clock: an unresolved suspension ends in withdrawal, a lapsed cycle expires."""
        limit = self.deadline if self.reached == "suspended" else self.expiry
        assert limit is not None
        day = max(day, self.day, limit + timedelta(days=1))
        self.step(day, c.EnforceClocks([self.id], day))
        self.reached = "withdrawn" if self.reached == "suspended" else "expired"
        return False

    def withdraw(self, day: date) -> bool:
        self.step(day, c.WithdrawCertificate(self.id, both(*self.rng.choice(WITHDRAWALS)), day))
        self.reached = "withdrawn"
        return False

    def transfer(self, day: date, to: BodyPlan) -> bool:
        """Another body takes the certificate over (IAF MD 2:2017), under a new number."""
        number = to.next_number(day.year, SCHEME_CODES[self.short], self.client.size_code)
        reviewer, decider = to.reviewers[0], to.deciders[0]
        self.step(
            day,
            c.AcceptTransfer(f"{self.id}-{to.id}", to.id, self.id, reviewer, decider, day, number),
        )
        self.reached = "transferred"
        return False

    def change_scope(self, day: date, change: str) -> bool:
        scope = self.client.industry.scope
        sites = list(self.sites)
        if change == "reduce" and len(sites) > 1:
            sites.remove(self.rng.choice([s for s in sites if s != self.client.central]))
        elif change == "reduce":
            scope = both(
                self.client.industry.scope_zh + "（不含外包过程）",
                self.client.industry.scope_en + " (outsourced processes excluded)",
            )
        else:
            zh, en = self.rng.choice(EXTENSIONS)
            scope = both(
                self.client.industry.scope_zh + zh, self.client.industry.scope_en + " " + en
            )
        self.step(day, c.ChangeScope(self.id, change, scope, sites, day))
        self.reached = f"scope-{'reduced' if change == 'reduce' else 'extended'}"
        return None

    def case(
        self,
        day: date,
        kind: str,
        resolve: bool = True,
        summary: tuple[str, str] | None = None,
        keep_open: bool = False,
    ) -> None:
        """A complaint or appeal, handled by someone not involved (9.7, 9.8); with
        ``keep_open`` its resolution is drawn (the world stays the same) but not recorded."""
        self.ctx.cases += 1
        case_id = f"case-{self.ctx.cases:04d}"
        handler = self.fixed.handler if self.fixed else self.rng.choice(self.body.handlers)
        text = summary or self.rng.choice(COMPLAINTS if kind == "complaint" else APPEALS)
        self.step(day, c.OpenCase(case_id, kind, self.id, handler, both(*text)))
        if resolve:
            # The case is its own record: its resolution does not hold the certification up.
            on = self.day + self.days(15, 45)
            if on <= self.ctx.today:
                outcome = both(*self.rng.choice(RESOLUTIONS))
                if not keep_open:
                    # The handler, not involved in the certification, decides (9.7.8, 9.8.8).
                    decided = c.ResolveCase(case_id, outcome, on, handler)
                    self.ctx.schedule.add(on, decided)
