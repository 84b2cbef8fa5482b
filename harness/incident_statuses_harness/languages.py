"""TypeScript and Go projects on the provider plugin, made the way Pulumi's docs make them.

A project names a virtualenv `venv` whose `bin/` holds `pulumi-resource-incident-statuses`
(`plugins.providers` in `Pulumi.yaml`), and `pulumi package add
./venv/bin/pulumi-resource-incident-statuses` generates the SDK into `sdks/` and links it: a
`file:` dependency in package.json, or a `replace` in go.mod. `smoke` then runs the lifecycle
both languages share: two statuses and an order, up, preview, refresh, destroy.

What such projects download comes from the registries once per user, under a lock: the npm
modules into ~/.cache/pulumi-incident-statuses/, copied into each project; the Go modules into
Go's own module cache. After that every project works offline (`offline_env`), so a test contacts
no address but loopback, and a test never installs into what another uses.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from incident_statuses_harness.engine import ROOT, cache, server_statuses, toolchain
from pulumi_incident_statuses.core.tokens import PACKAGE, PLUGIN
from pulumi_incident_statuses.core.versions import package as version

LANGUAGES = ("typescript", "go")

PLUGIN_ARGUMENT = f"./venv/bin/{PLUGIN}"
"""How `pulumi package add` is given the plugin: a bare relative path would name a registry
package."""

TEMPLATE = ROOT / "templates" / "incident-statuses-typescript"
"""The `pulumi new` template of a TypeScript project; its package.json pins the npm modules."""

NPM_SDK = "@pulumi-incident-statuses/sdk"
"""The npm name of the SDK `pulumi package add` generates (the schema's `language.nodejs`)."""

GO_SDK = "github.com/pulumi/pulumi/sdk/v3 v3.274.1"
"""The Pulumi Go SDK a Go project requires: the CLI's own release, in the proxy."""

GO_IMPORT = "github.com/pulumi-incident-statuses/pulumi-incident-statuses/sdk/go/incidentstatuses"
"""The import path of the Go SDK (the schema's `language.go.importBasePath`)."""

INSTALL_HINTS = {
    "node": "Node.js 20 or newer with npm (e.g. `apt-get install nodejs npm`)",
    "npm": "npm, which comes with Node.js (e.g. `apt-get install npm`)",
    "go": "Go 1.24 or newer (https://go.dev/dl/)",
}
TOOLS = {"typescript": ("node", "npm"), "go": ("go",)}
HOSTS = {"typescript": "pulumi-language-nodejs", "go": "pulumi-language-go"}


def names(language: str) -> tuple[str, str]:
    """The names of the smoke's two statuses in `language`: the first declared, then the second."""
    label = {"typescript": "TypeScript", "go": "Go"}[language]
    return f"Fixing ({label})", f"Monitoring ({label})"


def typescript_program(rank: str = "") -> str:
    """`index.ts`: two statuses, the second first in the order; `rank` adds that input to both."""
    fixing, monitoring = names("typescript")
    extra = f"\n    rank: {rank}," if rank else ""
    return f"""\
import * as pulumi from "@pulumi/pulumi";
import * as incident from "{NPM_SDK}";

const fixing = new incident.IncidentStatus("fixing", {{
    name: "{fixing}",
    description: "A fix is under way.",
    category: "live",{extra}
}});
const monitoring = new incident.IncidentStatus("monitoring", {{
    name: "{monitoring}",
    description: "Watching the fix.",
    category: "live",{extra}
}});
new incident.IncidentStatusOrder("live-order", {{
    category: "live",
    statuses: [monitoring.id, fixing.id],
}});
export const updatedAt: pulumi.Output<string> = fixing.updatedAt;
export const triage = incident.getIncidentStatusOutput({{ name: "Triage" }}).id;
"""


def go_program() -> str:
    """`main.go`: the same statuses and order as the TypeScript program."""
    fixing, monitoring = names("go")
    return f"""\
package main

import (
\tincident "{GO_IMPORT}"
\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {{
\tpulumi.Run(func(ctx *pulumi.Context) error {{
\t\t// Monitoring first: the order lists the second status first.
\t\tvar listed pulumi.StringArray
\t\tfor _, s := range []struct{{ resource, name, description string }}{{
\t\t\t{{"monitoring", "{monitoring}", "Watching the fix."}},
\t\t\t{{"fixing", "{fixing}", "A fix is under way."}},
\t\t}} {{
\t\t\tstatus, err := incident.NewIncidentStatus(ctx, s.resource, &incident.IncidentStatusArgs{{
\t\t\t\tName:        pulumi.String(s.name),
\t\t\t\tDescription: pulumi.String(s.description),
\t\t\t\tCategory:    pulumi.String("live"),
\t\t\t}})
\t\t\tif err != nil {{
\t\t\t\treturn err
\t\t\t}}
\t\t\tlisted = append(listed, status.ID().ToStringOutput())
\t\t}}
\t\torder := &incident.IncidentStatusOrderArgs{{Category: pulumi.String("live"), Statuses: listed}}
\t\tif _, err := incident.NewIncidentStatusOrder(ctx, "live-order", order); err != nil {{
\t\t\treturn err
\t\t}}
\t\ttriage := incident.LookupIncidentStatusOutput(ctx, incident.LookupIncidentStatusOutputArgs{{
\t\t\tName: pulumi.String("Triage"),
\t\t}})
\t\tctx.Export("triage", triage.Id())
\t\treturn nil
\t}})
}}
"""


def require_tools(language: str) -> None:
    """Fail, saying what to install, when a tool `language`'s projects need is not on PATH."""
    missing = [tool for tool in TOOLS[language] if shutil.which(tool) is None]
    if missing:
        wanted = "; ".join(f"`{tool}`: install {INSTALL_HINTS[tool]}" for tool in missing)
        raise RuntimeError(f"a {language} Pulumi project needs what is not on PATH: {wanted}")
    host = ROOT / ".venv" / "bin" / HOSTS[language]
    if not host.exists():
        raise RuntimeError(f"no {host.name} in {host.parent}: run `make setup` (it builds it)")


@contextmanager
def _locked(name: str) -> Iterator[None]:
    """Held by one process at a time across test workers: the one-time installs."""
    cache().mkdir(parents=True, exist_ok=True)
    with (cache() / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def _package_json() -> dict[str, Any]:
    """The template's package.json: what a TypeScript project installs from npm, pinned."""
    manifest: dict[str, Any] = json.loads((TEMPLATE / "package.json").read_text("utf-8"))
    manifest["name"] = "incident-statuses-typescript"
    return manifest


def npm_modules() -> Path:
    """A folder with the pinned `package.json`, its `package-lock.json` and `node_modules`.

    Installed from the npm registry the first time (under a lock: test workers share it), then
    only read: each project copies it.
    """
    require_tools("typescript")
    manifest = _package_json()
    folder = cache() / f"typescript-project-{_digest(manifest)}"
    with _locked(folder.name):
        if not (folder / "installed").exists():
            print("languages: installing the npm modules of a TypeScript project (once)",
                  file=sys.stderr)
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            (folder / "package.json").write_text(json.dumps(manifest, indent=4), "utf-8")
            subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=folder,
                check=True,
                timeout=600,
            )
            (folder / "installed").touch()
    return folder


def _pulumi_yaml(name: str, runtime: str) -> str:
    return (
        f"name: {name}\n{runtime}"
        f"plugins:\n  providers:\n    - name: {PACKAGE}\n      path: venv/bin\n"
    )


def _copy_npm_modules(modules: Path, folder: Path) -> None:
    """The pinned modules into a project of its own (package.json too, unless it has one)."""
    if not (folder / "package.json").exists():
        shutil.copyfile(modules / "package.json", folder / "package.json")
    shutil.copyfile(modules / "package-lock.json", folder / "package-lock.json")
    subprocess.run(
        ["cp", "-a", str(modules / "node_modules"), str(folder / "node_modules")], check=True
    )


def typescript_project(folder: Path, venv: Path, *, name: str = "statuses-typescript") -> Path:
    """A TypeScript project in `folder`, `venv` (holding the plugin) linked in as `venv`.

    Its `node_modules` is a copy of `npm_modules()`'s: `pulumi package add` runs `npm install`
    in the project, which would write through a link into the shared one.
    """
    modules = npm_modules()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "venv").symlink_to(venv)
    (folder / "Pulumi.yaml").write_text(_pulumi_yaml(name, "runtime: nodejs\n"), "utf-8")
    _copy_npm_modules(modules, folder)
    shutil.copyfile(TEMPLATE / "tsconfig.json", folder / "tsconfig.json")
    (folder / "index.ts").write_text(typescript_program(), "utf-8")
    return folder


def type_check(folder: Path, programs: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """`tsc --noEmit` of `programs` (file name: source) as more files of the project in `folder`."""
    for file, source in programs.items():
        (folder / file).write_text(source, "utf-8")
    config = {"extends": "./tsconfig.json", "files": list(programs)}
    (folder / "tsconfig.check.json").write_text(json.dumps(config), "utf-8")
    return subprocess.run(
        [str(folder / "node_modules" / ".bin" / "tsc"), "--noEmit", "-p", "tsconfig.check.json"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _write_go_project(folder: Path, venv: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "venv").symlink_to(venv)
    (folder / "Pulumi.yaml").write_text(_pulumi_yaml(name, "runtime: go\n"), "utf-8")
    (folder / "go.mod").write_text(f"module {name}\n\ngo 1.24\n\nrequire {GO_SDK}\n", "utf-8")
    (folder / "main.go").write_text(go_program(), "utf-8")
    return folder


def go_modules() -> None:
    """Fill Go's module cache with every module a Go project of `go_project` lists, once.

    The first time (under a lock), a throwaway project gets the SDK with the registries at hand,
    `go mod download all` fetches the rest of its module graph, which the Go language host lists
    on every run, and a build of the program fills Go's build cache as the host's build would.
    Later projects find every module in the cache with GOPROXY=off, and compile in seconds.
    """
    require_tools("go")
    # The SDK's own go.mod comes from the Go language host's generator: a new host, a new graph.
    host = (ROOT / ".venv" / "bin" / ".pulumi-language-go.stamp").read_text("utf-8")
    marker = cache() / f"go-modules-{_digest([GO_SDK, go_program(), host])}"
    with _locked("go-modules"):
        if marker.exists():
            return
        print("languages: fetching the Go modules of a Go project (once)", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="go-modules-") as scratch:
            project = _write_go_project(Path(scratch) / "project", ROOT / ".venv", "prime")
            env = {**os.environ, **toolchain(Path(scratch) / "state").env()}
            for command in (
                ["pulumi", "package", "add", PLUGIN_ARGUMENT, "--non-interactive"],
                ["go", "mod", "download", "all"],
                # The flags pulumi-language-go builds a program with.
                ["go", "build", "-buildvcs=false", "-trimpath", "-ldflags", "-w -s", "-o",
                 str(Path(scratch) / "program"), "."],
            ):
                subprocess.run(
                    command, cwd=project, env=env, stdout=subprocess.DEVNULL, check=True,
                    timeout=1200,
                )
        marker.touch()


def go_project(folder: Path, venv: Path, *, name: str = "statuses-go") -> Path:
    """A Go project in `folder`, `venv` (holding the plugin) linked in as `venv`."""
    go_modules()
    return _write_go_project(folder, venv, name)


def project(language: str, folder: Path, venv: Path) -> Path:
    """A project of `language` ("typescript" or "go") in `folder`."""
    make = {"typescript": typescript_project, "go": go_project}[language]
    return make(folder, venv)


def offline_env(scratch: Path) -> dict[str, str]:
    """Settings that keep npm and Go off the network, every module coming from the caches.

    npm's own cache and logs go to `scratch`, not the user's `~/.npm`.
    """
    return {
        "npm_config_offline": "true",
        "npm_config_cache": str(scratch / "npm-cache"),
        "npm_config_audit": "false",
        "npm_config_fund": "false",
        "npm_config_update_notifier": "false",
        "GOPROXY": "off",
        "GOTOOLCHAIN": "local",
    }


def _linked(language: str, folder: Path) -> str | None:
    """Where the project's manifest points the SDK `pulumi package add` generated, if anywhere."""
    if language == "typescript":
        manifest = json.loads((folder / "package.json").read_text("utf-8"))
        linked: str | None = manifest["dependencies"].get(NPM_SDK)
        return linked
    for line in (folder / "go.mod").read_text("utf-8").splitlines():
        if line.startswith("replace ") and GO_IMPORT.rsplit("/", 1)[0] in line:
            return line.split("=>")[1].strip()
    return None


Pulumi = Callable[..., str]
"""Runs `pulumi` with the given arguments in the project folder; its stdout, or raises."""


def smoke(language: str, folder: Path, pulumi: Pulumi, emulator_url: str) -> dict[str, str]:
    """`pulumi package add`, then the stack's lifecycle, each step checked; each step's output.

    Up creates both statuses and orders them as declared, the second first; an unchanged preview
    and a refresh find nothing to change; destroy deletes both. Raises AssertionError naming the
    step that went wrong.
    """
    outputs = {"add": pulumi("package", "add", PLUGIN_ARGUMENT)}
    linked = _linked(language, folder)
    assert linked in ("file:sdks/incident-statuses", "./sdks/incident-statuses"), (
        f"pulumi package add left the SDK unlinked ({linked!r}):\n{outputs['add']}"
    )

    pulumi("stack", "init", "smoke")
    outputs["up"] = up = pulumi("up", "--yes", "--skip-preview")
    assert f"using {PLUGIN} from $PATH" not in up, "the plugin came from PATH, not Pulumi.yaml"
    first, second = names(language)
    held = {s["name"]: s for s in server_statuses(emulator_url)}
    assert first in held and second in held, f"after up the emulator holds {sorted(held)}"
    assert held[second]["rank"] < held[first]["rank"], (
        f"after up {second!r} has rank {held[second]['rank']}, {first!r} {held[first]['rank']}"
    )
    assert held["Triage"]["id"] in up, f"the lookup of Triage is not in the outputs:\n{up}"

    outputs["preview"] = pulumi("preview", "--expect-no-changes")
    outputs["refresh"] = refresh = pulumi("refresh", "--yes", "--skip-preview")
    assert "4 unchanged" in refresh, f"refresh found a change:\n{refresh}"
    outputs["destroy"] = pulumi("destroy", "--yes", "--skip-preview")
    left = {first, second} & {s["name"] for s in server_statuses(emulator_url)}
    assert not left, f"after destroy the emulator still holds {sorted(left)}"
    return outputs


TEMPLATE_ORDER = ["Assessing impact", "Mitigating", "Watching the fix"]
"""The template's statuses, top of the category first."""


def template_smoke(folder: Path, venv: Path, pulumi: Pulumi, emulator_url: str) -> dict[str, str]:
    """The TypeScript template as its README has it, in `folder`: the plugin installed from
    `venv` (linked in as `venv`), `pulumi new`, up, an unchanged preview, destroy.

    `pulumi new --generate-only` then `pulumi install` is what `pulumi new` does, less the stack;
    the npm modules are copied in first, so that its `npm install` has nothing to fetch.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "venv").symlink_to(venv)
    pulumi("plugin", "install", "resource", PACKAGE, version(), "--file", PLUGIN_ARGUMENT)
    pulumi("new", str(TEMPLATE), "--force", "--generate-only", "--name", "from-template", "--yes")
    _copy_npm_modules(npm_modules(), folder)
    outputs = {"install": pulumi("install")}
    manifest = json.loads((folder / "package.json").read_text("utf-8"))
    assert manifest["dependencies"].get(NPM_SDK) == "file:sdks/incident-statuses", (
        f"pulumi install left the SDK out of package.json:\n{outputs['install']}"
    )

    pulumi("stack", "init", "smoke")
    outputs["up"] = pulumi("up", "--yes", "--skip-preview")
    live = sorted(
        (s for s in server_statuses(emulator_url) if s["category"] == "live"),
        key=lambda s: s["rank"],
    )
    assert [s["name"] for s in live][: len(TEMPLATE_ORDER)] == TEMPLATE_ORDER, (
        f"after up the live statuses are {[s['name'] for s in live]}"
    )
    outputs["preview"] = pulumi("preview", "--expect-no-changes")
    outputs["destroy"] = pulumi("destroy", "--yes", "--skip-preview")
    left = set(TEMPLATE_ORDER) & {s["name"] for s in server_statuses(emulator_url)}
    assert not left, f"after destroy the emulator still holds {sorted(left)}"
    return outputs


def prime() -> None:
    """Every one-time download and build of both languages' projects (`make setup` runs it).

    A language whose tools or host are missing is left out, said why: its tests fail the same way.
    """
    for language, fetch in (("typescript", npm_modules), ("go", go_modules)):
        try:
            require_tools(language)
        except RuntimeError as missing:
            print(f"languages: {missing}", file=sys.stderr)
            continue
        fetch()


if __name__ == "__main__":
    prime()
