"""`make soak`: many rounds of concurrent stacks appending to one category, with figures.

    .venv/bin/python bench/soak.py              # 2 and 3 stacks, clean and faulty, 10 rounds
    .venv/bin/python bench/soak.py --rounds 30 --teams 3 --faults

Each round, every stack (a project folder run by `pulumi up`, each in its own process) starts
`up` at the same moment, replacing its 15 `live` statuses of the last round with 15 new ones
appended without a rank, against an emulator racing rank-less creates as incident.io does
(`--rank-race`), and with `--fault-rate 0.1 --drop-rate 0.05` in the faulty setting. Counted:
the `up`s that failed, duplicate or missing statuses after each round, rank clashes and the
wall time of each round. Writes bench/SOAK.md. Never a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess
from incident_statuses_harness.engine import server_statuses
from incident_statuses_harness.workspace import Toolchain, open_stack

ROOT = Path(__file__).resolve().parent.parent
PER_STACK = 15
PROGRAM = """\
import json
import pathlib

from pulumi_incident_statuses import IncidentStatus

for spec in json.loads(pathlib.Path("statuses.json").read_text()):
    IncidentStatus(spec["resource"], name=spec["name"], description="d", category="live")
"""


@dataclass
class Setting:
    """One soak setting and what it measured."""

    teams: int
    faults: bool
    rounds: int = 0
    ups: int = 0
    failed_ups: list[str] = field(default_factory=list)
    bad_rounds: int = 0
    clashes: int = 0
    seconds: list[float] = field(default_factory=list)
    dealt: dict[str, int] = field(default_factory=dict)


def folder_stack(root: Path, team: int, toolchain: Toolchain, endpoint: str) -> auto.Stack:
    folder = root / f"team-{team}"
    folder.mkdir(parents=True)
    (folder / "Pulumi.yaml").write_text(f"name: team-{team}\nruntime: python\n")
    (folder / "__main__.py").write_text(PROGRAM)
    (folder / "statuses.json").write_text("[]")
    return open_stack(
        f"team-{team}",
        "soak",
        None,
        toolchain,
        work_dir=folder,
        config={"incident:endpoint": endpoint},
    )


def held(url: str) -> list[dict[str, Any]]:
    return [s for s in server_statuses(url) if s["category"] == "live"]


def soak(setting: Setting, rounds: int, scratch: Path) -> None:
    db = scratch / "soak.db"
    options: dict[str, Any] = {"rank_race": True, "seed": setting.teams}
    if setting.faults:
        options.update(fault_rate=0.1, drop_rate=0.05)
    with (
        EmulatorProcess(db_path=db, **options) as emulator,
        EmulatorProcess(db_path=db) as observer,
    ):
        toolchain = Toolchain.for_checkout(
            ROOT,
            state_dir=scratch / "state",
            extra_env={"INCIDENT_API_KEY": DEFAULT_API_KEY},
        )
        stacks = [folder_stack(scratch, t, toolchain, emulator.url) for t in range(setting.teams)]
        for round_ in range(rounds):
            names = {
                t: [f"Team {t} round {round_} status {n}" for n in range(PER_STACK)]
                for t in range(setting.teams)
            }
            for team, stack in enumerate(stacks):
                specs = [
                    {"resource": f"s-{round_}-{n}", "name": name}
                    for n, name in enumerate(names[team])
                ]
                (Path(stack.workspace.work_dir) / "statuses.json").write_text(json.dumps(specs))
            before = emulator.stats()["by_status"].get("422", 0)
            errors: list[str] = []
            start = threading.Barrier(setting.teams)

            def run(stack: auto.Stack, start: threading.Barrier, errors: list[str]) -> None:
                start.wait()
                try:
                    stack.up()
                except auto.CommandError as error:
                    errors.append(str(error)[-300:])

            began = time.monotonic()
            threads = [threading.Thread(target=run, args=(s, start, errors)) for s in stacks]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            setting.seconds.append(time.monotonic() - began)
            setting.rounds += 1
            setting.ups += setting.teams
            setting.failed_ups += errors
            declared = sorted(name for team in names.values() for name in team)
            live = [s["name"] for s in held(observer.url) if s["name"].startswith("Team ")]
            if sorted(live) != declared:
                setting.bad_rounds += 1
            setting.clashes += emulator.stats()["by_status"].get("422", 0) - before
            print(
                f"{setting.teams} stacks{' faulty' if setting.faults else ''} round {round_}: "
                f"{setting.seconds[-1]:.1f}s, {len(errors)} failed",
                flush=True,
            )
        setting.dealt = {
            k: v for k, v in emulator.stats()["by_status"].items() if k in ("500", "503", "dropped")
        }


def render(settings: list[Setting]) -> str:
    lines = [
        "# Soak: concurrent stacks appending to one category",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make soak` (bench/soak.py): each "
        f"round every stack `pulumi up`s at once, replacing its {PER_STACK} `live` statuses with "
        f"{PER_STACK} new rank-less ones, against the emulator with `--rank-race`.",
        "",
        "| stacks | faults | rounds | ups | failed ups | rounds not converged | rank clashes "
        "| round s (median / max) | faults dealt |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in settings:
        lines.append(
            f"| {s.teams} | {'0.1 + drop 0.05' if s.faults else 'none'} | {s.rounds} | {s.ups} "
            f"| {len(s.failed_ups)} | {s.bad_rounds} | {s.clashes} "
            f"| {statistics.median(s.seconds):.1f} / {max(s.seconds):.1f} | {s.dealt or '-'} |"
        )
    failures = [f for s in settings for f in s.failed_ups]
    if failures:
        lines += ["", "Failures:", "", *[f"- `{f}`" for f in failures]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--teams", type=int, choices=(2, 3), action="append")
    parser.add_argument("--faults", action="store_true", help="only the faulty setting")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "SOAK.md")
    args = parser.parse_args()
    faults = [True] if args.faults else [False, True]
    settings = [Setting(t, f) for f in faults for t in (args.teams or [2, 3])]
    for setting in settings:
        with tempfile.TemporaryDirectory() as scratch:
            soak(setting, args.rounds, Path(scratch))
    text = render(settings)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
