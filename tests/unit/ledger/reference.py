"""A slow, literal transcription of RFC 9162 2.1.1-2.1.4 to check the fast code against."""

from qcert.ledger import HashSuite


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(suite: HashSuite, d: list[bytes]) -> bytes:
    """MTH(D[n]), RFC 9162 2.1.1."""
    if not d:
        return suite.empty_root()
    if len(d) == 1:
        return suite.leaf_hash(d[0])
    k = _k(len(d))
    return suite.node_hash(mth(suite, d[:k]), mth(suite, d[k:]))


def path(suite: HashSuite, m: int, d: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]), RFC 9162 2.1.3.1."""
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return path(suite, m, d[:k]) + [mth(suite, d[k:])]
    return path(suite, m - k, d[k:]) + [mth(suite, d[:k])]


def subproof(suite: HashSuite, m: int, d: list[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b), RFC 9162 2.1.4.1."""
    n = len(d)
    if m == n:
        return [] if b else [mth(suite, d)]
    k = _k(n)
    if m <= k:
        return subproof(suite, m, d[:k], b) + [mth(suite, d[k:])]
    return subproof(suite, m - k, d[k:], False) + [mth(suite, d[:k])]
