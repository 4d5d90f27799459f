"""Witnessing end to end (C2SP tlog-witness / tlog-cosignature): two witnesses, each a
``qcert serve`` in a process of its own, cosign a log as it grows; a reader requires both
cosignatures; a log that forks or is rolled back gets none, and says why.

Each party is a qcert installation in its own data directory on its own SQLite file: the
witnesses as a regulator's hub would run, the log as a body's platform would.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qcert.bootstrap import Services, bootstrap
from qcert.cli.main import app
from qcert.config import Settings
from qcert.ledger import SHA256, SM3, IndexOutOfRange, verify_proof
from qcert.ledger.cosignature import parse_cosigner
from qcert.witnessing import witness_due
from tests.served import qcert_servers


def _cli(env: dict[str, str], *args: str, ok: bool = True):
    result = CliRunner().invoke(app, list(args), env=env)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


@dataclass(frozen=True)
class Hub:
    """A served witness: its name in a policy, its cosigning key, its command line's
    environment (its data directory) and its URL."""

    name: str
    vkey: str
    env: dict[str, str]
    url: str


@pytest.fixture(scope="module")
def hubs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Hub]]:
    """Two witnesses, each ``qcert serve`` on a data directory of its own, for the whole
    module: a witness serves many logs, and each test's log has an origin of its own.
    (Starting the two servers was most of each test's setup.)"""
    root = tmp_path_factory.mktemp("hubs")
    made = []
    for n in (1, 2):
        env = {"QCERT_DATA_DIR": str(root / f"w{n}"), "QCERT_DATABASE_URL": ""}
        _cli(env, "init", "--origin", f"hub{n}.example/ledger")
        key = json.loads(
            _cli(env, "witness", "init", "--name", f"hub{n}.example/witness", "--json").stdout
        )
        made.append((f"w{n}", key["vkey"], env))
    with qcert_servers([env for _, _, env in made]) as served:
        yield [
            Hub(name, vkey, env, f"http://127.0.0.1:{port}/witness")
            for (name, vkey, env), (_, port) in zip(made, served, strict=True)
        ]


@pytest.fixture
def origin() -> str:
    """The test's log's origin: no other test's log has it."""
    return f"body-{uuid.uuid4().hex[:8]}.example/ledger"


@pytest.fixture
def log_dir(tmp_path: Path, origin: str) -> Path:
    env = {"QCERT_DATA_DIR": str(tmp_path / "log"), "QCERT_DATABASE_URL": ""}
    _cli(env, "init", "--origin", origin)
    return tmp_path / "log"


@pytest.fixture
def witnesses(hubs: list[Hub], log_dir: Path, origin: str) -> list[tuple[str, str, str]]:
    """The two witnesses following both trees of the test's log; their names, keys and URLs."""
    vkeys = json.loads(_cli({"QCERT_DATA_DIR": str(log_dir)}, "keys", "show", "--json").stdout)
    keys = [arg for v in vkeys for arg in ("--vkey", v["vkey"])]
    for hub in hubs:
        _cli(hub.env, "witness", "follow", origin, *keys)
        _cli(hub.env, "witness", "follow", origin + "/sm3", *keys, "--suite", "sm3")
    return [(hub.name, hub.vkey, hub.url) for hub in hubs]


def _log(data: Path, witnesses, tmp_path: Path, quorum: int = 2) -> Services:
    policy = tmp_path / f"{data.name}.policy"
    policy.write_text(
        "".join(f"witness {name} {vkey} {url}\n" for name, vkey, url in witnesses)
        + f"quorum {quorum}\n"
    )
    settings = replace(Settings.from_env(data_dir=data), witness_policy=policy)
    return bootstrap(settings)


def test_two_witnesses_cosign_a_growing_log_and_a_reader_requires_both(
    log_dir, witnesses, origin, tmp_path
):
    svc = _log(log_dir, witnesses, tmp_path)
    keys = [parse_cosigner(vkey) for _, vkey, _ in witnesses]
    entries = [f"event {i}".encode() for i in range(10)]
    base = svc.ledger.size()  # `qcert init` recorded the operator's account
    first = svc.ledger.append(entries)[0]
    svc.ledger.sign_due()
    with pytest.raises(IndexOutOfRange, match="cosigned by 2 witness"):
        svc.ledger.signed()  # signed, not yet published: nobody has cosigned it
    report = witness_due(svc.ledger, svc.policy)
    assert report.problems == []
    size = base + 10
    assert sorted(report.cosigned) == [
        ("w1", "sha256", size),
        ("w1", "sm3", size),
        ("w2", "sha256", size),
        ("w2", "sm3", size),
    ]
    for grow in range(2):  # and again, each time from the size the witnesses hold
        svc.ledger.append([f"more {grow} {i}".encode() for i in range(5)])
        svc.schedule.sign_checkpoints()  # what the server does every 2 s: sign, then ask
    size += 10
    assert svc.ledger.signed_size() == size
    for suite in (SHA256, SM3):
        note = svc.ledger.signed(suite)
        assert note.startswith(f"{svc.ledger.origin_of(suite)}\n{size}\n")
    bundle = svc.ledger.prove_signed(first + 2)
    result = verify_proof(bundle, entries[2], [svc.ledger.verifiers()[0]], keys, 2)
    assert sorted(result.cosigned_by) == sorted(k.vkey() for k in keys)
    with pytest.raises(Exception, match="cosigned by 1 of the witnesses given, 2 required"):
        verify_proof(
            bundle.replace(bundle.split("\n")[-2] + "\n", ""),
            entries[2],
            [svc.ledger.verifiers()[0]],
            keys,
            2,
        )
    # The command line verifies the same way, offline.
    (tmp_path / "e.bin").write_bytes(entries[2])
    (tmp_path / "p.tlog-proof").write_text(bundle)
    vkey = svc.ledger.verifiers()[0].vkey()
    args = [
        "ledger",
        "verify-proof",
        str(tmp_path / "p.tlog-proof"),
        "--entry",
        str(tmp_path / "e.bin"),
        "--vkey",
        vkey,
    ]
    both = [a for _, v, _ in witnesses for a in ("--witness", v)]
    assert "cosigned by 2 witness" in _cli({}, *args, *both).output
    stranger = _cli({}, *args, "--witness", witnesses[0][1], "--quorum", "2", ok=False)
    assert "--quorum: 2 is more than the 1 --witness keys given" in stranger.output
    assert svc.ledger.audit().ok
    # Each witness serves what it holds, for monitors, with the log's signature and its own.
    for _, vkey, url in witnesses:
        digest = hashlib.sha256(origin.encode()).hexdigest()
        status, held = _get(f"{url}/{digest}/checkpoint")
        assert status == 200 and held.startswith(f"{origin}\n{size}\n")
        assert f"\u2014 {origin} " in held and f"\u2014 {vkey.split('+')[0]} " in held
        status, about = _get(url)
        assert (
            status == 200
            and {"origin": origin, "size": size}.items()
            <= next(log for log in json.loads(about)["logs"] if log["origin"] == origin).items()
        )
    svc.close()


def _copy_keys(log_dir: Path, to: Path) -> None:
    """An installation with the log's own keys: the operator who holds them, forking."""
    (to / "keys").mkdir(parents=True, mode=0o700)
    for key in ("ed25519.skey", "sm2.skey"):
        shutil.copy2(log_dir / "keys" / key, to / "keys" / key)
    to.chmod(0o700)


def test_a_fork_and_a_rollback_are_refused_by_both_witnesses(log_dir, witnesses, tmp_path):
    honest = _log(log_dir, witnesses, tmp_path)
    honest.ledger.append([f"event {i}".encode() for i in range(10)])
    honest.schedule.sign_checkpoints()
    size = honest.ledger.signed_size()
    assert honest.ledger.signed().count("\u2014 ") == 4  # Ed25519, SM2 and two witnesses
    honest.close()

    # A fork: same keys, same size, other entries.
    forked_dir = tmp_path / "forked"
    _copy_keys(log_dir, forked_dir)
    forked = _log(forked_dir, witnesses, tmp_path)
    forked.ledger.append([f"rewritten {i}".encode() for i in range(size)])
    forked.ledger.sign_due()
    report = witness_due(forked.ledger, forked.policy)
    assert report.cosigned == []
    assert len(report.problems) == 4  # two witnesses, two trees
    assert all("refused" in p and "(422)" in p and "split view" in p for p in report.problems)
    with pytest.raises(IndexOutOfRange):
        forked.ledger.signed()  # nothing the fork signed is ever published
    forked.close()

    # A rollback: same keys, a shorter history.
    short_dir = tmp_path / "short"
    _copy_keys(log_dir, short_dir)
    short = _log(short_dir, witnesses, tmp_path)
    short.ledger.append([f"event {i}".encode() for i in range(4)])
    short.ledger.sign_due()
    report = witness_due(short.ledger, short.policy)
    assert report.cosigned == []
    assert len(report.problems) == 4
    assert all(f"size {size} of this log" in p and "rolled back" in p for p in report.problems)
    short.close()


def test_anyone_may_submit_but_only_the_log_is_trusted_and_only_the_operator_follows(
    hubs, witnesses, origin
):
    _, _, url = witnesses[0]
    unsigned = b"old 0\n\n" + f"{origin}\n1\n{'A' * 43}=\n\n\u2014 {origin} AAAAAAAA\n".encode()
    request = urllib.request.Request(f"{url}/add-checkpoint", data=unsigned, method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    unknown = urllib.request.Request(
        f"{url}/add-checkpoint",
        data=unsigned.replace(origin.encode(), b"else.example/ledger"),
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unknown, timeout=10)
    assert refused.value.code == 404
    # Following a log is the witness's operator's alone: a signed-in account without the
    # platform role is refused.
    env = hubs[0].env
    _cli(
        env,
        "lifecycle",
        "do",
        "open-account",
        json.dumps(
            {
                "account_id": "ann",
                "display_name": "Ann",
                "roles": [],
                "password": "correct horse battery",
            }
        ),
    )
    login = CliRunner().invoke(app, ["login", "ann"], input="correct horse battery\n", env=env)
    assert login.exit_code == 0, login.output
    try:
        follow = _cli(env, "witness", "follow", "x.example", "--vkey", "x", ok=False)
        assert follow.exit_code == 1 and "only a platform administrator" in follow.output
    finally:
        # The witness is the module's: its command line acts as its operator again.
        _cli(env, "logout")
