"""A witness's state on SQLite and PostgreSQL: what it follows, and a held size that racing
requests can never move backwards."""

import json
import threading

import pytest

from qcert.ledger import LedgerError, generate_ed25519, generate_sm2
from qcert.ledger.cosignature import generate_cosigner
from qcert.ledger.note import Ed25519Verifier
from qcert.ledger.storage import SqlWitnessState
from qcert.ledger.witness import HeldCheckpoint, Witness, WitnessRefused, add_checkpoint_body
from tests.conftest import DATA

VECTORS = json.loads((DATA / "ledger" / "witness_litewitness.json").read_text())
ORIGIN = "log.example/ledger"


def test_following_a_log_checks_its_keys(engine):
    state = SqlWitnessState(engine)
    ed, sm2 = generate_ed25519(ORIGIN), generate_sm2(ORIGIN)
    vkeys = [ed.verifier().vkey(), sm2.verifier().vkey()]
    state.follow(ORIGIN, vkeys)
    state.follow(ORIGIN + "/sm3", vkeys, "sm3")  # a qcert log's second tree
    with pytest.raises(LedgerError, match="followed already"):
        state.follow(ORIGIN, vkeys)
    with pytest.raises(LedgerError, match="not named after the log"):
        state.follow("other.example/log", vkeys)
    with pytest.raises(LedgerError, match="witness's cosignature key"):
        state.follow("w.example", [generate_cosigner("w.example").verifier().vkey()])
    with pytest.raises(LedgerError, match="unknown hash suite"):
        state.follow("third.example", [generate_ed25519("third.example").verifier().vkey()], "md5")
    assert [(log.origin, log.suite.name, held) for log, held in state.logs()] == [
        (ORIGIN, "sha256", None),
        (ORIGIN + "/sm3", "sm3", None),
    ]
    assert state.log("nobody") is None


def test_the_published_sequence_on_the_database(engine):
    state = SqlWitnessState(engine)
    log = Ed25519Verifier(VECTORS["log_origin"], bytes.fromhex(VECTORS["log_public_key_hex"]))
    state.follow(log.name, [log.vkey()])
    witness = Witness(generate_cosigner(VECTORS["witness_name"]), state.log, state)
    codes = []
    for step in VECTORS["steps"]:
        try:
            witness.add_checkpoint(step["body"].encode())
            codes.append(200)
        except WitnessRefused as refused:
            codes.append(refused.refusal.value)
    assert codes == [step["status"] for step in VECTORS["steps"]]
    held = state.held(log.name)
    assert held is not None and held.size == 5 and "\u2014 example.com/witness " in held.note


def test_a_held_size_only_moves_by_compare_and_swap(engine):
    state = SqlWitnessState(engine)
    state.follow(ORIGIN, [generate_ed25519(ORIGIN).verifier().vkey()])
    three = HeldCheckpoint(ORIGIN, 3, b"\x03" * 32, "three")
    assert state.swap(0, three)
    assert not state.swap(0, HeldCheckpoint(ORIGIN, 2, b"\x02" * 32, "two"))  # stale old
    assert state.held(ORIGIN) == three
    assert not state.swap(3, HeldCheckpoint("not followed", 9, b"\x09" * 32, "nine"))


def test_racing_requests_never_roll_the_witness_back(engine):
    """Many requests checked at once from the same held size: exactly one wins; the rest are
    told the size now held. (The race tlog-witness describes ends in a rollback otherwise.)"""
    state = SqlWitnessState(engine)
    state.follow(ORIGIN, [generate_ed25519(ORIGIN).verifier().vkey()])
    state.swap(0, HeldCheckpoint(ORIGIN, 1, b"\x01" * 32, "one"))
    start = threading.Barrier(8)
    won: list[int] = []

    def race(size: int) -> None:
        start.wait()
        if state.swap(1, HeldCheckpoint(ORIGIN, size, bytes([size]) * 32, str(size))):
            won.append(size)

    threads = [threading.Thread(target=race, args=(size,)) for size in range(2, 10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    assert state.held(ORIGIN).size == won[0]


def test_a_request_body_round_trips():
    body = add_checkpoint_body(3, [b"\x01" * 32], "o\n4\n" + "A" * 43 + "=\n\n\u2014 o AAAA\n")
    assert body.startswith(b"old 3\nAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n\no\n4\n")
