"""Refusals of the scheme rules: each names the rule id and its source clause."""

from __future__ import annotations

from ..errors import KindSentence

__all__ = ["RuleViolation", "SchemeError", "SchemeNotFound"]


class SchemeError(Exception):
    """A scheme file or reference table that cannot be used."""

    status = 422
    zh = KindSentence()  # the kind's sentence, from the catalogs


class SchemeNotFound(SchemeError):
    """No bundled or installed scheme has the id asked for."""

    status = 404


class RuleViolation(SchemeError):
    """A command refused by a rule; carries the rule id, the source and both languages."""

    status = 409

    def __init__(self, rule: str, source: str, en: str, zh: str) -> None:
        self.rule, self.source, self.en, self.zh = rule, source, en, zh
        super().__init__(f"{en} [{rule}, {source}]")
