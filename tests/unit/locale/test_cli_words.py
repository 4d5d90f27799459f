"""The command line's printed words: every key a command prints is in both catalogs of the
domain ``cli`` with the places its call fills, every key there is printed by some command, and
the command modules write no Chinese of their own outside the help of their options and
commands."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from qcert import cli
from qcert.cli._words import WORDS, both, header, said, two_lines
from qcert.locale import LOCALES, catalog

CLI = Path(cli.__file__).parent
PLACE = re.compile(r"\{(\w+)")
# Chinese words (punctuation alone, such as the list separator ``、``, is not a word)
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# The helpers that take a message's key, as their first argument.
TAKERS = {"said", "both", "two_lines", "refusal", "_error"}


def _places(text: str) -> set[str]:
    return {p.removesuffix("_zh") for p in PLACE.findall(text)}


def _trees() -> dict[str, ast.Module]:
    return {p.name: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(CLI.glob("*.py"))}


TREES = _trees()


def _calls() -> list[tuple[str, int, str, set[str] | None]]:
    """Every call of a helper with a key: (file, line, key, the fields the call names, or None
    when it passes them on with ``**``)."""
    found = []
    for name, tree in TREES.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            key = node.args[0]
            if called in TAKERS and isinstance(key, ast.Constant) and isinstance(key.value, str):
                names = {k.arg for k in node.keywords}
                fields = None if None in names else {n.removesuffix("_zh") for n in names}
                found.append((name, node.lineno, key.value, fields))
    return found


CALLS = _calls()


def _headed() -> list[tuple[str, int, str]]:
    """Every key a table's header names: ``header(template, key, ...)``."""
    found = []
    for name, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "header":
                keys = [a.value for a in node.args[1:] if isinstance(a, ast.Constant)]
                found += [(name, node.lineno, k) for k in keys]
    return found


HEADED = _headed()


def test_the_command_line_prints_by_key():
    assert len(CALLS) > 150


def test_every_call_names_one_key_and_fills_the_rest_by_name():
    # a call still giving the words themselves (``refusal(en, zh)``) is found here
    for name, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if called in TAKERS:
                    assert len(node.args) == 1, (name, node.lineno)
                    assert not isinstance(node.args[0], ast.JoinedStr), (name, node.lineno)


def test_every_key_the_command_line_prints_is_in_both_catalogs():
    missing = {(f, n, k) for f, n, k, _ in CALLS if k not in WORDS}
    missing |= {(f, n, k) for f, n, k in HEADED if k not in WORDS}
    assert missing == set()
    for key in {c[2] for c in CALLS} | {h[2] for h in HEADED}:
        for lang in LOCALES:
            message = catalog("cli", lang).get(key)
            assert message is not None and message.string, (lang, key)


@pytest.mark.parametrize("key", sorted(WORDS))
def test_both_languages_of_a_message_fill_the_same_places(key):
    zh, en = WORDS[key]
    assert _places(zh) == _places(en), key


def test_every_call_fills_the_places_of_its_message():
    for where, line, key, fields in CALLS:
        if fields is not None:
            assert _places(WORDS[key][0]) == fields, (where, line, key)


def test_every_message_in_the_catalogs_is_printed():
    used = {c[2] for c in CALLS} | {h[2] for h in HEADED}
    text = "".join(p.read_text(encoding="utf-8") for p in CLI.glob("*.py"))
    # a key named in a table of keys (a column's header, a status's word) is printed through it
    unused = {k for k in WORDS if k not in used and f'"{k}"' not in text}
    assert unused == set()


def _help(tree: ast.Module) -> set[int]:
    """The ids of the string nodes that are help: ``help=`` values, docstrings (a command's
    help) and the help of the lazily listed commands (``LAZY``)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "help":
            out |= {id(n) for n in ast.walk(node.value)}
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "LAZY" for t in targets) and node.value:
                out |= {id(n) for n in ast.walk(node.value)}
    return out


def _chinese_outside_help(tree: ast.Module) -> list[tuple[int, str]]:
    helps = _help(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and HAN.search(node.value)
        and id(node) not in helps
    ]


@pytest.mark.parametrize("name", sorted(TREES))
def test_a_command_module_writes_no_chinese_outside_help(name):
    assert _chinese_outside_help(TREES[name]) == []


def test_the_check_finds_chinese_outside_help():
    source = 'def f(x: int = typer.Option(help="x / 甲")):\n    """f / 乙"""\n    print("丙")\n'
    assert [text for _, text in _chinese_outside_help(ast.parse(source))] == ["丙"]


def test_a_message_is_said_in_both_languages():
    en, zh = said("verify.in_log", origin="o", index=1, size=2)
    assert (en, zh) == ("in the log o at index 1 of 2", "已记入账本 o（第 1 条，共 2 条）")
    assert both("verify.in_log", origin="o", index=1, size=2) == f"{en} / {zh}"


def test_a_header_lines_up_in_both_languages_by_terminal_cells():
    from rich.cells import cell_len

    template = "  {0:<12} {1:>14}  {2}"
    en, zh = header(template, "quality.col.chart", "quality.col.ucl", "quality.beyond")
    assert en == "  chart                   UCL  beyond"
    assert zh == "  控制图             上控制限  超限"
    assert cell_len(en.removesuffix("beyond")) == cell_len(zh.removesuffix("超限"))
    assert template.format("I", "74.01", "5") == "  I                     74.01  5"


def test_an_error_leads_with_both_languages_and_sets_its_chinese_under_its_english(capsys):
    from rich.cells import cell_len

    from qcert.cli._common import fail, warn

    fail(two_lines("verify.no_zone"))
    first, second = capsys.readouterr().err.splitlines()
    en, zh = said("verify.no_zone")
    assert first == f"error / 错误: {en}"
    assert second == " " * cell_len("error / 错误: ") + zh
    warn("owed")
    assert capsys.readouterr().err == "warning / 警告: owed\n"


def test_an_unknown_key_or_a_missing_place_fails_loudly():
    with pytest.raises(KeyError):
        said("verify.no_such_message")
    with pytest.raises(KeyError):
        said("verify.in_log")


def test_importing_a_command_module_reads_no_catalog():
    import subprocess
    import sys

    probe = (
        "import qcert.cli.main, qcert.cli.lifecycle, qcert.cli.quality_monitor, sys\n"
        "print('babel' in ' '.join(sys.modules))"
    )
    src = str(CLI.parents[1])
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env={"PYTHONPATH": src}
    )
    assert done.stdout.strip() == "False", done.stderr
