"""Rate limits of the gateway: messages per web chat session, per Telegram chat and per IP address.

In memory, per gateway process: a sliding window of one minute per key. With more than one gateway
process (scale-out, not built yet) each has its own window, so the limit is per process.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable

from settings import Settings

WINDOW_SECONDS = 60.0
MAX_KEYS = 100_000  # forget the quietest keys beyond this, so a flood of new keys cannot fill memory


class SlidingWindow:
    """At most `limit` events per key in the last `window` seconds."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._seen: dict[Hashable, deque[float]] = {}

    def allow(self, key: Hashable) -> bool:
        """Count one event for `key`; False (and not counted) when the key is over its limit."""
        now = self.clock()
        times = self._seen.get(key)
        if times is None:
            if len(self._seen) >= MAX_KEYS:
                self._prune(now)
            times = self._seen[key] = deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True

    def _prune(self, now: float) -> None:
        for key in [k for k, t in self._seen.items() if not t or t[-1] <= now - self.window]:
            del self._seen[key]
        while len(self._seen) >= MAX_KEYS:  # all recent: drop the oldest entries
            del self._seen[next(iter(self._seen))]


class RateLimits:
    """The gateway's limits; `allow` answers for one user message."""

    def __init__(self, settings: Settings) -> None:
        self.per_conversation = SlidingWindow(settings.messages_per_minute)
        self.per_ip = SlidingWindow(settings.ip_messages_per_minute)

    def allow(self, conversation_key: str, ip: str | None = None) -> bool:
        if ip is not None and not self.per_ip.allow(ip):
            return False
        return self.per_conversation.allow(conversation_key)
