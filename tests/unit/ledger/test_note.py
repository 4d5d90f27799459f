"""Signed notes against the golang.org/x/mod/sumdb/note example (the C2SP reference key)."""

import json

import pytest

from qcert.ledger import (
    CheckpointError,
    KeyFormatError,
    SignatureError,
    generate_ed25519,
    generate_sm2,
    open_note,
    parse_signer,
    parse_verifier,
    sign_note,
)
from qcert.ledger.note import key_id, split_note
from tests.conftest import DATA

VECTORS = json.loads((DATA / "ledger" / "signed_note.json").read_text())
PETER = VECTORS["go_reference_example"]
ENOCH = VECTORS["go_second_key"]


def test_example_key_verifies_its_example_note():
    text, good = open_note(PETER["signed_note"], [parse_verifier(PETER["vkey"])])
    assert text == PETER["text"]
    assert [v.vkey() for v in good] == [PETER["vkey"]]


def test_example_signer_reproduces_the_example_signature():
    signer = parse_signer(PETER["skey"])
    assert signer.verifier().vkey() == PETER["vkey"]
    assert sign_note(PETER["text"], [signer]) == PETER["signed_note"]


def test_key_id_is_the_first_four_bytes_of_sha256_of_name_newline_type_key():
    v = parse_verifier(PETER["vkey"])
    assert key_id("PeterNeumann", b"\x01" + v.public) == 0xC74F20A3


def test_unknown_keys_are_ignored_and_known_ones_checked():
    both = PETER["signed_note"] + ENOCH["signature_line_over_same_text"]
    _, good = open_note(both, [parse_verifier(PETER["vkey"])])
    assert [v.name for v in good] == ["PeterNeumann"]
    _, good = open_note(both, [parse_verifier(PETER["vkey"]), parse_verifier(ENOCH["vkey"])])
    assert sorted(v.name for v in good) == ["EnochRoot", "PeterNeumann"]


def test_a_note_without_a_known_signature_is_refused():
    with pytest.raises(SignatureError, match="no signature from a known key"):
        open_note(PETER["signed_note"], [parse_verifier(ENOCH["vkey"])])


def test_a_bad_signature_from_a_known_key_is_refused():
    line = PETER["signature_line"]
    bad = PETER["text"] + "\n" + line[:60] + "ABCD" + line[60:]
    with pytest.raises(SignatureError, match="invalid signature for key PeterNeumann\\+c74f20a3"):
        open_note(bad, [parse_verifier(PETER["vkey"])])


@pytest.mark.parametrize(
    "message",
    [
        PETER["text"],
        PETER["text"] + "\n",
        PETER["text"] + "\n" + PETER["signature_line"][:-1],
        "\x01" + PETER["signed_note"],
        PETER["text"] + "\n" + PETER["signature_line"] * 101,
        PETER["text"] + "\n" + "- PeterNeumann x08go\n",
    ],
)
def test_malformed_notes_are_refused(message):
    with pytest.raises((CheckpointError, SignatureError)):
        open_note(message, [parse_verifier(PETER["vkey"])])


@pytest.mark.parametrize(
    "vkey",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ApC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+!!!",
    ],
)
def test_malformed_verifier_keys_are_refused(vkey):
    with pytest.raises(KeyFormatError):
        parse_verifier(vkey)


def test_sm2_keys_round_trip_and_sign_notes():
    signer = generate_sm2("example.org/log")
    assert parse_signer(signer.skey()).verifier() == signer.verifier()
    verifier = parse_verifier(signer.verifier().vkey())
    note = sign_note("hello\n", [signer])
    _, good = open_note(note, [verifier])
    assert good == [verifier]


def test_sm2_lines_are_ignored_by_verifiers_that_only_know_ed25519():
    ed, sm = generate_ed25519("example.org/log"), generate_sm2("example.org/log")
    note = sign_note("hello\n", [ed, sm])
    _, sigs = split_note(note)
    assert [s.key_id for s in sigs] == [ed.key_id, sm.key_id]
    _, good = open_note(note, [ed.verifier()])
    assert good == [ed.verifier()]


def test_sm2_key_with_another_user_id_has_another_key_id():
    a = generate_sm2("n")
    b = type(a)("n", a.d, b"ALICE123@YAHOO.COM")
    assert a.key_id != b.key_id
    note = sign_note("x\n", [b])
    with pytest.raises(SignatureError):
        open_note(note.replace(f"{b.key_id:08x}", "x"), [a.verifier()])
    open_note(note, [parse_verifier(b.verifier().vkey())])
