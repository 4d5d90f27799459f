"""The error the quality library raises for data or parameters it cannot take.

Every face that runs an analysis (the command line, the web pages) shows the refusal in
English and in Chinese, so the library says both where it knows the detail: the argument at
fault, the rule, and what came.
"""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
    """Data or parameters an analysis cannot take; ``str(err)`` is the English, ``zh`` the
    Chinese.

    The English starts with the argument's name (``values:``, ``sizes:``), as callers match
    it; the Chinese names the same thing as a user gives it (the command line's option).
    A ``ValueError``, so a caller catching that still catches this.
    """

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh
