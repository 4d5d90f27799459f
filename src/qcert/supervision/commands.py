"""The hub's commands. Handlers live in handlers.py; who may run each, in the access policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from annotated_types import Ge, Le
from pydantic import ConfigDict, Strict

from ..exchange.submission import Envelope
from ..lifecycle.inputs import Code, Id, Name, Note, Text

__all__ = ["EnrolBody", "FlagLog", "RegisterReportingKey", "SubmitReport"]

Size = Annotated[int, Strict(), Ge(0), Le(10**15)]


@dataclass(frozen=True)
class EnrolBody:
    """Enrol a certification body at the hub: names, region (GB/T 2260), the log it keeps
    (checkpoint origin and verifier key) and its first submission key."""

    body_id: Id
    name_zh: Name
    name_en: Name
    region: Code
    origin: Name
    vkey: Text(400)
    key_id: Id
    public_key_multibase: Code


@dataclass(frozen=True)
class RegisterReportingKey:
    """Register another key an enrolled body signs its submissions with."""

    body_id: Id
    key_id: Id
    public_key_multibase: Code


@dataclass(frozen=True)
class SubmitReport:
    """Take in a body's submission (the reporting standard's envelope, records checked one by
    one)."""

    envelope: Envelope


@dataclass(frozen=True)
class FlagLog:
    """Record that the hub's witness refused a checkpoint of an enrolled body's log."""

    body_id: Id
    origin: Name
    held: Size
    offered: Size
    reason: Note


for _name in __all__:
    globals()[_name].__pydantic_config__ = ConfigDict(extra="forbid")
