"""Training the Rasa model, only when its inputs changed: `make train`, and before `make run` / `make test`."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from settings import ROOT, Settings
from werkpunt.console import say
from werkpunt.rasa_env import MODELS, model_path, rasa_environ, train_command


def ensure_model(settings: Settings, force: bool = False) -> Path:
    """Train a model unless one for the current data and config exists. Never leaves a half model."""
    target = model_path()
    if target.exists() and not force:
        say(f"model {target.name} is actueel, niet opnieuw getraind")
        return target
    MODELS.mkdir(exist_ok=True)
    say(f"model trainen ({target.name}); dit duurt een paar minuten...")
    started = time.monotonic()
    log_path = ROOT / "var" / "log" / "train.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=MODELS, prefix=".train-") as tmp, open(log_path, "wb") as log:
        partial = Path(tmp) / target.name
        # Rasa's progress bars would flood the terminal: they go to the log, a heartbeat goes here.
        proc = subprocess.Popen(train_command(partial), cwd=ROOT, env=rasa_environ(settings),
                                stdout=log, stderr=subprocess.STDOUT)
        while proc.poll() is None:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                say(f"  nog bezig met trainen ({time.monotonic() - started:.0f}s, log: {log_path})")
        if proc.returncode != 0 or not partial.exists():
            tail = log_path.read_text(errors="replace").splitlines()[-15:]
            raise RuntimeError("rasa train is mislukt:\n" + "\n".join(tail) + f"\nVolledige log: {log_path}")
        os.replace(partial, target)  # atomic: a model file is complete or absent
    for old in MODELS.glob("werkpunt-*.tar.gz"):
        if old != target:
            old.unlink()
    say(f"model getraind in {time.monotonic() - started:.0f}s")
    return target
