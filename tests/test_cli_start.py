"""The command line starts light: its entry module loads none of the heavy libraries.

A timed test would fail on a busy machine and pass on a broken one; what makes ``qcert --help``
slow is a heavy import reached from ``qcert.cli.main``, so that is what these tests look for
(each in a fresh interpreter, whose ``sys.modules`` shows everything that was loaded). The time
itself is measured by ``bench/cli_start.py``.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qcert.cli.main import LAZY, app, load_lazy
from qcert.config import LATE_DAYS
from qcert.lifecycle import aggregate

HEAVY = (
    "numpy",
    "pandas",
    "sklearn",
    "scipy",
    "weasyprint",
    "plotly",
    "duckdb",
    "ibis",
    "statsmodels",
    "matplotlib",
    "sqlalchemy",
    "qcert.bootstrap",
    "qcert.lifecycle",
)
SRC = str(Path(__file__).parents[1] / "src")


def _loaded_after(code: str) -> list[str]:
    probe = (
        f"import sys\n{code}\n"
        f"import json; print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    )
    env = {**os.environ, "PYTHONPATH": SRC}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_command_line_loads_no_heavy_library():
    assert _loaded_after("import qcert.cli.main") == []


@pytest.mark.parametrize("argv", [["--help"], ["--version"], []])
def test_help_and_version_load_no_heavy_library(argv):
    code = (
        "from qcert.cli.main import app\n"
        f"try:\n    app({argv!r}, prog_name='qcert')\nexcept SystemExit:\n    pass"
    )
    assert _loaded_after(code) == []


def test_a_command_that_needs_the_store_still_gets_it():
    # the lazy loading defers imports; it must not lose the command that needs them
    assert "sqlalchemy" in _loaded_after(
        "from qcert.cli.main import load_lazy\nload_lazy('ledger')"
    )


def test_the_services_start_without_the_monitoring_libraries():
    # Every command, consumer and served worker builds the services; scikit-learn and
    # scipy.stats (most of a second) come in only when a monitor is fitted or scores.
    loaded = _loaded_after("import qcert.bootstrap")
    assert not {"sklearn", "scipy"} & set(loaded), loaded


def test_the_server_starts_without_the_examination_statistics():
    # scipy.stats, statsmodels and scikit-learn come with the first examination report
    # asked for, not with every `qcert serve` start. (scipy itself is light: the I charts'
    # constants need only scipy.special.)
    loaded = _loaded_after("import qcert.server")
    assert not {"sklearn", "statsmodels"} & set(loaded), loaded


@pytest.mark.parametrize("name", list(LAZY))
def test_the_help_line_listed_without_import_is_the_commands_own(name):
    real = load_lazy(name)
    first = " ".join((real.help or "").split("\n\n")[0].split())
    assert " ".join(LAZY[name][2].split()) == first


def test_every_lazily_listed_command_runs_its_own_help():
    for name in LAZY:
        result = CliRunner().invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage" in result.output


def test_the_settings_default_for_late_records_is_the_lifecycles():
    assert LATE_DAYS == aggregate.LATE_DAYS
