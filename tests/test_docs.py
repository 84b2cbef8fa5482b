"""The user's documentation against the code, so that the two cannot drift apart.

Every ``python`` block of README.md, CONTRIBUTING.md and docs/ compiles; what it imports from the
package exists, and the calls it makes to the public API bind to their real signatures. The
README's five-minute start runs through the engine as typed. The reference names every input,
output, setting, command, flag and error class; the troubleshooting guide quotes the messages the
code produces; the adoption example is what `generate` writes; every relative link, anchors
included, resolves; and every `pulumi` command that names the plugin by its path runs as typed.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import io
import json
import re
import shlex
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pytest

import pulumi_incident_statuses as package
import yaml
from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness import languages
from incident_statuses_harness.engine import configurable
from incident_statuses_harness.user import shell
from pulumi_incident_statuses.core import categories, errors, settings, spec, versions
from pulumi_incident_statuses.core.advice import Door, Holder, Remedy, advise
from pulumi_incident_statuses.core.operations import order as order_operations
from pulumi_incident_statuses.core.operations import results
from pulumi_incident_statuses.core.operations import status as status_operations
from pulumi_incident_statuses.core.wire import IncidentStatusRecord
from pulumi_incident_statuses.plugin import schema as plugin_schema
from pulumi_incident_statuses.plugin import server as plugin_server
from pulumi_incident_statuses.tools import codegen
from pulumi_incident_statuses.tools.cli import build_parser, print_statuses

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted(DOCS.glob("*.md"))]
REFERENCE = DOCS / "reference.md"
TROUBLESHOOTING = DOCS / "troubleshooting.md"
README_MAX_LINES = 250

_FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w-]*)\s*$")
_MARKER = re.compile(r"^\s*<!-- docs-test: (?P<name>[\w-]+) -->\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: Path
    line: int
    lang: str
    text: str
    marker: str | None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def code_blocks(page: Path) -> Iterator[Block]:
    """The fenced blocks of ``page``, each with the ``docs-test`` marker just above it, if any."""
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent = opening["indent"]
        above = next((line for line in reversed(lines[:index]) if line.strip()), "")
        marker = _MARKER.match(above)
        body: list[str] = []
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            body.append(lines[end].removeprefix(indent))
            end += 1
        assert end < len(lines), f"{page.name}:{index + 1}: a code block is never closed"
        yield Block(
            page, index + 1, opening["lang"], "\n".join(body) + "\n", marker and marker["name"]
        )
        index = end + 1


def prose(page: Path) -> str:
    """``page`` without its fenced blocks."""
    kept: list[str] = []
    inside = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if _FENCE.match(line) or (inside and line.strip() == "```"):
            inside = not inside
            continue
        if not inside:
            kept.append(line)
    return "\n".join(kept)


def flat(text: str) -> str:
    """``text`` with every run of whitespace made one space, as Markdown wraps it."""
    return " ".join(text.split())


PYTHON_BLOCKS = [block for page in PAGES for block in code_blocks(page) if block.lang == "python"]


def test_the_readme_is_the_front_door_not_the_manual() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES


def test_there_are_python_blocks_to_check() -> None:
    assert {block.page for block in PYTHON_BLOCKS} >= {
        ROOT / "README.md",
        DOCS / "getting-started.md",
        DOCS / "adopting.md",
        DOCS / "order-and-renames.md",
        DOCS / "plugin.md",
        REFERENCE,
    }


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=lambda block: block.where)
def test_python_block_compiles(block: Block) -> None:
    compile(block.text, block.where, "exec")


def _ours(module: str) -> bool:
    return module == package.__name__ or module.startswith(package.__name__ + ".")


def _public_api(tree: ast.Module) -> dict[str, Any]:
    """What the block imports from the package, by the name it binds; each import checked."""
    bound: dict[str, Any] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _ours(node.module or ""):
            module = importlib.import_module(str(node.module))
            for alias in node.names:
                assert hasattr(module, alias.name), f"{node.module} has no {alias.name}"
                bound[alias.asname or alias.name] = getattr(module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _ours(alias.name):
                    importlib.import_module(alias.name)
    return bound


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=lambda block: block.where)
def test_python_block_uses_the_api_as_it_is(block: Block) -> None:
    tree = ast.parse(block.text)
    api = _public_api(tree)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        target = api.get(node.func.id)
        if not callable(target):
            continue
        if any(isinstance(arg, ast.Starred) for arg in node.args) or any(
            keyword.arg is None for keyword in node.keywords
        ):
            continue
        positional = [None] * len(node.args)
        keywords = {str(keyword.arg): None for keyword in node.keywords}
        try:
            inspect.signature(target).bind(*positional, **keywords)
        except TypeError as error:
            pytest.fail(f"{block.where}: {ast.unparse(node)[:80]}: {error}")


def _organisation() -> list[IncidentStatusRecord]:
    """The organisation docs/adopting.md shows `list` and `generate` on."""
    made = "2026-01-01T00:00:00Z"
    rows = [
        ("01HX3M2B7C4D5E6F7G8H9J0K1A", "Investigating", "We're looking into it.", "live", 0),
        ("01HX3M2B7C4D5E6F7G8H9J0K2M", "Évaluation 調査", "Évaluer l'impact", "live", 1),
        ("01HX3M2B7C4D5E6F7G8H9J0K3B", "Fixing", "A fix is under way.", "live", 2),
        ("01HX3M2B7C4D5E6F7G8H9J0K4C", "Documenting", "Writing it up.", "learning", 0),
        ("01HX3M2B7C4D5E6F7G8H9J0K5D", "Triage", "Managed.", "triage", 0),
        ("01HX3M2B7C4D5E6F7G8H9J0K6E", "Closed", "Managed.", "closed", 0),
    ]
    return [IncidentStatusRecord(*row, created_at=made, updated_at=made) for row in rows]


def _marked(page: Path, name: str) -> str:
    [block] = [block for block in code_blocks(page) if block.marker == name]
    return block.text


def test_the_adoption_example_is_what_list_and_generate_print() -> None:
    page = DOCS / "adopting.md"
    table = io.StringIO()
    print_statuses(_organisation(), table)
    assert _marked(page, "list-output") == table.getvalue()
    assert _marked(page, "generate-output") == codegen.generate(_organisation())


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = heading.strip().lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    anchors: set[str] = set()
    for line in prose(page).splitlines():
        if not line.startswith("#"):
            continue
        slug = _slug(line.lstrip("#"))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


_LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_relative_links_and_their_anchors_resolve(page: Path) -> None:
    text = re.sub(r"`[^`\n]*`", "", prose(page))
    broken: list[str] = []
    for match in _LINK.finditer(flat(text)):
        target = match["target"]
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            broken.append(f"{target}: no such heading")
    assert not broken, broken


def _reference() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def test_the_reference_names_every_input_and_output() -> None:
    text = _reference()
    names = {
        *(f.name for resource in (spec.STATUS, spec.ORDER) for f in resource.fields),
        *inspect.signature(package.get_incident_status).parameters,
        *(field.name for field in fields(IncidentStatusRecord)),
    }
    missing = sorted(name for name in names if f"`{name}`" not in text)
    assert not missing


def test_the_reference_names_the_plugins_schema() -> None:
    text = _reference()
    described = plugin_schema.schema()
    names = {
        *described["resources"],
        *described["functions"],
        *described["provider"]["inputProperties"],
        *described["config"]["variables"],
        *(
            name
            for resource in described["resources"].values()
            for name in (*resource["inputProperties"], *resource["properties"])
        ),
        *(
            name
            for function in described["functions"].values()
            for name in (*function["inputs"]["properties"], *function["outputs"]["properties"])
        ),
        *(
            language.get("packageName") or language["importBasePath"]
            for language in described["language"].values()
        ),
    }
    missing = sorted(name for name in names if f"`{name}`" not in text)
    assert not missing


def test_the_reference_names_every_setting() -> None:
    text = _reference()
    for name in (
        settings.CONFIG_API_KEY,
        settings.CONFIG_ENDPOINT,
        settings.ENV_API_KEY,
        settings.ENV_ENDPOINT,
        settings.DEFAULT_ENDPOINT,
    ):
        assert f"`{name}`" in text, name


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    [choices] = [
        action.choices
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
    ]
    return dict(choices)


def test_the_reference_documents_every_command_and_flag() -> None:
    text = _reference()
    missing: list[str] = []
    for name, parser in _subcommands().items():
        if f"### `incident-statuses {name}`" not in text:
            missing.append(name)
        section = text.split(f"### `incident-statuses {name}`", 1)[-1].split("\n### ", 1)[0]
        for action in parser._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help") and f"`{option}" not in section:
                    missing.append(f"{name} {option}")
    assert not missing


def test_the_reference_draws_every_error_class() -> None:
    text = _reference()
    missing = [name for name in errors.__all__ if name not in text]
    assert not missing


def test_troubleshooting_explains_every_error_a_user_can_meet() -> None:
    text = TROUBLESHOOTING.read_text(encoding="utf-8")
    headings = {_slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("### ")}
    explained = [
        cls.__name__
        for cls in vars(errors).values()
        if isinstance(cls, type)
        and issubclass(cls, errors.IncidentAPIError)
        and cls not in (errors.IncidentAPIError, errors.RequestError)
    ]
    missing = [
        name
        for name in explained
        if not any(heading.startswith(name.lower()) for heading in headings)
        and f"`{name}`" not in text
    ]
    assert not missing
    assert "LookupFailedError" in _reference()


def _check_failures(result: Any) -> list[str]:
    return [failure.reason for failure in result.failures]


# Bad inputs, each as the troubleshooting guide quotes the failure it gets.
BAD_STATUSES = [
    {"description": "d", "category": "live"},
    {"name": 3, "description": "d", "category": "live"},
    {"name": " ", "description": "d", "category": "live"},
    {"name": "n", "description": "d", "category": "active"},
    {"name": "n", "description": "d", "category": "triage"},
    {"name": "n", "description": "d", "category": "live", "rank": "first"},
    {"name": "n", "description": "d", "category": "live", "rank": -1},
    {"name": "n", "description": "d", "category": "live", "import_id": ""},
]


@pytest.mark.parametrize("inputs", BAD_STATUSES, ids=lambda inputs: repr(inputs)[:40])
def test_troubleshooting_quotes_each_check_failure(inputs: dict[str, Any]) -> None:
    text = flat(TROUBLESHOOTING.read_text(encoding="utf-8"))
    [reason] = _check_failures(status_operations.check_inputs(inputs))
    assert f"`{reason}`" in text


def test_troubleshooting_quotes_the_order_check_failures() -> None:
    text = flat(TROUBLESHOOTING.read_text(encoding="utf-8"))
    checked = order_operations.check_inputs({"category": "closed", "statuses": []})
    [reason] = _check_failures(checked)
    assert f"`{reason}`" in text
    assert categories.CONFIGURABLE == ("live", "learning")


def test_troubleshooting_quotes_the_messages_and_hints() -> None:
    text = flat(TROUBLESHOOTING.read_text(encoding="utf-8"))
    quoted = [
        str(settings.missing_api_key()),
        str(settings.missing_api_key(stack_config=False)),
        *(
            str(cls.hint)
            for cls in (
                errors.AuthenticationError,
                errors.PermissionDeniedError,
                errors.RankRaceError,
                errors.RankTakenError,
            )
        ),
    ]
    quoted += [
        advise(Remedy.ADOPT, Holder("01…"), Door.PYTHON, "fixing"),
        advise(Remedy.RECOVER, Holder("01…"), Door.PYTHON, "fixing"),
        results.RECORDED_SETTINGS,
    ]
    for endpoint in ("http://example.com", "…"):
        with pytest.raises(errors.ConfigurationError) as refused:
            settings.checked_endpoint(endpoint)
        quoted.append(str(refused.value))
    with pytest.raises(errors.ConfigurationError) as bad_key:
        settings.checked_api_key("two words")
    quoted.append(str(bad_key.value))
    missing = [message for message in quoted if flat(message) not in text]
    assert not missing


def test_troubleshooting_quotes_the_sdk_too_old_messages() -> None:
    text = flat(TROUBLESHOOTING.read_text(encoding="utf-8"))
    quoted = [
        versions.problem("3.229.0"),
        plugin_server.missing_sdk("3.229.0", "provider interface this plugin supports"),
    ]
    # The guide shows a project's virtualenv where the message names the running interpreter.
    missing = [
        message
        for message in quoted
        if message is None or message.replace(sys.executable, "…/venv/bin/python") not in text
    ]
    assert not missing


@pytest.mark.engine
def test_the_readme_five_minute_start_runs_as_typed(
    tmp_path: Path, emulator: EmulatorProcess, user_venv: Path
) -> None:
    readme = ROOT / "README.md"
    folder = tmp_path / "my-statuses"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text(_marked(readme, "five-minute-pulumi-yaml"))
    (folder / "__main__.py").write_text(_marked(readme, "five-minute-program"))
    # The virtualenv the README makes, with the package pip-installed in it.
    (folder / "venv").symlink_to(user_venv)
    pulumi = shell(tmp_path, folder, emulator)
    pulumi("stack", "init", "dev")
    pulumi("up", "--yes")
    held = configurable(emulator.url)
    assert sorted(held) == ["Assessing impact", "Mitigating"]
    assert held["Assessing impact"]["rank"] < held["Mitigating"]["rank"]
    assert pulumi.outputs() == {"mitigating": held["Mitigating"]["id"]}
    pulumi("preview", "--expect-no-changes")


# Every place a user reads a command that names the plugin by its path.
COMMAND_PAGES = [*PAGES, *sorted((ROOT / "templates").glob("*/README.md"))]


@dataclass(frozen=True)
class PluginCommand:
    """A `pulumi` command of the docs that names the plugin by its path, as typed."""

    where: str
    argv: tuple[str, ...]

    @property
    def plugin(self) -> str:
        """The argument that names the plugin."""
        return next(arg for arg in self.argv if arg.endswith(f"/{plugin_schema.PLUGIN}"))


def _shell_lines(block: Block) -> Iterator[str]:
    """The commands of a shell block, continuation lines joined."""
    pending = ""
    for line in block.text.splitlines():
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        yield pending + line
        pending = ""


def plugin_commands() -> list[PluginCommand]:
    """The `pulumi` commands in shell blocks and inline code that name the plugin by a path."""
    found: dict[tuple[str, ...], list[str]] = {}
    for page in COMMAND_PAGES:
        where = str(page.relative_to(ROOT))
        typed = [
            line
            for block in code_blocks(page)
            if block.lang in ("sh", "bash")
            for line in _shell_lines(block)
        ]
        for text in [*typed, *re.findall(r"`([^`]+)`", flat(prose(page)))]:
            try:
                argv = tuple(shlex.split(text, comments=True))
            except ValueError:  # prose in backticks, not a command
                continue
            if argv[:1] == ("pulumi",) and any(
                arg.endswith(f"/{plugin_schema.PLUGIN}") for arg in argv
            ):
                found.setdefault(argv, []).append(where)
    return [PluginCommand(", ".join(sorted(set(w))), argv) for argv, w in found.items()]


PLUGIN_COMMANDS = plugin_commands()


def test_the_docs_give_plugin_commands_to_check() -> None:
    kinds = {command.argv[1:3] for command in PLUGIN_COMMANDS}
    assert kinds >= {
        ("package", "gen-sdk"),
        ("package", "get-schema"),
        ("package", "add"),
        ("plugin", "install"),
    }, kinds


@pytest.mark.parametrize("command", PLUGIN_COMMANDS, ids=lambda c: " ".join(c.argv[1:3]))
def test_a_plugin_path_is_one_pulumi_reads_locally(command: PluginCommand) -> None:
    # A bare relative path (venv/bin/...) is taken for a package name and looked up in Pulumi's
    # registry; `./`, `../` or an absolute path is read from the disk.
    assert command.plugin.startswith(("./", "../", "/")), (command.where, command.argv)


def _run(argv: tuple[str, ...], folder: Path, emulator: EmulatorProcess) -> str:
    pulumi = shell(folder.parent, folder, emulator)
    return pulumi(*argv[1:]).stdout


@pytest.mark.engine
@pytest.mark.parametrize("command", PLUGIN_COMMANDS, ids=lambda c: " ".join(c.argv[1:3]))
def test_a_plugin_command_runs_as_typed(
    command: PluginCommand, tmp_path: Path, emulator: EmulatorProcess, user_venv: Path
) -> None:
    """Each command, as the docs give it, in a folder holding the virtualenv they make."""
    folder = tmp_path / "project"
    folder.mkdir()
    # The virtualenv the docs make, with the package pip-installed in it.
    (folder / "venv").symlink_to(user_venv)
    kind = command.argv[1:3]
    if kind == ("package", "add"):
        # It needs a TypeScript or Go project; the languages engine tests run this very command.
        assert command.argv == ("pulumi", "package", "add", languages.PLUGIN_ARGUMENT), command
        return
    output = _run(command.argv, folder, emulator)
    if kind == ("package", "get-schema"):
        assert json.loads(output)["name"] == plugin_schema.PACKAGE
    elif kind == ("package", "gen-sdk"):
        out = Path(command.argv[command.argv.index("--out") + 1])
        language = command.argv[command.argv.index("--language") + 1]
        assert (folder / out / language).is_dir(), output
    elif kind == ("plugin", "install"):
        _, _, _, _, name, plugin_version, *_ = command.argv
        assert (name, plugin_version) == (plugin_schema.PACKAGE, versions.package())
        listed = json.loads(_run(("pulumi", "plugin", "ls", "--json"), folder, emulator))
        assert {"name": name, "kind": "resource", "version": plugin_version}.items() <= (
            listed[0].items()
        ), listed
    else:
        raise AssertionError(f"no check for `{' '.join(command.argv)}` ({command.where})")


def _providers_paths(page: Path) -> Iterator[tuple[str, str]]:
    for block in code_blocks(page):
        if block.lang != "yaml":
            continue
        project = yaml.safe_load(block.text)
        for provider in (project or {}).get("plugins", {}).get("providers", []):
            yield f"{block.where}", provider["path"]


def test_plugins_providers_paths_hold_the_plugin(tmp_path: Path) -> None:
    """A relative `plugins: providers:` path is read from the project folder: with the `venv` the
    docs make there, each holds the plugin."""
    (tmp_path / "venv").symlink_to(ROOT / ".venv")
    paths = [found for page in COMMAND_PAGES for found in _providers_paths(page)]
    assert paths
    for where, path in paths:
        assert (tmp_path / path / plugin_schema.PLUGIN).exists(), (where, path)


def test_the_wheels_the_docs_name_are_this_version() -> None:
    """Paths to the wheel `make dist` builds, and pip's messages about the installed package,
    name the version being released."""
    named = [
        (page.name, found)
        for page in PAGES
        for found in re.findall(
            r"pulumi[_-]incident[_-]statuses-(\d+\.\d+\.\d+)-py3"
            r"|pulumi-incident-statuses (\d+\.\d+\.\d+)\s+requires",
            page.read_text(encoding="utf-8"),
        )
    ]
    assert named
    assert {(where, "".join(version)) for where, version in named} == {
        (where, versions.package()) for where, _ in named
    }
