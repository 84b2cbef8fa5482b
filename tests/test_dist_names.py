"""Nothing the wheel installs is named as incident.io's own provider names its files, so that both
install into one virtualenv: the check `make dist` runs says so of this release's wheel, and
refuses release 0.2.0's, whose plugin was `pulumi-resource-incident`."""

from __future__ import annotations

from pathlib import Path

from incident_statuses_harness.dist import RELEASE_0_2_0, build_release, load_check_dist

check_dist = load_check_dist()


def test_this_releases_wheel_installs_nothing_named_as_incident_ios(dist_dir: Path) -> None:
    (wheel,) = dist_dir.glob("*.whl")
    assert check_dist.wheel_problems(wheel) == []


def test_release_0_2_0s_wheel_is_refused_for_its_plugins_name(tmp_path: Path) -> None:
    wheel = build_release(RELEASE_0_2_0, tmp_path)
    assert wheel.name == "pulumi_incident_statuses-0.2.0-py3-none-any.whl"
    problems = check_dist.wheel_problems(wheel)
    assert f"{wheel.name}: installs the command pulumi-resource-incident" in problems, problems


def test_files_named_as_incident_ios_are_found_wherever_they_are() -> None:
    names = [
        "pulumi_incident_statuses/__init__.py",
        "pulumi_incident_statuses-0.3.0.data/scripts/pulumi-resource-incident",
        "pulumi_incident/__init__.py",
        "pulumi_incident-1.0.0.dist-info/METADATA",
        "pulumi_incident_statuses/pulumi-resource-incident-statuses",
    ]
    found = check_dist.named_like_theirs(names, ["incident-statuses", "pulumi-resource-incident"])
    assert found == [
        "installs the command pulumi-resource-incident",
        f"holds {names[1]}, named as incident.io's provider's",
        f"holds {names[2]}, named as incident.io's provider's",
        f"holds {names[3]}, named as incident.io's provider's",
    ]
