"""The small versions of `make reliability`: 2,000 generated inputs against the gateway, and the log redaction
Rasa's process uses (rasa_addons/log_redaction.py), each in processes of their own."""

from __future__ import annotations

import os
import subprocess
import sys

from settings import ROOT
from tools.reliability_fuzz import gateway_campaign

SCRIPT = """
import logging, sys
from rasa_addons.log_redaction import install
install()
logging.basicConfig(stream=sys.stdout, format="%(levelname)s %(message)s")
try:
    raise ValueError("Mijn-geheim-1")
except ValueError:
    logging.getLogger("rasa.core.processor").exception("action failed; tracker {'text': 'Mijn-geheim-2'}")
logging.getLogger("rasa").error("first line\\nMijn-geheim-3 on the second line")
logging.getLogger("rasa").warning("x" * 1000)
"""


def redacted(level: str) -> str:
    env = dict(os.environ, LOG_LEVEL=level)
    return subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=True).stdout


def test_rasa_log_records_carry_no_user_text_at_the_default_level():
    out = redacted("INFO")
    assert "Mijn-geheim" not in out and "ValueError" in out and "details omitted" in out
    assert max(len(line) for line in out.splitlines()) < 400


def test_at_debug_nothing_is_redacted():
    assert "Mijn-geheim-1" in redacted("DEBUG")


def test_gateway_fuzz_small_campaign_has_no_server_errors_and_no_crashes(tmp_path):
    line = gateway_campaign(2000, tmp_path / "fuzz.log")
    assert line["inputs"] == 2000
    assert (line["server_errors"], line["crashes"]) == (0, 0), line["examples"]


def test_fault_scenarios_small_all_survive_with_nothing_lost():
    from tools import reliability as r

    h = r.Harness()
    try:
        lines = [r.rasa_outage(h, "rasa_killed", lambda: h.kill("rasa"), lambda: h.start("rasa"), 2),
                 r.rasa_outage(h, "rasa_slower_than_timeout", h.flag.touch, h.flag.unlink, 2),
                 r.gateway_restart(h), *r.telegram_lines(h)]
    finally:
        h.close()
    assert len(lines) == 5
    for result in lines:
        assert result["survived"] and result["lost"] == 0 and result["sent"] > 0, result
