"""`segue --help` for every command, suggestions for mistyped flags, and blank prompts refused in one line."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from agent.cli import app
from agent.cli.suggest import close_options


def command_paths(command, path=()) -> list[tuple[str, ...]]:
    """Every command and group under `segue`, as the words that name it."""
    found = [path]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += command_paths(sub, (*path, name))
    return found


COMMANDS = command_paths(typer.main.get_command(app))


def run(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "120"})


def test_every_command_is_covered():
    names = {" ".join(p) for p in COMMANDS}
    assert {"", "generate", "refine", "export", "search", "serve", "daylist", "profile show", "profile block",
            "catalog stats", "eval run"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "segue")
def test_help_names_arguments_in_capitals_and_flags_without_a_type(path):
    out = run(*path, "--help")
    assert out.exit_code == 0, out.output
    usage = next(line for line in out.output.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage
    assert all(word.isupper() for word in re.findall(r"\b[A-Za-z_]+\b", usage.split("[OPTIONS]")[-1]))
    assert "<bool>" not in out.output and "BOOLEAN" not in out.output
    help_row = next(line for line in out.output.splitlines() if "--help" in line)
    assert re.search(r"--help\s+Show this message", help_row), help_row


def test_generate_usage_and_flags():
    out = run("generate", "--help")
    assert "Usage: segue generate [OPTIONS] PROMPT" in out.output
    assert "Usage: segue refine [OPTIONS] PLAYLIST_ID INSTRUCTION" in run("refine", "--help").output
    for flag in ("--clean", "--json"):
        row = next(line for line in out.output.splitlines() if line.startswith(f"│ {flag} "))
        assert re.search(flag + r"\s{2,}[A-Z][a-z]", row), row  # straight to the help text, no type between


@pytest.mark.parametrize(("args", "suggested"), [
    (("generate", "x", "--cleen"), ["--clean"]),
    (("generate", "x", "--jsn"), ["--json"]),
    (("generate", "x", "--minute", "5"), ["--minutes"]),
    (("generate", "x", "--outptu", "f"), ["--output"]),
    (("generate", "x", "--version"), ["--prompt-version"]),
    (("generate", "x", "--limit", "5"), []),
    (("generate", "x", "--explicit"), []),
    (("profile", "show", "me", "--jsno"), ["--json"]),
    (("export", "pl_x", "--fromat", "xspf"), ["--format"]),
    (("--hlep",), ["--help"]),
])
def test_an_unknown_flag_suggests_only_close_options(args, suggested):
    out = run(*args)
    assert out.exit_code == 2
    text = " ".join(out.output.split())
    assert f"No such option: {args[-1] if args[-1].startswith('--') else args[-2]}" in text
    shown = re.search(r"\(Possible options: ([^)]*)\)", text)
    assert (shown.group(1).split(", ") if shown else []) == suggested


def test_close_options_ignores_the_shared_dashes():
    options = ["--count", "--minutes", "--clean", "--seed", "--json", "--prompt-version", "-o", "--output"]
    assert close_options("--cleen", options) == ["--clean"]
    assert close_options("--version", options) == ["--prompt-version"]
    assert close_options("--zzz", options) == []
    assert close_options("-x", options) == []


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEGUE_", "OPENAI"))}
    return subprocess.run([sys.executable, "-m", "agent.cli", *args], env=env | {"COLUMNS": "80"},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("args", "field"), [(("generate",), "prompt"), (("refine", "pl_0123456789abcdef"), "instruction")])
@pytest.mark.parametrize("blank", ["   ", "\t\n ", "\u3000"])
def test_a_blank_text_is_the_same_one_line_error_as_an_empty_one(args, field, blank):
    empty, refused = _cli(*args, ""), _cli(*args, blank)
    assert refused.returncode == empty.returncode == 2
    assert refused.stderr == empty.stderr == f"error: {field}: String should have at least 1 character\n"
    assert refused.stdout == ""
