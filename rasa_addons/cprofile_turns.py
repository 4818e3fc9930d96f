"""cProfile of Rasa's main thread over the measured turns, only when WERKPUNT_CPROFILE is set.

`tools/profile_turn.py --cprofile` starts Rasa with WERKPUNT_CPROFILE=<file.prof> and
WERKPUNT_CPROFILE_SKIP=<warm-up turns>; `rasa_addons.run` then calls `install()` before Rasa starts.
After the warm-up turns the profiler runs on the main thread (Sanic's event loop: request handling,
NLU, policies, tracker store, lock store, action calls, logging) with CPU time of that thread as its
clock, so waiting for the action server or the database costs nothing and everything the thread
computes is counted. The stats are written after every turn (the profiler is paused while it writes),
so the file is complete whenever the process is stopped. Off (the default) nothing is wrapped.
The file holds function names and times only, never message text.
"""

from __future__ import annotations

import cProfile
import functools
import time


def install(path: str, skip: int) -> None:
    from rasa.core.processor import MessageProcessor

    profiler = cProfile.Profile(time.thread_time)
    state = {"turns": 0, "on": False}
    handle = MessageProcessor.handle_message

    @functools.wraps(handle)
    async def handle_message(self, message, *args, **kwargs):
        try:
            return await handle(self, message, *args, **kwargs)
        finally:
            state["turns"] += 1
            if state["on"]:
                profiler.dump_stats(path)  # create_stats() disables the profiler first
            if state["turns"] >= skip:
                state["on"] = True
                profiler.enable()

    MessageProcessor.handle_message = handle_message
