"""Auditors' check-ins on an audit's days: when and where each member of the team was, and
whether that was near a site the audit visits (国认监〔2021〕3号, ISO/IEC 17021-1:2015 9.4.1).

A mixin of the certification (see :class:`qcert.lifecycle.audits.AuditWork`): it reads the
audits the aggregate holds and records events on it.
"""

from __future__ import annotations

import math
from typing import Any

from ..locale.problems import problem
from . import events as ev
from .aggregate import Recording, invalid
from .rules import refuse

__all__ = ["CHECKIN_KM", "CheckIns"]

# How far from the audited site a check-in may be before it is marked an anomaly (km): the
# national check-in system's "location deviation" rule (国认监〔2021〕3号, deviation over 5 km).
CHECKIN_KM = 5.0
_EARTH_KM = 6371.0088  # mean Earth radius (IUGG)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def _metres(value: float | None) -> float | int | None:
    """A position's accuracy to the decimetre, as canonical JSON gives it back."""
    if value is None:
        return None
    rounded = round(float(value), 1)
    return int(rounded) if rounded.is_integer() else rounded


def _json_number(km: float | None) -> float | int | None:
    """``km`` to the metre, as canonical JSON gives it back (a whole number as an int), so
    the event folded now is the event a replay folds."""
    if km is None:
        return None
    metres = round(km, 3)
    return int(metres) if metres.is_integer() else metres


def _nearest(
    audited: list[str], sites: dict[str, dict[str, Any]], lat: float, lon: float
) -> tuple[str, float | None]:
    """The audited site nearest (lat, lon) and its distance (km); ("", None) without sites."""
    found = [
        (_km(lat, lon, sites[s]["lat"], sites[s]["lon"]), s)
        for s in audited
        if s in sites and "lat" in sites[s] and "lon" in sites[s]
    ]
    if not found:
        return "", None
    km, site = min(found)
    return site, km


class CheckIns:
    """Presence on site: check-in and check-out with time and position."""

    def check_in(
        self,
        audit_id: str,
        auditor: str,
        lat: float,
        lon: float,
        out: bool = False,
        sites: dict[str, dict[str, Any]] | None = None,
        rec: Recording | None = None,
        *,
        accuracy_m: float | None = None,
        photo: tuple[str, str] | None = None,
    ) -> None:
        """Record presence on site with time (the event's) and position: only on the audit's
        days, and marked "far-from-site" when more than CHECKIN_KM from every site the audit
        visits (``sites``: the client's, with ``lat``/``lon``). 国认监〔2021〕3号: check in at
        the opening meeting and out at the closing one; a position off the audited site is
        recorded with the anomaly, not refused. ``accuracy_m`` is the device's stated accuracy
        (metres) and ``photo`` the (SHA-256, SM3) of the photo taken there, if any."""
        audit = self._audit(audit_id)
        if auditor not in audit.members():
            raise invalid("auditor", "auditor.not_on_team", auditor=auditor, audit_id=audit_id)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise invalid("position", "position.range")
        last = audit.last_day or audit.end
        if rec is not None and not audit.start <= rec.today <= last:
            direction, direction_zh = problem("checkin.out") if out else problem("checkin.in")
            raise refuse(
                "checkin.window",
                auditor=auditor,
                direction=direction,
                direction_zh=direction_zh,
                audit=audit_id,
                today=rec.today.isoformat(),
                start=audit.start.isoformat(),
                end=last.isoformat(),
            )
        site, km = _nearest(audit.sites, sites or {}, lat, lon)
        # A remote audit (FS02) is not held on the site: its position is no anomaly.
        far = km is not None and km > CHECKIN_KM and audit.method != "FS02"
        cls = ev.AuditorCheckedOut if out else ev.AuditorCheckedIn
        self.record(
            cls(
                audit_id,
                auditor,
                float(lat),
                float(lon),
                site,
                _json_number(km),
                "far-from-site" if far else "",
                _metres(accuracy_m),
                photo[0] if photo else None,
                photo[1] if photo else None,
            )
        )

    def _on_checked_in(self, e: ev.AuditorCheckedIn) -> None:
        self.audits[e.audit_id].presence.append((e.auditor, "in"))

    def _on_checked_out(self, e: ev.AuditorCheckedOut) -> None:
        self.audits[e.audit_id].presence.append((e.auditor, "out"))
