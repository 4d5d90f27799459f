"""The intake: messages from MQTT or HTTP checked, and their readings stored exactly once.

``Intake.take(messages)`` checks every message (size, topic, JSON Schema, device, units,
signature, times, sequence numbers) and writes every reading accepted in the batch, and every
refusal, in ONE transaction; it returns only after the commit, so a consumer acknowledges a
message only once what it carried is durable. It never raises on any bytes: a message that
cannot be taken is a ``refused`` verdict whose code and reasons (en, zh-CN) are kept in the
dead-letter table. Readings are keyed by (device, seq): a reading sent again is a
``duplicate`` (not an error); a different reading under a used seq is refused
``evidence.replayed``; a reading of a window already anchored is refused ``evidence.late``.
A window is anchored once its device has moved past it (a reading of that device stored at
or past its end plus the grace) or has been silent for the idle allowance after it, so a
consumer's backlog never makes a device's timely readings late.

Topics: ``qcert/v1/{organisation}/{device}/{stream}``; the organisation and device must be
the registered pair, and the device the payload's. Refusal codes: ``evidence.size``,
``evidence.topic``, ``evidence.json``, ``evidence.schema``, ``evidence.device``,
``evidence.unit``, ``evidence.signature``, ``evidence.time``, ``evidence.late``,
``evidence.replayed``.

``take`` is two stages: :func:`qcert.evidence.prepare.prepare` (what needs no database: the
size, topic and schema, each reading's canonical bytes) and :meth:`Intake.commit` (leaf hashes,
the checks against the store, the transaction, scoring). A consumer may run them in two
processes (:mod:`qcert.evidence.writer`).

An installation's intake is wired once, by :func:`qcert.bootstrap.bootstrap` (``Services.intake``,
with the bus it anchors through and the window settings); a consumer takes its batches there.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from array import array
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..ledger.canonical import canonical_json
from ..locale.names import field_label
from .blocks import Values, cut
from .held import HeldWindows
from .payload import micros
from .prepare import (
    DEAD_LETTER_BYTES,
    EARLIEST,
    Message,
    Parsed,
    PayloadsWanted,
    Prepared,
    Refused,
    Verdict,
    prepare,
    refuse,
    topic_for,
)

__all__ = [
    "DEAD_LETTER_BYTES",
    "FUTURE_SECONDS",
    "GRACE_SECONDS",
    "IDLE_SECONDS",
    "WINDOW_SECONDS",
    "Intake",
    "Message",
    "Prepared",
    "Verdict",
    "prepare",
    "topic_for",
]

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60  # default anchoring window (QCERT_EVIDENCE_WINDOW_SECONDS)
GRACE_SECONDS = 10  # default wait after a window's end (QCERT_EVIDENCE_GRACE_SECONDS)
IDLE_SECONDS = 300  # default wait for a silent device (QCERT_EVIDENCE_IDLE_SECONDS)
FUTURE_SECONDS = 300  # a reading may be at most this far ahead of the receive time
_ATTEMPTS = 3  # a batch that lost a race for a key is retried (then it sees the winner's rows)


Row = tuple[str, int, int, int, str, bytes]
# A device's readings stored by one batch: their seqs and times (µs), and their values as
# tables (names, rows in the order of the seqs), as sent.
Fresh = tuple[list[int], list[int], list[tuple[tuple[str, ...], np.ndarray]]]
# A device's end of anchoring (µs) as the batch saw it, and the leaf hashes of the readings
# the batch stored, in the order of their seqs in ``Fresh``.
Committed = tuple[int, list[bytes]]


class Intake:
    """Takes batches of messages into the time-series store, and anchors due windows.

    ``engine`` is the database; ``clock`` what anchoring calls now; ``bus`` runs the anchoring
    command as the platform itself (``anchor_due`` needs it); ``window_seconds``,
    ``grace_seconds`` and ``idle_seconds`` say when a window is due
    (:func:`qcert.evidence.model.due_until`); ``future_seconds`` how far ahead of its receive
    time a reading may be dated.
    """

    def __init__(
        self,
        engine: Any,
        clock: Callable[[], datetime] | None = None,
        *,
        bus: Any = None,
        window_seconds: int = WINDOW_SECONDS,
        grace_seconds: int = GRACE_SECONDS,
        idle_seconds: int = IDLE_SECONDS,
        future_seconds: int = FUTURE_SECONDS,
    ) -> None:
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(UTC))
        self.bus = bus
        self.window_seconds, self.grace_seconds = window_seconds, grace_seconds
        self.idle_seconds = idle_seconds
        self.future_us = future_seconds * 1_000_000
        self._keys: dict[str, Ed25519PublicKey] = {}
        # The leaves of the windows this intake committed and nobody has anchored yet: a
        # window is anchored from them when the store counts as many readings in it.
        self.held = HeldWindows(window_seconds * 1_000_000)
        # The stream watcher (``qcert.evidence.watch.Watcher``), told of readings committed
        # and of windows anchored; set by bootstrap.
        self.watcher: Any = None

    # -- taking messages ------------------------------------------------------------------

    def take(self, messages: Sequence[Message]) -> list[Verdict]:
        """One verdict per message, in order, after the batch's transaction committed."""
        return self.commit(prepare(messages))

    def commit(self, prepared: Prepared) -> list[Verdict]:
        """The second stage of :meth:`take`: the checks that need the store (device, units,
        signature, late and replayed readings) and the batch's readings and refusals written
        in ONE transaction; one verdict per message, in order, after the commit. ``prepared``
        may come from another process (:mod:`qcert.evidence.writer`)."""
        from ..store import evidence as store

        parsed = prepared.parsed
        # Outside the transaction: the store is held only to write. From the end: in a writer
        # process, its receiving thread may be hashing the same batch from its start (a
        # message hashed by both gets the same leaves).
        for p in reversed(parsed):
            p.hash_leaves()
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                fresh: dict[str, Fresh] = {}
                committed: dict[str, Committed] = {}
                with store.write_transaction(self.engine) as conn:
                    done = self._store(
                        conn, parsed, list(prepared.verdicts), list(prepared.dead), fresh, committed
                    )
                self._hold(fresh, committed)
                stored = [p.device for p in parsed if (v := done[p.position]) and v.stored]
                if stored:
                    self._tell_watcher("after_commit", stored, fresh)
                return [v for v in done if v is not None]
            except Exception as err:
                if attempt == _ATTEMPTS or not _raced(err):
                    raise
                log.info("evidence: batch lost a race (%s); taking it again", err)
        raise AssertionError("unreachable")

    def _store(
        self,
        conn: Any,
        parsed: list[Parsed],
        verdicts: list[Verdict | None],
        dead: list[dict[str, Any]],
        fresh: dict[str, Fresh],
        committed: dict[str, Committed],
    ) -> list[Verdict | None]:
        """Check and insert the batch in ``conn``; ``fresh`` gets each device's new readings
        (seq, time µs, values), which the watcher scores without reading them back, and
        ``committed`` each device's anchored end and new readings' leaves."""
        from ..store import evidence as store

        named = [p.device for p in parsed] + [d["_device"] for d in dead if d["_device"]]
        registry = store.devices(conn, named, lock=True)
        spans: dict[str, tuple[int, int]] = {}
        for p in parsed:
            low, high = spans.get(p.device, (p.seqs[0], p.seqs[0]))
            spans[p.device] = (min(low, *p.seqs), max(high, *p.seqs))
        # Per device, seq -> leaf of what is stored, this batch's readings added as it goes.
        known: dict[str, dict[int, bytes]] = {}
        for (device_id, seq), leaf in store.existing(conn, spans).items():
            known.setdefault(device_id, {})[seq] = leaf
        # Per device, the new readings' canonical texts (a message whose readings are all
        # new stands for its texts: they are written only for a block that keeps texts) and
        # receive times, in the order of ``fresh`` (its seqs and times) and ``committed``
        # (its leaves).
        stored: dict[str, tuple[list[Parsed | list[str]], list[int]]] = {}
        # Per device, the variables of its new readings when every one of them came in a
        # usual message naming those (its blocks keep values, not texts); else None.
        plain: dict[str, tuple[str, ...] | None] = {}
        wanted: list[int] = []  # refused, with their bytes in the process that prepared them
        for p in parsed:
            device = registry.get(p.device)
            try:
                new, duplicates = self._check(p, device, known.get(p.device, {}))
            except (Refused, PayloadsWanted) as err:
                if isinstance(err, PayloadsWanted) or p.message.payload is None:
                    wanted.append(p.position)  # the rest is checked as if it were refused
                else:
                    verdicts[p.position] = refuse(dead, p.message, err)
                continue
            count = len(p.seqs) if new is None else len(new)
            if count:
                seqs, times, tables = fresh.setdefault(p.device, ([], [], []))
                _, leaves = committed.setdefault(p.device, (device.anchored_until, []))
                texts, received = stored.setdefault(p.device, ([], []))
                table = np.frombuffer(p.table, dtype=float).reshape(len(p.seqs), len(p.names))
                names = p.names if p.tabular else None
                if plain.setdefault(p.device, names) != names:
                    plain[p.device] = None
                if new is None:  # all of them new (as usual), in the order sent
                    known.setdefault(p.device, {}).update(zip(p.seqs, p.leaves, strict=True))
                    seqs += p.seqs
                    times += p.times
                    tables.append((p.names, table))
                    leaves += p.leaves
                    texts.append(p)
                    received += [p.received] * len(p.seqs)
                else:
                    assert new is not None
                    new_seqs = [row[1] for row in new]
                    known.setdefault(p.device, {}).update(
                        zip(new_seqs, [row[5] for row in new], strict=True)
                    )
                    seqs += new_seqs
                    times += [row[2] for row in new]
                    leaves += [row[5] for row in new]
                    texts.append([row[4] for row in new])
                    received += [row[3] for row in new]
                    row_of = {seq: i for i, seq in enumerate(p.seqs)}
                    tables.append((p.names, table[[row_of[seq] for seq in new_seqs]]))
            status = "stored" if count else "duplicate"
            verdicts[p.position] = Verdict(status, count, duplicates)
        if wanted:
            raise PayloadsWanted(wanted)  # nothing is written: the transaction rolls back
        window = self.window_seconds * 1_000_000
        blocks = [
            block
            for device_id, (texts, received) in stored.items()
            for block in cut(
                device_id,
                fresh[device_id][0],
                fresh[device_id][1],
                received,
                _texts(texts) if plain[device_id] is None else (),
                committed[device_id][1],
                window,
                _values(plain[device_id], fresh[device_id][2]),
            )
        ]
        store.insert_blocks(conn, blocks)
        store.insert_dead_letters(conn, [_filed(d, registry) for d in dead])
        return verdicts

    def _check(
        self, p: Parsed, device: Any, known: dict[int, bytes]
    ) -> tuple[list[Row] | None, int]:
        """The new rows of one message (None when every reading is new, as sent), and how
        many of its readings were stored before (``known``: the device's stored readings,
        seq -> leaf hash)."""
        if device is None or device.client_id != p.organisation:
            raise Refused(
                "evidence.device",
                f"device: {p.device} is not a registered data source of {p.organisation}",
                f"device：{p.device} 不是 {p.organisation} 登记的数据源",
            )
        if device.retired:
            raise Refused(
                "evidence.device", f"device: {p.device} is retired", f"device：{p.device} 已停用"
            )
        for var, unit in p.units.items():
            if var not in device.units:
                raise Refused(
                    "evidence.unit",
                    f"units.{var}: not a variable of {p.device}",
                    f"单位 {var!r}：不是 {p.device} 登记的变量",
                )
            if unit != device.units[var]:
                raise Refused(
                    "evidence.unit",
                    f"units.{var}: {unit}, registered as {device.units[var]}",
                    f"单位 {var!r}：{unit}，登记的单位为 {device.units[var]}",
                )
        self._verify(p, device)
        received = p.received
        latest = received + self.future_us
        anchored_until = device.anchored_until
        name, uncovered = p.device, p.uncovered
        seqs, times, count = p.seqs, p.times, len(p.seqs)
        first, last = min(times), max(times)
        if (
            uncovered < 0
            and max(EARLIEST, anchored_until) <= first
            and last <= latest
            and known.keys().isdisjoint(seqs)
            and len(set(seqs)) == count
        ):
            # The usual message: no reading refused by its variables or time, none late, none
            # stored before nor twice in it, so every one is new (what the loop below finds).
            return None, 0
        p.write_texts()  # the rows below carry them
        rows: list[Row] = []
        mine: dict[int, bytes] = {}  # this message's own readings by seq
        duplicates = 0
        # The loop runs once per reading: what it does not need for a good reading (the
        # field's path in a refusal) is worked out only when a check fails.
        for n, (seq, at, text, leaf) in enumerate(zip(seqs, times, p.texts, p.leaves, strict=True)):
            if n == uncovered or not EARLIEST <= at <= latest:
                self._refuse_reading(p, n, at)
            before = known.get(seq) or mine.get(seq)
            if before == leaf:  # sent again, even after anchoring: stored once, no error
                duplicates += 1
                continue
            if at < anchored_until:
                where = "" if p.single else f"readings.{n}."
                raise Refused(
                    "evidence.late",
                    f"{where}time: its window is anchored already; nothing anchored is rewritten",
                    f"{field_label(where + 'time')}：该时间窗口已固化，已固化的数据不可改写",
                )
            if before is not None:
                where = "" if p.single else f"readings.{n}."
                raise Refused(
                    "evidence.replayed",
                    f"{where}seq: {seq} was used by another reading of {name}",
                    f"{field_label(where + 'seq')}：序号 {seq} 已被 {name} 的另一读数使用",
                )
            mine[seq] = leaf
            rows.append((name, seq, at, received, text, leaf))
        return rows, duplicates

    def _refuse_reading(self, p: Parsed, n: int, at: int) -> None:
        """Raise the refusal of reading ``n`` whose variables or time failed."""
        reading = p.model().all_readings()[n]
        where = "" if p.single else f"readings.{n}."
        values = reading["values"]
        if not values.keys() <= p.units.keys():
            var = sorted(values.keys() - p.units.keys())[0]
            raise Refused(
                "evidence.unit",
                f"{where}values.{var}: no unit given in units (or not a variable)",
                f"{field_label(where + 'values')} {var!r}：未给出其单位（或不是登记的变量）",
            )
        raise Refused(
            "evidence.time",
            f"{where}time: {reading['time'].isoformat()} is before 2000 or more than "
            f"{self.future_us // 1_000_000} s after it was received",
            f"{field_label(where + 'time')}：{reading['time'].isoformat()} 早于 2000 年，"
            f"或晚于接收时间 {self.future_us // 1_000_000} 秒以上",
        )

    def _verify(self, p: Parsed, device: Any) -> None:
        """A signed message must verify under the device's key; a device that must sign
        sends nothing unsigned."""
        signature = p.signature
        if signature is None:
            if device.signed:
                raise Refused(
                    "evidence.signature",
                    f"signature: {p.device} must sign its messages",
                    f"signature：{p.device} 的消息须签名",
                )
            return
        if not device.public_key:
            raise Refused(
                "evidence.signature",
                f"signature: {p.device} has no registered key",
                f"signature：{p.device} 未登记公钥",
            )
        key = self._keys.get(device.public_key)
        if key is None:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(device.public_key))
            self._keys[device.public_key] = key
        try:
            doc = json.loads(p.message.payload)
            del doc["signature"]
            key.verify(base64.b64decode(signature, validate=True), canonical_json(doc))
        except (InvalidSignature, ValueError, binascii.Error, rfc8785.CanonicalizationError):
            raise Refused(
                "evidence.signature",
                f"signature: does not verify under {p.device}'s key (Ed25519 over RFC 8785)",
                f"signature：无法用 {p.device} 的公钥验证（Ed25519，RFC 8785）",
            ) from None

    def _hold(self, fresh: dict[str, Fresh], committed: dict[str, Committed]) -> None:
        """Hold the leaves of what a batch committed, per device and window, forgetting the
        windows each device is anchored past."""
        for device, (anchored_until, leaves) in committed.items():
            seqs, times, _ = fresh[device]
            self.held.drop_until(device, anchored_until)
            self.held.add(device, seqs, times, leaves)

    def _tell_watcher(self, what: str, *args: Any) -> None:
        """Tell the watcher what was committed; its failure never undoes the commit, nor
        reaches the sender (what was committed is durable whatever the watcher does)."""
        if self.watcher is None:
            return
        try:
            getattr(self.watcher, what)(*args)
        except Exception:
            log.exception("evidence: the stream watcher failed on %s", what)

    # -- anchoring ------------------------------------------------------------------------

    def anchor_due(self, now: datetime | None = None) -> int:
        """Anchor every due window as of ``now`` (default: the clock): those whose device has
        sent a reading at or past their end plus the grace, and those whose end plus the idle
        allowance has passed by ``now``; one ledger event per window, as the platform itself;
        how many were anchored.

        Each window's tree is worked out first, from what the store holds, outside any write
        transaction; the anchoring command then only checks that nothing changed and records
        it, so the intake's writers wait milliseconds for it, not the seconds that reading and
        hashing a large window takes."""
        from ..access import Principal
        from .commands import AnchorWindows

        if self.bus is None:
            raise RuntimeError("this intake has no bus to anchor with")
        at = now or self.clock()
        total = 0
        while True:  # a large backlog is anchored a command at a time
            command = AnchorWindows(
                at,
                self.window_seconds,
                self.grace_seconds,
                idle_seconds=self.idle_seconds,
                prepared=self._prepare_windows(at, AnchorWindows.limit),
            )
            outcome = self.bus.handle(command, Principal.system("evidence-anchor"))
            anchored = int(outcome.reply.get("anchored", 0))
            total += anchored
            if anchored < command.limit:
                # A watcher scoring settled readings catches up whoever anchored: another
                # process sharing the stream may have moved the watermark.
                if total or getattr(self.watcher, "mode", "") == "settled":
                    self._tell_watcher("flush")
                return total

    def _prepare_windows(self, at: datetime, limit: int) -> tuple[Any, ...]:
        """The due windows as of ``at`` with their trees, read from the store without a write
        transaction (at most ``limit``)."""
        from ..store import evidence as store
        from .commands import PreparedWindow
        from .model import due_cutoffs
        from .window import packed_window_root

        window = self.window_seconds * 1_000_000
        with self.engine.connect() as conn:
            cutoffs = due_cutoffs(
                store.pending(conn),
                micros(at.astimezone(UTC)),
                window,
                self.grace_seconds * 1_000_000,
                self.idle_seconds * 1_000_000,
            )
            held = self._held_due(conn, cutoffs, window, limit)
            rest = {d: cutoff for d, cutoff in cutoffs.items() if d not in held}
            due = store.due(conn, rest, window, limit - sum(map(len, held.values())), lock=False)
        return tuple(
            PreparedWindow(
                device_id, since, start, end, first, last, count, packed_window_root(leaves).hex()
            )
            for device_id, since, windows in due
            for start, end, first, last, count, leaves in windows
        ) + tuple(w for windows in held.values() for w in windows)

    def _held_due(
        self, conn: Any, cutoffs: dict[str, int], window: int, limit: int
    ) -> dict[str, list[Any]]:
        """The due windows of each device all of whose due windows are held whole (the store
        counts as many readings in each as are held), worked out from what is held; by device,
        at most ``limit`` windows in all. Any other device's are read from the store."""
        from ..store import evidence as store
        from .commands import PreparedWindow

        out: dict[str, list[Any]] = {}
        if not self.held.held:
            return out
        for device_id, since in store.anchored_until(conn, list(cutoffs), lock=False).items():
            if limit <= 0:
                break
            self.held.drop_until(device_id, since)
            counts = store.window_counts(conn, device_id, since, cutoffs[device_id], window)
            found = [(start, self.held.window_of(device_id, start)) for start in sorted(counts)]
            if not found:
                continue
            if any(h is None or h.count != counts[s] or s < since for s, h in found):
                continue  # some of it stored elsewhere, out of order, or not held: the store's
            out[device_id] = [
                PreparedWindow(
                    device_id,
                    since,
                    start,
                    start + window,
                    h.first_seq,
                    h.last_seq,
                    h.count,
                    h.root().hex(),
                )
                for start, h in found[:limit]
                if h is not None
            ]
            limit -= len(out[device_id])
        return out


def _texts(parts: list[Parsed | list[str]]) -> list[str]:
    """The canonical texts of a device's new readings, written where they were not."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, Parsed):
            part.write_texts()
            out += part.texts
        else:
            out += part
    return out


def _values(names: tuple[str, ...] | None, tables: list[tuple[Any, Any]]) -> Values | None:
    """A device's new readings' values row by row, when its blocks keep them (``names``)."""
    if names is None:
        return None
    flat = array("d")
    for _, table in tables:
        flat.frombytes(np.ascontiguousarray(table, dtype=float).tobytes())
    return names, flat


def _filed(dead: dict[str, Any], registry: dict[str, Any]) -> dict[str, Any]:
    """A dead letter's row: under the topic's organisation and device when that device is
    registered to it, else under nobody (only the platform reads it: a stranger's message
    never lands in an organisation's list)."""
    row = {k: v for k, v in dead.items() if not k.startswith("_")}
    device = registry.get(dead["_device"]) if dead["_device"] else None
    mine = device is not None and device.client_id == dead["_organisation"]
    row["client_id"] = device.client_id if mine else None
    row["device_id"] = device.id if mine else None
    return row


def _raced(err: Exception) -> bool:
    """Whether ``err`` is another writer's doing: a key taken meanwhile (SQLAlchemy's
    IntegrityError, or PostgreSQL's unique violation from a COPY), a deadlock, a
    serialization failure."""
    import sqlalchemy as sa

    state = getattr(getattr(err, "orig", err), "sqlstate", None)
    if isinstance(err, sa.exc.IntegrityError) or state == "23505":
        return True
    return isinstance(err, sa.exc.OperationalError | sa.exc.DBAPIError) and state in (
        "40P01",
        "40001",
    )
