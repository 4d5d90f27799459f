"""Every registered indicator has its page, generated from the registry, and its README row."""

from pathlib import Path

import pytest

from qcert.supervision.analytics import INDICATORS, TABLES
from qcert.supervision.analytics.registry import page
from qcert.supervision.analytics.tables import reference

DOCS = Path(__file__).parents[4] / "docs"
README = (DOCS.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("indicator", sorted(INDICATORS))
def test_every_indicator_has_its_page_and_readme_row(indicator):
    item = INDICATORS[indicator]
    path = DOCS / "indicators" / f"{indicator}.md"
    assert path.read_text(encoding="utf-8") == page(item), (
        "regenerate with python -m qcert.supervision.analytics.docs"
    )
    assert item.source and item.zh and item.en and item.rule and item.rule_zh
    assert f"[`{indicator}`](docs/indicators/{indicator}.md)" in README


def test_no_page_without_an_indicator():
    pages = {p.stem for p in (DOCS / "indicators").glob("*.md")}
    assert pages == set(INDICATORS)


def test_the_hub_tables_reference_is_current_and_documents_every_column():
    assert (DOCS / "hub-tables.md").read_text(encoding="utf-8") == reference()
    assert all(column.doc for columns in TABLES.values() for column in columns)
