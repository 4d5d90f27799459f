"""The command line's manners: usage errors exit 2 naming what is allowed, refusals are told in
both languages, and a pipeline's reader going away is no error."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qcert.cli.main import app
from tests.e2e.conftest import cli_at

SRC = str(Path(__file__).parents[2] / "src")


@pytest.fixture
def qcert(tmp_path, database_url, monkeypatch):
    return cli_at(tmp_path / "data", database_url, monkeypatch)


def test_an_unknown_status_is_a_usage_error_naming_the_allowed_values():
    result = CliRunner().invoke(app, ["lifecycle", "certificates", "--status", "bogus"])
    assert result.exit_code == 2
    for allowed in ("active", "suspended", "withdrawn", "expired"):
        assert allowed in result.output


def test_a_known_status_filters_the_certificates(qcert):
    rows = json.loads(qcert("lifecycle", "certificates", "--status", "suspended", "--json").stdout)
    assert rows == []


def test_an_unknown_lifecycle_command_is_refused_in_both_languages(qcert):
    result = qcert("lifecycle", "do", "no-such-command", "{}", ok=False)
    assert result.exit_code == 1
    assert "no command 'no-such-command'" in result.output
    assert "没有命令" in result.output


def test_an_unknown_certification_is_refused_in_both_languages(qcert):
    result = qcert("lifecycle", "show", "nope", ok=False)
    assert result.exit_code == 1
    assert "no certification 'nope'" in result.output and "没有认证项目" in result.output


def test_a_closed_pipe_ends_the_command_quietly(tmp_path):
    # the reader of stdout is gone before the command writes (as `| head -1` does once it has
    # its line): the write fails with EPIPE, which must not be told as an error
    env = {**os.environ, "PYTHONPATH": SRC, "QCERT_DATA_DIR": str(tmp_path / "data")}
    env.pop("QCERT_DATABASE_URL", None)
    run = [sys.executable, "-c", "from qcert.cli.main import app; app()"]
    init = subprocess.run([*run, "init"], env=env, capture_output=True, timeout=300)
    assert init.returncode == 0, init.stderr
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [*run, "keys", "show"], env=env, stdout=write, stderr=subprocess.PIPE, timeout=120
        )
    finally:
        os.close(write)
    stderr = done.stderr.decode()
    assert "Broken pipe" not in stderr and "Traceback" not in stderr, stderr
    assert "error" not in stderr
