"""Bad configuration gives one clear Dutch line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from settings import ROOT
from werkpunt.net import free_port
from werkpunt.rasa_env import model_path


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    return subprocess.run([sys.executable, "-m", "werkpunt.cli", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("url", ["not-a-url", "postgresql+nodriver://x@127.0.0.1/test", "sqlite//var/x.db"])
def test_malformed_database_url(url):
    result = _cli("prepare", DATABASE_URL=url)
    assert result.returncode == 2
    assert "FOUT" in result.stderr and "Traceback" not in result.stderr


def test_unreachable_postgresql():
    port = free_port()  # nothing listens there
    result = _cli("prepare", DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/test")
    assert result.returncode == 2
    assert "niet bereikbaar" in result.stderr and "Traceback" not in result.stderr


def test_port_in_use_is_reported_before_anything_starts(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _cli("run", PORT=str(port), DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    assert result.returncode == 2
    assert f"poort {port}" in result.stderr
    assert not (tmp_path / "x.db").exists()  # nothing half-written


def test_prepare_is_idempotent_and_recovers(tmp_path):
    url = f"sqlite:///{tmp_path}/p.db"
    first = _cli("prepare", DATABASE_URL=url, DEMO_DATA="true")
    assert first.returncode == 0 and "met demodata" in first.stdout, first.stderr
    second = _cli("prepare", DATABASE_URL=url, DEMO_DATA="true")
    assert second.returncode == 0 and "demodata was er al" in second.stdout


def test_model_name_follows_training_data():
    # The model file is named after a hash of config, domain and nlu/: stale models are never used.
    assert model_path().name.startswith("werkpunt-") and model_path().parent.name == "models"
