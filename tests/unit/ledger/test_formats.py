"""Checkpoint text (C2SP tlog-checkpoint) and proof bundles (C2SP tlog-proof@v1)."""

import base64
import hashlib

import pytest

from qcert.ledger import BundleFormatError, Checkpoint, CheckpointError, ProofBundle


def test_checkpoint_text_matches_the_reference_marshalling():
    # transparency-dev/formats log/checkpoint_test.go: {"Log", 123, "bananas"}
    assert Checkpoint("Log", 123, b"bananas".ljust(32, b"\0")).text().startswith("Log\n123\n")
    cp = Checkpoint("example.com/log", 7, bytes(range(32)))
    assert cp.text() == f"example.com/log\n7\n{base64.b64encode(bytes(range(32))).decode()}\n"
    assert Checkpoint.parse(cp.text()) == cp


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("origin\n7\n", "needs origin, size and root"),
        ("\n7\n" + base64.b64encode(bytes(32)).decode() + "\n", "origin line is empty"),
        ("o\n07\n" + base64.b64encode(bytes(32)).decode() + "\n", "leading zeros"),
        ("o\n-1\n" + base64.b64encode(bytes(32)).decode() + "\n", "leading zeros"),
        ("o\n7\n!!!\n", "not base64"),
        ("o\n7\n" + base64.b64encode(bytes(31)).decode() + "\n", "31 bytes"),
        ("o\n7\n" + base64.b64encode(bytes(32)).decode() + "\n\n", "extension lines"),
        ("o\n7\n" + base64.b64encode(bytes(32)).decode(), "end with a newline"),
    ],
)
def test_malformed_checkpoints_are_refused_with_the_reason(text, why):
    with pytest.raises(CheckpointError, match=why):
        Checkpoint.parse(text)


H = [hashlib.sha256(f"hash{i}".encode()).digest() for i in (1, 2, 3)]


@pytest.mark.parametrize(
    ("index", "hashes", "checkpoint", "extra"),
    [
        (5, H[:2], "test checkpoint\n", None),
        (10, H[:1], "checkpoint data\n", b"extra information"),
        (0, [], "checkpoint\n", None),
        (15, H, "multi-hash checkpoint\n", None),
    ],
)
def test_bundle_builder_cases_of_the_reference_implementation(index, hashes, checkpoint, extra):
    text = ProofBundle(index, tuple(hashes), checkpoint, extra).text()
    lines = text.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1"
    assert (
        (lines[1] == "extra " + base64.b64encode(extra).decode()) if extra else "extra" not in text
    )
    assert f"\nindex {index}\n" in text
    for h in hashes:
        assert base64.b64encode(h).decode() + "\n" in text
    assert text.endswith("\n\n" + checkpoint)
    assert ProofBundle.parse(text) == ProofBundle(index, tuple(hashes), checkpoint, extra)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("wrong-header\nindex 0\n\ncheckpoint\n", "does not start with"),
        ("c2sp.org/tlog-proof@v1\nextra !!notbase64!!\nindex 0\n\ncheckpoint\n", "extra data"),
        ("c2sp.org/tlog-proof@v1\n\n\ncheckpoint\n", "expected 'index N'"),
        ("c2sp.org/tlog-proof@v1\nindex notanumber\n\ncheckpoint\n", "expected 'index N'"),
        ("c2sp.org/tlog-proof@v1\nindex -5\n\ncheckpoint\n", "expected 'index N'"),
        ("c2sp.org/tlog-proof@v1\nindex 007\n\ncheckpoint\n", "expected 'index N'"),
        ("c2sp.org/tlog-proof@v1\nindex 0\n!!notbase64!!\n\ncheckpoint\n", "not base64"),
        (
            "c2sp.org/tlog-proof@v1\nindex 0\n"
            + base64.b64encode(bytes(64)).decode()
            + "\n\ncheckpoint\n",
            "64 bytes, expected 32",
        ),
        ("c2sp.org/tlog-proof@v1\nindex 0", "ends before its checkpoint"),
        ("c2sp.org/tlog-proof@v1\nindex 0\n\n", "no checkpoint"),
    ],
)
def test_malformed_bundles_of_the_reference_tests_are_refused(text, why):
    with pytest.raises(BundleFormatError, match=why):
        ProofBundle.parse(text)
