"""The usual reading message, read by a decoder made for it before the published schema's.

Nearly every message a line sends is the usual one: a ``readings`` array, every reading with
the same variables, each named in ``units``, and no quality. :func:`read_usual` decodes such
a message with msgspec against types that say no more than :class:`~.payload.ReadingMessage`
does, in under half the time pydantic takes. It answers only for a message it
takes whole: anything it refuses, or that is not the usual message (one reading at the top
level, a quality, a variable without a unit, a time outside the years a canonical text can
spell), is left to the published schema's model, which refuses it with its reasons or reads
it as before. So what it takes, the model would take with the same values; the tests hold
it to that with generated payloads.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Annotated

import msgspec
import numpy as np
from msgspec import Meta, Struct

from .payload import (
    EARLIEST,
    LATEST,
    MAX_READINGS,
    MAX_SEQ,
    MAX_VARIABLES,
    instants,
    value_table,
)

__all__ = ["Usual", "read_usual"]

# The model's patterns, anchored as a whole: Python's "$" would let a final line break by.
_Device = Annotated[str, Meta(pattern=r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")]
_Variable = Annotated[str, Meta(pattern=r"\A[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}\Z")]
_Unit = Annotated[str, Meta(pattern=r"\A[^\x00-\x1f\x7f]{1,32}\Z")]
_Signature = Annotated[str, Meta(pattern=r"\A[A-Za-z0-9+/]{86}==\Z")]
_Seq = Annotated[int, Meta(ge=0, le=MAX_SEQ)]


class _Reading(Struct, forbid_unknown_fields=True):
    seq: _Seq
    time: Annotated[str, Meta(max_length=64)]  # read by the model's own validator
    # Any name: the message's units, whose names are matched, must name every one.
    values: Annotated[dict[str, float], Meta(min_length=1, max_length=MAX_VARIABLES)]


class _Message(Struct, forbid_unknown_fields=True):
    device: _Device
    units: Annotated[dict[_Variable, _Unit], Meta(max_length=MAX_VARIABLES)]
    readings: Annotated[list[_Reading], Meta(min_length=1, max_length=MAX_READINGS)]
    signature: _Signature | None = None


_DECODER = msgspec.json.Decoder(_Message)


@dataclass(frozen=True)
class Usual:
    """A usual message as read: its device, units and signature, and of each reading in the
    order sent its seq and time (µs), and its values row by row under ``names``."""

    device: str
    units: dict[str, str]
    signature: str | None
    seqs: list[int]
    times: list[int]
    names: tuple[str, ...]
    table: array[float]


def read_usual(payload: bytes) -> Usual | None:
    """``payload`` read as the usual message, or None where it is not one (or is refused:
    the published schema's model says why)."""
    try:
        message = _DECODER.decode(payload)
        readings = message.readings
        times = instants([r.time for r in readings])
    except (msgspec.ValidationError, msgspec.DecodeError, ValueError):
        return None  # the model's ValidationError is a ValueError
    if min(times) < EARLIEST or max(times) > LATEST:
        return None
    names, table, regular = value_table([r.values for r in readings])
    if not regular or not message.units.keys() >= set(names):
        return None
    if not np.isfinite(np.frombuffer(table)).all():  # the model allows no infinity
        return None
    return Usual(
        message.device,
        message.units,
        message.signature,
        [r.seq for r in readings],
        times,
        names,
        table,
    )
