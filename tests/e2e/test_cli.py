"""The command line, end to end, on SQLite and PostgreSQL (Typer's runner)."""

import json

import pytest
from typer.testing import CliRunner

from qcert.cli.main import app
from tests.e2e.conftest import cli_at


@pytest.fixture
def qcert(tmp_path, database_url, monkeypatch):
    """Run ``qcert`` with a fresh data directory on the test database."""
    run = cli_at(tmp_path / "data", database_url, monkeypatch)
    return run


@pytest.fixture
def files(tmp_path):
    paths = []
    for i, text in enumerate(["first", "second", "第三"]):
        p = tmp_path / f"entry{i}.txt"
        p.write_text(text)
        paths.append(p)
    return paths


def test_init_makes_owner_only_keys_and_refuses_to_overwrite(qcert, tmp_path):
    keys = tmp_path / "data" / "keys"
    assert oct(keys.stat().st_mode & 0o777) == "0o700"
    for f in keys.iterdir():
        assert oct(f.stat().st_mode & 0o777) == "0o600"
    again = qcert("init", ok=False)
    assert again.exit_code == 1
    assert "keys already exist" in again.output


def test_keys_show_prints_one_ed25519_and_one_sm2_vkey(qcert):
    rows = json.loads(qcert("keys", "show", "--json").stdout)
    assert [r["algorithm"] for r in rows] == ["ed25519", "sm2-sm3"]
    assert all(r["vkey"].startswith("cli.test/ledger+") for r in rows)
    assert qcert("keys", "show").stdout.split() == [r["vkey"] for r in rows]


def _size(qcert) -> int:
    """The ledger's size: `qcert init` put the operator's account on it already."""
    return json.loads(qcert("ledger", "checkpoint", "--json").stdout)["size"]


def test_init_records_the_operator_and_signs_it(qcert):
    assert _size(qcert) == 2  # account.opened and account.api-key-issued of `operator`
    assert json.loads(qcert("whoami", "--json").stdout)["roles"] == ["platform-admin@platform"]


def test_append_prove_and_verify_round_trip(qcert, files, tmp_path):
    base = _size(qcert)
    out = qcert("ledger", "append", *files).stdout.splitlines()
    assert [int(line.split("\t")[0]) for line in out] == [base, base + 1, base + 2]
    vkey = qcert("keys", "show").stdout.split()[0]
    bundle = tmp_path / "p.tlog-proof"
    qcert("ledger", "prove", base + 2, "-o", bundle)
    ok = qcert("ledger", "verify-proof", bundle, "--entry", files[2], "--vkey", vkey)
    assert f"OK entry {base + 2} is in cli.test/ledger at size {base + 3}" in ok.stdout
    wrong = qcert("ledger", "verify-proof", bundle, "--entry", files[1], "--vkey", vkey, ok=False)
    assert wrong.exit_code == 1
    assert "does not match expected" in wrong.output
    assert "Traceback" not in wrong.output


def test_sm3_bundle_verifies_with_the_same_keys(qcert, files, tmp_path):
    base = _size(qcert)
    qcert("ledger", "append", *files)
    bundle = tmp_path / "sm3.tlog-proof"
    bundle.write_text(qcert("ledger", "prove", base, "--suite", "sm3").stdout)
    assert bundle.read_text().split("\n\n")[1].startswith(f"cli.test/ledger/sm3\n{base + 3}\n")
    vkey_file = tmp_path / "vkey"
    vkey_file.write_text(qcert("keys", "show").stdout.split()[1])
    result = json.loads(
        qcert(
            "ledger", "verify-proof", bundle, "--entry", files[0], "--vkey", vkey_file, "--json"
        ).stdout
    )
    assert result["suite"] == "sm3" and result["index"] == base


def test_checkpoint_and_consistency_as_json(qcert, files):
    base = _size(qcert)
    qcert("ledger", "append", *files[:1])
    qcert("ledger", "append", *files[1:])
    cp = json.loads(qcert("ledger", "checkpoint", "--json").stdout)
    assert (cp["origin"], cp["size"]) == ("cli.test/ledger", base + 3)
    proof = json.loads(qcert("ledger", "consistency", base + 1, base + 3, "--json").stdout)
    assert proof["new"]["root"] == cp["root"]
    assert proof["proof"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: "garbage\n" + t, "does not start with"),
        (lambda t: t.replace("index 1", "index 7"), "not in a tree of size"),
        (
            lambda t: t.split("\n\n")[0].rsplit("\n", 1)[0] + "\n\n" + t.split("\n\n", 1)[1],
            "hashes, needs",
        ),
        (lambda t: t.replace(t.split("\n")[2], "A" + t.split("\n")[2][1:]), "does not match"),
    ],
    ids=["malformed", "index-past-size", "truncated", "bit-flipped"],
)
def test_bad_bundles_fail_with_one_line_in_each_language(qcert, files, tmp_path, mutate, message):
    base = _size(qcert)
    qcert("ledger", "append", *files[:2])
    vkey = qcert("keys", "show").stdout.split()[0]
    bundle = tmp_path / "bad.tlog-proof"
    text = qcert("ledger", "prove", base + 1).stdout.replace(f"index {base + 1}", "index 1")
    bundle.write_text(mutate(text).replace("index 1", f"index {base + 1}", 1))
    result = qcert("ledger", "verify-proof", bundle, "--entry", files[1], "--vkey", vkey, ok=False)
    assert result.exit_code == 1
    assert message in result.output
    english, chinese = result.output.strip().splitlines()
    assert message in english and any("\u4e00" <= ch <= "\u9fff" for ch in chinese)


def test_wrong_vkey_fails_with_one_line(qcert, files, tmp_path):
    base = _size(qcert)
    qcert("ledger", "append", *files[:1])
    bundle = tmp_path / "p.tlog-proof"
    qcert("ledger", "prove", base, "-o", bundle)
    other = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    result = qcert("ledger", "verify-proof", bundle, "--entry", files[0], "--vkey", other, ok=False)
    assert result.exit_code == 1
    assert "no signature from a known key" in result.output
    broken = qcert("ledger", "verify-proof", bundle, "--entry", files[0], "--vkey", "x+y", ok=False)
    assert "malformed verifier key" in broken.output


def test_index_past_the_tree_fails_cleanly(qcert, files):
    base = _size(qcert)
    qcert("ledger", "append", *files[:1])
    result = qcert("ledger", "prove", base + 1, ok=False)
    assert result.exit_code == 1
    assert result.output.strip().startswith(
        f"error / 错误: entry {base + 1} is not in the signed checkpoint of size {base + 1} yet"
    )


def test_audit_reports_ok_then_finds_tampering(qcert, files, database_url):
    import sqlalchemy as sa

    qcert("ledger", "append", *files)
    qcert("ledger", "checkpoint")
    report = json.loads(qcert("ledger", "audit", "--json").stdout)
    assert report["ok"] and report["checkpoints"] == 4  # both trees, after init and the append
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE ledger_entries SET data = :d"), {"d": b"\x00\x00\x00\x05fifth" * 3}
        )
    engine.dispose()
    bad = qcert("ledger", "audit", ok=False)
    assert bad.exit_code == 1
    assert "FAIL" in bad.output


def test_a_checkpoint_kept_by_a_verifier_exposes_a_rebuilt_store(
    qcert, files, tmp_path, database_url
):
    import sqlalchemy as sa

    qcert("ledger", "append", *files)
    seen = tmp_path / "seen.checkpoint"
    seen.write_text(qcert("ledger", "checkpoint").stdout)  # as fetched from /ledger/checkpoint
    size = int(seen.read_text().split("\n")[1])
    report = json.loads(qcert("ledger", "audit", "--seen", seen, "--json").stdout)
    assert report["ok"] and report["seen"] == 1
    # The operator empties the ledger and rebuilds a shorter one, signed with the keys on disk.
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        for table in ("ledger_entries", "ledger_tiles", "ledger_state", "ledger_checkpoints"):
            conn.execute(sa.text(f"DELETE FROM {table}"))
    engine.dispose()
    qcert("ledger", "append", files[0])
    qcert("ledger", "checkpoint")
    alone = json.loads(qcert("ledger", "audit", "--json", ok=False).stdout)
    assert not any("rollback" in p for p in alone["problems"])  # nothing inside can tell
    caught = qcert("ledger", "audit", "--seen", seen, ok=False)
    assert caught.exit_code == 1
    assert f"rollback: the log was seen at size {size}, the store holds 1 entries" in caught.output
    huge = tmp_path / "huge.checkpoint"
    huge.write_bytes(b"x" * (64 * 1024 + 1))
    refused = qcert("ledger", "audit", "--seen", huge, ok=False)
    assert refused.exit_code == 1 and "larger than 65536 bytes" in refused.output


def test_commands_before_init_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("QCERT_DATA_DIR", str(tmp_path / "none"))
    result = CliRunner().invoke(app, ["ledger", "checkpoint"])
    assert result.exit_code == 1
    assert "run `qcert init` first" in result.output


def test_missing_file_is_named(qcert, tmp_path):
    result = qcert("ledger", "append", tmp_path / "nope.txt", ok=False)
    assert result.exit_code == 1
    assert "nope.txt" in result.output


def test_json_entries_of_any_shape_append_and_audit(qcert, tmp_path):
    odd = tmp_path / "odd.json"
    odd.write_text('{"type": ["VerifiableCredential"], "aggregate": 1}')
    qcert("ledger", "append", odd)
    assert json.loads(qcert("ledger", "audit", "--json").stdout)["ok"]
