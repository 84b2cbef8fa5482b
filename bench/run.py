"""`make bench`: how far above the Pulumi engine's own floor the provider is, side by side.

    .venv/bin/python bench/run.py                   # N = 10 and 100, 3 runs each (several minutes)
    .venv/bin/python bench/run.py --sizes 10,100,300
    .venv/bin/python bench/run.py --quick           # N = 10, 1 run: a smoke check
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
TESTS = ROOT / "tests"


@dataclass(frozen=True)
class Options:
    """What to measure and where to write it."""

    sizes: list[int]
    runs: int
    latency_ms: int
    out: Path
    results: Path
    markdown: Path
    compare: Path | None
    from_samples: Path | None


def parse(argv: Sequence[str]) -> Options:
    """Options from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--sizes", default="10,100", help="statuses per stack, comma-separated (%(default)s)"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per size; medians (%(default)s)")
    parser.add_argument(
        "--latency-ms",
        type=int,
        default=50,
        help="latency for the repeated up and refresh; 0 skips them (%(default)s)",
    )
    parser.add_argument("--quick", action="store_true", help="N = 10, one run: a smoke check")
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
    except ValueError:
        parser.error(f"--sizes: expected numbers separated by commas, got {args.sizes!r}")
    if args.quick:
        sizes, args.runs = [10], 1
    if not sizes or min(sizes) < 1 or args.runs < 1 or args.latency_ms < 0:
        parser.error("sizes and runs must be positive, latency not negative")
    return Options(
        sizes=sizes,
        runs=args.runs,
        latency_ms=args.latency_ms,
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
    records = measure(options)
    about: dict[str, Any] = {
        "command": shlex.join([".venv/bin/python", "bench/run.py", *arguments]),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": report.machine(ROOT / ".venv" / "bin" / "pulumi"),
        "sizes": options.sizes,
        "runs": options.runs,
        "latency_ms": options.latency_ms,
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


def measure(options: Options) -> list[dict[str, Any]]:
    """Every lifecycle the options ask for, each sample as a plain dict."""
    # The harness drives stacks with the test suite's engine helpers and no-I/O baseline.
    sys.path.insert(0, str(TESTS))
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
                samples += scenarios.lifecycle(
                    size,
                    run,
                    latency_ms=options.latency_ms,
                    operations=scenarios.LATENCY_LIFECYCLE,
                    on_sample=show,
                )
    return [asdict(sample) for sample in samples]


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
