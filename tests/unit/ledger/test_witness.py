"""The witness's add-checkpoint rules (C2SP tlog-witness), on the published litewitness
sequence and on the cases the reference implementations test besides."""

import json

import pytest

from qcert.ledger import SHA256, Checkpoint, generate_ed25519, sign_note
from qcert.ledger.cosignature import cosignatures, generate_cosigner
from qcert.ledger.note import Ed25519Verifier
from qcert.ledger.witness import (
    FollowedLog,
    HeldCheckpoint,
    Refusal,
    Witness,
    WitnessRefused,
    add_checkpoint_body,
    parse_add_checkpoint,
)
from tests.conftest import DATA
from tests.unit.ledger.reference import mth, subproof

VECTORS = json.loads((DATA / "ledger" / "witness_litewitness.json").read_text())


class Held:
    """What a witness holds, in a dict: the compare-and-swap contract and nothing else."""

    def __init__(self) -> None:
        self.rows: dict[str, HeldCheckpoint] = {}

    def held(self, origin: str) -> HeldCheckpoint | None:
        return self.rows.get(origin)

    def swap(self, old_size: int, new: HeldCheckpoint) -> bool:
        current = self.rows.get(new.origin)
        if (current.size if current else 0) != old_size:
            return False
        self.rows[new.origin] = new
        return True


def _refusal(witness: Witness, body: bytes) -> WitnessRefused:
    with pytest.raises(WitnessRefused) as caught:
        witness.add_checkpoint(body)
    return caught.value


def test_the_published_add_checkpoint_sequence():
    log = Ed25519Verifier(VECTORS["log_origin"], bytes.fromhex(VECTORS["log_public_key_hex"]))
    signer = generate_cosigner(VECTORS["witness_name"])
    state = Held()
    witness = Witness(signer, {log.name: FollowedLog(log.name, (log,))}, state)
    for n, step in enumerate(VECTORS["steps"], start=1):
        body = step["body"].encode()
        if step["status"] == 200:
            line = witness.add_checkpoint(body)
            assert step["contains"] in line, n
            note = parse_add_checkpoint(body).note
            (found,) = cosignatures(note + line, [signer.verifier()])
            assert found.witness == signer.verifier()
        else:
            refused = _refusal(witness, body)
            assert refused.refusal.value == step["status"], (n, str(refused))
            if "equals" in step:
                assert f"{refused.held}\n" == step["equals"]
            else:
                assert step["contains"] in str(refused), (n, str(refused))
    held = state.held(log.name)
    assert held is not None and held.size == 5
    # The witness keeps the log's verified signature beside its own cosignature.
    assert held.note.count("\u2014 ") == 2


# -- a log of our own ---------------------------------------------------------

ORIGIN = "log.example/ledger"


@pytest.fixture
def log():
    return generate_ed25519(ORIGIN)


@pytest.fixture
def witness(log):
    return Witness(
        generate_cosigner("witness.example/w1"),
        {ORIGIN: FollowedLog(ORIGIN, (log.verifier(),), SHA256)},
        Held(),
    )


def _note(log, entries) -> str:
    return sign_note(Checkpoint(ORIGIN, len(entries), mth(SHA256, entries)).text(), [log])


def _proof(old_entries, new_entries) -> list[bytes]:
    return subproof(SHA256, len(old_entries), new_entries, True)


def test_a_growing_log_is_cosigned_and_the_same_tree_again_gets_a_fresh_cosignature(witness, log):
    first = [b"a", b"b", b"c"]
    witness.add_checkpoint(add_checkpoint_body(0, [], _note(log, first)))
    grown = [*first, b"d", b"e"]
    witness.add_checkpoint(add_checkpoint_body(3, _proof(first, grown), _note(log, grown)))
    assert witness.add_checkpoint(add_checkpoint_body(5, [], _note(log, grown))).startswith(
        "\u2014 witness.example/w1 "
    )


def test_a_rollback_is_a_conflict_naming_the_size_held(witness, log):
    entries = [bytes([i]) for i in range(8)]
    witness.add_checkpoint(add_checkpoint_body(0, [], _note(log, entries)))
    shorter = entries[:5]
    refused = _refusal(witness, add_checkpoint_body(0, [], _note(log, shorter)))
    assert (refused.refusal, refused.held) == (Refusal.CONFLICT, 8)
    refused = _refusal(witness, add_checkpoint_body(8, [], _note(log, shorter)))
    assert refused.refusal is Refusal.MALFORMED and "past the checkpoint's size 5" in str(refused)


def test_a_fork_of_the_same_size_is_a_split_view(witness, log):
    entries = [bytes([i]) for i in range(4)]
    witness.add_checkpoint(add_checkpoint_body(0, [], _note(log, entries)))
    forked = [*entries[:3], b"other"]
    refused = _refusal(witness, add_checkpoint_body(4, [], _note(log, forked)))
    assert refused.refusal is Refusal.INCONSISTENT and "split view" in str(refused)


def test_a_fork_that_grows_has_no_consistency_proof(witness, log):
    entries = [bytes([i]) for i in range(4)]
    witness.add_checkpoint(add_checkpoint_body(0, [], _note(log, entries)))
    forked = [*entries[:3], b"other", b"more"]
    # The forger's best try: a proof from its own tree at size 4.
    refused = _refusal(
        witness, add_checkpoint_body(4, _proof(forked[:4], forked), _note(log, forked))
    )
    assert refused.refusal is Refusal.INCONSISTENT and "consistency proof failed" in str(refused)


def test_size_zero_needs_the_empty_tree_and_no_proof(witness, log):
    empty = sign_note(Checkpoint(ORIGIN, 0, b"\x01" * 32).text(), [log])
    assert _refusal(witness, add_checkpoint_body(0, [], empty)).refusal is Refusal.INCONSISTENT
    witness.add_checkpoint(add_checkpoint_body(0, [], _note(log, [])))
    refused = _refusal(witness, add_checkpoint_body(0, [b"\x00" * 32], _note(log, [b"a"])))
    assert refused.refusal is Refusal.INCONSISTENT and "must be empty" in str(refused)
    witness.add_checkpoint(add_checkpoint_body(0, [], _note(log, [b"a"])))  # grows from 0


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"old 01\n\n", "old <size>"),
        (b"old -1\n\n", "old <size>"),
        (b"old 1\nnot base64\n\n", "proof line 1"),
        (b"old 1\n" + b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n" * 64 + b"\n", "at most 63"),
        (b"old 0\n" + "\u2014".encode() + b"\xff\n\n", "not UTF-8"),
        (b"old 0\nno blank line", "no blank line"),
    ],
)
def test_malformed_requests_are_400_naming_what_is_wrong(witness, body, says):
    refused = _refusal(witness, body)
    assert refused.refusal is Refusal.MALFORMED and says in str(refused)


def test_a_checkpoint_signed_by_another_key_is_forbidden(witness):
    stranger = generate_ed25519(ORIGIN)
    refused = _refusal(witness, add_checkpoint_body(0, [], _note(stranger, [b"a"])))
    assert refused.refusal is Refusal.FORBIDDEN and "no signature from a known key" in str(refused)


def test_a_swap_lost_to_another_request_is_a_conflict_and_stores_nothing(log):
    class Racing(Held):
        def swap(self, old_size, new):
            # Another request for a larger tree wins between our check and our write.
            self.rows[new.origin] = HeldCheckpoint(new.origin, 9, b"\x00" * 32, "")
            return False

    state = Racing()
    witness = Witness(
        generate_cosigner("witness.example/w1"),
        {ORIGIN: FollowedLog(ORIGIN, (log.verifier(),))},
        state,
    )
    refused = _refusal(witness, add_checkpoint_body(0, [], _note(log, [b"a"])))
    assert (refused.refusal, refused.held) == (Refusal.CONFLICT, 9)
