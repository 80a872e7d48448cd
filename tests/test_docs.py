"""The documentation keeps up with the code: a new notebook, command or option fails here until it is described."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from workshop import cli
from workshop.core import settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDE = (ROOT / "facilitator_guide.md").read_text(encoding="utf-8")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the workshop command has no subcommands")


@pytest.mark.parametrize("notebook", sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb")))
def test_every_notebook_is_in_the_facilitator_guide(notebook):
    assert f"`{notebook}`" in GUIDE, f"facilitator_guide.md does not mention notebooks/{notebook}.ipynb"


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_every_command_is_in_the_readme(command):
    assert f"`workshop {command}" in README, f"README.md does not describe `workshop {command}`"


@pytest.mark.parametrize("command,option", [
    (name, opt)
    for name, sub in sorted(_subcommands().items())
    for action in sub._actions
    for opt in action.option_strings
    if opt.startswith("--") and opt not in ("--help", "--db")
])
def test_every_option_is_documented(command, option):
    assert option in README or option in GUIDE, (
        f"`workshop {command} {option}` is described neither in README.md nor in facilitator_guide.md")


@pytest.mark.parametrize("variable", [settings.DB_URL_ENV, settings.HOME_ENV])
def test_every_environment_variable_is_in_the_readme(variable):
    assert variable in README


def test_readme_gives_the_two_commands_that_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make demo" in README and "make test" in README
    assert "make test" in ci
