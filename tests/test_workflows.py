"""Every GitHub Actions workflow in .github/workflows/: it parses, its commands exist, its
actions are pinned, its permissions are least-privilege, and zizmor (offline) finds nothing."""

from __future__ import annotations

import itertools
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from mkdocs.__main__ import cli as mkdocs_cli

from kbtool.cli import main as kbtool_cli
from tests.support.kb import REPO_ROOT

WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
WORKFLOWS = sorted([*WORKFLOWS_DIR.glob("*.yml"), *WORKFLOWS_DIR.glob("*.yaml")])
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(?:\.\d+)*\s*$")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: not a mapping"
    if True in data:  # YAML 1.1 reads the key `on` as the boolean true
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def shell_commands(script: str) -> list[list[str]]:
    """The simple commands of a ``run:`` script, as argument lists."""
    script = script.replace("\\\n", " ")
    commands = []
    for line in script.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for part in re.split(r"&&|\|\||;|\|", line):
            words = shlex.split(part, comments=True)
            while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
                words = words[1:]  # VAR=value before the command
            if words:
                commands.append(words)
    return commands


def make_targets() -> set[str]:
    text = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z0-9_.-]+):", text, re.M))


def check_click_command(group: click.Group, name: str, args: list[str]) -> None:
    """Parse ``args`` with the real click group: the subcommand and its options must exist."""
    ctx = group.make_context(name, list(args), resilient_parsing=False)
    with ctx:
        rest = [*ctx._protected_args, *ctx.args]
        assert rest, f"`{name}` without a subcommand"
        sub_name, command, sub_args = group.resolve_command(ctx, rest)
        assert command is not None, f"`{name} {rest[0]}`: no such command"
        command.make_context(sub_name or rest[0], sub_args, parent=ctx)


def check_command(words: list[str]) -> None:
    program, args = words[0], words[1:]
    if program == "kbtool":
        try:
            check_click_command(kbtool_cli, "kbtool", args)
        except click.UsageError as err:
            raise AssertionError(f"`{shlex.join(words)}`: {err.format_message()}") from err
    elif program == "mkdocs":
        try:
            check_click_command(mkdocs_cli, "mkdocs", args)
        except click.UsageError as err:
            raise AssertionError(f"`{shlex.join(words)}`: {err.format_message()}") from err
    elif program == "make":
        missing = [t for t in args if not t.startswith("-") and t not in make_targets()]
        assert not missing, f"`{shlex.join(words)}`: no make target {missing}"
    elif program in ("pip", "pip3"):
        assert args[:1] == ["install"], f"`{shlex.join(words)}`: only pip install is expected"
        for flag, value in itertools.pairwise(args):
            if flag in ("-e", "-r"):
                target = REPO_ROOT / value
                assert target.exists(), f"`{shlex.join(words)}`: {value} does not exist"
    else:
        raise AssertionError(f"`{shlex.join(words)}`: unknown program {program!r} in a run step")


def test_the_workflows_are_there() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"links.yml", "pages.yml", "enrich.yml", "watch.yml"} <= names


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in WORKFLOWS])
def test_workflow_shape_pins_and_permissions(path: Path) -> None:
    workflow = load(path)
    assert workflow.get("on"), f"{path.name}: no triggers"
    assert workflow.get("jobs"), f"{path.name}: no jobs"
    # Least privilege: read-only at the top; a job asks for more only for itself.
    top = workflow.get("permissions")
    assert top is not None, f"{path.name}: no top-level permissions"
    assert top == {} or all(v in ("read", "none") for v in top.values()), f"{path.name}: {top}"
    for name, job in workflow["jobs"].items():
        assert "runs-on" in job, f"{path.name}: job {name} has no runs-on"
        assert job.get("steps"), f"{path.name}: job {name} has no steps"
    lines = path.read_text(encoding="utf-8").splitlines()
    for step in steps(workflow):
        uses = step.get("uses")
        if uses is None or uses.startswith("./"):
            continue
        assert PINNED.match(uses), f"{path.name}: {uses} is not pinned to a full commit SHA"
        line = next(line for line in lines if uses in line)
        assert VERSION_COMMENT.search(line), f"{path.name}: {uses} has no '# vX.Y.Z' comment"


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in WORKFLOWS])
def test_run_steps_name_commands_that_exist(path: Path) -> None:
    workflow = load(path)
    scripts = [step["run"] for step in steps(workflow) if "run" in step]
    assert scripts, f"{path.name}: no run steps"
    for script in scripts:
        for words in shell_commands(script):
            check_command(words)


def test_a_workflow_naming_a_command_kbtool_lacks_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    # Not an expected failure, nor a skip: a workflow whose command is gone is broken.
    monkeypatch.delitem(kbtool_cli.commands, "enrich")
    outcome = "passed"
    try:
        test_run_steps_name_commands_that_exist(WORKFLOWS_DIR / "enrich.yml")
    except AssertionError as err:
        outcome = str(err)
    except BaseException as err:  # pytest's xfail and skip outcomes
        outcome = type(err).__name__
    assert "no such command" in outcome.lower()


def test_the_command_check_catches_mistakes() -> None:
    with pytest.raises(AssertionError, match=r"(?i)no such command"):
        check_command(["kbtool", "lnks"])
    with pytest.raises(AssertionError, match="No such option"):
        check_command(["kbtool", "links", "--formt", "github"])
    with pytest.raises(AssertionError, match="Invalid value"):
        check_command(["kbtool", "links", "--format", "xml"])
    with pytest.raises(AssertionError, match="No such option"):
        check_command(["mkdocs", "build", "--strictly"])
    with pytest.raises(AssertionError, match="no make target"):
        check_command(["make", "tests"])
    with pytest.raises(AssertionError, match="unknown program"):
        check_command(["curl", "https://example.org"])
    assert shell_commands("FOO=1 kbtool links && make test \\\n  lint # x\n") == [
        ["kbtool", "links"],
        ["make", "test", "lint"],
    ]


def zizmor() -> str:
    found = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    assert found, "zizmor is not installed (it is in the test extra: pip install -e '.[test]')"
    return found


def test_zizmor_offline_finds_nothing() -> None:
    result = subprocess.run(
        [zizmor(), "--offline", "--strict-collection", "--no-progress", str(WORKFLOWS_DIR)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_would_catch_an_unpinned_action(tmp_path: Path) -> None:
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: push\npermissions: {}\njobs:\n  j:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - uses: actions/checkout@v4\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [zizmor(), "--offline", "--no-progress", str(bad.parent)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout + result.stderr


def test_pages_restores_and_saves_the_page_cache_around_the_build() -> None:
    workflow = load(WORKFLOWS_DIR / "pages.yml")
    names = [step.get("uses", step.get("run", "")) for step in workflow["jobs"]["build"]["steps"]]
    build = next(i for i, n in enumerate(names) if n.startswith("mkdocs build"))
    restore = next(i for i, n in enumerate(names) if n.startswith("actions/cache/restore@"))
    save = next(i for i, n in enumerate(names) if n.startswith("actions/cache/save@"))
    assert restore < build < save
    steps = workflow["jobs"]["build"]["steps"]
    assert steps[restore]["with"]["path"] == steps[save]["with"]["path"] == ".kbtool-cache/site"
    key = steps[save]["with"]["key"]
    assert key == steps[restore]["with"]["key"]
    assert key.startswith(steps[restore]["with"]["restore-keys"])
