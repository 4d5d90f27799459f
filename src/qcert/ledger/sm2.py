"""SM2 digital signatures with SM3 (GB/T 32918.2-2016) on sm2p256v1 (GB/T 32918.5-2017).

Signing works on a long-term secret, so no arithmetic on the private key or the nonce may
take time that depends on their values. Key generation, public-key derivation, signing and
verification are therefore done by OpenSSL's libcrypto (3.0 or later), a maintained
implementation with constant-time scalar multiplication, called through :mod:`ctypes`
because the ``cryptography`` package exposes no SM2. A plain implementation of the
standard's formulas is kept only as a test reference (``tests/unit/ledger/sm2_reference.py``);
the tests check this module against it, against the standards' published examples and
against the ``openssl`` command.

A private key is the scalar ``d`` in [1, n - 2] (GB/T 32918.1-2016 6.1); a public key is the
65-byte uncompressed point ``04 || x || y``; a signature is DER
``SEQUENCE { r INTEGER, s INTEGER }`` (GM/T 0009-2012 7.3). Every call builds and frees its
own OpenSSL objects, so the functions are safe to call from several threads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = [
    "DEFAULT_USER_ID",
    "LibcryptoError",
    "generate_private_key",
    "public_key",
    "sign",
    "verify",
]

DEFAULT_USER_ID = b"1234567812345678"  # GB/T 35276-2017 5.4 default distinguishing id

# Order of the base point of sm2p256v1 (GB/T 32918.5-2017 chapter 4); public, used only to
# refuse scalars outside the range the standard allows before OpenSSL sees them.
_N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123

# OpenSSL's Z_A computation refuses ids of UINT16_MAX / 8 = 8191 bytes or more, one byte
# short of what the 16-bit ENTL_A of GB/T 32918.2 5.5 could express.
_MAX_USER_ID = 8190

_SM2_CURVE_OID = bytes.fromhex("06082a811ccf5501822d")  # 1.2.156.10197.1.301 sm2p256v1
_EC_PUBLIC_KEY_OID = bytes.fromhex("06072a8648ce3d0201")  # 1.2.840.10045.2.1 id-ecPublicKey
# RFC 5915 ECPrivateKey { version 1, privateKey OCTET STRING (32), [0] sm2p256v1 }. The public
# key is left out so that OpenSSL derives it itself, with its constant-time ladder.
_EC_PRIVATE_KEY_HEAD = bytes.fromhex("3031020101" + "0420")
_EC_PRIVATE_KEY_TAIL = b"\xa0" + bytes([len(_SM2_CURVE_OID)]) + _SM2_CURVE_OID
# RFC 5480 SubjectPublicKeyInfo { { id-ecPublicKey, sm2p256v1 }, BIT STRING (0 unused, point) }.
_SPKI_HEAD = (
    bytes.fromhex("30593013") + _EC_PUBLIC_KEY_OID + _SM2_CURVE_OID + bytes.fromhex("034200")
)
_GENERATOR = bytes.fromhex(
    "04"
    "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
    "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"
)


class LibcryptoError(RuntimeError):
    """OpenSSL's libcrypto (3.0 or later, with SM2) is missing, or one of its calls failed."""


_P = ctypes.c_void_p
_INT = ctypes.c_int
_SIZE = ctypes.c_size_t
_BYTES = ctypes.c_char_p
_PP = ctypes.POINTER(ctypes.c_void_p)

# name: (restype, argtypes). Pointers must be declared, or ctypes truncates them to C int.
_PROTOTYPES: dict[str, tuple[type | None, list[type]]] = {
    "OpenSSL_version_num": (ctypes.c_ulong, []),
    "ERR_get_error": (ctypes.c_ulong, []),
    "ERR_error_string_n": (None, [ctypes.c_ulong, _BYTES, _SIZE]),
    "ERR_clear_error": (None, []),
    "d2i_AutoPrivateKey": (_P, [_PP, _PP, ctypes.c_long]),
    "d2i_PUBKEY": (_P, [_PP, _PP, ctypes.c_long]),
    "EVP_PKEY_free": (None, [_P]),
    "EVP_PKEY_is_a": (_INT, [_P, _BYTES]),
    "EVP_PKEY_get_size": (_INT, [_P]),
    "EVP_PKEY_get_octet_string_param": (_INT, [_P, _BYTES, _P, _SIZE, ctypes.POINTER(_SIZE)]),
    "EVP_PKEY_get_bn_param": (_INT, [_P, _BYTES, _PP]),
    "BN_bn2binpad": (_INT, [_P, _P, _INT]),
    "BN_clear_free": (None, [_P]),
    "EVP_PKEY_CTX_new": (_P, [_P, _P]),
    "EVP_PKEY_CTX_new_from_name": (_P, [_P, _BYTES, _BYTES]),
    "EVP_PKEY_CTX_free": (None, [_P]),
    "EVP_PKEY_CTX_set1_id": (_INT, [_P, _BYTES, _INT]),
    "EVP_PKEY_keygen_init": (_INT, [_P]),
    "EVP_PKEY_generate": (_INT, [_P, _PP]),
    "EVP_MD_CTX_new": (_P, []),
    "EVP_MD_CTX_free": (None, [_P]),
    "EVP_MD_CTX_set_pkey_ctx": (None, [_P, _P]),
    "EVP_sm3": (_P, []),
    "EVP_DigestSignInit": (_INT, [_P, _PP, _P, _P, _P]),
    "EVP_DigestSign": (_INT, [_P, _P, ctypes.POINTER(_SIZE), _BYTES, _SIZE]),
    "EVP_DigestVerifyInit": (_INT, [_P, _PP, _P, _P, _P]),
    "EVP_DigestVerify": (_INT, [_P, _BYTES, _SIZE, _BYTES, _SIZE]),
}

_lib: ctypes.CDLL | None = None
_lib_lock = threading.Lock()


def _candidates() -> list[str]:
    found = ctypes.util.find_library("crypto")
    return list(dict.fromkeys(n for n in (found, "libcrypto.so.3") if n))


def _open(name: str) -> ctypes.CDLL:
    """``name`` loaded and declared, once its version and SM2 support are checked."""
    try:
        lib = ctypes.CDLL(name)
        for symbol, (restype, argtypes) in _PROTOTYPES.items():
            fn = getattr(lib, symbol)
            fn.restype = restype
            fn.argtypes = argtypes
    except (OSError, AttributeError) as err:
        raise LibcryptoError(f"{name}: {err}") from None
    if lib.OpenSSL_version_num() < 0x30000000:
        raise LibcryptoError(f"{name} is older than OpenSSL 3.0")
    if not lib.EVP_sm3():
        raise LibcryptoError(f"{name} has no SM3")
    # A build without SM2 would load sm2p256v1 keys as plain EC keys, and EVP_DigestSign would
    # then quietly make ECDSA signatures: check once that they come out as SM2.
    pkey = _load_public(lib, _GENERATOR)
    if not pkey:
        lib.ERR_clear_error()
        raise LibcryptoError(f"{name} cannot load sm2p256v1 public keys")
    try:
        if lib.EVP_PKEY_is_a(pkey, b"SM2") != 1:
            raise LibcryptoError(f"{name} loads sm2p256v1 keys as something other than SM2")
    finally:
        lib.EVP_PKEY_free(pkey)
    return lib


def _load(candidates: list[str]) -> ctypes.CDLL:
    """The first of ``candidates`` that is a usable libcrypto; LibcryptoError if none is."""
    problems = []
    for name in candidates:
        try:
            return _open(name)
        except LibcryptoError as err:
            problems.append(str(err))
    raise LibcryptoError(
        "SM2 needs OpenSSL's libcrypto 3.0 or later with SM2 and SM3 enabled"
        f" (libcrypto.so.3 on Debian 12); tried {', '.join(candidates) or 'nothing'}: "
        + "; ".join(problems)
    )


def _libcrypto() -> ctypes.CDLL:
    global _lib
    if _lib is None:
        with _lib_lock:
            if _lib is None:
                _lib = _load(_candidates())
    return _lib


def _failure(lib: ctypes.CDLL, what: str) -> LibcryptoError:
    """LibcryptoError for ``what``, with OpenSSL's error queue, which is emptied."""
    reasons = []
    buf = ctypes.create_string_buffer(256)
    while code := lib.ERR_get_error():
        lib.ERR_error_string_n(code, buf, len(buf))
        reasons.append(buf.value.decode(errors="replace"))
    detail = ": " + "; ".join(reasons) if reasons else ""
    return LibcryptoError(f"OpenSSL {what} failed{detail}")


def _load_public(lib: ctypes.CDLL, point: bytes) -> int | None:
    """An EVP_PKEY for the uncompressed ``point``, or None when OpenSSL refuses it."""
    der = _SPKI_HEAD + point
    cursor = ctypes.cast(ctypes.c_char_p(der), ctypes.c_void_p)
    return lib.d2i_PUBKEY(None, ctypes.byref(cursor), len(der))


def _check_private(d: int) -> None:
    if not 1 <= d <= _N - 2:
        raise ValueError("SM2 private key must be an integer in [1, n - 2]")


def _check_user_id(user_id: bytes) -> None:
    if len(user_id) > _MAX_USER_ID:
        raise ValueError(f"SM2 user id is longer than {_MAX_USER_ID} bytes")


@contextmanager
def _private_key(lib: ctypes.CDLL, d: int) -> Iterator[int]:
    """An SM2 EVP_PKEY holding ``d``, freed on exit."""
    _check_private(d)
    size = len(_EC_PRIVATE_KEY_HEAD) + 32 + len(_EC_PRIVATE_KEY_TAIL)
    der = ctypes.create_string_buffer(size)
    # The int d and its bytes cannot be wiped from Python's heap, but this buffer can.
    try:
        der[:size] = _EC_PRIVATE_KEY_HEAD + d.to_bytes(32, "big") + _EC_PRIVATE_KEY_TAIL
        cursor = ctypes.c_void_p(ctypes.addressof(der))
        pkey = lib.d2i_AutoPrivateKey(None, ctypes.byref(cursor), size)
    finally:
        ctypes.memset(der, 0, size)
    if not pkey:
        raise _failure(lib, "loading the SM2 private key")
    try:
        if lib.EVP_PKEY_is_a(pkey, b"SM2") != 1:
            raise LibcryptoError("OpenSSL did not load the private key as an SM2 key")
        yield pkey
    finally:
        lib.EVP_PKEY_free(pkey)


@contextmanager
def _digest_context(lib: ctypes.CDLL, pkey: int, user_id: bytes, *, signing: bool) -> Iterator[int]:
    """An EVP_MD_CTX set up for SM2-with-SM3 under ``user_id`` (SM2(7)), freed on exit."""
    mctx = lib.EVP_MD_CTX_new()
    if not mctx:
        raise _failure(lib, "EVP_MD_CTX_new")
    pctx = None
    try:
        pctx = lib.EVP_PKEY_CTX_new(pkey, None)
        if not pctx:
            raise _failure(lib, "EVP_PKEY_CTX_new")
        # The id must be on the key context before the digest init, which computes Z_A from it.
        if lib.EVP_PKEY_CTX_set1_id(pctx, user_id, len(user_id)) != 1:
            raise _failure(lib, "setting the SM2 user id")
        lib.EVP_MD_CTX_set_pkey_ctx(mctx, pctx)
        init = lib.EVP_DigestSignInit if signing else lib.EVP_DigestVerifyInit
        if init(mctx, None, lib.EVP_sm3(), None, pkey) != 1:
            raise _failure(lib, "SM2 sign init" if signing else "SM2 verify init")
        yield mctx
    finally:
        # EVP_MD_CTX_set_pkey_ctx leaves the key context to its owner: free both, in this order.
        lib.EVP_MD_CTX_free(mctx)
        if pctx:
            lib.EVP_PKEY_CTX_free(pctx)


def generate_private_key() -> int:
    """A new private key ``d`` in [1, n - 2] (GB/T 32918.1-2016 6.1), from OpenSSL's keygen."""
    lib = _libcrypto()
    ctx = lib.EVP_PKEY_CTX_new_from_name(None, b"SM2", None)
    if not ctx:
        raise _failure(lib, "EVP_PKEY_CTX_new_from_name(SM2)")
    pkey = ctypes.c_void_p()
    bn = ctypes.c_void_p()
    raw = ctypes.create_string_buffer(32)
    try:
        if (
            lib.EVP_PKEY_keygen_init(ctx) != 1
            or lib.EVP_PKEY_generate(ctx, ctypes.byref(pkey)) != 1
        ):
            raise _failure(lib, "SM2 key generation")
        if lib.EVP_PKEY_get_bn_param(pkey, b"priv", ctypes.byref(bn)) != 1:
            raise _failure(lib, "reading the SM2 private key")
        if lib.BN_bn2binpad(bn, raw, len(raw)) != len(raw):
            raise _failure(lib, "encoding the SM2 private key")
        d = int.from_bytes(raw.raw, "big")
    finally:
        ctypes.memset(raw, 0, len(raw))
        if bn:
            lib.BN_clear_free(bn)
        if pkey:
            lib.EVP_PKEY_free(pkey)
        lib.EVP_PKEY_CTX_free(ctx)
    if not 1 <= d <= _N - 2:
        raise LibcryptoError("OpenSSL generated an SM2 private key outside [1, n - 2]")
    return d


def public_key(d: int) -> bytes:
    """The uncompressed public key ``04 || x || y`` (65 bytes) of private key ``d``."""
    lib = _libcrypto()
    with _private_key(lib, d) as pkey:
        out = ctypes.create_string_buffer(65)
        written = _SIZE()
        if (
            lib.EVP_PKEY_get_octet_string_param(pkey, b"pub", out, len(out), ctypes.byref(written))
            != 1
        ):
            raise _failure(lib, "reading the SM2 public key")
    point = out.raw[: written.value]
    if len(point) != 65 or point[0] != 4:
        raise LibcryptoError(
            "OpenSSL returned an SM2 public key that is not 65 bytes, 04 || x || y"
        )
    return point


def sign(d: int, message: bytes, user_id: bytes = DEFAULT_USER_ID) -> bytes:
    """DER SM2 signature of ``message`` by private key ``d`` (GB/T 32918.2-2016 6.1).

    Each signature draws a fresh nonce from OpenSSL's random generator.
    """
    _check_user_id(user_id)
    lib = _libcrypto()
    with _private_key(lib, d) as pkey:
        size = lib.EVP_PKEY_get_size(pkey)
        if size <= 0:
            raise _failure(lib, "EVP_PKEY_get_size")
        out = ctypes.create_string_buffer(size)
        written = _SIZE(size)
        with _digest_context(lib, pkey, bytes(user_id), signing=True) as mctx:
            data = bytes(message)
            if lib.EVP_DigestSign(mctx, out, ctypes.byref(written), data, len(data)) != 1:
                raise _failure(lib, "SM2 signing")
    return out.raw[: written.value]


def verify(pub: bytes, message: bytes, signature: bytes, user_id: bytes = DEFAULT_USER_ID) -> bool:
    """True when ``signature`` (DER) is ``pub``'s SM2 signature of ``message`` (6.3).

    False, too, when ``pub`` is not a 65-byte uncompressed point on sm2p256v1 or
    ``signature`` is not strict DER.
    """
    _check_user_id(user_id)
    lib = _libcrypto()
    if len(pub) != 65 or pub[0] != 4:
        return False
    pkey = _load_public(lib, bytes(pub))
    if not pkey:
        # Loading was checked to work in _open, so this is a point off the curve.
        lib.ERR_clear_error()
        return False
    try:
        if lib.EVP_PKEY_is_a(pkey, b"SM2") != 1:
            raise LibcryptoError("OpenSSL did not load the public key as an SM2 key")
        with _digest_context(lib, pkey, bytes(user_id), signing=False) as mctx:
            sig, data = bytes(signature), bytes(message)
            # Only 1 means valid: 0 is a wrong signature, -1 one that is not strict DER.
            ok = lib.EVP_DigestVerify(mctx, sig, len(sig), data, len(data)) == 1
    finally:
        lib.EVP_PKEY_free(pkey)
    # Leave no errors from a refused signature behind for other libcrypto users in this thread.
    lib.ERR_clear_error()
    return ok
