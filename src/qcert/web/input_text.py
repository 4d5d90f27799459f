"""Words for input the workspace refuses before reading it (key -> (zh-CN, en)): the field
and its rule."""

from __future__ import annotations

__all__ = ["MESSAGES"]

MESSAGES: dict[str, tuple[str, str]] = {
    "input.page": (
        "page（页码）：须为 1 至 {max} 的整数",
        "page (the page number): must be a whole number from 1 to {max}",
    ),
    "input.control": (
        "{field}：不能含控制字符（如 NUL）",
        "{field}: must not contain control characters (such as NUL)",
    ),
}
