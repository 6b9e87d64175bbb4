"""The fast path (cli/fast_path.py) answers `argus parse` and the help pages as typer would.

Each case runs the real console script and the typer app alone in fresh interpreters and
compares exit code, stdout and stderr byte for byte; the modules loaded tell which path answered
(decision 0033). Help pages are argparse's layout, so they are compared by content.
"""

from __future__ import annotations

import os
import re

import pytest
import typer.main
from typer.core import TyperGroup

from argus.cli import app
from argus.cli.fast_path import COMMANDS, HELP_OPTION_HELP
from tests.unit.cli_support import run_argus
from tests.unit.python_parser_support import ROS2_DIR

BAG = str(ROS2_DIR / "talker.mcap")
WITH_ERRORS = str(ROS2_DIR / "wrong_rmw_test_0.mcap")


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize(
    ("args", "fast"),
    [
        (("parse", BAG, "--json"), True),
        (("parse", "--json", BAG, "--engine", "python"), True),
        (("parse", BAG, "--json", "--engine=native", "--threads", "1"), True),
        (("parse", BAG), True),
        (("parse", WITH_ERRORS, "--engine", "auto"), True),
        (("parse", "./no/such/file.mcap", "--json"), True),
        (("parse", BAG + "/", "--threads=2"), True),
        (("parse", "--json", "--", BAG), True),
        (("parse", "-"), True),
        (("parse", "/proc/self/mem"), True),  # a regular file whose read fails (EIO)
        (("parse", "/proc/self/mem", "--engine", "python"), True),
        (("parse", BAG, "--engine"), False),
        (("parse", BAG, "--engine="), False),
        (("parse", BAG, "--json=yes"), False),
        (("parse", BAG, "--engine", "cobol"), False),
        (("parse", BAG, "--threads", "0"), False),
        (("parse", BAG, "--threads", "two"), False),
        (("parse", BAG, "--thr", "2"), False),
        (("parse", BAG, "--bogus"), False),
        (("parse", BAG, BAG), False),
        (("parse",), False),
        (("config", "--bogus"), False),
    ],
)
def test_the_console_script_answers_as_typer_does(args: tuple[str, ...], fast: bool) -> None:
    ours, typers = run_argus(*args), run_argus(*args, via="typer")
    assert (ours.code, ours.stdout, ours.stderr) == (typers.code, typers.stdout, typers.stderr)
    assert ("typer" not in ours.modules) == fast


def test_the_missing_file_and_the_usage_errors_exit_2() -> None:
    missing = run_argus("parse", "./no/such/file.mcap")
    assert (missing.code, missing.stderr) == (2, "no such file: no/such/file.mcap\n")
    assert run_argus("parse", BAG, "--threads", "65").code == 2
    unreadable = run_argus("parse", "/proc/self/mem")
    assert (unreadable.code, unreadable.stderr) == (
        1,
        "cannot read /proc/self/mem: read: Input/output error\n",
    )


def test_a_closed_pipe_ends_quietly_with_exit_1_as_with_typer() -> None:
    for via in ("main", "typer"):
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            ran = run_argus("parse", BAG, "--json", via=via, stdout=write_end)
        finally:
            os.close(write_end)
        assert (ran.code, ran.stderr) == (1, ""), via


def test_the_command_table_is_typers() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    typers = [
        (name, _words((cmd.help or "").split("\n\n")[0])) for name, cmd in group.commands.items()
    ]
    assert list(COMMANDS) == typers


def test_argus_help_lists_every_command_and_no_args_exits_2_as_with_typer() -> None:
    shown = run_argus("--help")
    assert shown.code == 0 and "typer" not in shown.modules
    table = shown.stdout.split("\ncommands:\n")[1]
    listed = re.findall(r"^  (\S+)  ", table, flags=re.MULTILINE)
    assert listed == [name for name, _ in COMMANDS]
    for _, text in COMMANDS:
        assert text in _words(shown.stdout)
    bare, typers = run_argus(), run_argus(via="typer")
    assert bare.code == typers.code == 2
    assert bare.stdout == shown.stdout


@pytest.mark.parametrize(
    "args", [("--threads", "0", "--help"), (BAG, BAG, "--help"), ("--engine", "cobol", "--help")]
)
def test_parse_help_wins_over_other_mistakes_as_with_typer(args: tuple[str, ...]) -> None:
    ours, typers = run_argus("parse", *args), run_argus("parse", *args, via="typer")
    assert ours.code == typers.code == 0
    assert ours.stdout == run_argus("parse", "--help").stdout


def test_parse_help_shows_typers_options_and_their_help() -> None:
    shown = run_argus("parse", "--help")
    assert shown.code == 0 and "typer" not in shown.modules
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    command = group.commands["parse"]
    text = _words(shown.stdout)
    assert _words(command.help or "?") in text
    for param in command.params:
        for name in param.opts if param.param_type_name == "option" else ():
            assert re.search(rf"(^|\s|\[){re.escape(name)}\b", shown.stdout), name
        assert _words(getattr(param, "help", None) or "") in text, param.name
    assert HELP_OPTION_HELP in text
