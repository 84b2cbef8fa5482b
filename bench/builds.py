"""What the provider comparison builds before it measures: the Go stand-in and the Python SDK.

Both are kept per user, in the same cache as the engine pieces `make setup` builds
(`~/.cache/pulumi-incident-statuses/`), under a name that hashes everything they are made from,
so a later run reuses them and a changed source builds anew. Neither is shipped: the wheel holds
the `pulumi_incident_statuses` package alone (`scripts/check_dist.py`).

- `go_provider()`: bench/go-provider built twice with `go build` (the module's go.sum pins
  `github.com/pulumi/pulumi/sdk/v3` v3.274.1), each binary named as the plugin is
  (`pulumi-resource-incident-statuses`) in a folder of its own, so a project picks one by the
  folder its `Pulumi.yaml` names under `plugins.providers`: `api` calls the API, `floor` (built
  with `-X main.noIO=true`) makes no request.
- `python_sdk()`: the plugin's Python SDK (`pulumi_incident_statuses_sdk`) as
  `pulumi package gen-sdk` writes it from the plugin's schema, pip-installed into a folder that a
  program's `PYTHONPATH` names.

Imports nothing from its neighbours in bench/.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from incident_statuses_harness.engine import ROOT, cache, toolchain
from pulumi_incident_statuses.plugin import schema

SOURCE = Path(__file__).resolve().parent / "go-provider"
"""The Go stand-in's module."""
_SOURCE_FILES = ("main.go", "go.mod", "go.sum")


@dataclass(frozen=True)
class GoProvider:
    """The two builds of the stand-in: folders a `Pulumi.yaml` can name."""

    api: Path
    """Holds the binary that calls the incident.io API."""
    floor: Path
    """Holds the binary that makes no request (the no-I/O floor)."""


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def go_provider(package: str = schema.PACKAGE) -> GoProvider:
    """The stand-in serving `package`, built on first use (about a minute, once)."""
    go = shutil.which("go")
    if go is None:
        raise FileNotFoundError("the Go stand-in needs the `go` command on PATH (Go 1.26 or newer)")
    digest = hashlib.sha256(package.encode())
    digest.update(subprocess.run([go, "version"], capture_output=True, check=True).stdout)
    for name in _SOURCE_FILES:
        digest.update((SOURCE / name).read_bytes())
    folder = cache() / f"bench-go-provider-{digest.hexdigest()[:16]}"
    built = GoProvider(api=folder / "api", floor=folder / "floor")
    with _locked(folder):
        if not (folder / "built").exists():
            print(f"building the Go stand-in into {folder} (about a minute, once)", flush=True)
            for variant, extra in ((built.api, ""), (built.floor, " -X main.noIO=true")):
                subprocess.run(
                    [
                        go, "build", "-mod=readonly", "-trimpath",
                        "-ldflags", f"-s -w -X main.packageName={package}{extra}",
                        "-o", str(variant / schema.PLUGIN), ".",
                    ],
                    cwd=SOURCE,
                    check=True,
                    timeout=1800,
                )
            (folder / "built").touch()
    return built


def python_sdk() -> Path:
    """A folder holding `pulumi_incident_statuses_sdk`, generated from the plugin on first use."""
    plugin = ROOT / ".venv" / "bin" / schema.PLUGIN
    pulumi = ROOT / ".venv" / "bin" / "pulumi"
    version = subprocess.run([pulumi, "version"], capture_output=True, text=True, check=True)
    digest = hashlib.sha256(schema.schema_json().encode())
    digest.update(version.stdout.encode())
    folder = cache() / f"bench-python-sdk-{digest.hexdigest()[:16]}"
    with _locked(folder):
        if not (folder / "built").exists():
            with tempfile.TemporaryDirectory(prefix="bench-sdk-") as temporary:
                out = Path(temporary) / "sdk"
                env = {**os.environ, **toolchain(Path(temporary) / "state").env()}
                subprocess.run(
                    [pulumi, "package", "gen-sdk", str(plugin), "--language", "python",
                     "--out", str(out)],
                    env=env,
                    check=True,
                    capture_output=True,
                    timeout=300,
                )
                shutil.rmtree(folder / "lib", ignore_errors=True)
                subprocess.run(
                    [ROOT / ".venv" / "bin" / "pip", "install", "--quiet",
                     "--disable-pip-version-check", "--no-deps", "--no-build-isolation",
                     "--target", str(folder / "lib"), str(out / "python")],
                    check=True,
                    timeout=300,
                )
            (folder / "built").touch()
    return folder / "lib"
