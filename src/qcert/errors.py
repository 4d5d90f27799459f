"""qcert's errors: each has a one-line message and the HTTP status a face should use.

Each says itself in zh-CN too (``err.zh``): given where it is raised when it carries details,
else its kind's sentence. :func:`chinese` is what every face shows in Chinese for any expected
error, so none falls back to the English.
"""

from __future__ import annotations

import re

from .ledger import errors as ledger

__all__ = ["NotInitialised", "QcertError", "Unavailable", "chinese"]


class QcertError(Exception):
    """An expected refusal; ``str(err)`` is one line for the user, ``err.zh`` the same in
    zh-CN (the kind's sentence unless the raiser gives one)."""

    status = 400
    zh = "请求未能完成"

    def __init__(self, message: str = "", zh: str | None = None) -> None:
        super().__init__(message)
        if zh:
            self.zh = zh


class NotInitialised(QcertError):
    """The data directory or its keys do not exist yet."""

    status = 503
    zh = "数据目录或签名密钥尚未创建：请先运行 qcert init"


class Unavailable(QcertError):
    """This installation does not offer what was asked (not configured)."""

    status = 503
    zh = "本安装未配置此项服务"


# The ledger's core tells its errors in English (it is a library with no user-facing text and
# imports nothing of qcert); what each kind means in Chinese, most specific kind first.
_LEDGER_ZH: tuple[tuple[type[Exception], str], ...] = (
    (ledger.RootMismatch, "证明验证失败：重新计算的树根与检查点不符"),
    (ledger.ProofError, "证明无效：与其索引和树大小不符"),
    (ledger.IndexOutOfRange, "索引或树大小超出账本范围"),
    (ledger.SignatureError, "签名验证失败：没有来自已知密钥的有效签名"),
    (ledger.CheckpointError, "检查点无法解析"),
    (ledger.KeyFormatError, "密钥格式有误"),
    (ledger.BundleFormatError, "证明包无法解析"),
    (ledger.EntryTooLarge, "条目超过账本允许的大小"),
    (ledger.LedgerError, "账本操作未完成"),
)
_CJK = re.compile(r"[\u3400-\u9fff]")


def chinese(err: Exception) -> str | None:
    """What ``err`` says in zh-CN: the Chinese its raiser gave, the Chinese half of an
    ``"en / 中文"`` message, the ledger kind's sentence or its kind's sentence; None for an
    error that has none (a bug's)."""
    own = vars(err).get("zh")
    if isinstance(own, str) and _CJK.search(own):
        return own
    _, slash, tail = str(err).rpartition(" / ")
    if slash and _CJK.search(tail):
        return tail
    for kind, zh in _LEDGER_ZH:
        if isinstance(err, kind):
            return zh
    told = getattr(type(err), "zh", None)
    return told if isinstance(told, str) and _CJK.search(told) else None
