"""Moving a module's word table into the catalogs: what it writes, what it reports, and that a
second run changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qcert import locale
from qcert.locale import catalog, move

SAMPLE = '''"""Words of a sample page."""

from __future__ import annotations

__all__ = ["MESSAGES"]

# key -> (zh-CN, en)
MESSAGES: dict[str, tuple[str, str]] = {
    "sample.title": ("样例", "Sample"),
    "sample.count": (
        "共 {total} 项",
        "{total} in all",
    ),
}
'''


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A package tree with one text module, and catalogs of its own."""
    module = tmp_path / "src" / "qcert" / "web" / "sample_text.py"
    module.parent.mkdir(parents=True)
    module.write_text(SAMPLE, encoding="utf-8")
    # The catalogs written are those of the file's own tree, where the loader then reads.
    monkeypatch.setattr(locale, "ROOT", tmp_path / "src" / "qcert" / "locale")
    catalog.cache_clear()
    yield module
    catalog.cache_clear()


def test_moving_writes_both_catalogs_and_the_module_reads_them(tree, capsys):
    assert move.main([str(tree), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report[0]["domain"] == "web.sample_text"
    assert report[0]["added"] == ["sample.title", "sample.count"]
    zh = (locale.ROOT / "zh_CN" / "LC_MESSAGES" / "web.sample_text.po").read_text("utf-8")
    assert 'msgid "sample.title"\nmsgstr "样例"' in zh
    assert locale.messages("qcert.web.sample_text") == {
        "sample.title": ("样例", "Sample"),
        "sample.count": ("共 {total} 项", "{total} in all"),
    }
    source = tree.read_text("utf-8")
    assert "from_catalogs(__name__)" in source and "样例" not in source
    assert "from ..locale import messages as from_catalogs" in source
    compile(source, str(tree), "exec")


def test_a_second_run_changes_nothing(tree, capsys):
    move.main([str(tree)])
    before = {p: p.read_bytes() for p in [tree, *locale.ROOT.rglob("*.po")]}
    capsys.readouterr()
    assert move.main([str(tree)]) == 0
    assert "nothing to move" in capsys.readouterr().out
    assert {p: p.read_bytes() for p in before} == before


def test_a_table_already_in_the_catalogs_with_the_same_words_is_unchanged(tree, capsys):
    move.main([str(tree)])
    tree.write_text(SAMPLE, encoding="utf-8")  # the table comes back, e.g. from a merge
    capsys.readouterr()
    assert move.main([str(tree)]) == 0
    assert "0 moved, 2 already there" in capsys.readouterr().out
    assert "from_catalogs(__name__)" in tree.read_text("utf-8")


def test_a_key_with_other_words_is_a_conflict_and_nothing_is_written(tree, capsys):
    move.main([str(tree)])
    tree.write_text(SAMPLE.replace("样例", "示例"), encoding="utf-8")
    capsys.readouterr()
    assert move.main([str(tree)]) == 1
    out = capsys.readouterr().out
    assert "conflict: sample.title" in out
    assert "示例" in tree.read_text("utf-8")
    assert locale.messages("qcert.web.sample_text")["sample.title"] == ("样例", "Sample")


def test_a_computed_table_is_left_alone(tree, capsys):
    tree.write_text(SAMPLE + "\nMESSAGES = {**MESSAGES, 'x': ('甲', 'a')}\n", encoding="utf-8")
    move.main([str(tree)])
    assert "MESSAGES = {**MESSAGES" in tree.read_text("utf-8")
    assert "x" not in locale.messages("qcert.web.sample_text")


def test_the_moved_modules_have_nothing_left_to_move():
    src = Path(locale.__file__).parents[1]
    names = {"MESSAGES", "EVENT_LABELS", "STATUSES", "EVENTS", "LABELS", "SKIPPED", "TITLES"}
    names |= {"WEEKDAYS", "VERDICTS", "CHECKS"}
    modules = ("web/i18n.py", "web/body_text.py", "web/portal_text.py", "web/labels.py")
    modules += ("web/public_text.py", "credentials/lookup.py", "notices/text.py")
    modules += ("schemes/model.py", "lifecycle/rules.py", "access/refusals.py")
    for module in modules:
        before = (src / module).read_bytes()
        moved = move.move_file(src / module, names)
        assert all(m.note == "nothing to move" and not m.added for m in moved), module
        assert (src / module).read_bytes() == before


def test_the_catalogs_ship_in_the_package():
    pyproject = (Path(locale.__file__).parents[3] / "pyproject.toml").read_text("utf-8")
    assert '"locale/*/LC_MESSAGES/*.po"' in pyproject and '"babel>=' in pyproject


def test_every_table_moves_and_an_unpacked_one_is_still_unpacked(tree, capsys):
    tree.write_text(
        SAMPLE.replace(
            "MESSAGES: dict[str, tuple[str, str]] = {\n",
            'NAV = {"nav.sample": ("样例页", "Sample page")}\nCODES = {"a": 1}\n'
            "MESSAGES: dict[str, tuple[str, str]] = {\n    **NAV,\n",
        ),
        encoding="utf-8",
    )
    assert move.main([str(tree), "--all-tables"]) == 0
    out = capsys.readouterr().out
    assert "NAV -> web.sample_text.po: 1 moved" in out and "MESSAGES" in out
    assert "CODES" not in out  # not words: left alone, not reported
    source = tree.read_text("utf-8")
    assert 'NAV = from_catalogs(__name__, "NAV")' in source
    assert "MESSAGES = {**NAV, **from_catalogs(__name__)}" in source
    assert 'CODES = {"a": 1}' in source
    assert locale.messages("qcert.web.sample_text", "NAV") == {
        "nav.sample": ("样例页", "Sample page")
    }
    assert "nav.sample" not in locale.messages("qcert.web.sample_text")
    assert move.main([str(tree), "--all-tables"]) == 0
    assert "nothing to move" in capsys.readouterr().out
