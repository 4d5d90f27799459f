"""The intake over two processes: the consumer's own process reads and checks each batch
(:func:`qcert.evidence.prepare.prepare`); a writer process of its own hashes and stores it
(:meth:`qcert.evidence.intake.Intake.commit`), scores it and anchors due windows.

Python runs one thread at a time in a process, and one consumer spends about as long reading
and checking a batch as storing and scoring it. Split, the two halves run at once on two
cores: while the writer commits batch *n*, the consumer prepares batch *n + 1*.

A message's bytes stay in the consumer's process unless it is signed: the writer needs them
only to keep a message it refuses as a dead letter. When it refuses one, it writes nothing,
asks for the bytes of the messages it refused (``wanted``), and commits the batch again with
them, so the readings and the refusals of a batch still land in one transaction.

Nothing about delivery changes. The consumer acknowledges a message only when the writer has
answered that the batch carrying it is committed (:class:`WriterProcess` is a sink whose
``submit`` hands a batch over and whose ``done`` gives back the verdicts of the batches
committed since, in order). If the writer dies, the consumer stops with
:class:`WriterGone`; what it had handed over but not acknowledged is sent again by the broker
to the next session, and the store counts what was committed as duplicates. If the consumer
dies, the writer reads the end of its pipe and exits after the batch in hand. The writer
receives the next batch while it commits one, in a thread of its own.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import queue
import signal
import threading
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from .prepare import Message, PayloadsWanted, Prepared, Verdict, prepare

__all__ = ["WriterGone", "WriterProcess"]

log = logging.getLogger("qcert.evidence.writer")

# What the writer's process builds for itself: the intake (with its bus and watcher) and
# what to call when it stops. A top-level function or a functools.partial of one, as the
# process is started afresh (spawn) and receives it pickled.
Factory = Callable[[], tuple[Any, Callable[[], None]]]


class WriterGone(RuntimeError):
    """The writer process ended, or could not start; ``en`` and ``zh`` say how."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(f"{en} / {zh}")
        self.en, self.zh = en, zh


class WriterProcess:
    """A sink for :class:`qcert.evidence.mqtt.Consumer` that stores in a process of its own.

    ``factory`` builds the writer's intake in that process; ``depth`` is how many batches may
    be handed over and not yet answered (the consumer waits for an answer before handing over
    more: back-pressure); ``start_seconds`` how long the writer may take to start.
    """

    def __init__(self, factory: Factory, *, depth: int = 2, start_seconds: float = 120.0) -> None:
        self.depth = depth
        ctx = mp.get_context("spawn")  # a fresh interpreter: no threads or connections copied
        self._conn, theirs = ctx.Pipe(duplex=True)
        self._stop = ctx.Event()
        self._process = ctx.Process(
            target=_serve, args=(factory, theirs, self._stop), name="qcert-evidence-writer"
        )
        self._process.start()
        theirs.close()
        self._pending = 0
        # Of each batch handed over and not answered, oldest first: the bytes of its
        # messages, which stay here until the writer asks for them.
        self._payloads: deque[dict[int, bytes]] = deque()
        self._closed = False
        if not self._conn.poll(start_seconds):
            self._process.kill()
            raise WriterGone(
                f"the writer process did not start in {start_seconds:.0f} s",
                f"写入进程未在 {start_seconds:.0f} 秒内启动",
            )
        answer = self._receive()
        if answer[0] != "ready":
            self._process.join(5)
            raise WriterGone(
                f"the writer process could not start: {answer[1]}",
                f"写入进程无法启动：{answer[1]}",
            )

    @property
    def pid(self) -> int | None:
        """The writer's process id."""
        return self._process.pid

    def prepare(self, messages: Sequence[Message]) -> Prepared:
        """Read and check ``messages`` here (:func:`qcert.evidence.prepare.prepare`)."""
        return prepare(messages)

    def submit(self, prepared: Prepared) -> None:
        """Hand a prepared batch to the writer; its verdicts come back from :meth:`done`, in
        the order handed over."""
        self._send(("take", prepared))
        self._payloads.append(prepared.payloads())
        self._pending += 1

    def done(self, wait: float) -> list[list[Verdict]]:
        """The verdicts of each batch committed since the last call, oldest first; waits up
        to ``wait`` s for the first when none is ready and one is in hand."""
        answers: list[list[Verdict]] = []
        timeout = wait
        while self._pending and self._conn.poll(timeout):
            kind, what = self._receive()
            if kind == "done":
                answers.append(what)
                self._payloads.popleft()
                self._pending -= 1
            elif kind == "wanted":  # of the oldest batch: the one the writer is committing
                held = self._payloads[0]
                self._send(("payloads", {i: held[i] for i in what}))
            timeout = 0
        if self._pending and not answers and not self._process.is_alive():
            raise self._gone()
        return answers

    @property
    def pending(self) -> int:
        """Batches handed over and not yet answered."""
        return self._pending

    def take(self, messages: Sequence[Message]) -> list[Verdict]:
        """Hand ``messages`` over and wait for their verdicts (what a plain sink does)."""
        if self._pending:
            raise RuntimeError("take with batches in hand: use submit and done")
        self.submit(prepare(messages))
        while True:
            answers = self.done(1.0)
            if answers:
                return answers[0]

    def interrupt(self) -> None:
        """Tell the writer to give up a batch it cannot store (the store out of reach)
        instead of retrying: the consumer is stopping. Safe in a signal handler."""
        self._stop.set()

    def anchor_due(self, now: datetime) -> None:
        """Ask the writer to anchor the windows due by ``now``, after what it has in hand."""
        self._send(("anchor", now))

    def close(self, wait: float = 30.0) -> None:
        """Stop the writer after what it has in hand (a batch it cannot store is given up,
        unacknowledged); wait up to ``wait`` s for it to exit."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        with contextlib.suppress(OSError):  # gone already
            self._conn.send(("stop",))
        self._process.join(wait)
        if self._process.is_alive():
            log.warning("the writer process did not stop in %.0f s; killing it", wait)
            self._process.kill()
            self._process.join(5)
        self._conn.close()

    def _send(self, item: tuple[Any, ...]) -> None:
        try:
            self._conn.send(item)
        except OSError:
            raise self._gone() from None

    def _receive(self) -> tuple[Any, ...]:
        try:
            return self._conn.recv()  # type: ignore[no-any-return]
        except (EOFError, OSError):
            raise self._gone() from None

    def _gone(self) -> WriterGone:
        self._process.join(1)
        code = self._process.exitcode
        return WriterGone(
            f"the writer process ended (exit code {code})", f"写入进程已退出（退出码 {code}）"
        )


def _serve(factory: Factory, conn: Any, stop: Any) -> None:
    """The writer's process: builds its intake, then commits each batch handed over and
    answers with its verdicts, and anchors when asked, until told to stop or its consumer's
    process is gone."""
    from .mqtt import settle_collector

    # The consumer's process stops it: a signal to the whole group (Ctrl-C, a service
    # manager's SIGTERM) must not end a commit half-way through its batch.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        intake, finish = factory()
    except Exception as err:
        conn.send(("failed", f"{type(err).__name__}: {err}"))
        return
    parent = mp.parent_process()
    inbox: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
    payloads: queue.SimpleQueue[dict[int, bytes] | None] = queue.SimpleQueue()
    try:
        settle_collector()
        conn.send(("ready",))
        # A thread receives what the consumer hands over while this one commits: a batch is
        # megabytes, and read only after the batch before it was committed, the consumer would
        # wait on a full pipe for the writer, and the writer then for the bytes.
        threading.Thread(target=_receive, args=(conn, inbox, payloads), daemon=True).start()
        while True:
            item = inbox.get()
            if item is None:  # the consumer's process is gone: nothing more is acknowledged
                break
            if item[0] == "stop":
                break
            if item[0] == "anchor":
                try:
                    intake.anchor_due(item[1])
                except Exception:
                    log.exception("anchoring failed; it runs again when next asked")
                continue
            verdicts = _commit(intake, item[1], stop, parent, conn, payloads)
            if verdicts is None:
                break
            conn.send(("done", verdicts))
    except (EOFError, OSError):
        pass  # the consumer's process is gone: nothing more will be acknowledged
    finally:
        finish()


def _receive(
    conn: Any,
    inbox: queue.SimpleQueue[tuple[Any, ...] | None],
    payloads: queue.SimpleQueue[dict[int, bytes] | None],
) -> None:
    """Put what the consumer hands over in ``inbox``, in order, and the bytes asked for in
    ``payloads``; None in both once its process is gone; then hash the leaves of a batch
    handed over. Stops after ``stop``. At most its depth of batches is ever in hand, and an
    anchoring request a second."""
    try:
        while True:
            item = conn.recv()
            if item[0] == "payloads":
                payloads.put(item[1])
                continue
            inbox.put(item)
            if item[0] == "stop":
                return
            if item[0] == "take":
                # Hash the batch's leaves while the main thread commits the one before: it
                # spends much of that waiting on the store (SQLite and its fsync run without
                # the interpreter's lock). The commit hashes what is left, from the end.
                for p in item[1].parsed:
                    p.hash_leaves()
    except (EOFError, OSError):
        inbox.put(None)
        payloads.put(None)


def _payloads(
    payloads: queue.SimpleQueue[dict[int, bytes] | None], stop: Any, parent: Any
) -> dict[int, bytes] | None:
    """The bytes the consumer sends when asked; None if it stops (or is gone) first."""
    while True:
        with contextlib.suppress(queue.Empty):
            return payloads.get(timeout=0.2)
        if stop.is_set() or (parent is not None and not parent.is_alive()):
            return None


def _commit(
    intake: Any,
    prepared: Prepared,
    stop: Any,
    parent: Any,
    conn: Any,
    payloads: queue.SimpleQueue[dict[int, bytes] | None],
) -> list[Verdict] | None:
    """Commit one batch, asking for the bytes of the messages it refuses, and retrying with
    backoff while the store is out of reach; None if the consumer stops (or is gone)
    meanwhile: the batch is given up, unacknowledged."""
    delay = 0.1
    while True:
        try:
            return intake.commit(prepared)  # type: ignore[no-any-return]
        except PayloadsWanted as wanted:
            conn.send(("wanted", wanted.positions))
            given = _payloads(payloads, stop, parent)
            if given is None or set(given) != set(wanted.positions):
                return None  # the consumer stops, or lost track: nothing is acknowledged
            prepared.give_payloads(given)
            continue
        except Exception:
            log.exception("commit failed; retrying in %.1f s", delay)
        if stop.wait(delay) or (parent is not None and not parent.is_alive()):
            return None
        delay = min(delay * 2, 10.0)
