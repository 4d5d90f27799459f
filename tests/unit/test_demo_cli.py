"""``qcert demo``'s checks before it touches anything, and the commands it prints."""

import gc
import os
import socket
import sys
from pathlib import Path

import pytest

from qcert.cli import demo
from qcert.errors import QcertError


def test_a_second_claim_on_the_demo_store_is_refused_naming_the_holder(tmp_path):
    held = demo.claim_store(tmp_path, 8001)
    try:
        with pytest.raises(QcertError) as refused:
            demo.claim_store(tmp_path, None)
        assert f"process {os.getpid()}, serving port 8001" in str(refused.value)
        assert "正被另一个 qcert demo 使用" in refused.value.zh
    finally:
        held.close()
        demo._held.remove(held)
    again = demo.claim_store(tmp_path, None)  # released with its holder
    again.close()
    demo._held.remove(again)


def test_a_port_someone_listens_on_is_refused():
    with socket.socket() as busy:
        busy.bind((demo.HOST, 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(QcertError, match=f"--port: 127.0.0.1:{port} is in use"):
            demo.check_port(port)


def test_a_free_port_passes():
    with socket.socket() as probe:
        probe.bind((demo.HOST, 0))
        port = probe.getsockname()[1]
    demo.check_port(port)


def test_the_printed_command_names_the_store_and_the_qcert_that_ran(tmp_path, monkeypatch):
    script = tmp_path / "venv" / "bin" / "qcert"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setattr(sys, "argv", [str(script), "demo"])
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("QCERT_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    store = tmp_path / "demo"
    assert demo.qcert_command(store) == f"QCERT_DATA_DIR={store} venv/bin/qcert"
    monkeypatch.setenv("PATH", str(script.parent))  # the one on the PATH: its plain name
    monkeypatch.setenv("QCERT_DATA_DIR", str(store))  # already pointing there: no prefix
    assert demo.qcert_command(store) == "qcert"


def test_a_path_with_spaces_is_quoted(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", [str(Path(sys.executable).with_name("qcert")), "demo"])
    monkeypatch.delenv("QCERT_DATA_DIR", raising=False)
    command = demo.qcert_command(tmp_path / "my data" / "demo")
    assert command.startswith(f"QCERT_DATA_DIR='{tmp_path / 'my data' / 'demo'}' ")


def test_the_build_runs_with_fewer_collections_and_the_server_collects_as_usual():
    before = gc.get_threshold()
    with demo._FewCollections():
        assert gc.get_threshold() == (10_000, 20, 20)
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), demo._FewCollections():
        raise RuntimeError("a build that fails")
    assert gc.get_threshold() == before
