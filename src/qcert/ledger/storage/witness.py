"""What a witness holds, in SQL: one row per log it follows (``witness_logs``).

A row names the log (its checkpoint origin), the verifier keys that sign its checkpoints and
its hash suite, and holds the newest checkpoint cosigned for it: its size, root and the
cosigned note (empty until the first). Following a log starts it at size 0, the empty tree.
The row is replaced only by compare-and-swap on its size, so two requests checked at once can
never roll it back (C2SP tlog-witness, "checking the old size ... and persisting the new
checkpoint must be performed atomically").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..errors import LedgerError
from ..hashing import suite_by_name
from ..note import parse_verifier
from ..witness import FollowedLog, HeldCheckpoint
from .sql import metadata

__all__ = ["SqlWitnessState", "witness_logs"]

witness_logs = sa.Table(
    "witness_logs",
    metadata,
    sa.Column("origin", sa.String(255), primary_key=True),
    sa.Column("suite", sa.String(16), nullable=False),
    sa.Column("vkeys", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("root", sa.LargeBinary, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

_MAX_ORIGIN = 255


class SqlWitnessState:
    """A witness's logs and what it holds of each, in the database behind ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- the logs followed ----------------------------------------------------

    def follow(self, origin: str, vkeys: Sequence[str], suite: str = "sha256") -> FollowedLog:
        """Follow the log ``origin`` signed by ``vkeys``; refuse a malformed key, a key not named
        after the origin, or a log already followed (its keys are not silently replaced)."""
        log = _followed(origin, "\n".join(vkeys), suite)
        with self.engine.begin() as conn:
            if conn.execute(
                sa.select(witness_logs.c.origin).where(witness_logs.c.origin == origin)
            ).first():
                raise LedgerError(f"origin: {origin!r} is followed already")
            conn.execute(
                witness_logs.insert().values(
                    origin=origin,
                    suite=log.suite.name,
                    vkeys="\n".join(v.vkey() for v in log.verifiers),
                    size=0,
                    root=log.suite.empty_root(),
                    note="",
                    updated_at=datetime.now(UTC),
                )
            )
        return log

    def log(self, origin: str) -> FollowedLog | None:
        """The followed log named ``origin``, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(witness_logs.c.suite, witness_logs.c.vkeys).where(
                    witness_logs.c.origin == origin
                )
            ).first()
        return _followed(origin, row.vkeys, row.suite) if row else None

    def logs(self) -> list[tuple[FollowedLog, HeldCheckpoint | None]]:
        """Every followed log with what is held of it, by origin."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(witness_logs).order_by(witness_logs.c.origin)).all()
        return [(_followed(r.origin, r.vkeys, r.suite), _held(r)) for r in rows]

    # -- what is held (WitnessState) -------------------------------------------

    def held(self, origin: str) -> HeldCheckpoint | None:
        """The newest checkpoint cosigned for ``origin`` (None before the first)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(witness_logs).where(witness_logs.c.origin == origin)
            ).first()
        return _held(row) if row else None

    def swap(self, old_size: int, new: HeldCheckpoint) -> bool:
        """Hold ``new`` if the size held is still ``old_size``; False if it changed meanwhile."""
        with self.engine.begin() as conn:
            done = conn.execute(
                witness_logs.update()
                .where(witness_logs.c.origin == new.origin, witness_logs.c.size == old_size)
                .values(size=new.size, root=new.root, note=new.note, updated_at=datetime.now(UTC))
            )
            return done.rowcount == 1


def _followed(origin: str, vkeys: str, suite: str) -> FollowedLog:
    if not origin or len(origin) > _MAX_ORIGIN or any(c < " " for c in origin):
        raise LedgerError(f"origin: must be 1 to {_MAX_ORIGIN} printable characters")
    keys = [k for k in vkeys.split("\n") if k.strip()]
    if not keys:
        raise LedgerError("vkey: a followed log needs at least one verifier key")
    verifiers = tuple(parse_verifier(k) for k in keys)
    tree = suite_by_name(suite)
    strangers = [v.vkey() for v in verifiers if origin not in (v.name, v.name + tree.origin_suffix)]
    if strangers:
        raise LedgerError(
            f"vkey: {strangers[0]} is not named after the log {origin!r} (a log's keys carry "
            f"its origin{' without ' + tree.origin_suffix if tree.origin_suffix else ''})"
        )
    return FollowedLog(origin, verifiers, tree)


def _held(row: sa.Row) -> HeldCheckpoint | None:
    if not row.note:
        return None  # followed, nothing cosigned yet
    return HeldCheckpoint(row.origin, int(row.size), bytes(row.root), row.note)
