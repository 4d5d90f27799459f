"""What each kind of error says in Chinese comes from the catalogs, by the kind's name."""

from __future__ import annotations

import importlib

import pytest

from qcert.errors import KINDS, QcertError, chinese, kind_name
from qcert.ledger import errors as ledger


def _kind(name: str) -> type:
    module, _, cls = name.rpartition(".")
    return getattr(importlib.import_module(f"qcert.{module}"), cls)


@pytest.mark.parametrize("name", list(KINDS))
def test_every_kind_in_the_catalogs_is_an_error_of_qcert_and_says_itself(name):
    kind = _kind(name)
    assert issubclass(kind, Exception) and kind_name(kind) == name
    zh, en = KINDS[name]
    assert zh and en and zh != en
    if not issubclass(kind, ledger.LedgerError):
        assert kind.zh == zh  # the class's own sentence, not its base's


def test_a_kind_without_a_sentence_of_its_own_says_its_bases_and_a_raisers_words_win():
    class Odd(QcertError):
        pass

    assert Odd.zh == KINDS["errors.QcertError"][0]
    assert Odd("x").zh == "请求未能完成"
    assert chinese(Odd("x", "自己的话")) == "自己的话"


def test_the_ledgers_kinds_are_said_in_chinese_most_specific_first():
    assert chinese(ledger.RootMismatch(1, b"a", b"b")) == KINDS["ledger.errors.RootMismatch"][0]
    assert chinese(ledger.CheckpointError("q")) == KINDS["ledger.errors.CheckpointError"][0]
