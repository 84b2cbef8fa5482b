"""TypeScript type checks of the plugin's generated SDK: `tsc` against `@pulumi/pulumi` from npm.

The modules are installed once per user, by the pins below, into the same cache as the engine
pieces, and shared by every later run; `npm` needs the npm registry only that first time.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
from pathlib import Path

from incident_statuses_harness.engine import ROOT

PINS = {"@pulumi/pulumi": "3.270.0", "@types/node": "20.19.0", "typescript": "4.9.5"}
"""What the generated SDK's package.json asks for (`^3.269.0`, `^20`, `^4.7.0`), pinned."""


def _cache() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "pulumi-incident-statuses"


def node_modules() -> Path:
    """`node_modules` holding PINS, installed on first use (under a lock: workers share it)."""
    digest = hashlib.sha256(json.dumps(PINS, sort_keys=True).encode()).hexdigest()[:16]
    folder = _cache() / f"typescript-check-{digest}"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "installed").exists():
            manifest = {"private": True, "devDependencies": PINS}
            (folder / "package.json").write_text(json.dumps(manifest, indent=2), "utf-8")
            subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--silent"],
                cwd=folder,
                check=True,
                timeout=600,
            )
            (folder / "installed").touch()
    return folder / "node_modules"


def generate_sdk(schema: Path, out: Path) -> Path:
    """The TypeScript SDK of `schema` in `out`, as `pulumi package gen-sdk` writes it."""
    subprocess.run(
        [str(ROOT / "scripts" / "typescript-sdk.sh"), str(schema), str(out)],
        check=True,
        timeout=900,
    )
    return out


def type_check(sdk: Path, program: str) -> subprocess.CompletedProcess[str]:
    """`tsc --noEmit` of the SDK with `program` (a user's `index.ts` beside it) added."""
    modules = node_modules()
    (sdk / "node_modules").unlink(missing_ok=True)
    (sdk / "node_modules").symlink_to(modules)
    (sdk / "program.ts").write_text(program, "utf-8")
    config = sdk / "tsconfig.json"
    # The generated tsconfig.json has comments: add the program by editing its file list.
    text = config.read_text("utf-8")
    if '"program.ts"' not in text:
        config.write_text(text.replace('"files": [', '"files": [\n        "program.ts",'), "utf-8")
    return subprocess.run(
        [str(modules / ".bin" / "tsc"), "--noEmit", "-p", str(sdk)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
