"""How much audit time an audit is held to, and how much of it on site: the contract review's
time by phase of the cycle, a fixed-time scheme's days by stage, a multi-site client's sum of
the visited sites' times (IAF MD 5:2019, IAF MD 1:2018 7.3, IAF MD 11).

A mixin of the certification (see :class:`qcert.lifecycle.audits.AuditWork`).
"""

from __future__ import annotations

from ..locale.problems import problem
from ..schemes.model import Stage
from .aggregate import invalid
from .cycle import Audit
from .rules import refuse

__all__ = ["SITE_COLUMN", "AuditTime"]

# The contract review's figures (its IAF MD 1 sample, a site's time) by phase of the cycle.
SITE_COLUMN = {"initial": 0, "surveillance": 1, "recertification": 2}
# Even an override may not reduce past the MD 5 (30%) and MD 11 (20%) caps together; surveillance
# and recertification take their third and two thirds of it.
_CAPPED = 0.7 * 0.8
_FRACTION = {"initial": 1.0, "surveillance": 1 / 3, "recertification": 2 / 3}


class AuditTime:
    """The audit time rules an audit's plan and its completion are held to."""

    def _closing_stage(self) -> str:
        """The initial audit stage declared last: the one the initial audit time, the IAF MD 1
        sample and the six months for a major nonconformity are counted at (stage 2)."""
        return self.scheme().stages_in("initial", "audit")[-1].id

    @staticmethod
    def _days_spent(a: Audit) -> float:
        return a.actual_days if a.actual_days is not None else a.planned_days

    def _time_required(
        self, stage: Stage, days: float, sites: list[str], audit_id: str | None = None
    ) -> tuple[float, float, float, str, str] | None:
        """(days counted, minimum, floor with an override, what, what in zh) an audit of
        ``stage`` with ``days`` is held to; None when nothing sets it a minimum.

        Fixed-time schemes give a stage its own days. Otherwise the contract review's time: the
        initial stages' audits together meet the initial time (counted at the closing stage, or
        at any initial stage once it is planned; an audit done counts its actual days), each
        surveillance and recertification its own; a multi-site client's audit the sum of the
        visited sites' times (IAF MD 1:2018 7.3, whose 50% cap no override goes past).
        """
        assert self.contract is not None
        rule, phase = self.scheme().audit_time, stage.phase
        if rule.method == "fixed" and phase != "recertification":
            fixed = rule.days.get(stage.id)
            return None if fixed is None else (days, fixed, fixed, "", "")
        what = what_zh = ""
        if phase == "initial":
            closing = self._closing_stage()
            others = [
                a
                for aid, a in self.audits.items()
                if aid != audit_id and a.cycle == self.cycle and self.phase_of(a.kind) == "initial"
            ]
            if stage.id != closing and not any(a.kind == closing for a in others):
                return None
            days += sum(self._days_spent(a) for a in others)
            names = " + ".join(s.id for s in self.scheme().stages_in("initial", "audit"))
            what, what_zh = problem("time.initial_total", names=names)
        column = SITE_COLUMN.get(phase)
        if column is None:
            return None
        if self.contract.site_days and rule.method != "fixed":
            minimum = sum(self.contract.site_days[s][column] for s in sites)
            return days, minimum, minimum, what, what_zh
        minimum = (
            self.contract.initial_days,
            self.contract.surveillance_days,
            self.contract.recertification_days,
        )[column]
        floor = self.contract.table_days * _CAPPED * _FRACTION[phase]
        if rule.method == "fixed":
            floor = minimum
        return days, minimum, floor, what, what_zh

    def _check_on_site(self, stage: Stage, field_: str, days: float, on_site: float) -> None:
        """An audit of a stage held on site spends at least the scheme's share of its days on
        site (IAF MD 5:2019 4.1 for management systems; the scheme file says its source)."""
        rule = self.scheme().audit_time
        if stage.on_site and on_site < rule.on_site_share * days - 1e-9:
            raise refuse(
                "audit.on-site",
                cite=rule.on_site_source,
                field=field_,
                stage=stage.id,
                stage_zh=stage.title.zh,
                share=f"{rule.on_site_share:.0%}",
                days=f"{days:g}",
                on_site=f"{on_site:g}",
            )

    @staticmethod
    def _on_site_days(method: str, actual: float, given: float | None) -> float:
        if given is None:
            if method == "FS03":
                raise invalid("on_site_days", "days.combined_on_site")
            return actual if method == "FS01" else 0.0
        if not 0 <= given <= actual:
            raise invalid("on_site_days", "days.on_site_range")
        if method == "FS02" and given:
            raise invalid("on_site_days", "days.remote_on_site")
        return given
