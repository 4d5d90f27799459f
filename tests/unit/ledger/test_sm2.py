"""SM2 signatures: OpenSSL-backed ``sm2`` against the standards' examples, an independent
reference implementation (``sm2_reference``) and the ``openssl`` command."""

import ctypes.util
import inspect
import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from qcert.ledger import sm2
from tests.conftest import DATA

from . import sm2_reference as ref

VECTORS = json.loads((DATA / "ledger" / "sm2.json").read_text())
N = ref.SM2P256V1.n
P = ref.SM2P256V1.p


def _curve(name: str) -> ref.Curve:
    c = VECTORS["curves"][name]
    return ref.Curve(*(int(c[k], 16) for k in ("p", "a", "b", "n", "xG", "yG")))


def _point(x: str, y: str) -> bytes:
    return bytes.fromhex("04" + x + y)


EXAMPLES = [
    (VECTORS["example_sm2p256v1_default_id"], "sm2p256v1"),
    (VECTORS["example_gbt32918_2_annexA_fp256"], "fp256_test"),
]
GBT_5 = VECTORS["example_sm2p256v1_default_id"]
ANNEX_A = VECTORS["example_gbt32918_2_annexA_fp256"]
RUSTCRYPTO = VECTORS["extra_verification_vectors"][0]
OPENSSL_KEY1 = VECTORS["extra_verification_vectors"][1]

# Published (public key, user id, message, r, s) on sm2p256v1, the only curve OpenSSL's SM2
# takes. Left out, by construction: GB/T 32918.2 Annex A (its Fp-256 test curve, checked with
# the reference below), the F2m-257 example (a binary curve), and OpenSSL's evppkey_sm2
# vectors, which sign a given digest e rather than a message with a user id.
PUBLISHED_SM2P256V1 = [
    pytest.param(
        _point(GBT_5["xA"], GBT_5["yA"]),
        GBT_5["IDA_ascii"].encode(),
        GBT_5["M_ascii"].encode(),
        int(GBT_5["r"], 16),
        int(GBT_5["s"], 16),
        id="gbt32918.5-annex-a",
    ),
    pytest.param(
        bytes.fromhex(RUSTCRYPTO["public_key_sec1_uncompressed"]),
        RUSTCRYPTO["IDA_ascii"].encode(),
        RUSTCRYPTO["M_ascii"].encode(),
        int(RUSTCRYPTO["r"], 16),
        int(RUSTCRYPTO["s"], 16),
        id="rustcrypto-distid",
    ),
]


def test_the_published_examples_are_all_accounted_for():
    on_sm2p256v1 = {"example_sm2p256v1_default_id"}
    elsewhere = {"example_gbt32918_2_annexA_fp256", "example_f2m257"}
    assert {k for k in VECTORS if k.startswith("example_")} == on_sm2p256v1 | elsewhere
    assert list(VECTORS["curves"]) == ["fp256_test", "sm2p256v1"]
    extra = [v["title"].split(" ")[0] for v in VECTORS["extra_verification_vectors"]]
    assert extra == ["RustCrypto", "OpenSSL"]  # RUSTCRYPTO and OPENSSL_KEY1 above
    assert _curve("sm2p256v1") == ref.SM2P256V1


@pytest.mark.parametrize(
    ("ex", "curve"), EXAMPLES, ids=["gbt32918.5-sm2p256v1", "gbt32918.2-annex-a"]
)
def test_the_reference_reproduces_the_examples_of_the_standard(ex, curve):
    c = _curve(curve)
    d = int(ex["dA"], 16)
    pub = ref.public_key(d, c)
    assert pub.hex().upper() == "04" + ex["xA"].upper() + ex["yA"].upper()
    uid = ex["IDA_ascii"].encode()
    assert ref.z_a(pub, uid, c).hex().upper() == ex["ZA"].upper()
    msg = ex["M_ascii"].encode()
    sig = ref.sign(d, msg, uid, c, k=int(ex["k"], 16))
    assert decode_dss_signature(sig) == (int(ex["r"], 16), int(ex["s"], 16))
    assert ref.verify(pub, msg, sig, uid, c)
    assert not ref.verify(pub, msg + b"!", sig, uid, c)
    assert not ref.verify(pub, msg, sig, b"someone else", c)


def test_the_der_of_the_sm2p256v1_example_is_what_the_vectors_give():
    der = encode_dss_signature(int(GBT_5["r"], 16), int(GBT_5["s"], 16))
    assert der.hex().upper() == GBT_5["der_signature_hex"].upper()


@pytest.mark.parametrize(("pub", "uid", "msg", "r", "s"), PUBLISHED_SM2P256V1)
def test_verify_accepts_the_published_signatures_and_nothing_changed(pub, uid, msg, r, s):
    sig = encode_dss_signature(r, s)
    assert sm2.verify(pub, msg, sig, uid)
    assert not sm2.verify(pub, msg + b"!", sig, uid)
    assert not sm2.verify(pub, msg[:-1], sig, uid)
    assert not sm2.verify(pub, msg, sig, b"someone else")
    assert not sm2.verify(pub, msg, sig, uid + b"x")
    assert not sm2.verify(pub, msg, encode_dss_signature(r, (s + 1) % N), uid)
    assert not sm2.verify(pub, msg, encode_dss_signature((r + 1) % N, s), uid)


@pytest.mark.parametrize(
    ("d", "x", "y"),
    [
        (GBT_5["dA"], GBT_5["xA"], GBT_5["yA"]),
        (
            OPENSSL_KEY1["d_decoded"],
            OPENSSL_KEY1["public_decoded_x"],
            OPENSSL_KEY1["public_decoded_y"],
        ),
    ],
    ids=["gbt32918.5-annex-a", "openssl-evppkey-sm2-key1"],
)
def test_public_key_gives_the_published_public_keys(d, x, y):
    assert sm2.public_key(int(d, 16)) == _point(x.upper(), y.upper())


def test_public_key_agrees_with_the_reference_at_the_ends_of_the_range_and_between():
    for d in (1, 2, N - 2, N // 2, sm2.generate_private_key()):
        assert sm2.public_key(d) == ref.public_key(d)


def test_generated_keys_are_in_range_and_fresh():
    keys = {sm2.generate_private_key() for _ in range(20)}
    assert len(keys) == 20
    assert all(1 <= d <= N - 2 for d in keys)


@pytest.mark.parametrize(
    "uid",
    [sm2.DEFAULT_USER_ID, b"ALICE123@YAHOO.COM", b"", b"\x00\xff" * 4095],
    ids=lambda u: f"{len(u)}-byte-id",
)
def test_signatures_verify_with_the_reference_and_the_reference_s_with_ours(uid):
    d = sm2.generate_private_key()
    pub = sm2.public_key(d)
    msg = b"qcert checkpoint\n"
    other = b"!" + uid[1:]
    ours = sm2.sign(d, msg, uid)
    assert ref.verify(pub, msg, ours, uid)
    assert not ref.verify(pub, msg, ours, other)
    theirs = ref.sign(d, msg, uid)
    assert sm2.verify(pub, msg, theirs, uid)
    assert not sm2.verify(pub, msg, theirs, other)


def test_keys_at_the_ends_of_the_range_sign():
    for d in (1, N - 2):
        sig = sm2.sign(d, b"m")
        assert ref.verify(ref.public_key(d), b"m", sig)
        assert sm2.verify(sm2.public_key(d), b"m", sig)


@pytest.mark.parametrize(
    "d", [0, -1, N - 1, N, N + 1, 2**256], ids=["0", "-1", "n-1", "n", "n+1", "2^256"]
)
def test_private_keys_outside_1_to_n_minus_2_are_refused(d):
    with pytest.raises(ValueError, match=r"\[1, n - 2\]"):
        sm2.public_key(d)
    if d != N - 1:  # signed in a child process below
        with pytest.raises(ValueError, match=r"\[1, n - 2\]"):
            sm2.sign(d, b"m")


def test_signing_with_n_minus_1_is_refused_not_left_to_openssl():
    # 1 + d = n has no inverse mod n, and OpenSSL 3.0 then draws nonces forever instead of
    # failing; a child process lets a regression fail on the timeout rather than hang the suite.
    code = (
        "from qcert.ledger import sm2\n"
        "try:\n"
        f"    sm2.sign({N - 1}, b'm')\n"
        "except ValueError:\n"
        "    print('refused')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout == "refused\n", done.stderr


def test_user_ids_beyond_openssls_limit_are_refused():
    d = sm2.generate_private_key()
    assert sm2.verify(sm2.public_key(d), b"m", sm2.sign(d, b"m", b"i" * 8190), b"i" * 8190)
    with pytest.raises(ValueError, match="user id"):
        sm2.sign(d, b"m", b"i" * 8191)
    with pytest.raises(ValueError, match="user id"):
        sm2.verify(sm2.public_key(d), b"m", b"\x30\x00", b"i" * 8191)


def test_default_user_id_is_1234567812345678():
    assert sm2.DEFAULT_USER_ID == b"1234567812345678"


def test_no_caller_can_choose_the_nonce():
    assert list(inspect.signature(sm2.sign).parameters) == ["d", "message", "user_id"]


def test_fresh_nonces_give_different_signatures_that_both_verify():
    d = sm2.generate_private_key()
    pub = sm2.public_key(d)
    a, b = sm2.sign(d, b"m"), sm2.sign(d, b"m")
    assert a != b
    assert decode_dss_signature(a)[0] != decode_dss_signature(b)[0]
    for sig in (a, b):
        assert sm2.verify(pub, b"m", sig)
        assert ref.verify(pub, b"m", sig)


def test_malformed_or_out_of_range_signatures_do_not_verify():
    d = sm2.generate_private_key()
    pub = sm2.public_key(d)
    good = sm2.sign(d, b"m")
    r, s = decode_dss_signature(good)
    assert sm2.verify(pub, b"m", good)
    bad = [
        b"",
        b"\x30\x00",
        good[:-1],
        good + b"\x00",
        # r with a superfluous leading zero byte: BER, not DER
        b"\x30" + bytes([good[1] + 1]) + b"\x02" + bytes([good[3] + 1]) + b"\x00" + good[4:],
        encode_dss_signature(0, s),
        encode_dss_signature(r, 0),
        encode_dss_signature(r + N, s),
        encode_dss_signature(r, s + N),
        encode_dss_signature(r, N - r),  # r + s = n
        sm2.sign(sm2.generate_private_key(), b"m"),
    ]
    for sig in bad:
        assert not sm2.verify(pub, b"m", sig), sig.hex()


def test_wrong_points_do_not_verify():
    d = sm2.generate_private_key()
    pub = sm2.public_key(d)
    sig = sm2.sign(d, b"m")
    wrong = [
        b"\x04" + b"\x01" * 64,  # off the curve
        bytes([2 + pub[64] % 2]) + pub[1:33],  # the same point, compressed
        bytes([6 + pub[64] % 2]) + pub[1:],  # the same point, hybrid form
        pub[1:],
        pub + b"\x00",
        b"\x04" + P.to_bytes(32, "big") + pub[33:],  # x = p, outside the field
        _point(ANNEX_A["xA"], ANNEX_A["yA"]),  # a point of another curve
        sm2.public_key(sm2.generate_private_key()),
    ]
    for point in wrong:
        assert not sm2.verify(point, b"m", sig), point.hex()


def test_signing_and_verifying_from_many_threads_at_once():
    keys = [sm2.generate_private_key() for _ in range(8)]

    def work(i: int) -> bool:
        d = keys[i % len(keys)]
        msg = f"message {i}".encode()
        sig = sm2.sign(d, msg, b"thread")
        return sm2.verify(sm2.public_key(d), msg, sig, b"thread") and not sm2.verify(
            sm2.public_key(d), msg + b"!", sig, b"thread"
        )

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(work, range(200)))


def test_a_missing_or_unusable_libcrypto_is_a_clear_error():
    with pytest.raises(sm2.LibcryptoError, match=r"OpenSSL's libcrypto 3\.0") as err:
        sm2._load(["libqcert-no-such-library.so.0", "libc.so.6"])
    assert "libqcert-no-such-library.so.0" in str(err.value)
    assert "libc.so.6" in str(err.value)


def test_libcrypto_so_3_is_tried_when_find_library_finds_nothing(monkeypatch):
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    assert sm2._candidates() == ["libcrypto.so.3"]


def _openssl() -> str:
    exe = shutil.which("openssl")
    if exe is None:
        pytest.skip("openssl command not installed")
    return exe


def _pem_key(tmp_path, d: int):
    """An SM2 private key file for OpenSSL holding our scalar (RFC 5915 ECPrivateKey DER)."""
    pub = ref.public_key(d)
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


@pytest.mark.parametrize("uid", [sm2.DEFAULT_USER_ID, b"example@qcert"], ids=bytes.decode)
def test_openssl_verifies_our_signatures_and_we_verify_its(tmp_path, uid):
    d = sm2.generate_private_key()
    pub = sm2.public_key(d)
    pem, pubpem = _pem_key(tmp_path, d)
    msg = tmp_path / "msg"
    msg.write_bytes(b"qcert checkpoint\n")
    sig = tmp_path / "sig"
    sig.write_bytes(sm2.sign(d, msg.read_bytes(), uid))
    distid = ["-pkeyopt", f"distid:{uid.decode()}", "-rawin", "-digest", "sm3"]

    def openssl_verifies(message_file) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [
                *(_openssl(), "pkeyutl", "-verify", "-pubin", "-inkey", pubpem),
                *("-in", message_file, "-sigfile", sig, *distid),
            ],
            capture_output=True,
        )

    ok = openssl_verifies(msg)
    assert ok.returncode == 0, ok.stderr
    other = tmp_path / "other"
    other.write_bytes(b"qcert checkpoint?\n")
    assert openssl_verifies(other).returncode != 0
    theirs = subprocess.run(
        [_openssl(), "pkeyutl", "-sign", "-inkey", pem, "-in", msg, *distid],
        capture_output=True,
        check=True,
    ).stdout
    assert sm2.verify(pub, msg.read_bytes(), theirs, uid)
    assert ref.verify(pub, msg.read_bytes(), theirs, uid)
    assert not sm2.verify(pub, b"other", theirs, uid)
    assert not sm2.verify(pub, msg.read_bytes(), theirs, uid + b"!")
