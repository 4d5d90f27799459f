"""The audit programme of a certification's cycle: a surveillance every calendar year but the
recertification year, the first within 12 months of the decision, and recertification before
expiry (ISO/IEC 17021-1:2015 9.1.3.2, 9.6.2.2, 9.6.3.2).

A mixin of the certification (see :class:`qcert.lifecycle.audits.AuditWork`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .aggregate import add_months
from .cycle import CertStatus
from .rules import refuse

__all__ = ["Programme"]


class Programme:
    """What is due by when in the cycle, and the timing a surveillance is planned to."""

    def programme(self) -> list[dict[str, Any]]:
        """The current cycle's programme: what is due by when, and when it was done.

        ISO/IEC 17021-1:2015 9.1.3.2 (a surveillance every calendar year but the
        recertification year), 9.6.2.2 (the first within 12 months of the
        decision) and 9.6.3.2 (recertification decided before expiry).
        """
        cert, decided = self.certificate, self.decided_on
        if (
            cert is None
            or decided is None
            or cert.status in (CertStatus.withdrawn, CertStatus.expired)
        ):
            return []
        surveillance = self._cycle_audits("surveillance")
        rows = []
        first_due = add_months(decided, 12)
        for year in range(decided.year + 1, cert.expiry_date.year):
            due = min(date(year, 12, 31), first_due) if not rows else date(year, 12, 31)
            done = [a.start for a in surveillance if a.start.year == year]
            if year == decided.year + 1 and not done:
                done = [a.start for a in surveillance if a.start <= first_due]
            rows.append(
                {
                    "item": f"surveillance-{year}",
                    "due_by": due,
                    "done_on": min(done) if done else None,
                }
            )
        recert = [a.start for a in self._cycle_audits("recertification")]
        rows.append(
            {
                "item": "recertification",
                "due_by": cert.expiry_date,
                "done_on": min(recert) if recert else None,
            }
        )
        return rows

    def _check_surveillance_timing(self, start: date) -> None:
        assert self.decided_on is not None
        cycle_audits = self._cycle_audits()
        if not any(self.phase_of(a.kind) == "surveillance" for a in cycle_audits):
            limit = add_months(self.decided_on, 12)
            if start > limit:
                raise refuse("surveillance.first-12-months", limit=limit.isoformat())
        covered = {
            a.start.year
            for a in cycle_audits
            if self.phase_of(a.kind) in ("surveillance", "recertification")
        }
        for year in range(self.decided_on.year + 1, start.year):
            if year not in covered:
                raise refuse("surveillance.calendar-year", year=year)
