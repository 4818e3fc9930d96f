"""The supervisor with real child processes (small Python servers): restart with backoff, give up on fast failures."""

from __future__ import annotations

import sys
import time

import pytest

from werkpunt.net import free_port
from werkpunt.stack import Child, spawn, stop, wait_http
from werkpunt.supervisor import GaveUp, Supervisor


def server(name: str) -> Child:
    port = free_port()
    return Child(name, [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                 f"http://127.0.0.1:{port}/", 20)


def until(predicate, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_killed_child_is_started_again_and_answers(tmp_path, capsys):
    specs = [server("rasa"), server("gateway")]
    procs = [spawn(c, {}, tmp_path) for c in specs]
    try:
        assert all(wait_http(c.health, 20, p) for c, p in zip(specs, procs))
        supervisor = Supervisor(specs, procs, {}, tmp_path)
        first = procs[0]
        first.kill()
        first.wait()
        assert until(lambda: (supervisor.check(), supervisor.restarts)[1] == 1)
        assert procs[0] is not first and procs[1].poll() is None  # only the stopped one was touched
        assert wait_http(specs[0].health, 20, procs[0])
        out = capsys.readouterr().out
        assert "rasa is gestopt" in out and "opnieuw gestart" in out and str(tmp_path / "rasa.log") in out
    finally:
        stop(procs)


def test_backoff_doubles_and_repeated_fast_failures_give_up_with_the_reason(tmp_path, capsys):
    child = Child("actieserver", [sys.executable, "-c", "raise SystemExit(3)"], "http://127.0.0.1:9/", 1)
    procs = [spawn(child, {}, tmp_path)]
    now = [0.0]
    supervisor = Supervisor([child], procs, {}, tmp_path, max_failures=4, window=60, clock=lambda: now[0])
    delays = []
    with pytest.raises(GaveUp) as gave_up:
        for _ in range(200):
            procs[0].wait()
            supervisor.check()
            if supervisor.due:
                delays.append(supervisor.due[0] - now[0])
                now[0] = supervisor.due[0]
                supervisor.check()  # starts it again
    assert delays == [1.0, 2.0, 4.0]
    assert "4 keer gestopt binnen 60 seconden" in str(gave_up.value)
    assert str(tmp_path / "actieserver.log") in str(gave_up.value)
    assert "afsluitcode 3" in capsys.readouterr().out


def test_failures_long_ago_do_not_count(tmp_path):
    child = Child("gateway", [sys.executable, "-c", "raise SystemExit(1)"], "http://127.0.0.1:9/", 1)
    procs = [spawn(child, {}, tmp_path)]
    now = [0.0]
    supervisor = Supervisor([child], procs, {}, tmp_path, max_failures=2, window=60, clock=lambda: now[0])
    for _ in range(5):  # one failure every 100 s: never two within the window
        procs[0].wait()
        supervisor.check()
        now[0] += 100
        supervisor.check()
    assert supervisor.restarts == 5
    stop(procs)
