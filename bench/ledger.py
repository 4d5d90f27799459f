"""Ledger benchmark: qcert against pymerkle's SqliteTree, same entries, same machine, one run.

Figures (each with the ratio qcert / pymerkle):

1. durable batch append (entries/s): every batch is one committed transaction
   (SQLite, synchronous=FULL for both). qcert's figure is sequencing; a second
   line adds integration into the SHA-256 tree, and a third into both trees
   (SHA-256 and SM3), i.e. the time until checkpoints over all entries can be signed.
2. inclusion-proof latency at 1,000,000 leaves (median and p99 over random
   indices, on freshly opened trees as after a restart; lower is better, so
   the ratio printed is pymerkle / qcert = "times faster").
3. full audit (leaves/s): qcert checks every entry against its sealed leaf hash,
   recomputes every leaf and interior hash of one tree (SHA-256) and of both
   trees from the entries, and checks every checkpoint in order; pymerkle's
   nearest operation recomputes its root from its stored leaf hashes. Each qcert
   audit runs in a fresh process, as ``qcert ledger audit`` does, which prints
   its peak resident memory; the same audit of a 10,000-entry log gives the
   memory ratio (flat memory: close to x1).

Run: ``make bench`` or ``.venv/bin/python bench/ledger.py [--help]``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from pymerkle import SqliteTree

from qcert.ledger import SHA256, SM3, Ledger, generate_ed25519, generate_sm2
from qcert.ledger.storage import SqlLedgerStorage
from qcert.store import create_engine, migrate

warnings.filterwarnings("ignore", category=DeprecationWarning)


def make_entries(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [rng.randbytes(100) for _ in range(n)]


def batches(entries: list[bytes], size: int):
    for i in range(0, len(entries), size):
        yield entries[i : i + size]


def open_qcert(path: Path) -> Ledger:
    engine = create_engine(f"sqlite:///{path}")
    migrate(engine)
    origin = "bench.qcert.localhost/ledger"
    return Ledger(
        SqlLedgerStorage(engine), origin, [generate_ed25519(origin), generate_sm2(origin)]
    )


def reopen(ledger: Ledger, path: Path) -> Ledger:
    """The same log through a new engine, as a restarted process would see it."""
    storage = SqlLedgerStorage(create_engine(f"sqlite:///{path}"))
    return Ledger(storage, ledger.origin, ledger.signers)


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>12,.0f}"


def bench_append(entries: list[bytes], batch: int, workdir: Path, rounds: int) -> dict[str, float]:
    """Median seconds of each contender over ``rounds`` rounds run in turn (q, p, q, p, ...)."""
    runs: dict[str, list[float]] = {}
    for r in range(rounds):
        ledger = open_qcert(workdir / f"append-q{r}.db")
        start = time.perf_counter()
        for b in batches(entries, batch):
            ledger.append(b)
        seq = time.perf_counter() - start
        start = time.perf_counter()
        ledger.storage.integrate(SHA256)
        sha = seq + time.perf_counter() - start
        ledger.storage.engine.dispose()

        # The same appends into a fresh log, then both trees as `Ledger.integrate` builds them.
        ledger = open_qcert(workdir / f"append-q{r}b.db")
        start = time.perf_counter()
        for b in batches(entries, batch):
            ledger.append(b)
        ledger.integrate()
        both = time.perf_counter() - start
        ledger.storage.engine.dispose()

        tree = SqliteTree(str(workdir / f"append-p{r}.db"))
        start = time.perf_counter()
        for b in batches(entries, batch):
            tree.append_entries(b)
        runs.setdefault("pymerkle", []).append(time.perf_counter() - start)
        tree.close()
        runs.setdefault("qcert sequence", []).append(seq)
        runs.setdefault("qcert + sha256 tree", []).append(sha)
        runs.setdefault("qcert + both trees", []).append(both)
    return {name: statistics.median(times) for name, times in runs.items()}


def bench_proofs(size: int, count: int, workdir: Path, seed: int):
    entries = make_entries(size, seed + 1)
    qpath, ppath = workdir / "big-q.db", workdir / "big-p.db"
    start = time.perf_counter()
    ledger = open_qcert(qpath)
    for b in batches(entries, 10_000):
        ledger.append(b)
    ledger.integrate()
    ledger.checkpoint(SHA256)
    ledger.checkpoint(SM3)
    build_q = time.perf_counter() - start
    start = time.perf_counter()
    tree = SqliteTree(str(ppath))
    tree.append_entries(entries)
    tree.close()
    build_p = time.perf_counter() - start
    del entries

    rng = random.Random(seed)
    indices = [rng.randrange(size) for _ in range(count)]
    ledger = reopen(ledger, qpath)
    q = []
    for i in indices:
        start = time.perf_counter()
        ledger.inclusion_proof(i, size)
        q.append(time.perf_counter() - start)
    tree = SqliteTree(str(ppath))
    p = []
    for i in indices:
        start = time.perf_counter()
        tree.prove_inclusion(i + 1, size)  # pymerkle counts leaves from 1
        p.append(time.perf_counter() - start)
    start = time.perf_counter()
    SqliteTree(str(ppath), disable_cache=True).get_root(size)
    root_p = time.perf_counter() - start
    tree.close()
    return build_q, build_p, q, p, reopen(ledger, qpath), root_p


def audit_child(path: str, suites: str) -> None:
    """Audit the log at ``path`` in this process; print seconds, peak RSS and problems."""
    engine = create_engine(f"sqlite:///{path}")
    chosen = [{"sha256": SHA256, "sm3": SM3}[s] for s in suites.split(",")]
    origin = "bench.qcert.localhost/ledger"
    keys = json.loads(Path(path + ".keys").read_text())
    from qcert.ledger import parse_signer

    ledger = Ledger(SqlLedgerStorage(engine), origin, [parse_signer(k) for k in keys], chosen)
    start = time.perf_counter()
    report = ledger.audit()
    seconds = time.perf_counter() - start
    # VmHWM belongs to this address space; ru_maxrss would carry the parent's peak over exec.
    status = Path("/proc/self/status").read_text().splitlines()
    peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": seconds, "peak": peak, "problems": len(report.problems)}))


def audit_in_child(path: Path, ledger: Ledger, suites: str) -> dict:
    """Run :func:`audit_child` in a fresh interpreter, as the command line would."""
    Path(str(path) + ".keys").write_text(json.dumps([s.skey() for s in ledger.signers]))
    out = subprocess.run(
        [sys.executable, __file__, "--audit-child", str(path), "--suites", suites],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def small_log(workdir: Path, seed: int, size: int = 10_000) -> tuple[Path, Ledger]:
    path = workdir / "small-q.db"
    ledger = open_qcert(path)
    ledger.append(make_entries(size, seed + 2))
    ledger.integrate()
    ledger.sign_due()
    return path, ledger


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--entries", type=int, default=200_000, help="entries appended (default 200k)")
    ap.add_argument("--batch", type=int, default=1000, help="entries per transaction")
    ap.add_argument("--size", type=int, default=1_000_000, help="tree size for proofs and audit")
    ap.add_argument("--proofs", type=int, default=200, help="inclusion proofs timed")
    ap.add_argument("--rounds", type=int, default=3, help="append rounds (median is printed)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--audit-child", help=argparse.SUPPRESS)
    ap.add_argument("--suites", default="sha256,sm3", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.audit_child:
        audit_child(args.audit_child, args.suites)
        return

    with tempfile.TemporaryDirectory(prefix="qcert-bench-") as tmp:
        workdir = Path(tmp)
        entries = make_entries(args.entries, args.seed)
        print(f"# ledger benchmark: {args.entries:,} entries of 100 bytes, batches of {args.batch}")
        print(f"## 1. durable batch append (entries/s, median of {args.rounds} rounds)")
        t = bench_append(entries, args.batch, workdir, args.rounds)
        base = t["pymerkle"]
        print(f"  pymerkle SqliteTree (baseline)  {rate(args.entries, base)}")
        for name in ("qcert sequence", "qcert + sha256 tree", "qcert + both trees"):
            print(f"  {name:<32}{rate(args.entries, t[name])}   x{base / t[name]:.2f}")

        print(f"## 2. inclusion proof at {args.size:,} leaves ({args.proofs} random indices)")
        build_q, build_p, q, p, ledger, root_p = bench_proofs(
            args.size, args.proofs, workdir, args.seed
        )
        print(f"  build: qcert {build_q:.1f} s (both trees, checkpoints); pymerkle {build_p:.1f} s")
        for name, fn in (("median", statistics.median), ("p99", lambda v: pct(v, 99))):
            qv, pv = fn(q) * 1e3, fn(p) * 1e3
            print(f"  {name:<6} qcert {qv:8.3f} ms   pymerkle {pv:8.3f} ms   x{pv / qv:.1f} faster")
        print(f"  first proof: qcert {q[0] * 1e3:.3f} ms, pymerkle {p[0] * 1e3:.1f} ms")

        print(f"## 3. full audit at {args.size:,} leaves (leaves/s, higher is better)")
        qpath = workdir / "big-q.db"
        small_path, small = small_log(workdir, args.seed)
        print(f"  pymerkle root recompute (baseline) {rate(args.size, root_p)}")
        for label, suites in (("one tree (sha256)", "sha256"), ("both trees", "sha256,sm3")):
            big = audit_in_child(qpath, ledger, suites)
            little = audit_in_child(small_path, small, suites)
            print(
                f"  qcert audit, {label:<21}{rate(args.size, big['seconds'])}   "
                f"x{root_p / big['seconds']:.2f}  peak {big['peak'] / 2**20:.0f} MiB, "
                f"at 10,000 {little['peak'] / 2**20:.0f} MiB: memory "
                f"x{big['peak'] / little['peak']:.2f}  "
                f"(problems: {big['problems'] + little['problems']})"
            )


if __name__ == "__main__":
    main()
