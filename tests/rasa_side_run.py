"""Run a check script of tests/rasa_side/ in the Rasa environment and return the JSON of its last line.

The checks need Rasa's own classes (Python 3.10, .venv/rasa), so they run as a subprocess and print
one JSON object; the app-side tests only compare what it reports.
"""

from __future__ import annotations

import json
import os
import subprocess

from settings import ROOT
from werkpunt.rasa_env import RASA_PYTHON


def run_check(script: str, *args: str, timeout: int = 180, **extra_env: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false", **extra_env)
    done = subprocess.run([str(RASA_PYTHON), f"tests/rasa_side/{script}", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
