"""`make bench`: how far above the Pulumi engine's own floor the provider is, side by side.

    .venv/bin/python bench/run.py                   # the default (`make bench`), about 30 minutes
    .venv/bin/python bench/run.py --sizes 10,100,300 --cli-sizes 10 --mixed 0
    .venv/bin/python bench/run.py --quick           # small sizes, 1 run, into bench/out/: minutes
    .venv/bin/python bench/run.py --only providers  # the provider comparison alone
    .venv/bin/python bench/run.py --compare old.json    # adds a before/after table
    .venv/bin/python bench/run.py --from-samples bench/out/samples-<stamp>.json   # re-render only

Writes bench/RESULTS.md, bench/results.json and bench/providers.svg (small, committed) and every
sample to `--out` (bench/out/, not committed). The provider comparison (`providers`) has a section
of RESULTS.md and a key of results.json of its own: a run without that group keeps them as they
were, and a run of that group alone rewrites nothing else. Never a test: nothing here asserts a
time.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import providers_report
import report
from incident_statuses_harness.engine import compile_checkout

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
LATENCY_SIZE_LIMIT = 100
"""The runs with added latency stop at this N: at 1,000 they add minutes and no insight."""
MAIN_GROUPS = ("automation", "cli", "mixed", "breakdown")
"""The groups whose figures make the main part of RESULTS.md (and of results.json)."""
PROVIDERS = "providers"
GROUPS = (*MAIN_GROUPS, PROVIDERS)


@dataclass(frozen=True)
class Options:
    """What to measure and where to write it."""

    sizes: list[int]
    runs: int
    latency_ms: int
    cli_sizes: list[int]
    mixed: int
    checkpoints: bool
    groups: tuple[str, ...]
    provider_sizes: list[int]
    provider_latencies: list[int]
    note: str
    out: Path
    results: Path
    markdown: Path
    plot: Path
    compare: Path | None
    from_samples: Path | None


def parse(argv: Sequence[str]) -> Options:
    """Options from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--sizes",
        default="10,100,1000",
        help="statuses per stack through the Automation API, comma-separated (%(default)s)",
    )
    parser.add_argument(
        "--cli-sizes",
        default="10,200",
        help="statuses per project folder run by `pulumi up` etc.; empty skips (%(default)s)",
    )
    parser.add_argument(
        "--mixed",
        type=int,
        default=2000,
        help="statuses beside a provider from the program file, run once; 0 skips (%(default)s)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per size; medians (%(default)s)")
    parser.add_argument(
        "--latency-ms",
        type=int,
        default=50,
        help="latency for the repeated up and refresh, at sizes up to 100; 0 skips them "
        "(%(default)s)",
    )
    parser.add_argument(
        "--checkpoints",
        action="store_true",
        help="let the engine rewrite the whole state after every step, as it does by default "
        "(quadratic in N: minutes at N = 1,000)",
    )
    parser.add_argument(
        "--only",
        default=",".join(GROUPS),
        help="the groups to measure, comma-separated: automation (N statuses through the "
        "Automation API), cli (the same through `pulumi` in a project folder), mixed, breakdown, "
        "providers (the plugin beside a Go provider and its SDK beside the dynamic resource) "
        "(default: all)",
    )
    parser.add_argument(
        "--provider-sizes",
        default="20,200",
        help="statuses per project in the provider comparison, comma-separated (%(default)s)",
    )
    parser.add_argument(
        "--provider-latencies",
        default="0,100",
        help="milliseconds the emulator adds to every request in the provider comparison, "
        "comma-separated (%(default)s)",
    )
    parser.add_argument(
        "--note", default="", help="a sentence to print above the provider comparison's figures"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="N = 10 (20 in the provider comparison, no added latency), one run, mixed 100: "
        "a smoke check",
    )
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="every sample, as JSON")
    written = "(default: bench/%s, or in --out with --quick)"
    parser.add_argument("--results", type=Path, help=written % "results.json")
    parser.add_argument("--markdown", type=Path, help=written % "RESULTS.md")
    parser.add_argument("--plot", type=Path, help=written % "providers.svg")
    parser.add_argument(
        "--compare", type=Path, help="an earlier results.json to show before/after against"
    )
    parser.add_argument(
        "--from-samples",
        type=Path,
        help="measure nothing: write the results again from a samples file in --out",
    )
    args = parser.parse_args(argv)
    try:
        sizes = _numbers(args.sizes)
        cli_sizes = _numbers(args.cli_sizes)
        provider_sizes = _numbers(args.provider_sizes)
        provider_latencies = _numbers(args.provider_latencies)
    except ValueError:
        parser.error("sizes and latencies: expected numbers separated by commas")
    groups = tuple(group.strip() for group in args.only.split(",") if group.strip())
    unknown = sorted(set(groups) - set(GROUPS))
    if unknown or not groups:
        parser.error(f"--only: expected some of {', '.join(GROUPS)}; got {args.only!r}")
    if args.quick:
        sizes, cli_sizes, args.runs, args.mixed = [10], [10], 1, 100
        provider_sizes, provider_latencies = [20], [0]
    # A smoke check's figures must not stand in for the committed ones.
    written_to = args.out if args.quick else BENCH
    args.results = args.results or written_to / "results.json"
    args.markdown = args.markdown or written_to / "RESULTS.md"
    args.plot = args.plot or written_to / "providers.svg"
    if (
        not sizes
        or not provider_sizes
        or not provider_latencies
        or min(sizes + cli_sizes + provider_sizes) < 1
        or args.runs < 1
        or min([args.latency_ms, *provider_latencies]) < 0
    ):
        parser.error("sizes and runs must be positive, latencies not negative")
    if args.mixed < 0:
        parser.error("--mixed must not be negative")
    return Options(
        sizes=sizes,
        runs=args.runs,
        latency_ms=args.latency_ms,
        cli_sizes=cli_sizes,
        mixed=args.mixed,
        checkpoints=args.checkpoints,
        groups=tuple(group for group in GROUPS if group in groups),
        provider_sizes=provider_sizes,
        provider_latencies=provider_latencies,
        note=args.note,
        out=args.out,
        results=args.results,
        markdown=args.markdown,
        plot=args.plot,
        compare=args.compare,
        from_samples=args.from_samples,
    )


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


Part = tuple[dict[str, Any], list[dict[str, Any]]]
"""What one part of the results is written from: its `about` and its samples."""


def main(argv: Sequence[str] | None = None) -> int:
    """Measure (or read `--from-samples`), then write the results; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    options = parse(arguments)
    options.out.mkdir(parents=True, exist_ok=True)
    if options.from_samples is not None:
        saved = json.loads(options.from_samples.read_text())
        compared = saved.pop(PROVIDERS, None)
        records = saved.pop("samples", None)
        write(
            options,
            None if records is None else (saved, records),
            None if compared is None else (compared["about"], compared["samples"]),
        )
        return 0
    if not options.checkpoints:
        # Pulumi's documented switch for large stacks; both sides and every path get it.
        os.environ["PULUMI_SKIP_CHECKPOINTS"] = "true"
    compile_checkout()
    command = shlex.join([".venv/bin/python", "bench/run.py", *arguments])
    main_part = measure(options, command) if any(g in MAIN_GROUPS for g in options.groups) else None
    provider_part = measure_providers(options, command) if PROVIDERS in options.groups else None
    saved = {} if main_part is None else {**main_part[0], "samples": main_part[1]}
    if provider_part is not None:
        saved[PROVIDERS] = {"about": provider_part[0], "samples": provider_part[1]}
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    samples_file = options.out / f"samples-{stamp}.json"
    samples_file.write_text(json.dumps(saved, indent=1) + "\n")
    print(f"\nwrote {samples_file}")
    write(options, main_part, provider_part)
    return 0


def _show(runs: int) -> Callable[[Any], None]:
    """Prints one sample (a `scenarios.Sample`) as it is taken."""

    def show(sample: Any) -> None:
        latency = f" +{sample.latency_ms}ms" if sample.latency_ms else ""
        requests = sample.requests
        rss = sample.provider_peak_rss_mib
        cpu = sample.provider_cpu_seconds or 0.0
        print(
            f"N={sample.size:<4} run {sample.run + 1}/{runs}{latency} "
            f"{sample.operation:<8} {sample.side:<8} {sample.seconds:7.2f}s  "
            f"{requests.total:4} req ({requests.writes} writes)  "
            f"rss {'-' if rss is None else f'{rss:.0f}'} MiB  "
            f"cpu {cpu:.2f}s (emulator {sample.emulator_cpu_seconds:.2f}s)"
            + ("" if sample.as_expected else f"  UNEXPECTED {sample.changes}"),
            flush=True,
        )

    return show


def measure(options: Options, command: str) -> Part:
    """Every lifecycle of the main groups the options ask for, each sample as a plain dict."""
    import cli_path
    import scenarios

    started, load_start = time.monotonic(), os.getloadavg()[0]
    show = _show(options.runs)
    groups = options.groups
    # Discarded: the first stacks of a process pay one-off costs (caches, compiled bytecode).
    print("warming up (not measured)", flush=True)
    scenarios.lifecycle(1, 0, operations=("up", "destroy"))
    samples: list[scenarios.Sample] = []
    for run in range(options.runs):
        if "automation" in groups:
            for size in options.sizes:
                samples += scenarios.lifecycle(size, run, on_sample=show)
        if "automation" in groups and options.latency_ms:
            for size in options.sizes:
                if size > LATENCY_SIZE_LIMIT:
                    continue
                samples += scenarios.lifecycle(
                    size,
                    run,
                    latency_ms=options.latency_ms,
                    operations=scenarios.LATENCY_LIFECYCLE,
                    on_sample=show,
                )
        if "cli" in groups:
            for size in options.cli_sizes:
                samples += cli_path.lifecycle(size, run, on_sample=show)
    if "mixed" in groups and options.mixed:
        samples += cli_path.mixed(options.mixed, on_sample=show)
    breakdown = None
    if "breakdown" in groups:
        print("breaking down an `up` of 10", flush=True)
        breakdown = cli_path.breakdown()
        print(cli_path.summary_of(breakdown), flush=True)
    about: dict[str, Any] = {
        "command": command,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": report.machine(ROOT / ".venv" / "bin" / "pulumi"),
        "groups": [group for group in groups if group in MAIN_GROUPS],
        "sizes": options.sizes if "automation" in groups else [],
        "runs": options.runs,
        "latency_ms": options.latency_ms,
        "cli_sizes": options.cli_sizes if "cli" in groups else [],
        "mixed": options.mixed if "mixed" in groups else 0,
        "checkpoints": options.checkpoints,
        "breakdown": breakdown,
        "load_start": load_start,
        "load_end": os.getloadavg()[0],
        "wall_seconds": time.monotonic() - started,
    }
    return about, [asdict(sample) for sample in samples]


def measure_providers(options: Options, command: str) -> Part:
    """The provider comparison (`providers`), each sample as a plain dict."""
    import builds
    import providers
    import scenarios

    started, load_start = time.monotonic(), os.getloadavg()[0]
    show = _show(options.runs)
    go, sdk = builds.go_provider(), builds.python_sdk()
    print("warming up the provider comparison (not measured)", flush=True)
    providers.lifecycle(1, 0, latency_ms=0, go=go, sdk=sdk, commands=("up", "destroy"))
    samples: list[scenarios.Sample] = []
    for run in range(options.runs):
        for latency in options.provider_latencies:
            for size in options.provider_sizes:
                samples += providers.lifecycle(
                    size, run, latency_ms=latency, go=go, sdk=sdk, on_sample=show
                )
    requirement = next(
        line.strip()
        for line in (builds.SOURCE / "go.mod").read_text().splitlines()
        if line.strip().startswith("github.com/pulumi/pulumi/sdk/v3 ")
    )
    about: dict[str, Any] = {
        "command": command,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": report.machine(ROOT / ".venv" / "bin" / "pulumi"),
        "runs": options.runs,
        "sizes": options.provider_sizes,
        "latencies_ms": options.provider_latencies,
        "note": options.note,
        # `pulumi`'s --parallel default: PULUMI_PARALLEL, else 4 per core Go sees.
        "engine_parallel": int(os.environ.get("PULUMI_PARALLEL") or 4 * (os.cpu_count() or 1)),
        "go_provider": {
            "lines": len((builds.SOURCE / "main.go").read_text().splitlines()),
            "sdk": requirement,
        },
        "load_start": load_start,
        "load_end": os.getloadavg()[0],
        "wall_seconds": time.monotonic() - started,
    }
    return about, [asdict(sample) for sample in samples]


def write(options: Options, main_part: Part | None, provider_part: Part | None) -> None:
    """bench/RESULTS.md and bench/results.json (and the plot) from the parts measured; the parts
    not measured are kept as the files had them."""
    existing = options.markdown.read_text() if options.markdown.exists() else ""
    held = json.loads(options.results.read_text()) if options.results.exists() else {}
    main_text = None
    data = {key: value for key, value in held.items() if key != PROVIDERS}
    if main_part is not None:
        about, records = main_part
        table = report.rows(records)
        previous = json.loads(options.compare.read_text()) if options.compare else None
        data = report.results_json(about=about, table=table, samples=records)
        main_text = report.markdown(
            about=about,
            table=table,
            samples=records,
            previous=previous,
            previous_name=str(options.compare or ""),
        )
    section = None
    compared = held.get(PROVIDERS)
    if provider_part is not None:
        about, records = provider_part
        plot_name = os.path.relpath(options.plot, options.markdown.parent)
        section = providers_report.markdown(about=about, samples=records, plot_name=plot_name)
        compared = providers_report.results_json(about=about, samples=records)
        options.plot.write_text(providers_report.svg(records))
        print(f"wrote {options.plot}")
    if compared is not None:
        data[PROVIDERS] = compared
    options.results.write_text(report.compact_json(data))
    options.markdown.write_text(providers_report.splice(existing, section, main_text))
    print(f"wrote {options.markdown} and {options.results}")


if __name__ == "__main__":
    sys.exit(main())
