"""Credential commands."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["IssueCredential"]


@dataclass(frozen=True)
class IssueCredential:
    certification_id: str
    host: str
