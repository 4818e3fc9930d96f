"""CPU seconds per process group over a measured phase, from /proc (Linux), for the benchmarks.

CPU time (utime + stime, and cutime + cstime of reaped children) is far less sensitive to what other
processes on a shared machine do than messages/s: a turn costs about the same CPU whether it waits for
a core or not. `CpuMeter` samples a set of named groups (a process tree from a root pid, or processes
found by a predicate such as "PostgreSQL backends of these databases") every `interval` seconds, so a
process that ends during the phase still counts with its last sample, and one that starts during the
phase counts from zero. `per_message(n)` gives CPU ms per user message per group.

Processes shared with other work on the machine (the PostgreSQL server's background processes, the one
Redis server) cannot be split by who caused the work: groups say what they include.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def _stat(pid: int) -> tuple[int, int, float, int, float, float] | None:
    """(pid, ppid, cpu seconds incl. reaped children, start time in ticks since boot, cpu seconds of the
    process alone, kernel-mode seconds incl. reaped children), or None if gone."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = raw[raw.rindex(")") + 2:].split()  # after "pid (comm) "; comm may hold spaces
    # fields[0] is field 3 (state): ppid is field 4, utime..cstime fields 14-17, starttime field 22.
    own = int(fields[11]) + int(fields[12])
    return (pid, int(fields[1]), (own + int(fields[13]) + int(fields[14])) / TICK, int(fields[19]), own / TICK,
            (int(fields[12]) + int(fields[14])) / TICK)


def all_pids() -> list[int]:
    return [int(p.name) for p in PROC.iterdir() if p.name.isdigit()]


def cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return ""


# pid -> (ppid, cpu s incl. reaped children, start ticks, own cpu s, kernel-mode s incl. reaped children)
Snapshot = dict[int, tuple[int, float, int, float, float]]


def snapshot() -> Snapshot:
    """Every process's parent, CPU seconds and start time, read once per sample."""
    found: Snapshot = {}
    for pid in all_pids():
        stat = _stat(pid)
        if stat:
            found[pid] = stat[1:]
    return found


def single(pid: int) -> Callable[[Snapshot], set[int]]:
    """Just the process `pid`, without the CPU of its reaped children (e.g. the load tool itself, whose
    children are the measured stack: their CPU is counted in their own groups)."""

    def pids(snap: Snapshot) -> set[int]:
        return {pid} & snap.keys()

    pids.own_only = True
    return pids


def tree(root: int) -> Callable[[Snapshot], set[int]]:
    """The process `root` and all its living descendants."""

    def pids(snap: Snapshot) -> set[int]:
        children: dict[int, list[int]] = {}
        for pid, (ppid, *_) in snap.items():
            children.setdefault(ppid, []).append(pid)
        found, todo = set(), [root]
        while todo:
            pid = todo.pop()
            if pid in snap and pid not in found:
                found.add(pid)
                todo.extend(children.get(pid, []))
        return found

    return pids


def matching(predicate: Callable[[str], bool]) -> Callable[[Snapshot], set[int]]:
    """Every process whose command line satisfies `predicate` (read once per process)."""
    seen: dict[tuple[int, int], bool] = {}

    def pids(snap: Snapshot) -> set[int]:
        found = set()
        for pid, (_, _, started, *_) in snap.items():
            key = (pid, started)
            if key not in seen:
                seen[key] = predicate(cmdline(pid))
            if seen[key]:
                found.add(pid)
        return found

    return pids


def postgres_backends(databases: Iterable[str]) -> Callable[[Snapshot], set[int]]:
    """PostgreSQL backend processes serving one of `databases` ("postgres: 15/main: user db host(port) ...")."""
    names = set(databases)

    def serves(line: str) -> bool:
        words = line.split()
        return bool(words) and words[0] == "postgres:" and bool(names.intersection(words))

    return matching(serves)


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent outside idle/iowait since boot (everyone's work, for context)."""
    values = [int(v) for v in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK


def load_average() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


class CpuMeter:
    """Samples each group's processes in a background thread between `start()` and `stop()`."""

    def __init__(self, groups: dict[str, Callable[[Snapshot], set[int]]], interval: float = 0.5) -> None:
        self.groups = groups
        self.interval = interval
        self._first: dict[tuple[str, int], float] = {}
        self._last: dict[tuple[str, int], float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._meter_cpu = 0.0
        self._first_kernel: dict[tuple[str, int], float] = {}
        self._last_kernel: dict[tuple[str, int], float] = {}
        self.own_group: str | None = None  # the group of this process: the meter's own CPU is taken off
        self.wall = 0.0
        self.machine = 0.0
        self.load_before: list[float] = []
        self.load_after: list[float] = []

    def _sample(self) -> None:
        snap = snapshot()
        for name, find in self.groups.items():
            own_only = getattr(find, "own_only", False)
            for pid in find(snap):
                _, with_children, started, own, kernel = snap[pid]
                cpu = own if own_only else with_children
                key = (name, pid)
                if key not in self._first:
                    # Started during the phase: all of its CPU belongs to the phase.
                    new = started >= self._boot_ticks
                    self._first[key] = 0.0 if new else cpu
                    self._first_kernel[key] = 0.0 if new else kernel
                self._last[key] = cpu
                self._last_kernel[key] = kernel

    def _run(self) -> None:
        self._tid = threading.get_native_id()
        while not self._stop.wait(self.interval):
            self._sample()

    def meter_seconds(self) -> float:
        """CPU the sampling thread itself used (it runs inside the load tool's process)."""
        try:
            fields = (PROC / "self" / "task" / str(self._tid) / "stat").read_text()
        except (AttributeError, FileNotFoundError, ProcessLookupError):
            return self._meter_cpu
        fields = fields[fields.rindex(")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def start(self) -> "CpuMeter":
        self.load_before = load_average()
        uptime = float((PROC / "uptime").read_text().split()[0])
        self._boot_ticks = int(uptime * TICK)  # processes starting after this started during the phase
        self._started = time.perf_counter()
        self._machine0 = machine_busy_seconds()
        self._sample()
        self._thread = threading.Thread(target=self._run, name="cpu-meter", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> "CpuMeter":
        if self._thread:
            self._meter_cpu = self.meter_seconds()  # while the thread still runs
        self._stop.set()
        if self._thread:
            self._thread.join()
        self._sample()
        self.wall = time.perf_counter() - self._started
        self.machine = machine_busy_seconds() - self._machine0
        self.load_after = load_average()
        return self

    def seconds(self) -> dict[str, float]:
        """CPU seconds per group over the phase."""
        totals = {name: 0.0 for name in self.groups}
        for (name, pid), last in self._last.items():
            totals[name] += max(0.0, last - self._first[(name, pid)])
        if self.own_group in totals:
            totals[self.own_group] = max(0.0, totals[self.own_group] - self._meter_cpu)
        return totals

    def kernel_share(self) -> dict[str, float]:
        """Part of each group's CPU spent in the kernel (syscalls, sockets, context switches)."""
        seconds = self.seconds()
        kernel = {name: 0.0 for name in self.groups}
        for key, last in self._last_kernel.items():
            kernel[key[0]] += max(0.0, last - self._first_kernel[key])
        return {name: round(kernel[name] / seconds[name], 2) if seconds[name] else 0.0 for name in self.groups}

    def per_message(self, messages: int) -> dict[str, object]:
        """CPU ms per message per group, their sum, the processes seen, wall time and load."""
        seconds = self.seconds()
        per = {name: round(value * 1000 / max(messages, 1), 1) for name, value in seconds.items()}
        counts = {name: len({pid for (group, pid) in self._last if group == name}) for name in self.groups}
        return {"cpu_ms_per_message": per, "cpu_ms_per_message_total": round(sum(per.values()), 1),
                "cpu_s": {name: round(v, 2) for name, v in seconds.items()}, "kernel_share": self.kernel_share(),
                "processes": counts,
                "meter_cpu_s": round(self._meter_cpu, 2),
                "machine_cpu_ms_per_message": round(self.machine * 1000 / max(messages, 1), 1),
                "machine_cores_busy": round(self.machine / self.wall, 2) if self.wall else None,
                "load_before": self.load_before, "load_after": self.load_after}
