"""Reference SM2 with SM3 (GB/T 32918.2-2016), for tests only.

A literal rendering of the standard's formulas with plain Python integers. It takes any short
Weierstrass curve and an optional chosen nonce ``k``, so it reproduces the standards' worked
examples, including GB/T 32918.2 Annex A on a test curve other than sm2p256v1. Its scalar
multiplication is not constant-time, so it must never hold a real key: production signing is
``qcert.ledger.sm2`` (OpenSSL), which the tests check against this independent implementation.
Signatures are DER ``SEQUENCE { r INTEGER, s INTEGER }`` (GM/T 0009-2012 7.3).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

__all__ = [
    "DEFAULT_USER_ID",
    "SM2P256V1",
    "Curve",
    "generate_private_key",
    "public_key",
    "sign",
    "verify",
    "z_a",
]

DEFAULT_USER_ID = b"1234567812345678"  # GB/T 35276-2017 5.4 default distinguishing id


@dataclass(frozen=True)
class Curve:
    """Short Weierstrass curve y^2 = x^3 + ax + b over F_p with base point G of order n."""

    p: int
    a: int
    b: int
    n: int
    gx: int
    gy: int


# GB/T 32918.5-2017 chapter 4: the recommended 256-bit curve.
SM2P256V1 = Curve(
    p=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF,
    a=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC,
    b=0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93,
    n=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123,
    gx=0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
    gy=0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
)

_Jac = tuple[int, int, int]


def _sm3(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


def _double(c: Curve, pt: _Jac) -> _Jac:
    x, y, z = pt
    if not y or not z:
        return (0, 1, 0)
    p = c.p
    yy = y * y % p
    s = 4 * x * yy % p
    zz = z * z % p
    m = (3 * x * x + c.a * zz * zz) % p
    x3 = (m * m - 2 * s) % p
    return x3, (m * (s - x3) - 8 * yy * yy) % p, 2 * y * z % p


def _add(c: Curve, p1: _Jac, p2: _Jac) -> _Jac:
    if not p1[2]:
        return p2
    if not p2[2]:
        return p1
    p = c.p
    x1, y1, z1 = p1
    x2, y2, z2 = p2
    z1z1, z2z2 = z1 * z1 % p, z2 * z2 % p
    u1, u2 = x1 * z2z2 % p, x2 * z1z1 % p
    s1, s2 = y1 * z2 * z2z2 % p, y2 * z1 * z1z1 % p
    if u1 == u2:
        return _double(c, p1) if s1 == s2 else (0, 1, 0)
    h, r = (u2 - u1) % p, (s2 - s1) % p
    hh = h * h % p
    hhh = h * hh % p
    v = u1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    return x3, (r * (v - x3) - s1 * hhh) % p, h * z1 * z2 % p


def _mul(c: Curve, k: int, x: int, y: int) -> _Jac:
    acc: _Jac = (0, 1, 0)
    base: _Jac = (x, y, 1)
    while k:
        if k & 1:
            acc = _add(c, acc, base)
        base = _double(c, base)
        k >>= 1
    return acc


def _affine(c: Curve, pt: _Jac) -> tuple[int, int] | None:
    x, y, z = pt
    if not z:
        return None
    zi = pow(z, -1, c.p)
    zi2 = zi * zi % c.p
    return x * zi2 % c.p, y * zi2 * zi % c.p


def _on_curve(c: Curve, x: int, y: int) -> bool:
    return 0 <= x < c.p and 0 <= y < c.p and (y * y - x * x * x - c.a * x - c.b) % c.p == 0


def _bytes(v: int) -> bytes:
    return v.to_bytes(32, "big")


def generate_private_key(curve: Curve = SM2P256V1) -> int:
    """A private key d in [1, n - 2] (GB/T 32918.1-2016 6.1)."""
    return secrets.randbelow(curve.n - 2) + 1


def public_key(d: int, curve: Curve = SM2P256V1) -> bytes:
    """The uncompressed public key ``04 || x || y`` (65 bytes) of private key ``d``."""
    pt = _affine(curve, _mul(curve, d, curve.gx, curve.gy))
    assert pt is not None
    return b"\x04" + _bytes(pt[0]) + _bytes(pt[1])


def _point(curve: Curve, pub: bytes) -> tuple[int, int]:
    if len(pub) != 65 or pub[0] != 4:
        raise ValueError("SM2 public key must be 65 bytes, uncompressed (04 || x || y)")
    x, y = int.from_bytes(pub[1:33], "big"), int.from_bytes(pub[33:], "big")
    if not _on_curve(curve, x, y):
        raise ValueError("SM2 public key is not a point on the curve")
    return x, y


def z_a(pub: bytes, user_id: bytes = DEFAULT_USER_ID, curve: Curve = SM2P256V1) -> bytes:
    """Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A), GB/T 32918.2-2016 5.5."""
    bits = len(user_id) * 8
    if bits > 0xFFFF:
        raise ValueError("SM2 user id is longer than 8191 bytes")
    return _sm3(
        bits.to_bytes(2, "big")
        + user_id
        + b"".join(_bytes(v) for v in (curve.a, curve.b, curve.gx, curve.gy))
        + pub[1:]
    )


def _digest(pub: bytes, message: bytes, user_id: bytes, curve: Curve) -> int:
    return int.from_bytes(_sm3(z_a(pub, user_id, curve) + message), "big")


def sign(
    d: int,
    message: bytes,
    user_id: bytes = DEFAULT_USER_ID,
    curve: Curve = SM2P256V1,
    k: int | None = None,
) -> bytes:
    """DER SM2 signature of ``message`` (GB/T 32918.2-2016 6.1).

    ``k`` is for reproducing published examples only; by default each
    signature draws a fresh nonce from ``secrets``.
    """
    n = curve.n
    e = _digest(public_key(d, curve), message, user_id, curve)
    inv = pow(1 + d, -1, n)
    while True:
        nonce = k if k is not None else secrets.randbelow(n - 1) + 1
        pt = _affine(curve, _mul(curve, nonce, curve.gx, curve.gy))
        assert pt is not None
        r = (e + pt[0]) % n
        if r == 0 or r + nonce == n:
            if k is not None:
                raise ValueError("the given nonce k gives r = 0 or r + k = n")
            continue
        s = inv * (nonce - r * d) % n
        if s:
            return encode_dss_signature(r, s)
        if k is not None:
            raise ValueError("the given nonce k gives s = 0")


def verify(
    pub: bytes,
    message: bytes,
    signature: bytes,
    user_id: bytes = DEFAULT_USER_ID,
    curve: Curve = SM2P256V1,
) -> bool:
    """True when ``signature`` (DER) is ``pub``'s SM2 signature of ``message`` (6.3)."""
    try:
        r, s = decode_dss_signature(signature)
        x, y = _point(curve, pub)
    except ValueError:
        return False
    n = curve.n
    if not (0 < r < n and 0 < s < n):
        return False
    t = (r + s) % n
    if t == 0:
        return False
    pt = _affine(curve, _add(curve, _mul(curve, s, curve.gx, curve.gy), _mul(curve, t, x, y)))
    if pt is None:
        return False
    return (_digest(pub, message, user_id, curve) + pt[0]) % n == r
