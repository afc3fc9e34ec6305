""""Possible options" for a mistyped flag, matched on the option names without their leading dashes.

The parser compares the typo with every long option as written, and the "--" that all of them share makes
short names look alike: `--cleen` came back as `--clean` or `--seed`, `--version` as `--json`. The root
command group recomputes the list from the names alone, so it holds a close option or nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from difflib import get_close_matches
from typing import Any

from typer._click.exceptions import NoSuchOption
from typer.core import TyperGroup


def close_options(typo: str, options: Iterable[str]) -> list[str]:
    """The long options whose names are close to the typo's (difflib's ratio, as the parser uses)."""
    names = {option.lstrip("-"): option for option in options if option.startswith("--")}
    return [names[name] for name in get_close_matches(typo.lstrip("-"), list(names))]


@contextmanager
def _closer_suggestions() -> Iterator[None]:
    try:
        yield
    except NoSuchOption as exc:
        if exc.possibilities is not None and exc.ctx is not None:
            params = exc.ctx.command.get_params(exc.ctx)
            exc.possibilities = close_options(exc.option_name, [o for p in params for o in (*p.opts, *p.secondary_opts)])
        raise


class SegueGroup(TyperGroup):
    """The `segue` group: its own options and every subcommand's are parsed under closer suggestions."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        with _closer_suggestions():
            return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        with _closer_suggestions():
            return super().invoke(ctx)
