"""`make bench`: how far above the Pulumi engine's own floor the provider is, side by side.

    .venv/bin/python bench/run.py                   # the default (`make bench`), about 15 minutes
    .venv/bin/python bench/run.py --sizes 10,100,300 --cli-sizes 10 --mixed 0
    .venv/bin/python bench/run.py --quick           # N = 10, 1 run, mixed 100: about a minute
    .venv/bin/python bench/run.py --compare old.json    # adds a before/after table
    .venv/bin/python bench/run.py --from-samples bench/out/samples-<stamp>.json   # re-render only

Writes bench/RESULTS.md and bench/results.json (small, committed) and every sample to
`--out` (bench/out/, not committed). Never a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import report

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
LATENCY_SIZE_LIMIT = 100
"""The runs with added latency stop at this N: at 1,000 they add minutes and no insight."""


@dataclass(frozen=True)
class Options:
    """What to measure and where to write it."""

    sizes: list[int]
    runs: int
    latency_ms: int
    cli_sizes: list[int]
    mixed: int
    checkpoints: bool
    out: Path
    results: Path
    markdown: Path
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
        "--quick", action="store_true", help="N = 10, one run, mixed 100: a smoke check"
    )
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="every sample, as JSON")
    parser.add_argument("--results", type=Path, default=BENCH / "results.json")
    parser.add_argument("--markdown", type=Path, default=BENCH / "RESULTS.md")
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
        sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
        cli_sizes = [int(part) for part in args.cli_sizes.split(",") if part.strip()]
    except ValueError:
        parser.error("--sizes, --cli-sizes: expected numbers separated by commas")
    if args.quick:
        sizes, cli_sizes, args.runs, args.mixed = [10], [10], 1, 100
    if not sizes or min(sizes + cli_sizes) < 1 or args.runs < 1 or args.latency_ms < 0:
        parser.error("sizes and runs must be positive, latency not negative")
    if args.mixed < 0:
        parser.error("--mixed must not be negative")
    return Options(
        sizes=sizes,
        runs=args.runs,
        latency_ms=args.latency_ms,
        cli_sizes=cli_sizes,
        mixed=args.mixed,
        checkpoints=args.checkpoints,
        out=args.out,
        results=args.results,
        markdown=args.markdown,
        compare=args.compare,
        from_samples=args.from_samples,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Measure (or read `--from-samples`), then write the results; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    options = parse(arguments)
    if options.from_samples is not None:
        saved = json.loads(options.from_samples.read_text())
        records = saved.pop("samples")
        write(options, saved, records)
        return 0
    started, load_start = time.monotonic(), os.getloadavg()[0]
    if not options.checkpoints:
        # Pulumi's documented switch for large stacks; both sides and every path get it.
        os.environ["PULUMI_SKIP_CHECKPOINTS"] = "true"
    records, breakdown = measure(options)
    about: dict[str, Any] = {
        "command": shlex.join([".venv/bin/python", "bench/run.py", *arguments]),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": report.machine(ROOT / ".venv" / "bin" / "pulumi"),
        "sizes": options.sizes,
        "runs": options.runs,
        "latency_ms": options.latency_ms,
        "cli_sizes": options.cli_sizes,
        "mixed": options.mixed,
        "checkpoints": options.checkpoints,
        "breakdown": breakdown,
        "load_start": load_start,
        "load_end": os.getloadavg()[0],
        "wall_seconds": time.monotonic() - started,
    }
    options.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    samples_file = options.out / f"samples-{stamp}.json"
    samples_file.write_text(json.dumps({**about, "samples": records}, indent=1) + "\n")
    print(f"\nwrote {samples_file}")
    write(options, about, records)
    return 0


def measure(options: Options) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every lifecycle the options ask for, each sample as a plain dict; the `up` breakdown."""
    import cli_path
    import scenarios

    def show(sample: scenarios.Sample) -> None:
        latency = f" +{sample.latency_ms}ms" if sample.latency_ms else ""
        requests = sample.requests
        rss = sample.provider_peak_rss_mib
        cpu = sample.provider_cpu_seconds or 0.0
        print(
            f"N={sample.size:<4} run {sample.run + 1}/{options.runs}{latency} "
            f"{sample.operation:<8} {sample.side:<8} {sample.seconds:7.2f}s  "
            f"{requests.total:4} req ({requests.writes} writes)  "
            f"rss {'-' if rss is None else f'{rss:.0f}'} MiB  "
            f"cpu {cpu:.2f}s (emulator {sample.emulator_cpu_seconds:.2f}s)"
            + ("" if sample.as_expected else f"  UNEXPECTED {sample.changes}"),
            flush=True,
        )

    # Discarded: the first stacks of a process pay one-off costs (caches, compiled bytecode).
    print("warming up (not measured)", flush=True)
    scenarios.lifecycle(1, 0, operations=("up", "destroy"))
    samples: list[scenarios.Sample] = []
    for run in range(options.runs):
        for size in options.sizes:
            samples += scenarios.lifecycle(size, run, on_sample=show)
        if options.latency_ms:
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
        for size in options.cli_sizes:
            samples += cli_path.lifecycle(size, run, on_sample=show)
    if options.mixed:
        samples += cli_path.mixed(options.mixed, on_sample=show)
    print("breaking down an `up` of 10", flush=True)
    breakdown = cli_path.breakdown()
    print(cli_path.summary_of(breakdown), flush=True)
    return [asdict(sample) for sample in samples], breakdown


def write(options: Options, about: dict[str, Any], records: list[dict[str, Any]]) -> None:
    """bench/RESULTS.md and bench/results.json from the samples."""
    table = report.rows(records)
    previous = json.loads(options.compare.read_text()) if options.compare else None
    options.results.write_text(
        report.compact_json(report.results_json(about=about, table=table, samples=records))
    )
    options.markdown.write_text(
        report.markdown(
            about=about,
            table=table,
            samples=records,
            previous=previous,
            previous_name=str(options.compare or ""),
        )
    )
    print(f"wrote {options.markdown} and {options.results}")


if __name__ == "__main__":
    sys.exit(main())
