"""What the access policy says when it refuses, in zh-CN and en.

The words are in the catalogs (domain ``access.refusals``); a check fills in the fields it
names, and returns the refusal as every check does: ``(en, zh-CN)``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..locale import fill_zh
from ..locale import messages as from_catalogs

__all__ = ["MESSAGES", "either", "refusal"]

# key -> (zh-CN, en); the fields in braces are filled in, {x_zh} from x_zh (else from x).
MESSAGES = from_catalogs(__name__)


class _Chinese(dict[str, object]):
    """The fields of a Chinese message: ``x_zh`` where given, else ``x``."""

    def __missing__(self, key: str) -> object:
        if not key.endswith("_zh"):
            raise KeyError(key)
        return self[key.removesuffix("_zh")]


def either(words: Iterable[str], words_zh: Iterable[str]) -> tuple[str, str]:
    """Any one of ``words`` (en) and of ``words_zh``, joined by the catalogs' "or"
    (``join.or``): ``cb-admin or planner``, ``机构管理员或审核策划人员``."""
    or_zh, or_en = MESSAGES["join.or"]
    return or_en.join(words), or_zh.join(words_zh)


def refusal(key: str, **fields: object) -> tuple[str, str]:
    """The refusal ``key`` as the policy's checks return it, ``(en, zh-CN)``, with ``fields``
    filled in."""
    zh, en = MESSAGES[key]
    return en.format(**fields), fill_zh(zh, _Chinese(fields))
