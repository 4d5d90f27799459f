"""Words the public pages show for stored codes, in zh-CN and en."""

from __future__ import annotations

from ..locale import messages as from_catalogs

__all__ = ["EVENTS", "STATUSES"]

# Certificate status, one to one with IAF CertSearch's.
STATUSES = from_catalogs(__name__, "STATUSES")

# Events of the certificate's status history (see docs/events.md).
EVENTS = from_catalogs(__name__, "EVENTS")
