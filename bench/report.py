"""Turn samples into bench/RESULTS.md and bench/results.json: medians, ratios, targets, machine.

Takes plain dicts (a `Sample` as `dataclasses.asdict` gives it), so a results file written by an
earlier run can be read back and compared.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

Record = Mapping[str, Any]

TARGET_RATIO = 1.10
"""Ours may take at most this many times the baseline for every operation of 1,000."""
TARGET_RATIO_SIZE = 1000
CLI_TARGET_RATIO = 1.05
"""Through the CLI, an `up` of CLI_TARGET_SIZE may add at most 5% to the baseline's."""
CLI_TARGET_SIZE = 10
REFRESH_REQUEST_BUDGET = 2
"""Requests a refresh may make in total, whatever N."""
CREATE_READ_BUDGET = 2
"""Reads an `up` that creates may make, whatever N: the check of a new status's name lists once
per provider process, the preview's and the update's."""

_TIMED_TARGETS = ("up", "preview", "refresh", "update", "destroy")
_WRITES = {
    "up": "POST /v1/incident_statuses",
    "cli up": "POST /v1/incident_statuses",
    "update": "PUT /v1/incident_statuses/{id}",
    "destroy": "DELETE /v1/incident_statuses/{id}",
    "cli destroy": "DELETE /v1/incident_statuses/{id}",
}


_PREVIEWING = tuple(
    f"{path} {step}" for path in ("cli", "mixed") for step in ("up", "refresh", "destroy")
)


def is_cli(operation: str) -> bool:
    """Whether the operation ran through the `pulumi` CLI in a project folder."""
    return operation.startswith(("cli ", "mixed "))


def machine(pulumi: Path) -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cli = subprocess.run(
        [str(pulumi), "version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "pulumi_cli": cli or "unknown",
        "pulumi_sdk": metadata.version("pulumi"),
    }


@dataclass(frozen=True)
class Row:
    """One operation at one size and latency: both sides over every run."""

    latency_ms: int
    size: int
    operation: str
    baseline: list[Record]
    ours: list[Record]

    @property
    def baseline_median(self) -> float:
        """Median seconds of the baseline."""
        return float(statistics.median(s["seconds"] for s in self.baseline))

    @property
    def ours_median(self) -> float:
        """Median seconds of ours."""
        return float(statistics.median(s["seconds"] for s in self.ours))

    @property
    def ratio(self) -> float:
        """Ours over baseline, of the medians."""
        return self.ours_median / self.baseline_median

    def requests(self, key: str) -> list[int]:
        """`total` or `writes` of our requests, one per run."""
        return [int(s["requests"][key]) for s in self.ours]

    def refused(self) -> list[int]:
        """Our requests answered 429 (refused by the rate limit, not applied), one per run."""
        return [int(s["requests"]["by_status"].get("429", 0)) for s in self.ours]

    def routes(self) -> dict[str, list[int]]:
        """Our requests by route, one count per run."""
        names = sorted({route for s in self.ours for route in s["requests"]["by_route"]})
        return {n: [int(s["requests"]["by_route"].get(n, 0)) for s in self.ours] for n in names}

    def rss(self, side: str) -> float | None:
        """Median provider peak RSS of a side, MiB."""
        samples = self.ours if side == "ours" else self.baseline
        values = [s["provider_peak_rss_mib"] for s in samples if s["provider_peak_rss_mib"]]
        return statistics.median(values) if values else None

    def cpu(self, side: str, key: str = "provider_cpu_seconds") -> float | None:
        """Median CPU seconds of a side's provider (or, with `key`, of the emulator)."""
        samples = self.ours if side == "ours" else self.baseline
        values = [s[key] for s in samples if s[key] is not None]
        return float(statistics.median(values)) if values else None

    def as_json(self) -> dict[str, Any]:
        """The row for results.json."""
        return {
            "latency_ms": self.latency_ms,
            "size": self.size,
            "operation": self.operation,
            "baseline_seconds": [round(s["seconds"], 3) for s in self.baseline],
            "ours_seconds": [round(s["seconds"], 3) for s in self.ours],
            "baseline_median_seconds": round(self.baseline_median, 3),
            "ours_median_seconds": round(self.ours_median, 3),
            "ratio": round(self.ratio, 3),
            "requests_total": self.requests("total"),
            "requests_writes": self.requests("writes"),
            "requests_by_route": self.routes(),
            "baseline_requests_total": [int(s["requests"]["total"]) for s in self.baseline],
            "provider_peak_rss_mib": {
                "ours": _rounded(self.rss("ours")),
                "baseline": _rounded(self.rss("baseline")),
            },
            "provider_cpu_seconds": {
                "ours": _rounded(self.cpu("ours"), 2),
                "baseline": _rounded(self.cpu("baseline"), 2),
            },
            "emulator_cpu_seconds": _rounded(self.cpu("ours", "emulator_cpu_seconds"), 2),
        }


def rows(samples: Iterable[Record]) -> list[Row]:
    """Group samples by latency, size and operation, in the order they were taken."""
    grouped: dict[tuple[int, int, str], dict[str, list[Record]]] = {}
    for sample in samples:
        key = (sample["latency_ms"], sample["size"], sample["operation"])
        grouped.setdefault(key, {"baseline": [], "ours": []})[sample["side"]].append(sample)
    return [
        Row(latency, size, operation, sides["baseline"], sides["ours"])
        for (latency, size, operation), sides in sorted(
            grouped.items(), key=lambda item: (item[0][0], item[0][1])
        )
        if sides["baseline"] and sides["ours"]
    ]


@dataclass(frozen=True)
class Target:
    """One performance goal (here, at most `TARGET_RATIO` times the baseline, or
    `CLI_TARGET_RATIO` through the CLI; in providers_report, the plugin against the Go stand-in),
    checked against the numbers."""

    text: str
    measured: str
    met: bool


def targets(table: Sequence[Row]) -> list[Target]:
    """Every target the measured sizes allow checking."""
    checks: list[Target] = []
    for row in table:
        if row.operation == "cli up" and row.size == CLI_TARGET_SIZE:
            checks.append(
                Target(
                    f"`pulumi up` of {row.size} statuses through the CLI adds at most "
                    f"{CLI_TARGET_RATIO - 1:.0%} to the baseline's",
                    f"{row.ratio:.2f}x ({row.ours_median:.2f} s vs {row.baseline_median:.2f} s)",
                    row.ratio <= CLI_TARGET_RATIO,
                )
            )
        if row.latency_ms or row.size != TARGET_RATIO_SIZE or row.operation not in _TIMED_TARGETS:
            continue
        checks.append(
            Target(
                f"`{row.operation}` of {row.size} statuses ≤ {TARGET_RATIO:g}x baseline "
                "(no added latency)",
                f"{row.ratio:.2f}x ({row.ours_median:.2f} s vs {row.baseline_median:.2f} s)",
                row.ratio <= TARGET_RATIO,
            )
        )
    for row in table:
        where = f"N={row.size}" + (f", {row.latency_ms} ms latency" if row.latency_ms else "")
        totals, writes = row.requests("total"), row.requests("writes")
        reads = [t - w for t, w in zip(totals, writes, strict=True)]
        if row.operation in _WRITES:
            made = row.routes().get(_WRITES[row.operation], [0] * len(totals))
            # The emulator's rate limit refuses some writes with 429; they were not applied and
            # the client sends them again.
            refused = row.refused()
            applied = [m - r for m, r in zip(made, refused, strict=True)]
            retried = f" (+{_span(refused)} refused with 429, sent again)" if any(refused) else ""
            allowed = CREATE_READ_BUDGET if _WRITES[row.operation].startswith("POST") else 0
            checks.append(
                Target(
                    f"`{row.operation}` ({where}) = {row.size} writes applied and "
                    + (f"at most {allowed} reads" if allowed else "no reads"),
                    f"{_span(applied)} `{_WRITES[row.operation]}` applied{retried}, "
                    f"{_span(reads)} reads",
                    all(a == row.size for a in applied)
                    and writes == made
                    and all(r <= allowed for r in reads),
                )
            )
        elif row.operation in ("preview", "cli preview"):
            checks.append(
                Target(
                    f"unchanged `{row.operation}` ({where}) = 0 requests",
                    f"{_span(totals)} {_requests(totals)}",
                    all(t == 0 for t in totals),
                )
            )
        elif row.operation in ("refresh", "cli refresh"):
            checks.append(
                Target(
                    f"`refresh` ({where}) ≤ {REFRESH_REQUEST_BUDGET} requests",
                    f"{_span(totals)} {_requests(totals)}",
                    all(t <= REFRESH_REQUEST_BUDGET for t in totals),
                )
            )
    return checks


def anomalies(samples: Iterable[Record]) -> list[str]:
    """Anything that makes a number mean less than it seems to."""
    found: list[str] = []
    for s in samples:
        where = f"N={s['size']} run {s['run'] + 1} {s['side']} `{s['operation']}`" + (
            f" ({s['latency_ms']} ms latency)" if s["latency_ms"] else ""
        )
        if s["changes"] != s["expected_changes"]:
            found.append(
                f"{where}: the engine reported {s['changes']}, expected {s['expected_changes']}"
            )
        if s["side"] == "baseline" and s["requests"]["total"]:
            found.append(f"{where}: the baseline made {s['requests']['total']} API requests")
        refused = {k: v for k, v in s["requests"]["by_status"].items() if not k.startswith("2")}
        if refused:
            found.append(f"{where}: answers other than 2xx: {refused}")
        # A CLI `up` or `destroy` previews first, with a provider process of its own.
        expected = 2 if s["operation"] in _PREVIEWING else 1
        if s["provider_processes"] != expected:
            found.append(f"{where}: {s['provider_processes']} provider processes seen")
    return found


def compact_json(data: Mapping[str, Any]) -> str:
    """JSON with one key per line but short lists of numbers or strings kept on one line."""
    text = json.dumps(data, indent=1, ensure_ascii=False)
    return re.sub(r"\[\s*([^\[\]{}]*?)\s*\]", lambda m: f"[{_one_line(m.group(1))}]", text) + "\n"


def _one_line(items: str) -> str:
    return re.sub(r",\s+", ", ", items)


def results_json(
    *,
    about: Mapping[str, Any],
    table: Sequence[Row],
    samples: Sequence[Record],
) -> dict[str, Any]:
    """The small, committed summary."""
    return {
        **about,
        "rows": [row.as_json() for row in table],
        "targets": [
            {"target": t.text, "measured": t.measured, "met": t.met} for t in targets(table)
        ],
        "mixed": [
            {
                "operation": s["operation"],
                "size": s["size"],
                "seconds": round(s["seconds"], 3),
                "requests_total": s["requests"]["total"],
                "changes": s["changes"],
                "provider_peak_rss_mib": _rounded(s["provider_peak_rss_mib"]),
            }
            for s in samples
            if s["operation"].startswith("mixed ")
        ],
        "anomalies": anomalies(samples),
    }


def markdown(
    *,
    about: Mapping[str, Any],
    table: Sequence[Row],
    samples: Sequence[Record],
    previous: Mapping[str, Any] | None = None,
    previous_name: str = "",
) -> str:
    """bench/RESULTS.md."""
    box = about["machine"]
    runs = about["runs"]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{about['command']}` on {about['date']}; `make bench` runs it with the "
        "defaults. Regenerate rather than edit.",
        "",
        "## Machine",
        "",
        f"- CPU: {box['cpu']}, {box['cores']} cores; RAM {box['ram_gib']} GiB; {box['os']}",
        f"- Python {box['python']}; Pulumi CLI {box['pulumi_cli']}, Python SDK {box['pulumi_sdk']}",
        f"- Load average (1 min) at start / end: {about['load_start']:.2f} / "
        f"{about['load_end']:.2f}. The benchmark itself keeps about one core busy; a load well "
        f"above that means other work shared the {box['cores']} cores and timings are noisy.",
        f"- Wall time of the whole benchmark: {about['wall_seconds'] / 60:.1f} min",
        "",
        "## How to read it",
        "",
        f"Times, memory and CPU are medians of {runs} run{'s' if runs != 1 else ''}; request "
        "counts show the range over the runs (`a..b`) when they differ. Each run starts a "
        "fresh emulator and two fresh stacks: *ours* declares N `IncidentStatus` (category "
        "`live`, no rank, distinct names and descriptions); the *baseline* declares N "
        "`NoopStatus` (harness/incident_statuses_harness/noop_provider.py: same shape, a dynamic "
        "provider that does no I/O), "
        "the engine's own floor. The operations run in order (`up` creating N, `preview` of the "
        "unchanged stack, `refresh`, `up` changing every description, `destroy`), each on both "
        "stacks back to back, interleaved: which side goes first alternates from one operation "
        "and run to the next.",
        "",
        "Seconds are the wall time of the Automation API call (`stack.up()` etc.) driving the "
        "real `pulumi` CLI; an `up` also includes the CLI calls the Automation API makes after it "
        "(`stack output`, `stack history`), the same on both sides. Requests are counted by the "
        "emulator (`/_emulator/stats`) around each of our operations. Peak RSS is the high-water "
        "mark (`VmHWM`) of the provider process `python -m pulumi.dynamic`, sampled from a "
        "background thread, which also reads its CPU time (user + system, as of the last sample "
        "before it exits); the emulator's CPU time is measured around each operation. The "
        "emulator shares the machine's cores with the engine and the provider, so with no added "
        "latency its work shows in our wall times. The engine ran with its default parallelism, "
        f"4 resource operations per core ({4 * box['cores']} here: `--parallel`'s default, "
        "`PULUMI_PARALLEL` unset); the SDK's provider process serves at most 4 calls at once.",
        "",
        _checkpoints(about),
        "",
    ]
    header = (
        "| operation | baseline s | ours s | ours / baseline | ours - baseline s "
        "| requests total / writes | provider peak RSS ours / baseline MiB "
        "| CPU s: provider ours / baseline; emulator |"
    )
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|"
    automation = [row for row in table if not is_cli(row.operation)]
    cli = [row for row in table if is_cli(row.operation)]
    lines += _scaling(automation)
    for latency in sorted({row.latency_ms for row in automation}):
        for size in sorted({row.size for row in automation if row.latency_ms == latency}):
            title = f"## N = {size}" + (
                f", {latency} ms added to every request" if latency else ", no added latency"
            )
            lines += [title, "", header, rule]
            for row in automation:
                if (row.latency_ms, row.size) == (latency, size):
                    lines.append(_table_line(row))
            lines.append("")
    if cli:
        lines += [
            "## The path users type: `pulumi` in a project folder",
            "",
            "Each side is a project folder (`Pulumi.yaml` with `runtime: {name: python, options: "
            "{virtualenv: <abs path to .venv>}}`, a `__main__.py` declaring N resources) run by "
            "the CLI itself, `PULUMI_BACKEND_URL=file://...`, with the Python language host: "
            "`pulumi up --yes` (its preview included) creating N, `pulumi preview` and "
            "`pulumi refresh --yes` of the unchanged stack, `pulumi destroy --yes`. Seconds are "
            "the CLI command's wall time. The provider plugin's paths are in the provider "
            "comparison below.",
            "",
        ]
        for size in sorted({row.size for row in cli}):
            lines += [f"### N = {size}", "", header, rule]
            lines += [_table_line(row) for row in cli if row.size == size]
            lines.append("")
    breakdown = about.get("breakdown")
    if breakdown:
        lines += _breakdown(breakdown, cli)
    lines += _mixed(samples)
    lines += ["## Requests by route (ours, per run)", ""]
    for row in table:
        routes = row.routes()
        label = f"N={row.size}" + (f", {row.latency_ms} ms" if row.latency_ms else "")
        text = "; ".join(f"`{route}` {_span(counts)}" for route, counts in routes.items())
        lines.append(f"- {label} `{row.operation}`: {text or 'none'}")
    lines += ["", "## Targets", ""]
    checks = targets(table)
    for check in checks:
        mark, verdict = ("x", "met") if check.met else (" ", "**not met**")
        lines.append(f"- [{mark}] {check.text}: {check.measured} — {verdict}")
    if not any(
        row.size == TARGET_RATIO_SIZE and not row.latency_ms and not is_cli(row.operation)
        for row in table
    ):
        lines.append(
            f"- The time targets are for N = {TARGET_RATIO_SIZE}, which this run did not measure."
        )
    lines.append("")
    found = anomalies(samples)
    lines += ["## Anomalies", ""]
    lines += [f"- {a}" for a in found] if found else ["None: every operation did what it should."]
    lines.append("")
    if previous is not None:
        lines += _comparison(table, previous, previous_name)
    return "\n".join(lines)


def _table_line(row: Row) -> str:
    totals, writes = row.requests("total"), row.requests("writes")
    ours_rss, base_rss = row.rss("ours"), row.rss("baseline")
    rss = f"{_mib(ours_rss)} / {_mib(base_rss)}"
    return (
        f"| {row.operation} | {row.baseline_median:.2f} | {row.ours_median:.2f} "
        f"| {row.ratio:.2f} | {row.ours_median - row.baseline_median:+.2f} "
        f"| {_span(totals)} / {_span(writes)} | {rss} "
        f"| {_seconds(row.cpu('ours'))} / {_seconds(row.cpu('baseline'))}; "
        f"{_seconds(row.cpu('ours', 'emulator_cpu_seconds'))} |"
    )


def _comparison(table: Sequence[Row], previous: Mapping[str, Any], name: str) -> list[str]:
    before = {(r["latency_ms"], r["size"], r["operation"]): r for r in previous.get("rows", [])}
    lines = [
        f"## Before and after (before: `{name}`, {previous.get('date', 'undated')})",
        "",
        "| N | latency ms | operation | ours s before → after | ratio before → after "
        "| requests before → after |",
        "|---:|---:|---|---:|---:|---:|",
    ]
    for row in table:
        old = before.get((row.latency_ms, row.size, row.operation))
        if old is None:
            continue
        lines.append(
            f"| {row.size} | {row.latency_ms} | {row.operation} "
            f"| {old['ours_median_seconds']:.2f} → {row.ours_median:.2f} "
            f"| {old['ratio']:.2f} → {row.ratio:.2f} "
            f"| {_span(old['requests_total'])} → {_span(row.requests('total'))} |"
        )
    lines.append("")
    return lines


def _requests(values: Sequence[int]) -> str:
    return "request" if max(values) == 1 else "requests"


def _span(values: Sequence[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}..{high}"


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def _rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _scaling(table: Sequence[Row]) -> list[str]:
    sizes = sorted({row.size for row in table if not row.latency_ms})
    if len(sizes) < 2:
        return []
    by_key = {(row.operation, row.size): row for row in table if not row.latency_ms}
    lines = [
        "## Scaling: ours against the no-I/O baseline, no added latency",
        "",
        "Seconds (baseline → ours) and the ratio, medians; the target is a ratio of at most "
        f"{TARGET_RATIO:.2f} at N = {TARGET_RATIO_SIZE:,} for every operation.",
        "",
        "| operation | " + " | ".join(f"N = {size:,}" for size in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for operation in ("up", "preview", "refresh", "update", "destroy"):
        cells = []
        for size in sizes:
            row = by_key.get((operation, size))
            cells.append(
                "n/a"
                if row is None
                else f"{row.baseline_median:.2f} → {row.ours_median:.2f} s, **{row.ratio:.2f}x**"
            )
        lines.append(f"| {operation} | " + " | ".join(cells) + " |")
    peaks = [
        f"N = {size:,}: {_mib(by_key[('up', size)].rss('ours'))} / "
        f"{_mib(by_key[('up', size)].rss('baseline'))} MiB"
        for size in sizes
        if ("up", size) in by_key
    ]
    memory = "; ".join(peaks)
    lines += ["", f"Provider peak memory during `up`, ours / baseline: {memory}.", ""]
    return lines


def _breakdown(parts: Mapping[str, Any], cli: Sequence[Row]) -> list[str]:
    up = next((row for row in cli if row.operation == "cli up" and row.size == 10), None)
    lines = [
        "## Where an `up` of 10 goes (through the CLI)",
        "",
        f"Each piece measured on its own, median of {parts['repeat']}; the pieces overlap in a "
        "real run (the provider starts while the program runs; creates go out in parallel), "
        "so they do not add up to the total.",
        "",
        "| piece | seconds |",
        "|---|---:|",
        f"| `pulumi version`: the CLI binary starting | {parts['cli_version_seconds']:.2f} |",
        "| `pulumi up` of a program that declares nothing: CLI, language host, program, "
        f"state | {parts['empty_up_seconds']:.2f} |",
        f"| importing `pulumi` and `pulumi.dynamic` | {parts['import_pulumi_seconds']:.3f} |",
        "| then importing `IncidentStatus` (ours; no HTTP stack) | "
        f"{parts['import_ours_seconds']:.3f} |",
        f"| then importing `NoopStatus` (baseline) | {parts['import_baseline_seconds']:.3f} |",
        "| provider start: `python -m pulumi.dynamic` until it prints its port | "
        f"{parts['provider_start_seconds']:.2f} |",
        "| 10 writes through our client, one after another (10 create + delete pairs, halved) | "
        f"{parts['ten_creates_sequential_seconds']:.3f} |",
    ]
    if up is not None:
        lines += [
            f"| **`pulumi up` of 10, baseline** | **{up.baseline_median:.2f}** |",
            f"| **`pulumi up` of 10, ours** | **{up.ours_median:.2f}** |",
            "",
            f"What this package adds to that floor: {up.ours_median - up.baseline_median:+.2f} s, "
            f"{up.ratio - 1:+.1%} (target: at most {CLI_TARGET_RATIO - 1:.0%}).",
        ]
    lines.append("")
    return lines


def _mixed(samples: Sequence[Record]) -> list[str]:
    mixed = [s for s in samples if s["operation"].startswith("mixed ")]
    if not mixed:
        return []
    size = mixed[0]["size"]
    lines = [
        f"## A mixed stack: {size:,} statuses, then a provider from the program file",
        "",
        f"`pulumi up` and `pulumi destroy` of one project folder declaring {size:,} "
        "`IncidentStatus` and then a dynamic resource whose provider class is defined in "
        "`__main__.py` (pickled by value). Unless every dynamic resource leaves the SDK's pickler "
        "as it found it, such a stack fails with `RecursionError` after a few hundred statuses "
        "(pulumi/pulumi#17803). One run.",
        "",
        "| operation | seconds | requests total / writes | provider peak RSS MiB | changes |",
        "|---|---:|---:|---:|---|",
    ]
    for s in mixed:
        lines.append(
            f"| {s['operation'].removeprefix('mixed ')} | {s['seconds']:.2f} "
            f"| {s['requests']['total']} / {s['requests']['writes']} "
            f"| {_mib(s['provider_peak_rss_mib'])} | {s['changes']} |"
        )
    lines.append("")
    return lines


def _checkpoints(about: Mapping[str, Any]) -> str:
    if about.get("checkpoints", True):
        return (
            "The engine wrote its state after every step, as it does by default (the file "
            "backend rewrites the whole checkpoint each time, so that cost grows as N²)."
        )
    return (
        "Every stack ran with `PULUMI_SKIP_CHECKPOINTS=true` (Pulumi's setting for large "
        "stacks: the state is written when the operation ends, not after every step). By "
        "default the file backend rewrites the whole checkpoint after each step, a cost that "
        "grows as N² and is the same on both sides: an `up` of 1,000 no-I/O resources ran for "
        "more than 2.5 minutes that way on this machine, against 13 s with the setting. "
        "`--checkpoints` measures the default."
    )
