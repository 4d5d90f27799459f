"""SM2 signatures: the standards' worked examples and OpenSSL as an independent implementation."""

import json
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from qcert.ledger import sm2
from tests.conftest import DATA

VECTORS = json.loads((DATA / "ledger" / "sm2.json").read_text())


def _curve(name):
    c = VECTORS["curves"][name]
    return sm2.Curve(*(int(c[k], 16) for k in ("p", "a", "b", "n", "xG", "yG")))


EXAMPLES = [
    (VECTORS["example_sm2p256v1_default_id"], "sm2p256v1"),
    (VECTORS["example_gbt32918_2_annexA_fp256"], "fp256_test"),
]


@pytest.mark.parametrize(
    ("ex", "curve"), EXAMPLES, ids=["gbt32918.5-sm2p256v1", "gbt32918.2-annex-a"]
)
def test_signature_examples_of_the_standard(ex, curve):
    c = _curve(curve)
    d = int(ex["dA"], 16)
    pub = sm2.public_key(d, c)
    assert pub.hex().upper() == "04" + ex["xA"].upper() + ex["yA"].upper()
    uid = ex["IDA_ascii"].encode()
    assert sm2.z_a(pub, uid, c).hex().upper() == ex["ZA"].upper()
    msg = ex["M_ascii"].encode()
    sig = sm2.sign(d, msg, uid, c, k=int(ex["k"], 16))
    assert decode_dss_signature(sig) == (int(ex["r"], 16), int(ex["s"], 16))
    assert sm2.verify(pub, msg, sig, uid, c)
    assert not sm2.verify(pub, msg + b"!", sig, uid, c)
    assert not sm2.verify(pub, msg, sig, b"someone else", c)


def test_default_user_id_is_1234567812345678():
    assert sm2.DEFAULT_USER_ID == b"1234567812345678"


def test_fresh_nonces_give_different_signatures_that_both_verify():
    d = sm2.generate_private_key()
    a, b = sm2.sign(d, b"m"), sm2.sign(d, b"m")
    assert a != b
    assert sm2.verify(sm2.public_key(d), b"m", a) and sm2.verify(sm2.public_key(d), b"m", b)


def test_garbage_signatures_and_keys_do_not_verify():
    pub = sm2.public_key(sm2.generate_private_key())
    assert not sm2.verify(pub, b"m", b"\x30\x00")
    assert not sm2.verify(b"\x04" + b"\x01" * 64, b"m", sm2.sign(5, b"m"))


def _openssl():
    exe = shutil.which("openssl")
    if exe is None:
        pytest.skip("openssl command not installed")
    return exe


def _pem_key(tmp_path, d: int):
    """An SM2 private key file for OpenSSL holding our scalar (RFC 5915 ECPrivateKey DER)."""
    pub = sm2.public_key(d)
    oid = bytes.fromhex("06082a811ccf5501822d")  # 1.2.156.10197.1.301 sm2p256v1
    der = (
        bytes.fromhex("3077020101")
        + b"\x04\x20"
        + d.to_bytes(32, "big")
        + b"\xa0"
        + bytes([len(oid)])
        + oid
        + b"\xa1\x44\x03\x42\x00"
        + pub
    )
    key = tmp_path / "key.der"
    key.write_bytes(der)
    pem = tmp_path / "key.pem"
    subprocess.run([_openssl(), "pkey", "-inform", "DER", "-in", key, "-out", pem], check=True)
    pubpem = tmp_path / "pub.pem"
    subprocess.run([_openssl(), "pkey", "-in", pem, "-pubout", "-out", pubpem], check=True)
    return pem, pubpem


def test_openssl_verifies_our_signatures_and_we_verify_its(tmp_path):
    d = sm2.generate_private_key()
    pem, pubpem = _pem_key(tmp_path, d)
    msg = tmp_path / "msg"
    msg.write_bytes(b"qcert checkpoint\n")
    sig = tmp_path / "sig"
    sig.write_bytes(sm2.sign(d, msg.read_bytes()))
    distid = ["-pkeyopt", "distid:1234567812345678", "-rawin", "-digest", "sm3"]
    ok = subprocess.run(
        [
            _openssl(),
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            pubpem,
            "-in",
            msg,
            "-sigfile",
            sig,
            *distid,
        ],
        capture_output=True,
    )
    assert ok.returncode == 0, ok.stderr
    theirs = subprocess.run(
        [_openssl(), "pkeyutl", "-sign", "-inkey", pem, "-in", msg, *distid],
        capture_output=True,
        check=True,
    ).stdout
    assert sm2.verify(sm2.public_key(d), msg.read_bytes(), theirs)
    assert not sm2.verify(sm2.public_key(d), b"other", theirs)
