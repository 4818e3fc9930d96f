"""The windowed tracker store (rasa_addons/tracker_store.py) loads a bounded part of a long session and
still gives Rasa the exact slots, active loop and recent events; it writes every event exactly once.

The check runs inside the Rasa environment (tests/rasa_side/window_store_check.py) against a real SQLite
tracker store, compared turn by turn with Rasa's own SQLTrackerStore reading the same table.
"""

from __future__ import annotations


import pytest

from werkpunt.rasa_env import RASA_PYTHON, lock_store_env
from tests.rasa_side_run import run_check

pytestmark = pytest.mark.skipif(not RASA_PYTHON.exists(), reason="the Rasa environment (.venv/rasa) is missing")


def test_a_long_session_loads_a_bounded_window_with_exact_state(tmp_path):
    result = run_check("window_store_check.py", str(tmp_path / "t.db"), "120", "10",
                       SQLALCHEMY_SILENCE_UBER_WARNING="1")
    assert result["mismatches"] == []  # every turn, on alternating "replicas": same slots and loop as Rasa's store
    assert result["rows"] == result["expected_rows"]  # nothing lost, nothing written twice
    assert result["loaded_max"] <= 2 * 10 + 12  # bounded: 2 x window + the short synthetic start
    assert result["cold_slots_equal"] and result["cold_loop_equal"] and result["cold_tail_equal"]
    assert result["cold_tail_events"] > 0


def test_lock_store_url_becomes_rasa_endpoint_variables():
    assert lock_store_env("")["LOCK_STORE_TYPE"] == "in_memory"
    redis = lock_store_env("redis://:geheim@10.0.0.5:6380/2")
    assert (redis["LOCK_STORE_TYPE"], redis["LOCK_STORE_HOST"], redis["LOCK_STORE_PORT"], redis["LOCK_STORE_DB"],
            redis["LOCK_STORE_PASSWORD"]) == ("redis", "10.0.0.5", "6380", "2", "geheim")
    with pytest.raises(RuntimeError, match="LOCK_STORE_URL"):
        lock_store_env("memcached://x")


def test_replicas_need_a_lock_store_and_get_consecutive_ports(tmp_path):
    from settings import Settings
    from werkpunt.replicas import check_replicas, rasa_specs

    with pytest.raises(RuntimeError, match="LOCK_STORE_URL"):
        check_replicas(Settings(rasa_replicas=2, lock_store_url="", rasa_url=""))
    scaled = Settings(rasa_replicas=3, rasa_port=6100, lock_store_url="redis://127.0.0.1:6379/0", rasa_url="")
    check_replicas(scaled)
    specs = rasa_specs(scaled, tmp_path / "model.tar.gz", "token")
    assert [s[0] for s in specs] == ["rasa-1", "rasa-2", "rasa-3"]
    assert [s[2] for s in specs] == [f"http://127.0.0.1:{p}/status" for p in (6100, 6101, 6102)]
    assert [s[1][s[1].index("--port") + 1] for s in specs] == ["6100", "6101", "6102"]
    assert scaled.rasa_base_urls == ["http://127.0.0.1:6100", "http://127.0.0.1:6101", "http://127.0.0.1:6102"]
    single = Settings(rasa_replicas=1, rasa_port=6100, lock_store_url="", rasa_url="")
    check_replicas(single)  # the embedded default needs no Redis
    assert [s[0] for s in rasa_specs(single, tmp_path / "m.tar.gz", "t")] == ["rasa"]
