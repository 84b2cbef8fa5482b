"""The provider comparison's part of bench/RESULTS.md and results.json, and its plot.

Takes plain dicts (a `Sample` as `dataclasses.asdict` gives it) from `providers`, whose
`operation` is `<program> <command>` (`yaml up`, `python refresh`) and whose `side` is one of
`providers.SIDES`. The section starts at `MARK`, so that a run of this group alone can replace it
in a RESULTS.md whose other sections an earlier run wrote (see `splice`).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import plot
from providers import COMMANDS, PROGRAMS, PYTHON, SIDES, YAML
from pulumi_incident_statuses.core.deployment import HOST_THREADS
from pulumi_incident_statuses.plugin.provider import THREADS as PLUGIN_THREADS
from report import Target

Record = Mapping[str, Any]

MARK = "<!-- bench/run.py: the provider comparison from here on (--only providers rewrites it) -->"

TARGET_RATIO = 1.10
"""Issue 30: the plugin may take at most this many times the Go stand-in's time..."""
TARGET_COMMANDS = ("up", "preview", "destroy")
"""...for these commands, at every N and latency measured."""
LIST = "GET /v1/incident_statuses"

RATIOS = {
    YAML: (("plugin", "go"), ("plugin", "floor"), ("go", "floor")),
    PYTHON: (("sdk", "dynamic"), ("sdk", "baseline"), ("dynamic", "baseline")),
}
"""The ratios each program's table shows, numerator first."""
NAMES = {
    "floor": "floor",
    "go": "Go",
    "plugin": "plugin",
    "baseline": "baseline",
    "dynamic": "dynamic",
    "sdk": "SDK",
}
_TITLES = {
    YAML: "Pulumi YAML: the plugin, the Go stand-in and the no-I/O floor",
    PYTHON: "Python: the plugin through its generated SDK, the dynamic resource and the no-I/O "
    "baseline",
}
PLOT_SERIES = (
    plot.Series("plugin (Python)", "#1f77b4"),
    plot.Series("Go stand-in", "#d62728"),
    plot.Series("no-I/O floor (Go)", "#7f7f7f", "5,4"),
)
_PLOTTED = dict(zip(SIDES[YAML][::-1], (s.name for s in PLOT_SERIES), strict=True))


@dataclass(frozen=True)
class Trio:
    """One command of one program at one N and latency: every side's samples over the runs."""

    program: str
    latency_ms: int
    size: int
    command: str
    samples: Mapping[str, Sequence[Record]]

    @property
    def where(self) -> str:
        """`N=200, 100 ms` for the text."""
        return f"N={self.size}, {self.latency_ms} ms"

    def median(self, side: str) -> float:
        """Median seconds of a side."""
        return float(statistics.median(s["seconds"] for s in self.samples[side]))

    def ratio(self, side: str, other: str) -> float:
        """One side's median over another's."""
        return self.median(side) / self.median(other)

    def requests(self, side: str) -> list[int]:
        """A side's requests, one count per run."""
        return [int(s["requests"]["total"]) for s in self.samples[side]]

    def routes(self, side: str) -> dict[str, list[int]]:
        """A side's requests by route, one count per run."""
        runs = self.samples[side]
        names = sorted({route for s in runs for route in s["requests"]["by_route"]})
        return {n: [int(s["requests"]["by_route"].get(n, 0)) for s in runs] for n in names}

    def processes(self, side: str) -> list[int]:
        """How many provider processes a side's command started, one count per run."""
        return [int(s["provider_processes"]) for s in self.samples[side]]

    def cpu(self, side: str) -> float | None:
        """Median CPU seconds of a side's provider processes."""
        values = [s["provider_cpu_seconds"] for s in self.samples[side]]
        known = [v for v in values if v is not None]
        return float(statistics.median(known)) if known else None

    def rss(self, side: str) -> float | None:
        """Median peak RSS of a side's provider processes, MiB."""
        values = [s["provider_peak_rss_mib"] for s in self.samples[side]]
        known = [v for v in values if v is not None]
        return float(statistics.median(known)) if known else None

    def as_json(self) -> dict[str, Any]:
        """The row for results.json."""
        sides = SIDES[self.program]
        return {
            "program": self.program,
            "latency_ms": self.latency_ms,
            "size": self.size,
            "command": self.command,
            "seconds": {s: [round(x["seconds"], 3) for x in self.samples[s]] for s in sides},
            "median_seconds": {s: round(self.median(s), 3) for s in sides},
            "ratios": {f"{a}/{b}": round(self.ratio(a, b), 3) for a, b in RATIOS[self.program]},
            "requests_total": {s: self.requests(s) for s in sides},
            "requests_by_route": {s: self.routes(s) for s in sides},
            "provider_processes": {s: self.processes(s) for s in sides},
            "provider_cpu_seconds": {s: _rounded(self.cpu(s), 2) for s in sides},
            "provider_peak_rss_mib": {s: _rounded(self.rss(s), 1) for s in sides},
        }


def trios(samples: Iterable[Record]) -> list[Trio]:
    """Group samples by program, latency, N and command; only groups with every side."""
    grouped: dict[tuple[str, int, int, str], dict[str, list[Record]]] = {}
    for sample in samples:
        program, command = sample["operation"].split(" ", 1)
        key = (program, sample["latency_ms"], sample["size"], command)
        grouped.setdefault(key, {}).setdefault(sample["side"], []).append(sample)
    found = [
        Trio(program, latency, size, command, sides)
        for (program, latency, size, command), sides in grouped.items()
        if all(side in sides for side in SIDES[program])
    ]
    return sorted(
        found,
        key=lambda t: (PROGRAMS.index(t.program), t.latency_ms, t.size, COMMANDS.index(t.command)),
    )


def targets(table: Sequence[Trio]) -> list[Target]:
    """Plugin / Go at most TARGET_RATIO for TARGET_COMMANDS; refresh: one list per process."""
    checks: list[Target] = []
    for trio in table:
        if trio.program != YAML:
            continue
        if trio.command in TARGET_COMMANDS:
            ratio = trio.ratio("plugin", "go")
            checks.append(
                Target(
                    f"`{trio.command}` ({trio.where}): plugin / Go ≤ {TARGET_RATIO:.2f}",
                    f"{ratio:.2f} ({trio.median('plugin'):.2f} s vs {trio.median('go'):.2f} s)",
                    ratio <= TARGET_RATIO,
                )
            )
        if trio.command == "refresh":
            routes = trio.routes("plugin")
            lists = routes.get(LIST, [0] * len(trio.samples["plugin"]))
            others = {route: n for route, n in routes.items() if route != LIST}
            processes = trio.processes("plugin")
            checks.append(
                Target(
                    f"`refresh` ({trio.where}): the plugin lists once per provider process, "
                    "and reads nothing else",
                    f"{_span(lists)} `{LIST}` in {_span(processes)} provider processes"
                    + "".join(f"; `{route}` {_span(n)}" for route, n in others.items()),
                    not others and all(n <= p for n, p in zip(lists, processes, strict=True)),
                )
            )
    return checks


def left(table: Sequence[Trio]) -> list[str]:
    """For each target command and latency not met, the plugin's seconds beyond the Go
    stand-in's as a part that does not grow with N and a part per status, by the smallest and
    largest N measured."""
    beyond: dict[tuple[int, str], dict[int, float]] = {}
    unmet: set[tuple[int, str]] = set()
    for trio in table:
        if trio.program != YAML or trio.command not in TARGET_COMMANDS:
            continue
        key = (trio.latency_ms, trio.command)
        beyond.setdefault(key, {})[trio.size] = trio.median("plugin") - trio.median("go")
        if trio.ratio("plugin", "go") > TARGET_RATIO:
            unmet.add(key)
    lines = []
    for latency, command in sorted(unmet, key=lambda k: (k[0], TARGET_COMMANDS.index(k[1]))):
        by_size = beyond[latency, command]
        if len(by_size) < 2:
            continue
        small, large = min(by_size), max(by_size)
        per = (by_size[large] - by_size[small]) / (large - small)
        lines.append(
            f"`{command}` at {latency} ms: {by_size[small] - small * per:.2f} s whatever N, "
            f"and {per * 1000:.1f} ms a status"
        )
    return lines


def anomalies(samples: Iterable[Record]) -> list[str]:
    """Anything that makes a number mean less than it seems to."""
    found: list[str] = []
    floors = {SIDES[program][0] for program in PROGRAMS}
    for s in samples:
        where = (
            f"N={s['size']} {s['latency_ms']} ms run {s['run'] + 1} {s['side']} `{s['operation']}`"
        )
        if s["changes"] != s["expected_changes"]:
            found.append(
                f"{where}: the engine reported {s['changes']}, expected {s['expected_changes']}"
            )
        if s["side"] in floors and s["requests"]["total"]:
            found.append(f"{where}: the floor made {s['requests']['total']} API requests")
        refused = {k: v for k, v in s["requests"]["by_status"].items() if not k.startswith("2")}
        if refused:
            found.append(f"{where}: answers other than 2xx: {refused}")
    return found


def results_json(*, about: Mapping[str, Any], samples: Sequence[Record]) -> dict[str, Any]:
    """The group's part of results.json."""
    table = trios(samples)
    return {
        **about,
        "rows": [trio.as_json() for trio in table],
        "targets": [
            {"target": t.text, "measured": t.measured, "met": t.met} for t in targets(table)
        ],
        "left": left(table),
        "anomalies": anomalies(samples),
    }


def svg(samples: Sequence[Record]) -> str:
    """Seconds against N, per command and latency: plugin, Go stand-in, floor (Pulumi YAML)."""
    table = [trio for trio in trios(samples) if trio.program == YAML]
    latencies = sorted({trio.latency_ms for trio in table})
    rows = {latency: f"{latency} ms latency" for latency in latencies}
    points: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    for trio in table:
        for side, series in _PLOTTED.items():
            key = (rows[trio.latency_ms], trio.command, series)
            points.setdefault(key, []).append((float(trio.size), trio.median(side)))
    return plot.grid(
        title="Pulumi YAML, N statuses: median seconds per command (rows: latency per request)",
        x_label="N",
        y_label="seconds",
        rows=[rows[latency] for latency in latencies],
        columns=[command for command in COMMANDS if any(t.command == command for t in table)],
        series=PLOT_SERIES,
        points=points,
    )


def markdown(*, about: Mapping[str, Any], samples: Sequence[Record], plot_name: str) -> str:
    """The section of bench/RESULTS.md, from MARK on."""
    table = trios(samples)
    runs = about["runs"]
    lines = [
        MARK,
        "",
        "## The provider plugin beside a compiled provider, and its Python SDK beside the dynamic "
        "resource",
        "",
        f"Written by `{about['command']}` on {about['date']}: {runs} run{'s' if runs != 1 else ''}"
        f", N = {_list(about['sizes'])}, {_list(about['latencies_ms'])} ms added to every API "
        f"request; {about['wall_seconds'] / 60:.1f} min. Load average (1 min) at start / end: "
        f"{about['load_start']:.2f} / {about['load_end']:.2f} on {about['machine']['cores']} "
        "cores.",
        "",
    ]
    if about.get("note"):
        lines += [f"**{about['note']}**", ""]
    lines += [
        "Each side is a project folder run by the `pulumi` CLI "
        f"({about['machine']['pulumi_cli']}) with the file backend, against an emulator of its "
        "own (the same settings for all, no rate limit), through `pulumi up --yes` creating N "
        "statuses (category `live`, no rank; its preview included), `pulumi preview` and "
        "`pulumi refresh --yes` of the unchanged stack, and `pulumi destroy --yes`. Each command "
        "runs on every side in turn, the order rotating from one command and run to the next. "
        f"Seconds are medians of the CLI command's wall time over {runs} "
        f"run{'s' if runs != 1 else ''}; requests are counted by the emulator, per run. "
        "Provider CPU is the user and system time of the provider processes the command "
        "started, as a watcher sampling every 0.1 s last saw it: a Go process often lives less "
        "than that and goes unseen (n/a), so the Go figures are lower bounds; the processes "
        "seen are counted under the requests by route.",
        "",
        "- **Pulumi YAML** (the YAML language host): one program, its `Pulumi.yaml` naming under "
        "`plugins.providers` the folder the engine takes `pulumi-resource-incident-statuses` from. "
        "*plugin*: ours, Python on the SDK's provider interface, serving at most "
        f"{PLUGIN_THREADS} calls at once. *Go*: the stand-in, bench/go-provider "
        f"({about['go_provider']['lines']} lines of Go on `{about['go_provider']['sdk']}`, "
        "`net/http`, one request per operation, each call served as it comes), with one "
        "`GET /v1/incident_statuses/{id}` per resource on refresh, as a bridged Terraform "
        "provider reads. *floor*: the same Go program built with `-X main.noIO=true`, which "
        "answers from the values it is given and makes no request: what the engine and the "
        "YAML host cost.",
        "- **Python** (the Python language host): *SDK*: the plugin through "
        "`pulumi_incident_statuses_sdk`, generated by `pulumi package gen-sdk` from its schema. "
        "*dynamic*: `pulumi_incident_statuses.IncidentStatus`. *baseline*: `NoopStatus`, a "
        "dynamic resource of the same shape whose provider makes no request.",
        "",
        f"![Seconds against N per command and latency: plugin, Go stand-in, floor]({plot_name})",
        "",
    ]
    for program in PROGRAMS:
        rows = [trio for trio in table if trio.program == program]
        if rows:
            lines += _table(program, rows)
    writes = [(n, latency) for latency in about["latencies_ms"] if latency for n in about["sizes"]]
    if writes:
        engine = about.get("engine_parallel") or 4 * about["machine"]["cores"]
        plugin = min(PLUGIN_THREADS, engine)
        bounds = "; ".join(
            f"N = {n} at {latency} ms: {n / plugin * latency / 1000:.1f} s and "
            f"{n / engine * latency / 1000:.1f} s"
            for n, latency in writes
        )
        lines += [
            f"The engine runs at most {engine} resource operations at once (`--parallel`, by "
            f"default 4 per core); the plugin's provider process at most {PLUGIN_THREADS} (the "
            f"dynamic provider host {HOST_THREADS}), and the Go stand-in each call as it comes. "
            "So N writes "
            f"of L ms each take at least N / {plugin} * L through the plugin and "
            f"N / {engine} * L through the Go stand-in: {bounds}; a refresh through the Go "
            f"stand-in, 2N reads, twice the latter.",
            "",
        ]
    lines += ["### Requests by route (per run)", ""]
    for trio in table:
        parts = []
        for side in SIDES[trio.program]:
            routes = trio.routes(side)
            text = "; ".join(f"`{route}` {_span(n)}" for route, n in routes.items())
            started = trio.processes(side)
            plural = "process" if max(started) == 1 else "processes"
            parts.append(f"{NAMES[side]} ({_span(started)} {plural}): {text or 'none'}")
        lines.append(f"- {trio.program} {trio.where} `{trio.command}`: " + " — ".join(parts))
    lines += ["", "### Targets (issue 30)", ""]
    checks = targets(table)
    for check in checks:
        mark, verdict = ("x", "met") if check.met else (" ", "**not met**")
        lines.append(f"- [{mark}] {check.text}: {check.measured} — {verdict}")
    if not checks:
        lines.append("- None measured: the targets are for the Pulumi YAML trio.")
    remaining = left(table)
    if remaining:
        lines += [
            "",
            "Where plugin / Go is above the target, what the plugin adds to the Go stand-in's "
            "time, split by the two sizes into a part that does not grow with N and one per "
            "status. The first is the plugin's starts: the engine waits for each, about 0.2 s of "
            "importing the Python SDK, four in a YAML `up` and two in each other command (see "
            "CONTRIBUTING, Benchmarks); the second, the plugin's CPU per call on the cores the "
            "engine shares.",
            "",
            *(f"- {line}" for line in remaining),
        ]
    found = anomalies(samples)
    lines += ["", "### Anomalies", ""]
    lines += [f"- {a}" for a in found] if found else ["None: every command did what it should."]
    lines.append("")
    return "\n".join(lines)


def _table(program: str, rows: Sequence[Trio]) -> list[str]:
    sides = SIDES[program]
    ratios = RATIOS[program]
    doing = sides[1:]
    header = (
        "| N | ms | command | "
        + " | ".join(f"{NAMES[s]} s" for s in sides)
        + " | "
        + " | ".join(f"{NAMES[a]} / {NAMES[b]}" for a, b in ratios)
        + " | requests "
        + " / ".join(NAMES[s] for s in doing[::-1])
        + " | provider CPU s "
        + " / ".join(NAMES[s] for s in sides[::-1])
        + " |"
    )
    lines = [
        f"### {_TITLES[program]}",
        "",
        header,
        "|---:|---:|---|" + "---:|" * (len(sides) + len(ratios) + 2),
    ]
    for trio in rows:
        lines.append(
            f"| {trio.size} | {trio.latency_ms} | {trio.command} | "
            + " | ".join(f"{trio.median(s):.2f}" for s in sides)
            + " | "
            + " | ".join(
                f"**{trio.ratio(a, b):.2f}**" if i == 0 else f"{trio.ratio(a, b):.2f}"
                for i, (a, b) in enumerate(ratios)
            )
            + " | "
            + " / ".join(_span(trio.requests(s)) for s in doing[::-1])
            + " | "
            + " / ".join(_seconds(trio.cpu(s)) for s in sides[::-1])
            + " |"
        )
    lines.append("")
    return lines


def splice(existing: str, section: str | None, main: str | None) -> str:
    """RESULTS.md with its main part and this section each replaced when given, kept otherwise."""
    old_main, found, old_section = existing.partition(MARK)
    kept_main = (main if main is not None else old_main).rstrip("\n")
    kept_section = section if section is not None else (found + old_section if found else "")
    if not kept_section:
        return kept_main + "\n"
    return (kept_main + "\n\n" if kept_main else "") + kept_section.rstrip("\n") + "\n"


def _span(values: Sequence[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}..{high}"


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _list(values: Sequence[int]) -> str:
    return ", ".join(str(v) for v in values)
