"""`incident-statuses list` and `generate` against the emulator over real HTTP."""

from __future__ import annotations

import ast
import io
import json
from pathlib import Path
from typing import Any

import pytest

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import server_statuses, stats
from incident_statuses_harness.organisation import API_KEY, HAND_MADE, seed
from pulumi_incident_statuses.core.wire import IncidentStatusRecord
from pulumi_incident_statuses.tools import cli

# Nothing listens here: a request sent to it would fail, so a passing test proves none was.
DEAD_ENDPOINT = "http://127.0.0.1:9"
HAND_MADE_NAMES = {spec["name"] for spec in HAND_MADE}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, emulator: EmulatorProcess) -> EmulatorProcess:
    """The emulator, seeded by hand, with the key and endpoint in the environment."""
    seed(emulator.url)
    monkeypatch.setenv("INCIDENT_API_KEY", API_KEY)
    monkeypatch.setenv("INCIDENT_ENDPOINT", emulator.url)
    return emulator


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_prints_every_status_as_a_table(
    environment: EmulatorProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "list")
    assert (code, err) == (0, "")
    header, *rows = out.splitlines()
    assert header.split() == ["ID", "NAME", "CATEGORY", "RANK", "OWNER"]
    held = server_statuses(environment.url)
    assert len(rows) == len(held)
    by_id = {row.split()[0]: row for row in rows}
    for status in held:
        row = by_id[status["id"]]
        assert status["name"] in row
        owner = "your organisation" if status["name"] in HAND_MADE_NAMES else "incident.io"
        assert row.endswith(f"{status['rank']}  {owner}")


def test_a_closed_status_the_organisation_made_is_its_own_in_list_and_generate(
    environment: EmulatorProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    archived = seed(
        environment.url,
        ({"name": "Archived", "description": "Kept for the record.", "category": "closed"},),
    )["Archived"]
    code, out, _err = run(capsys, "list", "--json")
    assert code == 0
    owners = {item["name"]: (item["owner"], item["managed"]) for item in json.loads(out)}
    assert owners["Archived"] == ("your organisation", False)
    assert owners["Closed"] == ("incident.io", True)

    code, out, _err = run(capsys, "generate")
    assert code == 0
    declared = declared_statuses(out)
    assert {
        "name": "Archived",
        "description": "Kept for the record.",
        "category": "closed",
        "import_id": archived["id"],
        "opts": "pulumi.ResourceOptions(protect=True)",
    } in declared
    assert not any(d["name"] == "Closed" for d in declared)


def test_table_columns_line_up_with_wide_characters() -> None:
    records = [
        IncidentStatusRecord("01A", "調査中", "d", "live", 0, "t", "t"),
        IncidentStatusRecord("01B", "Fixing\x1b[31m", "d", "learning", 12, "t", "t"),
    ]
    stream = io.StringIO()
    cli.print_statuses(records, stream)
    lines = stream.getvalue().splitlines()
    assert "\x1b" not in stream.getvalue()
    # 調査中 is three characters but six columns wide.
    assert lines[1].index("live") + 3 == lines[2].index("learning")
    assert lines[0].index("CATEGORY") == lines[2].index("learning")


def test_list_json_has_every_field_owner_and_managed(
    environment: EmulatorProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "list", "--json")
    assert code == 0
    listed = json.loads(out)
    held = server_statuses(environment.url)
    assert [
        {k: v for k, v in item.items() if k not in ("owner", "managed")} for item in listed
    ] == held
    owners = {item["name"]: (item["owner"], item["managed"]) for item in listed}
    assert owners["Triage"] == owners["Closed"] == ("incident.io", True)
    assert owners["Évaluation 調査"] == owners["Documenting"] == ("your organisation", False)


def test_endpoint_flag_overrides_the_environment(
    environment: EmulatorProcess,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("INCIDENT_ENDPOINT", DEAD_ENDPOINT)
    code, out, _err = run(capsys, "list", "--json", "--endpoint", environment.url)
    assert code == 0
    assert len(json.loads(out)) == len(server_statuses(environment.url))


def declared_statuses(source: str) -> list[dict[str, Any]]:
    """The keywords of each `IncidentStatus(...)` in ``source``; `opts` as its source text."""
    return [
        {
            keyword.arg: ast.unparse(keyword.value)
            if keyword.arg == "opts"
            else ast.literal_eval(keyword.value)
            for keyword in call.keywords
        }
        for call in ast.walk(ast.parse(source))
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "IncidentStatus"
    ]


def test_generate_prints_a_program_declaring_the_organisations_statuses_protected(
    environment: EmulatorProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "generate")
    assert code == 0
    declared = declared_statuses(out)
    held = {s["id"]: s for s in server_statuses(environment.url)}
    for status in declared:
        assert status.pop("opts") == "pulumi.ResourceOptions(protect=True)"
        assert {k: held[status["import_id"]][k] for k in status if k != "import_id"} == {
            k: v for k, v in status.items() if k != "import_id"
        }
    assert sorted(status["name"] for status in declared) == sorted(HAND_MADE_NAMES)

    code, out, _err = run(capsys, "generate", "--no-protect")
    assert code == 0
    assert declared_statuses(out) == declared  # the same, each without its opts
    assert "ResourceOptions" not in out


def test_generate_out_writes_once_and_replaces_only_with_force(
    environment: EmulatorProcess, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "statuses.py"
    code, stdout, err = run(capsys, "generate", "--out", str(out))
    assert (code, stdout) == (0, "")
    assert "5 statuses to adopt" in err
    first = out.read_text(encoding="utf-8")
    ast.parse(first)

    out.write_text("# edited by hand\n", encoding="utf-8")
    requests_before = stats(environment.url)["total"]
    code, _stdout, err = run(capsys, "generate", "--out", str(out))
    assert code == 2
    assert (
        err == f"incident-statuses: {out} exists; not overwriting it (pass --force to replace it)\n"
    )
    assert out.read_text(encoding="utf-8") == "# edited by hand\n"
    assert stats(environment.url)["total"] == requests_before  # refused before asking incident.io

    code, _stdout, _err = run(capsys, "generate", "--out", str(out), "--force")
    assert code == 0
    assert out.read_text(encoding="utf-8") == first


def test_generate_for_a_stack_needs_the_pulumi_command_and_asks_nothing_before(
    environment: EmulatorProcess,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    requests_before = stats(environment.url)["total"]
    monkeypatch.setenv("PATH", str(tmp_path))
    code, out, err = run(capsys, "generate", "--stack", "dev")
    assert (code, out) == (1, "")
    assert err == (
        "incident-statuses: the pulumi command is not on PATH: the stack is read with "
        "`pulumi stack export`, so run this where `pulumi` works\n"
    )
    code, out, err = run(capsys, "generate", "--cwd", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == "incident-statuses: --cwd names the project folder of --stack: pass --stack too\n"
    assert stats(environment.url)["total"] == requests_before


def test_missing_key_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("INCIDENT_API_KEY", raising=False)
    monkeypatch.setenv("INCIDENT_ENDPOINT", DEAD_ENDPOINT)
    for command in ("list", "generate"):
        code, out, err = run(capsys, command)
        assert (code, out) == (2, "")
        assert err == (
            "incident-statuses: no incident.io API key: set the environment variable "
            "INCIDENT_API_KEY\n"
        )


def test_api_errors_are_one_line_exit_1_and_never_show_the_key(
    environment: EmulatorProcess,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wrong_key = "not-the-emulator-key-4f1b"
    monkeypatch.setenv("INCIDENT_API_KEY", wrong_key)
    out_file = tmp_path / "statuses.py"
    for argv in (["list"], ["generate", "--out", str(out_file)]):
        code, out, err = run(capsys, *argv)
        assert (code, out) == (1, "")
        assert err.startswith("incident-statuses: incident.io rejected GET /v1/incident_statuses")
        assert "401" in err and err.count("\n") == 1
        assert wrong_key not in err
    assert not out_file.exists()


def test_an_unsafe_endpoint_is_refused_before_sending_the_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INCIDENT_API_KEY", API_KEY)
    code, _out, err = run(capsys, "list", "--endpoint", "http://incident.example")
    assert code == 2
    assert "refusing to send the API key over plain http" in err


def test_a_refused_key_is_said_to_be_the_command_lines(
    environment: EmulatorProcess,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("INCIDENT_API_KEY", "not-the-emulator-key")
    code, _out, err = run(capsys, "list", "--endpoint", environment.url)
    assert code == 1
    assert err.endswith(" — check the API key in the environment variable INCIDENT_API_KEY\n")
    assert "pulumi" not in err and "incident:apiKey" not in err
