"""Credential commands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from annotated_types import MaxLen
from pydantic import ConfigDict

from ..lifecycle.inputs import Id

__all__ = ["IssueCredential", "PublishStatus"]


# The issuer's host is the installation's configured public host (its bodies' did:web
# domain), never a field a caller fills in.
@dataclass(frozen=True)
class IssueCredential:
    """Sign a certification's live certificate as a credential with its body's newest key."""

    certification_id: Id


@dataclass(frozen=True)
class PublishStatus:
    """Bring the status lists holding these certificates' bits up to date with their status."""

    certification_ids: Annotated[tuple[Id, ...], MaxLen(10_000)]


for _command in (IssueCredential, PublishStatus):
    _command.__pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[attr-defined]
