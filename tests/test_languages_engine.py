"""TypeScript and Go programs on the provider plugin, each through its own language host.

Each test is one project as a user makes it (`harness/incident_statuses_harness/languages.py`):
`pulumi package add ./venv/bin/pulumi-resource-incident-statuses` generates and links the SDK,
then one stack goes through up, an unchanged preview, refresh and destroy against the emulator,
one `pulumi` command per step. npm and Go work offline, from what `make setup` fetched once.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness import languages
from incident_statuses_harness.engine import ROOT
from incident_statuses_harness.user import Cli, shell

pytestmark = pytest.mark.engine


def project_shell(tmp_path: Path, emulator: EmulatorProcess, language: str) -> Cli:
    """A shell in a new project of `language`, its plugin the checkout's, npm and Go offline."""
    folder = languages.project(language, tmp_path / "project", ROOT / ".venv")
    pulumi = shell(tmp_path, folder, emulator)
    pulumi.env.update(languages.offline_env(tmp_path))
    return pulumi


def docs_typescript() -> dict[str, str]:
    """Every `typescript` block of the README and docs/, by a file name saying where it is."""
    blocks = {}
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text("utf-8")
        for match in re.finditer(r"^```typescript\n(.*?)^```", text, re.MULTILINE | re.DOTALL):
            line = text.count("\n", 0, match.start()) + 1
            blocks[f"{page.stem}-{line}.ts"] = match.group(1)
    return blocks


def test_typescript_program(tmp_path: Path, emulator: EmulatorProcess) -> None:
    pulumi = project_shell(tmp_path, emulator, "typescript")
    outputs = languages.smoke(
        "typescript", pulumi.cwd, lambda *args: pulumi(*args).stdout, emulator.url
    )
    assert languages.NPM_SDK in outputs["add"], outputs["add"]

    # The SDK's types hold, in one compiler run: the docs' programs compile, and a rank that is
    # not a number fails, naming the file.
    documented = docs_typescript()
    assert documented, "no typescript block in the README or docs/"
    checked = languages.type_check(
        pulumi.cwd, {**documented, "wrong.ts": languages.typescript_program(rank='"high"')}
    )
    errors = [line for line in checked.stdout.splitlines() if ": error TS" in line]
    assert checked.returncode != 0 and errors, checked.stdout
    assert all(line.startswith("wrong.ts(") for line in errors), checked.stdout
    assert any("not assignable to type 'Input<number" in line for line in errors), checked.stdout


def test_go_program(tmp_path: Path, emulator: EmulatorProcess) -> None:
    pulumi = project_shell(tmp_path, emulator, "go")
    outputs = languages.smoke("go", pulumi.cwd, lambda *args: pulumi(*args).stdout, emulator.url)
    assert languages.GO_IMPORT in outputs["add"], outputs["add"]
    # Every module the language host lists was in the cache: none was looked up.
    assert "module lookup disabled" not in outputs["up"], outputs["up"]
