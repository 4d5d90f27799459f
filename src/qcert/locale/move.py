"""Move the hand-kept word tables of a module into the gettext catalogs.

    python -m qcert.locale.move src/qcert/web/search_text.py [more files]
        [--table NAME | --all-tables] [--json]

For each file, every module-level table ``NAME = {key: (zh-CN, en), ...}`` (``MESSAGES`` unless
``--table`` names others; with ``--all-tables``, every table of string pairs) is written to the
module's domain in both catalogs (``locale/{zh_CN,en}/LC_MESSAGES/<domain>.po``; tables other
than ``MESSAGES`` under their name as message context) and replaced in the source by a read of
the catalogs, so the module's callers keep their table. A table that unpacks others before or
after its own words (``{**NAV, "key": (...)}``) keeps unpacking them. Running it again
changes nothing: a file whose tables are already read from the catalogs has nothing to move,
and a key already in the catalogs with the same words is left as it is. A key already there
with other words is a conflict: the file is left untouched and the exit status is 1.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from . import LOCALES, catalog, catalog_path, domain_of

__all__ = ["Moved", "main", "move_file"]

HEADER = """\
# The words of qcert's {domain}, in {lang}.
# Each msgid is the key the code and the templates use; edit the msgstr only.
# This file is distributed under the same license as the qcert project (Apache-2.0)."""
IMPORT = "from {dots}locale import messages as from_catalogs\n"


@dataclass
class Moved:
    """What moving one table of one file did."""

    file: str
    table: str
    domain: str = ""
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    note: str = ""


def _module_of(path: Path) -> tuple[str, Path]:
    """``src/qcert/web/x_text.py`` -> ``qcert.web.x_text``, and the catalogs of that tree
    (``src/qcert/locale``): the file's own checkout, whichever qcert is installed."""
    parts = path.resolve().with_suffix("").parts
    if "qcert" not in parts:
        raise SystemExit(f"{path}: not a module of the qcert package")
    top = len(parts) - 1 - parts[::-1].index("qcert")
    return ".".join(parts[top:]), Path(*parts[: top + 1]) / "locale"


@dataclass
class Found:
    """A module-level table: its name, its statement, its literal items, and the other tables
    it unpacks (``{**NAV, ...}``) before or after them."""

    name: str
    node: ast.stmt
    items: ast.Dict
    before: list[str]
    after: list[str]


def _split(value: ast.Dict) -> tuple[ast.Dict, list[str], list[str]] | None:
    """The literal items of a dict display and the names it unpacks before and after them;
    None if it has no literal item, unpacks anything but a name, or mixes the two."""
    literal = [(k, v) for k, v in zip(value.keys, value.values, strict=True) if k is not None]
    unpacked = [v for k, v in zip(value.keys, value.values, strict=True) if k is None]
    if not literal or not all(isinstance(v, ast.Name) for v in unpacked):
        return None
    kinds = "".join("L" if k is not None else "U" for k in value.keys)
    if "UL" in kinds and "LU" in kinds:
        return None  # unpacked between literal items: their order cannot be kept
    first = kinds.index("L")
    before = [v.id for v in value.values[:first] if isinstance(v, ast.Name)]
    after = [v.id for v in value.values[first + len(literal) :] if isinstance(v, ast.Name)]
    items = ast.Dict(keys=[k for k, _ in literal], values=[v for _, v in literal])
    return items, before, after


def _tables(tree: ast.Module, names: set[str] | None) -> list[Found]:
    """Module-level assignments of a dict display to one of ``names`` (any name if None).

    A display that only unpacks other tables or calls (``{**_stage_names(), **MESSAGES}``) is
    computed from them: not words to move."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target, value = node.target.id, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = getattr(node.targets[0], "id", ""), node.value
        else:
            continue
        if (names is None or target in names) and isinstance(value, ast.Dict):
            parts = _split(value)
            # A table extending itself, or named again, is computed: its words are elsewhere.
            again = target in {f.name for f in found}
            if parts is not None and not again and target not in parts[1] + parts[2]:
                found.append(Found(target, node, *parts))
    return found


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _pairs(value: ast.expr) -> dict[str, tuple[str, str]] | None:
    """The table as ``key -> (zh-CN, en)``, or None if it is not a literal of string pairs."""
    try:
        table = ast.literal_eval(value)
    except ValueError:
        return None
    ok = all(
        isinstance(k, str) and isinstance(v, tuple) and len(v) == 2 and all(map(_is_str, v))
        for k, v in table.items()
    )
    if not ok:
        return None
    return table


def _load(domain: str, lang: str, root: Path | None = None) -> Catalog:
    path = catalog_path(domain, lang, root)
    if path.exists():
        with path.open("rb") as handle:
            return read_po(handle, locale=LOCALES[lang], domain=domain)
    now = datetime.now(UTC)
    return Catalog(
        locale=LOCALES[lang],
        domain=domain,
        project="qcert",
        copyright_holder="the qcert authors",
        creation_date=now,
        revision_date=now,
        fuzzy=False,
        header_comment=HEADER.format(domain=domain, lang=lang),
        last_translator="the qcert authors",
        language_team=f"qcert {lang}",
    )


def _save(found: Catalog, domain: str, lang: str, root: Path | None = None) -> None:
    path = catalog_path(domain, lang, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, found, width=100, sort_output=False, ignore_obsolete=True)


def _merge(
    moved: Moved, table: dict[str, tuple[str, str]], books: dict[str, Catalog], context: str | None
) -> None:
    where = [(_location(moved.domain), None)]
    for key, words in table.items():
        present = [books[lang].get(key, context) for lang in LOCALES]
        if all(m is None for m in present):
            for lang, text in zip(LOCALES, words, strict=True):
                books[lang].add(key, text, context=context, locations=where)
            moved.added.append(key)
        elif all(m is not None and m.string == w for m, w in zip(present, words, strict=True)):
            moved.unchanged.append(key)
        else:
            moved.conflicts.append(key)


def _location(domain: str) -> str:
    """The source file a domain's words came from, as a translator's tool shows it."""
    return "qcert/" + domain.replace(".", "/") + ".py"


def _rewrite(path: Path, source: str, tables: list[Found], module: str) -> str:
    """The source with each table replaced by a read of the catalogs (still unpacking the
    tables it unpacked), and the import added."""
    lines = source.splitlines(keepends=True)
    for found in sorted(tables, key=lambda f: f.node.lineno, reverse=True):
        context = "" if found.name == "MESSAGES" else f", {found.name!r}"
        read = f"from_catalogs(__name__{context})"
        if found.before or found.after:
            parts = [f"**{n}" for n in found.before] + [f"**{read}"]
            read = "{" + ", ".join(parts + [f"**{n}" for n in found.after]) + "}"
        lines[found.node.lineno - 1 : found.node.end_lineno] = [f"{found.name} = {read}\n"]
    text = "".join(lines)
    if "import messages as from_catalogs" not in text:
        tree = ast.parse(source)
        imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        after = max(n.end_lineno or n.lineno for n in imports) if imports else 0
        dots = "." * (module.count("."))
        out = text.splitlines(keepends=True)
        out.insert(after, IMPORT.format(dots=dots))
        text = "".join(out)
    return text


def _tidy(path: Path) -> None:
    """Sort the imports and format the rewritten file with ruff, when ruff is installed."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff:
        subprocess.run([ruff, "check", "--select", "I", "--fix", "-q", str(path)], check=False)
        subprocess.run([ruff, "format", "-q", str(path)], check=False)


def move_file(path: Path, names: set[str] | None) -> list[Moved]:
    """Move the tables ``names`` of ``path`` (every table of string pairs if None) into the
    catalogs (see the module's docstring)."""
    source = path.read_text(encoding="utf-8")
    module, root = _module_of(path)
    domain = domain_of(module)
    found = _tables(ast.parse(source), names)
    if not found:
        asked = ",".join(sorted(names)) if names is not None else "*"
        return [Moved(str(path), asked, domain, note="nothing to move")]
    books = {lang: _load(domain, lang, root) for lang in LOCALES}
    results, done = [], []
    for table in found:
        pairs = _pairs(table.items)
        if pairs is None and names is None:
            continue  # asked for every table: one that is not words is not one
        moved = Moved(str(path), table.name, domain)
        results.append(moved)
        if pairs is None:
            moved.note = "not a literal table of string pairs; left in the source"
            continue
        _merge(moved, pairs, books, None if table.name == "MESSAGES" else table.name)
        done.append(table)
    if not results:
        return [Moved(str(path), "*", domain, note="nothing to move")]
    if any(m.conflicts for m in results):
        for m in results:
            m.note = m.note or "not moved: a key is in the catalogs with other words"
        return results
    if done:
        for lang in LOCALES:
            _save(books[lang], domain, lang, root)
        catalog.cache_clear()
        path.write_text(_rewrite(path, source, done, module), encoding="utf-8")
        _tidy(path)
    return results


def main(argv: list[str] | None = None) -> int:
    """Move the tables of the files named on the command line; 1 if any key conflicted."""
    parser = argparse.ArgumentParser(prog="python -m qcert.locale.move", description=__doc__)
    parser.add_argument("files", nargs="+", type=Path, help="modules holding word tables")
    parser.add_argument("--table", action="append", help="a table to move (default MESSAGES)")
    parser.add_argument(
        "--all-tables",
        action="store_true",
        help="move every module-level table of (zh-CN, en) string pairs",
    )
    parser.add_argument("--json", action="store_true", help="report as JSON")
    args = parser.parse_args(argv)
    names = None if args.all_tables else set(args.table or ["MESSAGES"])
    results = [m for f in args.files for m in move_file(f, names)]
    if args.json:
        print(json.dumps([asdict(m) for m in results], ensure_ascii=False, indent=2))
    else:
        for m in results:
            counts = f"{len(m.added)} moved, {len(m.unchanged)} already there"
            note = f"; {m.note}" if m.note else ""
            print(f"{m.file} {m.table} -> {m.domain}.po: {counts}{note}")
            for key in m.conflicts:
                print(f"  conflict: {key} is in the catalogs with other words")
    return 1 if any(m.conflicts for m in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
