"""Write-path benchmark: lifecycle commands per second as history and writers grow, in one run.

Every command goes through the message bus (validated, authorised, run in a unit of work whose
events are appended to the ledger with their projections in one transaction), as the platform
itself, without side effects (no keys, no host). The commands are a cycle of seven on a
certified certification: raise a minor finding, answer it, close it, check an auditor in and
out, suspend the certificate and restore it (seven events; one more finding per cycle).

1. commands/s on SQLite (a file, ``synchronous=FULL``) and on PostgreSQL (a database of its
   own), with 1 and with 4 writers (one process each, each on certifications of its own), on
   certifications with 10 events (a writer moves to a fresh one every 28 commands, so history
   stays between 10 and 38 events) and with 4,000 events (grown by the same cycle, 570
   findings among them). Baseline: 10 events, 1 writer, on the same database. One more row:
   4,000 events, 1 writer, with nothing kept in memory between commands, so every command
   loads its certification from its snapshot (the cost of a first command after a restart).
   Each figure is the median of 3 rounds, each round on certifications of its own; the load
   average of the machine is printed before and after (other work skews every figure).
2. peak resident memory (VmHWM) of the store's audit (``check_projections``, which
   ``qcert ledger audit`` runs: every event against ``lc_events``, every projection and every
   snapshot against a replay), in a fresh process, over 1,000,000 ledger entries and over
   10,000 (flat memory: a ratio close to x1). The stores are copies of one certification's
   100 events under 10,000 / 100 names, built in bulk (a command at a time would take hours).

The last line sums it up: ``history`` is the lowest 4,000-event rate over its 10-event rate
(any database, any number of writers), ``postgres 4 writers`` the lower of PostgreSQL's two
4-writer rates over its 1-writer rate, and ``audit memory`` the 1M / 10k peak.

Run: ``make bench`` or ``.venv/bin/python bench/commands.py [--help]`` (about 5 minutes).
PostgreSQL is taken from ``QCERT_BENCH_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); the benchmark creates its own
database there and drops it at the end.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from datetime import UTC, date, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from qcert.access import Principal
from qcert.bus import HANDLERS, MessageBus
from qcert.ledger.storage import SqlLedgerStorage
from qcert.lifecycle import (
    AnswerFinding,
    ApplyForCertification,
    CheckIn,
    CloseFinding,
    CompleteAudit,
    Decide,
    GrantBodyScope,
    PlanAudit,
    QualifyAuditor,
    RaiseFinding,
    RegisterAuditor,
    RegisterBody,
    RegisterClient,
    RestoreCertificate,
    ReviewContract,
    SuspendCertificate,
    TechnicalReview,
)
from qcert.lifecycle import events as ev
from qcert.lifecycle.certification import Certification
from qcert.lifecycle.identifiers import uscc_check_char
from qcert.store import create_engine, migrate, projections
from qcert.store import tables as t
from qcert.store.cache import AggregateCache
from qcert.store.db import BulkBuild
from qcert.worldgen.clients import organisation_code

warnings.filterwarnings("ignore", category=DeprecationWarning)

PG_ADMIN_URL = os.environ.get(
    "QCERT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ME = Principal.system("bench")
SITES = [
    {
        "id": "hq",
        "name": "总部",
        "address": "北京市海淀区示例路1号",
        "adcode": "110108",
        "lat": 39.96,
        "lon": 116.30,
        "central": True,
    },
    {
        "id": "plant",
        "name": "工厂",
        "address": "天津市滨海新区示例路2号",
        "adcode": "120116",
        "lat": 39.03,
        "lon": 117.71,
    },
]
TEAM = [{"auditor": "lead1", "role": "lead"}, {"auditor": "aud1", "role": "auditor"}]
DECIDED = date(2023, 3, 1)
# The installation's clock stands at noon (Beijing) of the decision day: every command of the
# cycle is dated that day, as a body recording facts as they happen would date them.
NOON = datetime(2023, 3, 1, 4, tzinfo=UTC)


def CLOCK() -> datetime:
    return NOON


CYCLE = 7  # commands (and events) per cycle
SHORT_RUN = 4 * CYCLE  # commands on one 10-event certification before the next
WRITERS = 4


# -- the world and its commands -------------------------------------------------------------


def world(bus: MessageBus) -> None:
    """A body approved for ISO 9001, its auditors and one client with two sites."""
    for cmd in (
        RegisterBody("cb1", "CNCA-R-2002-cb1", "示例认证中心", "Example Certification", "CNAS"),
        GrantBodyScope("cb1", "iso9001", [17, 18, 19], date(2020, 1, 1)),
        *(RegisterAuditor(p, f"2020-N1QMS-{p}", "审核员", "cb1") for p in ("lead1", "aud1")),
        *(RegisterAuditor(p, f"2020-N1QMS-{p}", "审核员", "cb1") for p in ("rev1", "dec1")),
        *(QualifyAuditor(p, "iso9001", [17, 18]) for p in ("lead1", "aud1", "rev1", "dec1")),
        RegisterClient("c1", "91110108551385082Q", "示例", "Example", "北京", "110108", 55, SITES),
    ):
        bus.handle(cmd, ME)


def certify(bus: MessageBus, cid: str) -> None:
    """An initial certification to a granted certificate (9 events), then a check-in: 10.
    Each certification is its own organisation's (one holds one live certificate per scheme
    and body); registering it is not counted among the certification's events."""
    s1 = date(2023, 2, 1)
    digits = int(sha256(cid.encode()).hexdigest(), 16) % 10**8
    first = "91110108" + organisation_code(f"{digits:08d}")
    client = f"c-{cid}"
    bus.handle(
        RegisterClient(
            client, first + uscc_check_char(first), "示例", "Example", "北京", "110108", 55, SITES
        ),
        ME,
    )
    for cmd in (
        ApplyForCertification(cid, "cb1", client, "iso9001", [17], ["hq", "plant"]),
        ReviewContract(cid, "rev1"),
        PlanAudit(cid, "s1", "stage1", TEAM, "FS01", s1, s1, 1.5, ["hq"]),
        CompleteAudit(cid, "s1", 1.5, s1),
        PlanAudit(cid, "s2", "stage2", TEAM, "FS01", DECIDED, DECIDED, 3.5, ["hq", "plant"]),
        CompleteAudit(cid, "s2", 3.5, DECIDED),
        TechnicalReview(cid, "rev1", "grant"),
        Decide(cid, "dec1", "grant", DECIDED, f"N-{cid}", "精密零件 / precision parts"),
        CheckIn(cid, "s2", "lead1", 39.96, 116.30),
    ):
        bus.handle(cmd, ME)


def command(cid: str, n: int) -> Any:
    """The ``n``-th command of the cycle on ``cid`` (numbered from 0 after its 10th event)."""
    step, k = n % CYCLE, n // CYCLE
    fid, on = f"f{k}", DECIDED
    if step == 0:
        return RaiseFinding(cid, fid, "s2", "minor", "8.5", "the press log has gaps", "lead1")
    if step == 1:
        return AnswerFinding(cid, fid, "log completed", "no check", "a daily check of the log")
    if step == 2:
        return CloseFinding(cid, fid, "lead1", on)
    if step in (3, 4):
        return CheckIn(cid, "s2", "aud1", 39.03, 117.71, out=step == 4)
    if step == 5:
        return SuspendCertificate(cid, "surveillance overdue", on, 3)
    return RestoreCertificate(cid, on)


def grow(bus: MessageBus, cid: str, events: int, batch: int = 700) -> int:
    """Run the cycle on ``cid`` until it holds ``events`` events, ``batch`` commands per unit
    of work (the same handlers and events, fewer transactions); the next command number."""
    n = 0
    while n < events - 10:
        uow = bus.unit_of_work(ME.account_id)
        with uow:
            for _ in range(min(batch, events - 10 - n)):
                cmd = command(cid, n)
                HANDLERS[type(cmd)](cmd, uow)
                n += 1
            uow.commit()
    return n


# -- commands per second --------------------------------------------------------------------


def writer(url: str, plan: list[tuple[str, int]], count: int, cold: bool, go, out) -> None:
    """Run ``count`` commands after the barrier, ``SHORT_RUN`` per certification of ``plan``
    (``(id, next command number)``) when it names several; report when it began and ended."""
    engine = create_engine(url)
    bus = MessageBus(engine, clock=CLOCK)
    if cold:
        bus.cache = AggregateCache(size=0)  # nothing kept: every load from the snapshot
    cid, n = plan[0]
    bus.handle(command(cid, n), ME)  # warm: connections, imports, scheme files
    plan[0] = (cid, n + 1)
    go.wait()
    begin = time.perf_counter()
    for i in range(count):
        cid, n = plan[i // SHORT_RUN] if len(plan) > 1 else plan[0]
        bus.handle(command(cid, n + (i % SHORT_RUN if len(plan) > 1 else i)), ME)
    out.put((begin, time.perf_counter()))
    engine.dispose()


def measure(url: str, plans: list[list[tuple[str, int]]], count: int, cold: bool = False):
    """Commands per second of one writer process per plan, ``count`` commands each."""
    ctx = mp.get_context("spawn")
    go, out = ctx.Barrier(len(plans)), ctx.Queue()
    procs = [ctx.Process(target=writer, args=(url, plan, count, cold, go, out)) for plan in plans]
    for p in procs:
        p.start()
    times = [out.get() for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode:
            raise SystemExit(f"a writer failed (exit {p.exitcode})")
    return len(plans) * count / (max(e for _, e in times) - min(b for b, _ in times))


def bench_database(url: str, long_events: int, count: int, rounds: int) -> dict[str, float]:
    """The five figures of one database, by row name: each the median of ``rounds`` rounds,
    every round on certifications of its own (so a history stays what its row says)."""
    engine = create_engine(url)
    migrate(engine)
    bulk = BulkBuild(engine)  # SQLite: the set-up skips disk syncs; measured runs do not
    bus = MessageBus(engine, clock=CLOCK)
    world(bus)
    per_run = count // SHORT_RUN + 1
    short = [
        [f"s{r}-{w}-{i}" for i in range(2 * per_run)] for r in range(rounds) for w in range(WRITERS)
    ]
    longs = [f"long{r}-{w}" for r in range(rounds) for w in range(WRITERS)]
    for cid in [c for cids in short for c in cids] + longs:
        certify(bus, cid)
    after = {cid: grow(bus, cid, long_events) for cid in longs}
    bulk.close()
    settle(engine)
    engine.dispose()
    runs: dict[str, list[float]] = {}
    for r in range(rounds):
        mine = short[r * WRITERS : (r + 1) * WRITERS]
        cells = []
        for n in (1, WRITERS):
            plans = [[(cid, 0) for cid in cids[:per_run]] for cids in mine[:n]]
            mine = [cids[per_run:] if w < n else cids for w, cids in enumerate(mine)]
            cells.append((f"10 events, {_writers(n)}", plans, False))
            longs_r = [f"long{r}-{w}" for w in range(n)]
            cells.append(
                (f"{long_events:,} events, {_writers(n)}", _at(after, longs_r, count), False)
            )
        cold = [f"long{r}-0"]
        cells.append(
            (
                f"{long_events:,} events, 1 writer, every load from its snapshot",
                _at(after, cold, count),
                True,
            )
        )
        for name, plans, cold_loads in cells:
            runs.setdefault(name, []).append(measure(url, plans, count, cold_loads))
    return {name: statistics.median(rates) for name, rates in runs.items()}


def settle(engine: sa.Engine) -> None:
    """After the set-up, before measuring: PostgreSQL's statistics gathered and dead rows
    cleared (no autovacuum in the middle of a figure), SQLite's WAL written back."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        else:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _writers(n: int) -> str:
    return f"{n} writer{'s' * (n > 1)}"


def _at(after: dict[str, int], cids: list[str], count: int) -> list[list[tuple[str, int]]]:
    """One writer's plan per certification, from its next command; moves them on."""
    plans = [[(cid, after[cid])] for cid in cids]
    for cid in cids:
        after[cid] += count + 1  # and the warm-up command
    return plans


# -- the audit's memory ---------------------------------------------------------------------

TOKEN = "TPL000000"  # the template certification's id; each copy's id has its length


def template(path: Path) -> tuple[list[bytes], dict[sa.Table, list[dict]], list, tuple]:
    """One certification of 100 events built through the bus: its event documents, its
    projection rows, its certificate-history rows (by offset) and its snapshot row."""
    engine = create_engine(f"sqlite:///{path}")
    migrate(engine)
    bulk = BulkBuild(engine)
    bus = MessageBus(engine, clock=CLOCK)
    world(bus)
    certify(bus, TOKEN)
    for n in range(90):
        bus.handle(command(TOKEN, n), ME)
    bulk.close()
    e, s = t.events.c, t.snapshots.c
    with engine.connect() as conn:
        docs = conn.execute(
            sa.select(e.document).where(e.aggregate == f"certification:{TOKEN}").order_by(e.seq)
        ).scalars()
        docs = [d.encode() for d in docs]
        snap = conn.execute(sa.select(s.aggregate, s.seq, s.format, s.state)).one()
    envelopes = [ev.decode(json.loads(d)) for d in docs]
    agg = Certification.replay(TOKEN, [env.event for env in envelopes])
    history = projections.history_rows(list(enumerate(envelopes)))
    engine.dispose()
    return docs, projections.rows_for(agg), history, tuple(snap)


def _named(value: Any, name: str) -> Any:
    return value.replace(TOKEN, name) if isinstance(value, str) else value


def audit_store(path: Path, entries: int, shape: tuple) -> int:
    """A store of about ``entries`` ledger entries: the world, then copies of the template
    certification under new names, written in bulk; the number of entries."""
    docs, rows, history, snap = shape
    engine = create_engine(f"sqlite:///{path}")
    migrate(engine)
    bulk = BulkBuild(engine)
    world(MessageBus(engine, clock=CLOCK))
    storage = SqlLedgerStorage(engine)
    copies = max(1, (entries - storage.size()) // len(docs))
    for start in range(0, copies, 500):
        names = [f"C{i:08d}" for i in range(start, min(start + 500, copies))]
        with storage.write() as conn:
            batch = [d.replace(TOKEN.encode(), name.encode()) for name in names for d in docs]
            first = storage.append_in(conn, batch)
            conn.execute(t.events.insert(), list(_event_rows(first, batch)))
            for table, table_rows in rows.items():
                named = [{k: _named(v, n) for k, v in r.items()} for n in names for r in table_rows]
                if named:
                    conn.execute(table.insert(), named)
            conn.execute(
                t.certificate_history.insert(),
                [
                    {
                        **{k: _named(v, n) for k, v in r.items()},
                        "ledger_index": first + c * len(docs) + o,
                    }
                    for c, n in enumerate(names)
                    for o, r in ((r["ledger_index"], r) for r in history)
                ],
            )
            key, seq, fmt, state = snap
            conn.execute(
                t.snapshots.insert(),
                [
                    {
                        "aggregate": _named(key, n),
                        "seq": seq,
                        "format": fmt,
                        "state": _named(state, n),
                    }
                    for n in names
                ],
            )
    bulk.close()
    size = storage.size()
    engine.dispose()
    return size


def _event_rows(first: int, batch: list[bytes]):
    for i, doc in enumerate(batch):
        d = json.loads(doc)
        yield {
            "ledger_index": first + i,
            "aggregate": d["aggregate"],
            "seq": d["seq"],
            "type": d["type"],
            "tenant": d["tenant"],
            "at": d["at"],
            "document": doc.decode(),
        }


def audit_child(path: str) -> None:
    """Audit the store at ``path`` in this process; print seconds, peak RSS and problems."""
    from qcert.store.replay import check_projections

    engine = create_engine(f"sqlite:///{path}")
    start = time.perf_counter()
    problems = check_projections(engine)
    seconds = time.perf_counter() - start
    # VmHWM belongs to this address space; ru_maxrss would carry the parent's peak over exec.
    status = Path("/proc/self/status").read_text().splitlines()
    peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": seconds, "peak": peak, "problems": problems[:5]}))


def audit_in_child(path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--audit-child", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# -- the run --------------------------------------------------------------------------------


def postgres_database():
    """A fresh PostgreSQL database: (its URL, a function that drops it)."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"qcert_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    url = sa.make_url(PG_ADMIN_URL).set(database=name)
    return url.render_as_string(hide_password=False), drop


def print_rates(results: dict[str, dict[str, float]]) -> None:
    dbs = list(results)
    rows = list(results[dbs[0]])
    print(f"  {'':<52}" + "".join(f"{db:>22}" for db in dbs))
    for row in rows:
        cells = ""
        for db in dbs:
            base = results[db][rows[0]]
            cells += f"{results[db][row]:>13,.0f}  x{results[db][row] / base:>5.2f}"
        label = row + (" (baseline)" if row == rows[0] else "")
        print(f"  {label:<52}{cells}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--events", type=int, default=4000, help="history of the long certifications")
    ap.add_argument("--commands", type=int, default=210, help="commands per writer per figure")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per figure (median printed)")
    ap.add_argument("--audit-entries", type=int, default=1_000_000, help="the large audit")
    ap.add_argument("--audit-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.audit_child:
        audit_child(args.audit_child)
        return
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="qcert-bench-") as tmp:
        workdir = Path(tmp)
        print(
            f"# write path: lifecycle commands/s through the bus, {args.commands} commands per "
            f"writer per figure, median of {args.rounds} rounds; {os.cpu_count()} CPUs, load "
            f"average {os.getloadavg()[0]:.2f}"
        )
        sqlite = f"sqlite:///{workdir / 'c.db'}"
        results = {"SQLite": bench_database(sqlite, args.events, args.commands, args.rounds)}
        url, drop = postgres_database()
        try:
            results["PostgreSQL"] = bench_database(url, args.events, args.commands, args.rounds)
        finally:
            drop()
        print("## 1. commands/s, and the ratio to the baseline")
        print_rates(results)

        print("## 2. the store's audit (events, projections, snapshots) in a fresh process")
        shape = template(workdir / "template.db")
        audits = {}
        for entries in (10_000, args.audit_entries):
            path = workdir / f"audit-{entries}.db"
            size = audit_store(path, entries, shape)
            audits[entries] = report = audit_in_child(path)
            print(
                f"  {size:>10,} entries: {report['seconds']:6.1f} s, peak "
                f"{report['peak'] / 2**20:.0f} MiB, problems: {len(report['problems'])} "
                f"{report['problems']}"
            )
            path.unlink()
    history = min(
        results[db][f"{args.events:,} events, {_writers(n)}"]
        / results[db][f"10 events, {_writers(n)}"]
        for db in results
        for n in (1, WRITERS)
    )
    pg = results["PostgreSQL"]
    parallel = min(
        pg[f"{h} events, {WRITERS} writers"] / pg[f"{h} events, 1 writer"]
        for h in ("10", f"{args.events:,}")
    )
    memory = audits[args.audit_entries]["peak"] / audits[10_000]["peak"]
    print(
        f"  ({time.perf_counter() - started:.0f} s in all; load average {os.getloadavg()[0]:.2f})"
    )
    print(
        f"commands: history x{history:.2f}, postgres {WRITERS} writers x{parallel:.2f}, "
        f"audit memory 1M/10k x{memory:.2f}"
    )


if __name__ == "__main__":
    main()
