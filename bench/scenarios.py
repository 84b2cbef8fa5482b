"""The scenarios: one stack of N statuses with our provider, and the same stack with a no-I/O one.

A *lifecycle* is a fresh emulator and two fresh stacks taken through the same operations. Each
operation runs on both stacks back to back, the order alternating from one operation (and one run)
to the next, so that load from elsewhere on the machine falls on both sides alike. Around each
operation: wall time, the emulator's request counts and CPU time, and the peak memory and CPU time
of the dynamic provider process the `pulumi` CLI starts.

The engine helpers and the no-I/O baseline come from `incident_statuses_harness`, which
`make setup` installs, so the provider processes import the baseline like any package.
"""

from __future__ import annotations

import dataclasses
import functools
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from pulumi import automation as auto

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import API_KEY, toolchain
from incident_statuses_harness.noop_provider import NoopStatus
from incident_statuses_harness.workspace import open_stack
from pulumi_incident_statuses import IncidentStatus

BASELINE = "baseline"
OURS = "ours"
SIDES = (BASELINE, OURS)

LIFECYCLE = ("up", "preview", "refresh", "update", "destroy")
"""Every operation of a lifecycle, in order; `update` is an `up` after every description changed."""
LATENCY_LIFECYCLE = ("up", "refresh")
"""The operations repeated against an emulator with a realistic round trip."""

UNTHROTTLED = 1_000_000
"""Requests per minute for the lifecycles: the service's 1,200 would make `destroy` at N = 1,000
wait for the server, not measure this package (the mixed run keeps the real limit)."""

_MIB = 1024 * 1024
# The dynamic provider host, and the provider plugin the engine starts for package `incident`.
_PROVIDER_MARKS = ("pulumi.dynamic", "pulumi-resource-incident-statuses")


@dataclass(frozen=True)
class Requests:
    """The API requests the emulator answered during one operation."""

    total: int
    writes: int
    by_route: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)

    @classmethod
    def between(cls, before: Mapping[str, Any], after: Mapping[str, Any]) -> Requests:
        """The difference of two `/_emulator/stats` snapshots."""

        def delta(key: str) -> dict[str, int]:
            old, new = before.get(key, {}), after.get(key, {})
            return {k: v - old.get(k, 0) for k, v in sorted(new.items()) if v != old.get(k, 0)}

        return cls(
            total=int(after["total"]) - int(before["total"]),
            writes=int(after["writes"]) - int(before["writes"]),
            by_route=delta("by_route"),
            by_status=delta("by_status"),
        )

    @property
    def reads(self) -> int:
        """Requests that changed nothing."""
        return self.total - self.writes


@dataclass(frozen=True)
class Sample:
    """One operation on one side, measured."""

    size: int
    """N, the number of statuses in the stack."""
    run: int
    """Which repetition, from 0."""
    latency_ms: int
    """Latency the emulator added to every API request."""
    operation: str
    side: str
    """`baseline` (no I/O) or `ours`."""
    seconds: float
    """Wall time of the Automation API call, as `time.perf_counter` measured it."""
    requests: Requests
    provider_peak_rss_mib: float | None
    """Largest peak resident set of a `pulumi.dynamic` process seen; None if none was seen."""
    provider_cpu_seconds: float | None
    """CPU time of the provider process, as last sampled."""
    provider_processes: int
    """How many `pulumi.dynamic` processes the operation started."""
    emulator_cpu_seconds: float
    """CPU time the emulator spent during the operation (0 when nothing reached it)."""
    changes: dict[str, int]
    """The engine's summary of resource changes (the stack resource included)."""
    expected_changes: dict[str, int]
    """What that summary should be if the operation did what the benchmark asks of it."""

    @property
    def as_expected(self) -> bool:
        """Whether the engine did what the scenario meant it to."""
        return self.changes == self.expected_changes


@dataclass(frozen=True)
class Point:
    """Where a sample sits: the fields of `Sample` that say what was measured, not the result."""

    size: int
    run: int
    latency_ms: int
    operation: str
    side: str


def measure(
    operate: Callable[[], dict[str, int]],
    *,
    emulator: EmulatorProcess,
    at: Point,
    expected_changes: dict[str, int],
) -> Sample:
    """Run `operate` (which returns the engine's change summary) once, measured as a `Sample`."""
    server = psutil.Process(emulator.pid)
    before, cpu_before = emulator.stats(), _cpu_seconds(server)
    with ProviderWatch() as watch:
        started = time.perf_counter()
        changes = operate()
        seconds = time.perf_counter() - started
    cpu_after = _cpu_seconds(server)
    return Sample(
        **dataclasses.asdict(at),
        seconds=seconds,
        requests=Requests.between(before, emulator.stats()),
        provider_peak_rss_mib=watch.peak_mib,
        provider_cpu_seconds=watch.cpu_seconds,
        provider_processes=watch.processes,
        emulator_cpu_seconds=(cpu_after or 0.0) - (cpu_before or 0.0),
        changes=changes,
        expected_changes=expected_changes,
    )


class ProviderWatch:
    """Samples the provider processes started while it is entered: peak memory, CPU.

    The `pulumi` CLI (a child of this process) starts `python -u -m pulumi.dynamic` through its
    launcher. A background thread looks for such descendants and reads each one's high-water mark
    (`VmHWM` in /proc, so a peak between two samples is not missed; resident size where there is
    no /proc) and CPU time (as of the last sample before it exits).
    """

    def __init__(self, interval: float = 0.05, scan_interval: float = 0.1) -> None:
        """Read known processes every `interval` s; look for new ones every `scan_interval` s."""
        self._interval = interval
        self._scan_interval = scan_interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="provider-watch", daemon=True)
        self._peaks: dict[int, int] = {}
        self._cpu: dict[int, float] = {}

    def __enter__(self) -> ProviderWatch:
        """Start watching."""
        self._thread.start()
        return self

    def __exit__(self, *_exc_info: object) -> None:
        """Stop watching."""
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float | None:
        """The largest peak of any provider process seen, in MiB."""
        return max(self._peaks.values()) / _MIB if self._peaks else None

    @property
    def cpu_seconds(self) -> float | None:
        """User and system CPU time of every provider process seen."""
        return sum(self._cpu.values()) if self._cpu else None

    @property
    def processes(self) -> int:
        """How many provider processes were seen."""
        return len(self._peaks)

    def _watch(self) -> None:
        me = psutil.Process()
        known: dict[int, psutil.Process] = {}
        next_scan = 0.0
        while True:
            stopping = self._stop.is_set()
            if stopping or time.monotonic() >= next_scan:
                known.update(_providers_under(me, known))
                next_scan = time.monotonic() + self._scan_interval
            for pid, process in known.items():
                peak = _peak_rss(process)
                if peak is not None:
                    self._peaks[pid] = max(self._peaks.get(pid, 0), peak)
                cpu = _cpu_seconds(process)
                if cpu is not None:
                    self._cpu[pid] = cpu
            if stopping:
                return
            self._stop.wait(self._interval)


def _cpu_seconds(process: psutil.Process) -> float | None:
    try:
        times = process.cpu_times()
    except psutil.Error:
        return None
    return float(times.user + times.system)


def _providers_under(
    parent: psutil.Process, known: Mapping[int, psutil.Process]
) -> dict[int, psutil.Process]:
    found: dict[int, psutil.Process] = {}
    try:
        children = parent.children(recursive=True)
    except psutil.Error:
        return found
    for child in children:
        if child.pid in known:
            continue
        try:
            if any(mark in part for part in child.cmdline() for mark in _PROVIDER_MARKS):
                found[child.pid] = child
        except psutil.Error:
            continue
    return found


def _peak_rss(process: psutil.Process) -> int | None:
    try:
        with open(f"/proc/{process.pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(process.memory_info().rss)
    except psutil.Error:
        return None


Program = Callable[[], None]
Spec = dict[str, str]


def specs(size: int) -> list[Spec]:
    """N distinct live statuses, unranked, as a user would declare them."""
    return [
        {
            "resource": f"status-{i:03d}",
            "name": f"Bench status {i:03d}",
            "description": f"Benchmark status number {i}.",
        }
        for i in range(size)
    ]


def program(resource: Callable[..., object], declared: list[Spec]) -> Program:
    """An inline program declaring one `resource` per spec; the list is read when it runs."""

    def declare() -> None:
        for spec in declared:
            resource(
                spec["resource"],
                name=spec["name"],
                description=spec["description"],
                category="live",
            )

    return declare


def _describe_anew(declared: list[Spec]) -> None:
    for spec in declared:
        spec["description"] = spec["description"].removesuffix(".") + ", updated."


def _summary(changes: Mapping[Any, int] | None) -> dict[str, int]:
    # Preview keys are OpType members, the other summaries' plain strings.
    return {str(getattr(k, "value", k)): v for k, v in sorted((changes or {}).items()) if v}


def _expected(operation: str, size: int) -> dict[str, int]:
    # The stack resource itself counts too.
    return {
        "up": {"create": size + 1},
        "preview": {"same": size + 1},
        "refresh": {"same": size + 1},
        "update": {"same": 1, "update": size},
        "destroy": {"delete": size + 1},
    }[operation]


def _operate(stack: auto.Stack, operation: str) -> dict[str, int]:
    if operation in ("up", "update"):
        return _summary(stack.up().summary.resource_changes)
    if operation == "preview":
        return _summary(stack.preview().change_summary)
    if operation == "refresh":
        return _summary(stack.refresh().summary.resource_changes)
    if operation == "destroy":
        return _summary(stack.destroy().summary.resource_changes)
    raise ValueError(f"unknown operation {operation!r}")


@contextmanager
def _stacks(
    folder: Path, emulator: EmulatorProcess, declared: Mapping[str, list[Spec]]
) -> Iterator[dict[str, auto.Stack]]:
    # Both sides run inline, the same way; bench/cli_path.py runs project folders.
    resources: dict[str, Callable[..., object]] = {OURS: IncidentStatus, BASELINE: NoopStatus}
    stacks = {}
    for side in SIDES:
        work_dir = folder / side / "work"
        work_dir.mkdir(parents=True)
        stacks[side] = open_stack(
            "statuses",
            "test",
            program(resources[side], declared[side]),
            toolchain(folder / side / "state", {"INCIDENT_API_KEY": API_KEY}),
            work_dir=work_dir,
            config={"incident:endpoint": emulator.url},
        )
    yield stacks


def lifecycle(
    size: int,
    run: int,
    *,
    latency_ms: int = 0,
    operations: Sequence[str] = LIFECYCLE,
    on_sample: Callable[[Sample], None] = lambda _sample: None,
) -> list[Sample]:
    """Take a fresh emulator and a fresh pair of stacks of `size` statuses through `operations`."""
    samples: list[Sample] = []
    with (
        tempfile.TemporaryDirectory(prefix="incident-bench-") as temporary,
        EmulatorProcess(
            db_path=Path(temporary) / "emulator.db",
            latency_ms=latency_ms,
            rate_limit=UNTHROTTLED,
        ) as emulator,
    ):
        declared = {side: specs(size) for side in SIDES}
        with _stacks(Path(temporary), emulator, declared) as stacks:
            for index, operation in enumerate(operations):
                if operation == "update":
                    for side in SIDES:
                        _describe_anew(declared[side])
                order = SIDES if (run + index) % 2 == 0 else SIDES[::-1]
                for side in order:
                    sample = measure(
                        functools.partial(_operate, stacks[side], operation),
                        emulator=emulator,
                        at=Point(size, run, latency_ms, operation, side),
                        expected_changes=_expected(operation, size),
                    )
                    samples.append(sample)
                    on_sample(sample)
    return samples
