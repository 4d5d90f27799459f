"""The intake's first stage: a batch of messages read, checked and hashed without the store.

:func:`prepare` does everything about a message that needs no database: its size, topic and
JSON Schema, each reading's time, and its values as one table. Each reading's canonical
text (RFC 8785) and leaf hash (RFC 9162) are worked out where the commit runs: the usual
message's texts from its table (:func:`qcert.evidence.payload.canonical_rows`), any other's
here, from the validated readings. What it returns (:class:`Prepared`) is what
:meth:`qcert.evidence.intake.Intake.commit` stores in one transaction, in this process or in
a writer process of its own (:mod:`qcert.evidence.writer`): it pickles without the validated
models, which the commit reads again from the bytes only in the rare case of a reading it
must refuse.
"""

from __future__ import annotations

import logging
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any, Literal

from pydantic import ValidationError

from ..lifecycle.inputs import refusal_of
from .payload import (
    EARLIEST,
    LATEST,
    MAX_BYTES,
    ReadingMessage,
    TakenMessage,
    canonical_rows,
    canonical_text,
    canonical_texts,
    instants,
    micros,
    value_table,
)
from .usual import Usual, read_usual

__all__ = [
    "DEAD_LETTER_BYTES",
    "EARLIEST",
    "Message",
    "PayloadsWanted",
    "Prepared",
    "Refused",
    "Verdict",
    "prepare",
    "refuse",
    "topic_for",
]

log = logging.getLogger("qcert.evidence.intake")

DEAD_LETTER_BYTES = 64 * 1024  # of a refused payload, this much is kept
TOPIC = re.compile(
    r"qcert/v1/([A-Za-z0-9][A-Za-z0-9._-]{0,63})/([A-Za-z0-9][A-Za-z0-9._-]{0,63})/"
    r"([A-Za-z0-9][A-Za-z0-9._-]{0,63})"
)


def topic_for(organisation: str, device: str, stream: str = "readings") -> str:
    """The topic a device publishes its readings on."""
    return f"qcert/v1/{organisation}/{device}/{stream}"


@dataclass(frozen=True)
class Message:
    """One message as received: its topic, its bytes, and when it was received (aware).
    ``payload`` is None in a writer process while the bytes stay with the consumer's."""

    topic: str
    payload: bytes | None
    received_at: datetime


@dataclass(frozen=True)
class Verdict:
    """What became of one message: ``stored`` (``stored`` new readings, ``duplicates`` sent
    before), ``duplicate`` (all sent before), or ``refused`` (nothing stored; ``code`` and the
    reasons say why)."""

    status: Literal["stored", "duplicate", "refused"]
    stored: int
    duplicates: int
    code: str = ""
    reason_en: str = ""
    reason_zh: str = ""


class PayloadsWanted(Exception):
    """The commit refused messages whose bytes stayed with the process that prepared them
    (:meth:`Parsed.__getstate__`): nothing was written; ``positions`` (in the batch) are the
    messages to send again with their bytes (:meth:`Prepared.give_payloads`) before the
    batch is committed again. A refusal keeps the message's bytes as its dead letter."""

    def __init__(self, positions: list[int]) -> None:
        super().__init__(f"the bytes of messages {positions} are wanted")
        self.positions = positions


class Refused(Exception):
    """A message refused, with its code and reasons in both languages."""

    def __init__(self, code: str, en: str, zh: str) -> None:
        super().__init__(en)
        self.code, self.en, self.zh = code, en, zh


@dataclass
class Parsed:
    """One message that passed the first stage, with each reading worked out."""

    position: int  # in the batch
    message: Message
    organisation: str
    device: str
    received: int  # µs since the epoch
    units: dict[str, str]
    signature: str | None
    single: bool  # one reading at the top level, not a ``readings`` array
    # Of each reading, in the order sent: seq, time (µs), canonical text (empty while
    # ``from_table``: they are written from ``table`` by the commit, :meth:`write_texts`).
    seqs: list[int]
    times: list[int]
    texts: list[str]
    # Each reading's values, row by row under ``names`` (NaN where a reading has no value:
    # a value sent is always finite).
    names: tuple[str, ...]
    table: array[float]
    uncovered: int  # the first reading with a variable not in ``units``, or -1
    # The usual message (no quality, the same variables in every reading, every time one a
    # UTC time can spell): its texts are written from the table where the commit runs, so
    # a writer process does it while the consumer's reads the next batch.
    from_table: bool = False
    # The usual message, whatever was written since: its texts are ``canonical_rows`` of its
    # table, so a block of such readings may keep the table instead of the texts.
    tabular: bool = False
    _model: ReadingMessage | None = field(default=None, repr=False)
    # Each reading's leaf hash (:meth:`hash_leaves`), worked out by the commit, or by the
    # consumer's process while the writer's is busy (:meth:`Prepared.work_ahead`).
    leaves: list[bytes] = field(default_factory=list, repr=False)

    def write_texts(self) -> None:
        """Write each reading's canonical text, if it is not written yet."""
        if self.from_table:
            self.texts = canonical_rows(self.device, self.seqs, self.times, self.names, self.table)
            self.from_table = False

    def hash_leaves(self) -> None:
        """Work out each reading's RFC 9162 leaf hash, if need be (b"" where a reading has
        none: it is refused by its time). The usual message's texts are written only to be
        hashed, not kept: a block of its readings keeps their values, and
        :meth:`write_texts` writes them again where they are wanted."""
        if len(self.leaves) == len(self.seqs):
            return
        if self.from_table:
            self.leaves = leaves_of(
                canonical_rows(self.device, self.seqs, self.times, self.names, self.table)
            )
            return
        self.leaves = leaves_of(self.texts)

    def model(self) -> ReadingMessage:
        """The validated message (read again from its bytes after a trip between processes;
        :class:`PayloadsWanted` when they stayed behind)."""
        if self._model is None:
            if self.message.payload is None:
                raise PayloadsWanted([self.position])
            self._model = ReadingMessage.model_validate_json(self.message.payload)
        return self._model

    # Between processes a message travels as a few long strings and arrays, not as one
    # object per reading: pickling 150 small objects costs more than the checks before it.
    # Its bytes stay behind unless it is signed (its signature is checked over them): the
    # commit reads them only to refuse it, which is rare, and then asks for them
    # (:class:`PayloadsWanted`). They were most of what crossed.

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_model"] = None  # a datetime per reading: the bytes say it all, more cheaply
        if self.signature is None:
            state["message"] = replace(self.message, payload=None)
        state["seqs"] = array("q", self.seqs)
        state["times"] = array("q", self.times)
        # RFC 8785 escapes every control character: no canonical text holds a line break.
        state["texts"] = (len(self.texts), "\n".join(self.texts))  # none while from_table
        # Packed, when worked out here already (:meth:`Prepared.work_ahead`); "" for none
        # (a reading refused by its time has none).
        done = len(self.leaves) == len(self.seqs) > 0 and all(self.leaves)
        state["leaves"] = b"".join(self.leaves) if done else b""
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["seqs"] = state["seqs"].tolist()
        state["times"] = state["times"].tolist()
        count, joined = state["texts"]
        state["texts"] = joined.split("\n") if count else []
        packed = state["leaves"]
        state["leaves"] = [packed[i : i + 32] for i in range(0, len(packed), 32)]
        self.__dict__.update(state)


@dataclass
class Prepared:
    """A batch after the first stage: the messages that passed it, and a verdict and dead
    letter for each one that did not (``verdicts`` is None where a message passed)."""

    parsed: list[Parsed]
    verdicts: list[Verdict | None]
    dead: list[dict[str, Any]]
    _ahead: int = 0  # messages whose leaves :meth:`work_ahead` worked out

    def payloads(self, positions: Sequence[int] | None = None) -> dict[int, bytes]:
        """The bytes of the messages at ``positions`` (default: every message that passed),
        by position, to send where the batch is committed."""
        wanted = None if positions is None else set(positions)
        return {
            p.position: p.message.payload  # type: ignore[misc]
            for p in self.parsed
            if wanted is None or p.position in wanted
        }

    def give_payloads(self, payloads: dict[int, bytes]) -> None:
        """Put back the bytes :class:`PayloadsWanted` asked for."""
        for p in self.parsed:
            if p.position in payloads:
                p.message = replace(p.message, payload=payloads[p.position])

    def work_ahead(self) -> bool:
        """Work out the next message's leaves here (what the commit would do), while the
        process that commits is busy; False once every message's are done."""
        if self._ahead >= len(self.parsed):
            return False
        self.parsed[self._ahead].hash_leaves()
        self._ahead += 1
        return True


def prepare(messages: Sequence[Message]) -> Prepared:
    """The first stage of :meth:`qcert.evidence.intake.Intake.take` for a batch; never raises
    on any input (a message that cannot be read is refused)."""
    verdicts: list[Verdict | None] = [None] * len(messages)
    parsed: list[Parsed] = []
    dead: list[dict[str, Any]] = []
    for i, message in enumerate(messages):
        try:
            parsed.append(_parse(i, message))
        except Refused as err:
            verdicts[i] = refuse(dead, message, err)
        except Exception as err:  # no input may make the intake raise
            log.exception("evidence: message %d could not be read", i)
            verdicts[i] = refuse(dead, message, _internal(err))
    return Prepared(parsed, verdicts, dead)


def _parse(position: int, message: Message) -> Parsed:
    payload = message.payload
    if not isinstance(payload, bytes | bytearray) or len(payload) > MAX_BYTES:
        size = len(payload) if isinstance(payload, bytes | bytearray) else -1
        raise Refused(
            "evidence.size",
            f"payload: {size} bytes; at most {MAX_BYTES}",
            f"payload：{size} 字节，最多 {MAX_BYTES} 字节",
        )
    found = TOPIC.fullmatch(message.topic) if isinstance(message.topic, str) else None
    if found is None:
        raise Refused(
            "evidence.topic",
            "topic: not qcert/v1/{organisation}/{device}/{stream}",
            "topic：不符合 qcert/v1/{组织}/{设备}/{数据流} 格式",
        )
    usual = read_usual(payload)
    if usual is not None:
        return _parsed_usual(position, message, found, usual)
    try:
        try:
            model, readings, times, names, table, regular, covered = _read(TakenMessage, payload)
        except ValidationError:
            covered = False
        if not covered:  # read as the published schema says, refused for what it says
            model, readings, times, names, table, regular, covered = _read(ReadingMessage, payload)
    except ValidationError as err:
        kinds = {e.get("type") for e in err.errors()}
        if "json_invalid" in kinds or "json_type" in kinds:
            raise Refused(
                "evidence.json", "payload: not JSON", "payload：不是有效的 JSON"
            ) from None
        refused = refusal_of(err.errors())
        raise Refused("evidence.schema", refused.en, refused.zh) from None
    _same_device(found, model.device)
    received = micros(message.received_at.astimezone(UTC))
    plain = regular and sum(map(len, readings)) == 3 * len(readings)  # no quality
    seqs, texts, uncovered = _work_out(
        model.device, model.units, readings, times, not plain, covered
    )
    return Parsed(
        position,
        message,
        found[1],
        found[2],
        received,
        model.units,
        model.signature,
        model.readings is None,
        seqs,
        times,
        texts,
        names,
        table,
        uncovered,
        plain and not texts,
        plain,
        # A message taken with its times as sent is read again where it is refused.
        None if isinstance(model, TakenMessage) else model,
    )


def _read(kind: type[ReadingMessage], payload: bytes) -> tuple[Any, ...]:
    """``payload`` validated as ``kind``: the model, its readings, their times (µs), their
    values' table (names, rows, whether regular), and whether its units name every variable.
    ValidationError as the model raises it, or for a time it refuses."""
    model = kind.model_validate_json(payload)
    readings = model.all_readings()
    times = instants([r["time"] for r in readings])
    names, table, regular = value_table([r["values"] for r in readings])
    return model, readings, times, names, table, regular, model.units.keys() >= set(names)


def _same_device(found: re.Match[str], device: str) -> None:
    """Refuse a payload whose device is not the one its topic names."""
    if device != found[2]:
        raise Refused(
            "evidence.topic",
            f"topic: names device {found[2]}, the payload {device}",
            f"topic：主题中的设备为 {found[2]}，消息中为 {device}",
        )


def _parsed_usual(position: int, message: Message, found: re.Match[str], usual: Usual) -> Parsed:
    """:class:`Parsed` of the usual message (:func:`~.usual.read_usual`): its texts are
    written from its table where the commit runs."""
    _same_device(found, usual.device)
    return Parsed(
        position,
        message,
        found[1],
        found[2],
        micros(message.received_at.astimezone(UTC)),
        usual.units,
        usual.signature,
        False,
        usual.seqs,
        usual.times,
        [],
        usual.names,
        usual.table,
        -1,
        from_table=True,
        tabular=True,
    )


def _work_out(
    device: str,
    units: dict[str, str],
    readings: list[Any],
    times: list[int],
    write: bool = True,
    covered: bool | None = None,
) -> tuple[list[int], list[str], int]:
    """Each reading's seq and canonical text (``times``: theirs, µs), and the first reading
    with a variable ``units`` does not name (-1 for none): worked out before the batch's
    transaction, which then holds the store only for the look-ups and the insert. Without
    ``write``, no text is written when every time is one a UTC time can spell (the commit
    writes them from the table). ``covered``: whether ``units`` names every variable sent,
    when known."""
    names = units.keys()
    uncovered = -1
    # Every variable named in any reading, gathered in one call (the usual message names
    # the same few in each); reading by reading only when one is not in ``units``.
    if covered is None:
        covered = names >= set().union(*[r["values"] for r in readings])
    if not covered:
        uncovered = next(n for n, r in enumerate(readings) if not r["values"].keys() <= names)
    if min(times) >= EARLIEST and max(times) <= LATEST:
        texts = canonical_texts(device, readings, times) if write else []
    else:  # a reading with no canonical time is refused by its time in the commit
        texts = [
            canonical_text(device, r["seq"], at, r["values"], r.get("quality"))
            if EARLIEST <= at <= LATEST
            else ""
            for r, at in zip(readings, times, strict=True)
        ]
    return [r["seq"] for r in readings], texts, uncovered


def leaves_of(texts: list[str]) -> list[bytes]:
    """The RFC 9162 leaf hash of each canonical text (b"" for none)."""
    if all(texts):
        return [sha256(b"\x00" + text).digest() for text in map(str.encode, texts)]
    return [sha256(b"\x00" + t).digest() if t else b"" for t in map(str.encode, texts)]


def work_out(model: ReadingMessage) -> tuple[list[int], list[int], list[str], list[bytes], int]:
    """Each reading's seq, time (µs), canonical text and leaf hash, and the first reading
    with a variable the message's ``units`` do not name (-1 for none)."""
    readings = model.all_readings()
    times = instants([r["time"] for r in readings])
    seqs, texts, uncovered = _work_out(model.device, model.units, readings, times)
    return seqs, times, texts, leaves_of(texts), uncovered


def refuse(dead: list[dict[str, Any]], message: Message, err: Refused) -> Verdict:
    """Keep the refused message in ``dead`` (the dead letters); its verdict. It is filed under
    the organisation only when the topic names a device registered to it (decided at the
    commit, which knows the registry)."""
    payload = message.payload if isinstance(message.payload, bytes | bytearray) else b""
    topic = message.topic if isinstance(message.topic, str) else repr(message.topic)
    try:
        received = message.received_at.astimezone(UTC).isoformat()
    except (AttributeError, TypeError, ValueError, OverflowError):
        received = datetime.now(UTC).isoformat()
    found = TOPIC.fullmatch(topic)
    dead.append(
        {
            "_organisation": found[1] if found else None,
            "_device": found[2] if found else None,
            "topic": topic[:256],
            "payload": bytes(payload[:DEAD_LETTER_BYTES]),
            "size": len(payload),
            "code": err.code,
            "reason_en": err.en[:2000],
            "reason_zh": err.zh[:2000],
            "received_at": received,
        }
    )
    return Verdict("refused", 0, 0, err.code, err.en, err.zh)


def _internal(err: Exception) -> Refused:
    return Refused(
        "evidence.schema",
        f"payload: could not be read ({type(err).__name__})",
        f"payload：无法读取（{type(err).__name__}）",
    )
