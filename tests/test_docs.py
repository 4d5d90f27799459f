"""Documentation checked by tests: every CLI command and API route is in the README."""

import re
from pathlib import Path

import pytest
import typer

from qcert.cli.main import app
from qcert.server import create_app

README = (Path(__file__).parents[1] / "README.md").read_text()


def _commands(group: typer.Typer) -> list[str]:
    return _walk(typer.main.get_command(group), "qcert")


def _walk(command: typer.core.TyperCommand | typer.core.TyperGroup, prefix: str) -> list[str]:
    """Every leaf command under ``command`` (the lazily imported groups included)."""
    if not isinstance(command, typer.core.TyperGroup):
        return [prefix]
    ctx = typer.Context(command)
    names = []
    for name in command.list_commands(ctx):
        names += _walk(command.get_command(ctx, name), f"{prefix} {name}")
    return names


@pytest.mark.parametrize("command", _commands(app))
def test_every_cli_command_is_in_the_readme(command):
    assert f"`{command}" in README


def test_the_command_list_is_complete():
    assert "qcert ledger verify-proof" in _commands(app)
    assert len(_commands(app)) == 56


ROUTES = [
    (method.upper(), path)
    for path, operations in create_app(None, schedule=False).openapi()["paths"].items()
    if path != "/"
    for method in operations
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_api_route_is_in_the_readme(method, path):
    if path.startswith("/api/v1/commands/"):
        name = path.rsplit("/", 1)[1]
        assert "`POST /api/v1/commands/{command}`" in README
        assert f"| `{name}` |" in README, f"command {name} is not in the README's role table"
    else:
        assert f"`{method} {path}" in README


def test_the_route_list_is_complete():
    assert ("GET", "/ledger/entries/{index}") in ROUTES
    assert ("POST", "/api/v1/commands/plan-audit") in ROUTES


def test_the_readme_quick_start_has_the_two_commands():
    block = re.search(r"## Quick start.*?```sh\n(.*?)```", README, re.S).group(1)
    assert [line.split()[0:2] for line in block.strip().splitlines()] == [
        ["make", "demo"],
        ["make", "test"],
    ]


def test_scheme_pages_cover_every_bundled_scheme():
    from qcert.schemes import bundled

    page = (Path(__file__).parents[1] / "docs" / "schemes.md").read_text()
    for scheme in bundled().values():
        assert f"`{scheme.id}`" in page
        assert scheme.audit_time.source in page


def test_event_reference_is_current():
    from qcert.lifecycle.events import EVENTS, reference

    page = (Path(__file__).parents[1] / "docs" / "events.md").read_text()
    assert page == reference(), "regenerate docs/events.md from qcert.lifecycle.events.reference()"
    assert all(cls.__doc__ and cls.__doc__.strip() for cls in EVENTS.values())


def test_every_rule_has_a_source_and_both_languages():
    from qcert.lifecycle.rules import RULES

    for rule in RULES.values():
        assert rule.source and rule.en and rule.zh
        assert f"`{rule.id}`" in README, f"rule {rule.id} is not in the README"


def test_the_readme_command_table_is_the_access_policys():
    from qcert.access import COMMANDS, command_names

    for name, cls in command_names().items():
        rule = COMMANDS[cls]
        needs = rule.needs + (f" (acts as `{rule.as_self}`)" if rule.as_self else "")
        assert f"| `{name}` | {needs} |" in README, name


def test_every_setting_is_in_the_readme_and_the_settings_docstring():
    from qcert import config

    source = Path(config.__file__).read_text()
    names = set(re.findall(r'environ\.get\("(QCERT_[A-Z_]+)"\)', source))
    assert {"QCERT_DATA_DIR", "QCERT_CLOCK_HOURS"} <= names
    table = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for name in sorted(names):
        assert f"| `{name}`" in table, f"{name} is not in the README's configuration table"
        assert f"``{name}``" in (config.__doc__ or ""), f"{name} is not in config.py's docstring"
