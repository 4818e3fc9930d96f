"""tools/profile_cpu.py: own time goes to the nearest enclosing category, split over callers by the time
each call edge took, and adds up to the profiled total; the process-tree CPU reader finds a busy child."""

from __future__ import annotations

import subprocess
import sys
import time
from types import SimpleNamespace

from tools.profile_cpu import attribute, process_tree_cpu

REQUEST = ("site-packages/sanic/app.py", 1, "handle_request")
PARSE = ("site-packages/rasa/core/processor.py", 702, "parse_message")
RULES = ("site-packages/rasa/core/policies/rule_policy.py", 1105, "predict_action_probabilities")
HELPER = ("site-packages/numpy/core/fromnumeric.py", 1, "helper")  # no category of its own
AS_DICT = ("site-packages/rasa/shared/core/events.py", 1, "as_dict")


def test_own_time_goes_to_the_nearest_category_split_by_call_edges():
    stats = SimpleNamespace(stats={  # func: (cc, nc, own, cumulative, {caller: (cc, nc, own, cumulative)})
        REQUEST: (1, 1, 1.0, 12.0, {}),
        PARSE: (1, 1, 2.0, 7.0, {REQUEST: (1, 1, 2.0, 7.0)}),
        RULES: (1, 1, 3.0, 4.0, {REQUEST: (1, 1, 3.0, 4.0)}),
        HELPER: (2, 2, 4.0, 4.0, {PARSE: (1, 1, 3.0, 3.0), RULES: (1, 1, 1.0, 1.0)}),
        AS_DICT: (1, 1, 2.0, 2.0, {PARSE: (1, 1, 2.0, 2.0)}),
    })
    cells = attribute(stats)
    by_category: dict[str, float] = {}
    for (category, _), seconds in cells.items():
        by_category[category] = by_category.get(category, 0.0) + seconds
    assert by_category == {"sanic_request": 1.0, "nlu": 2.0 + 3.0, "policies": 3.0 + 1.0,
                           "tracker_serialisation": 2.0}
    assert abs(sum(cells.values()) - 12.0) < 1e-9  # every second of own time, once
    assert cells[("tracker_serialisation", "nlu")] == 2.0  # serialisation inside the NLU step
    assert cells[("policies", "request")] == 4.0


def test_the_process_tree_reader_sees_a_busy_child():
    child = subprocess.Popen([sys.executable, "-c", "import time\nend = time.process_time() + 0.3\n"
                              "while time.process_time() < end: pass\ntime.sleep(5)"])
    try:
        time.sleep(1.0)
        found = process_tree_cpu(__import__("os").getpid())
        assert child.pid in found
        command, seconds = found[child.pid]
        assert "process_time" in command and seconds >= 0.25
    finally:
        child.kill()
        child.wait()
