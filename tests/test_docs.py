"""Docs kept with the code: every CLI command and every ECSS_* setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from ecss_crawler import settings
from ecss_crawler.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme() -> None:
    for name in main.commands:
        assert f"ecss-crawler {name}" in README, f"README does not document `ecss-crawler {name}`"


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert len(result.output.splitlines()) > 3


def test_every_ecss_setting_is_in_the_readme() -> None:
    for name in dir(settings):
        if name.startswith("ECSS_"):
            assert name in README, f"README does not document {name}"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r"```bash\n(python -m pytest[^\n]*)\n```", README)
    assert command is not None
    assert command.group(1) in ci.splitlines()


def test_changelog_exists() -> None:
    assert (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").startswith("# Changelog")
