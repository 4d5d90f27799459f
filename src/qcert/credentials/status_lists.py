"""A body's published status lists as a record of the platform: every version each list published,
and which bit a certificate's status sets (W3C Bitstring Status List v1.0)."""

from __future__ import annotations

from datetime import datetime

from ..lifecycle import events as ev
from ..lifecycle.aggregate import Aggregate, invalid, utc_instant
from ..lifecycle.cycle import CertStatus

__all__ = ["STATUS_PURPOSES", "PublishedStatusList", "status_flags"]


STATUS_PURPOSES = ("revocation", "suspension")


def status_flags(status: str | None) -> dict[str, bool]:
    """A certificate status's bits by status purpose: revocation for a withdrawal (a transfer
    withdraws too), suspension while suspended (W3C Bitstring Status List v1.0 2.1)."""
    return {
        "revocation": status == CertStatus.withdrawn,
        "suspension": status == CertStatus.suspended,
    }


class PublishedStatusList(Aggregate):
    """One status list of a body (``<body>.<purpose>.<list_no>``) and every version it published.

    Only the newest bitstring is kept in state; every version's signed list credential stays on
    the ledger, so the list as it stood at any instant can be fetched and proved.
    """

    kind = "status-list"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.body_id = self.purpose = ""
        self.list_no = 0
        self.encoded_list: str | None = None
        self.url = ""  # where it is published, once known
        self.versions: list[ev.StatusListPublished] = []

    @staticmethod
    def id_for(body_id: str, purpose: str, list_no: int) -> str:
        if purpose not in STATUS_PURPOSES:
            raise invalid("purpose", "choice.one_of", choices=("revocation", "suspension"))
        return f"{body_id}.{purpose}.{list_no}"

    def publish(
        self,
        body_id: str,
        purpose: str,
        list_no: int,
        valid_from: datetime,
        encoded_list: str,
        ledger_index: int,
        sha256: str,
        url: str = "",
    ) -> None:
        """Record a new version; refuse one that goes back in time (versions are ordered) or
        moves the list to another address (credentials already point at the old one)."""
        if self.id != self.id_for(body_id, purpose, list_no):
            raise invalid(
                "list",
                "status_list.mismatch",
                list_id=self.id,
                list_no=list_no,
                purpose=purpose,
                body=body_id,
            )
        at = utc_instant(valid_from)
        if self.versions and at < self.versions[-1].valid_from:
            raise invalid("valid_from", "date.not_before", earliest=self.versions[-1].valid_from)
        if self.url and url != self.url:
            raise invalid("url", "status_list.url", list_id=self.id, url=self.url, new_url=url)
        self.record(
            ev.StatusListPublished(
                body_id,
                purpose,
                list_no,
                len(self.versions) + 1,
                at,
                encoded_list,
                ledger_index,
                sha256,
                url,
            )
        )

    def _on_published(self, e: ev.StatusListPublished) -> None:
        self.body_id, self.purpose, self.list_no = e.body_id, e.purpose, e.list_no
        self.encoded_list = e.encoded_list
        self.url = self.url or e.url
        self.versions.append(e)
