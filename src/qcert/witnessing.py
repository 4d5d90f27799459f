"""The log's side of witnessing: which witnesses, how many must cosign, and asking them.

The witnesses are named in a policy file (``QCERT_WITNESS_POLICY``) in the C2SP tlog-policy
syntax, of which qcert reads two lines::

    witness <name> <vkey> <submission URL>
    quorum <k>

After the schedule signs a checkpoint, each witness is sent the newest checkpoint of each tree
(C2SP tlog-witness ``add-checkpoint``) with a consistency proof from the size it last cosigned.
A witness that holds another size answers 409 with it; the log retries once from that size if
it has a checkpoint there. A witness that holds a size larger than the log's, or refuses the
proof, has seen a history the store no longer tells: that is reported, loudly, and nothing is
cosigned. Checkpoints are published only when ``quorum`` witnesses cosigned them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from .errors import QcertError
from .ledger import HashSuite, Ledger, LedgerError
from .ledger.cosignature import CosignatureVerifier, parse_cosigner
from .ledger.witness import add_checkpoint_body

__all__ = ["Policy", "WitnessEndpoint", "WitnessingReport", "load_policy", "witness_due"]

log = logging.getLogger(__name__)

POLICY_LIMIT = 64 * 1024  # bytes: a policy names a handful of witnesses
TIMEOUT = 5.0  # seconds per request to a witness
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class WitnessEndpoint:
    """A witness: the name the policy gives it, its key and its submission prefix."""

    name: str
    key: CosignatureVerifier
    url: str


@dataclass(frozen=True)
class Policy:
    """The witnesses a log asks and how many of them must cosign a checkpoint."""

    witnesses: tuple[WitnessEndpoint, ...] = ()
    quorum: int = 0


def parse_policy(text: str, where: str = "policy") -> Policy:
    """A policy from tlog-policy text; QcertError naming the line and the rule otherwise."""
    witnesses: list[WitnessEndpoint] = []
    quorum: int | None = None
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        at = f"{where}:{n}"
        if words[0] == "witness":
            if len(words) != 4:
                raise QcertError(f"{at}: expected 'witness <name> <vkey> <submission URL>'")
            _, name, vkey, url = words
            if not _NAME.fullmatch(name):
                raise QcertError(f"{at}: witness name {name!r} must be letters, digits, . _ -")
            try:
                key = parse_cosigner(vkey)
            except LedgerError as err:
                raise QcertError(f"{at}: {err}") from None
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise QcertError(f"{at}: submission URL {url!r} must be http(s)://host[:port]/…")
            if any(w.name == name or w.key.public == key.public for w in witnesses):
                raise QcertError(f"{at}: witness {name!r} or its key is listed twice")
            witnesses.append(WitnessEndpoint(name, key, url.rstrip("/")))
        elif words[0] == "quorum":
            if len(words) != 2 or not words[1].isdigit():
                raise QcertError(f"{at}: expected 'quorum <number of witnesses>'")
            quorum = int(words[1])
        elif words[0] == "log":
            continue  # a verifier's policy names logs too; the log knows its own keys
        else:
            raise QcertError(f"{at}: unknown line {words[0]!r} (witness, quorum or log)")
    if quorum is None:
        quorum = len(witnesses)
    if quorum > len(witnesses):
        raise QcertError(f"{where}: quorum {quorum} is more than the {len(witnesses)} witnesses")
    return Policy(tuple(witnesses), quorum)


def load_policy(path: Path | None) -> Policy:
    """The policy in ``path`` (none: no witnesses); QcertError naming the file otherwise."""
    if path is None:
        return Policy()
    try:
        with path.open("rb") as f:
            data = f.read(POLICY_LIMIT + 1)
    except OSError as err:
        raise QcertError(f"witness policy {path}: {err.strerror}") from None
    if len(data) > POLICY_LIMIT:
        raise QcertError(f"witness policy {path}: larger than {POLICY_LIMIT} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise QcertError(f"witness policy {path}: not UTF-8") from None
    return parse_policy(text, str(path))


@dataclass
class WitnessingReport:
    """One round: cosignatures kept, and what each witness refused or failed to answer."""

    cosigned: list[tuple[str, str, int]] = field(default_factory=list)  # witness, suite, size
    problems: list[str] = field(default_factory=list)


def witness_due(
    ledger: Ledger, policy: Policy, client: httpx.Client | None = None
) -> WitnessingReport:
    """Ask every witness to cosign each tree's newest checkpoint it has not cosigned yet."""
    report = WitnessingReport()
    if not policy.witnesses:
        return report
    own = client or httpx.Client(timeout=TIMEOUT)
    try:
        for suite in ledger.suites:
            size = ledger.signed_size(suite)
            if size == 0:
                continue
            for witness in policy.witnesses:
                if ledger.storage.witnessed_size(suite, witness.key.vkey()) >= size:
                    continue
                try:
                    _submit(ledger, suite, size, witness, own, report)
                except (httpx.HTTPError, LedgerError) as err:
                    report.problems.append(f"witness {witness.name} ({suite.name}): {err}")
    finally:
        if client is None:
            own.close()
    for problem in report.problems:
        log.warning("%s", problem)
    return report


def _submit(
    ledger: Ledger,
    suite: HashSuite,
    size: int,
    witness: WitnessEndpoint,
    client: httpx.Client,
    report: WitnessingReport,
) -> None:
    note = ledger.storage.checkpoint_at(suite, size)
    if note is None:
        return
    old = ledger.storage.witnessed_size(suite, witness.key.vkey())
    for _ in range(2):
        proof = ledger.consistency(old, size, suite).hashes if 0 < old < size else ()
        answer = client.post(
            f"{witness.url}/add-checkpoint",
            content=add_checkpoint_body(old, proof, note),
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
        if answer.status_code == 200:
            ledger.keep_cosignature(suite, size, witness.key, answer.text)
            report.cosigned.append((witness.name, suite.name, size))
            return
        if answer.status_code != 409:
            report.problems.append(
                f"witness {witness.name} refused {suite.name} size {size} "
                f"({answer.status_code}): {answer.text.strip()[:300]}"
            )
            return
        held = _held_size(answer)
        if held is None:
            report.problems.append(f"witness {witness.name}: a 409 without a size")
            return
        if held > size:
            report.problems.append(
                f"witness {witness.name} holds {suite.name} size {held} of this log, larger than "
                f"its newest checkpoint ({size}): the store was rolled back"
            )
            return
        if held == old:
            report.problems.append(f"witness {witness.name}: conflict at size {old} again")
            return
        old = held


def _held_size(answer: httpx.Response) -> int | None:
    text = answer.text
    if answer.headers.get("content-type", "").split(";")[0] != "text/x.tlog.size":
        return None
    if not re.fullmatch(r"(0|[1-9][0-9]{0,19})\n", text):
        return None
    return int(text)
