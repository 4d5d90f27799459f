"""When an organisation's answer to a finding is due.

ISO/IEC 17021-1:2015, 9.4.9 has the body require the client to analyse the cause and describe
the correction and corrective action of each nonconformity "within a defined time". Until a
body records its own time limit, qcert defines it as 90 days from the audit's last day (or
its planned end while it runs) for a major or a minor nonconformity; observations and
opportunities for improvement ask for no answer.
"""

from __future__ import annotations

from datetime import date, timedelta

__all__ = ["ANSWER_DAYS", "answer_due"]

ANSWER_DAYS: dict[str, int] = {"major": 90, "minor": 90}


def answer_due(grade: str, audit_last_day: str | None, audit_end: str) -> date | None:
    """The day by which a finding of ``grade`` is to be answered (None: no answer is asked),
    counted from the audit's last day (ISO dates), or its planned end while it runs."""
    days = ANSWER_DAYS.get(grade)
    if days is None:
        return None
    return date.fromisoformat(audit_last_day or audit_end) + timedelta(days=days)
