"""Words the public pages show for stored codes, in zh-CN and en."""

from __future__ import annotations

__all__ = ["EVENTS", "STATUSES"]

# Certificate status, one to one with IAF CertSearch's.
STATUSES: dict[str, tuple[str, str]] = {
    "active": ("有效", "active"),
    "suspended": ("暂停", "suspended"),
    "withdrawn": ("撤销", "withdrawn"),
    "expired": ("过期", "expired"),
}

# Events of the certificate's status history (see docs/events.md).
EVENTS: dict[str, tuple[str, str]] = {
    "certificate.issued": ("颁发", "issued"),
    "certificate.suspended": ("暂停", "suspended"),
    "certificate.restored": ("恢复", "restored"),
    "certificate.withdrawn": ("撤销", "withdrawn"),
    "certificate.expired": ("过期", "expired"),
    "certificate.scope-changed": ("范围变更", "scope changed"),
    "certificate.transferred": ("转出至其他机构", "transferred to another body"),
}
