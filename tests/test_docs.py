"""The README is the user's manual: it must keep up with the commands and settings."""
import re

from kb.cli import build_parser
from kb.settings import SETTINGS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_setup_commands():
    top = README.splitlines()[:10]
    assert any(line.startswith("make run") for line in top)
    assert any(line.startswith("make test") for line in top)


def test_every_setting_is_documented_with_its_default():
    for setting in SETTINGS:
        assert re.search(rf"\| `{setting.name}` \| `{re.escape(setting.default)}` \|", README), setting.name


def test_every_command_is_documented():
    commands = build_parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"`kb {name}" in README, name


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
