"""The `segue` command line. Heavy libraries load only inside the commands that need them.

Exit codes: 0 ok · 1 unexpected error · 2 invalid input or usage · 3 store unavailable or corrupt ·
4 not found · 5 model unavailable (fallback disabled) · 6 an eval threshold failed."""

from __future__ import annotations

import sys

import typer

from agent.cli import catalog as catalog_cmds
from agent.cli import generate as generate_cmds
from agent.cli.output import fail
from agent.cli.suggest import SegueGroup

app = typer.Typer(
    name="segue",
    cls=SegueGroup,
    help="Segue — an AI DJ. A free-text prompt becomes a sequenced playlist with DJ narration.\n\n"
    'Example:  segue generate "rainy Sunday coffee, mellow indie, no explicit, about 40 minutes"',
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    add_completion=False,
)
generate_cmds.register(app)
catalog_cmds.register(app)

for _name in ("profile", "prompted", "serve", "evals", "daylist", "mcp", "library"):
    try:
        __import__(f"agent.cli.{_name}", fromlist=["register"]).register(app)
    except ImportError:
        pass

EXIT_CODES = {"InvalidInput": 2, "SegueError": 2, "StoreError": 3, "NotFound": 4, "UpstreamError": 5}


def exit_code(exc: Exception) -> int:
    """The code of the nearest domain error class (a StoreUnavailable is a StoreError: 3)."""
    return next((EXIT_CODES[c.__name__] for c in type(exc).__mro__ if c.__name__ in EXIT_CODES), 2)


def main() -> None:
    from core.errors import SegueError

    try:
        app()
    except SegueError as exc:
        fail(str(exc), exit_code(exc))
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as exc:  # never a traceback for users
        fail(f"unexpected error: {exc.__class__.__name__}: {exc}", 1)


if __name__ == "__main__":
    main()
    sys.exit(0)
