"""Credential commands."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["IssueCredential", "PublishStatus"]


@dataclass(frozen=True)
class IssueCredential:
    certification_id: str
    host: str


@dataclass(frozen=True)
class PublishStatus:
    """Bring the status lists holding these certificates' bits up to date with their status."""

    certification_ids: tuple[str, ...]
    host: str
