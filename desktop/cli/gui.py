"""`sidebyside gui` (and `sidebyside` alone): open the window."""

from __future__ import annotations

import gc

from desktop.cli.display import no_display_message
from desktop.cli.errors import CommandFailed, UsageError
from desktop.core.base.errors import ContenderError
from desktop.core.battle.specs import parse_spec


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "gui", help="open the window (the default)",
        description="Open the Side by Side window. Contenders given here replace the saved ones.",
    )
    p.add_argument("--left", metavar="SPEC", help="contender 1, e.g. local or openai:gpt-4o-mini")
    p.add_argument("--right", metavar="SPEC", help="contender 2")
    p.add_argument("--reasoning", choices=("off", "low", "medium", "high"),
                   help="how hard reasoning models think (replaces the saved setting)")
    p.set_defaults(func=run)


def run(args) -> int:
    for spec in (args.left, args.right):
        if spec:
            try:
                parse_spec(spec)
            except ContenderError as exc:
                raise UsageError(exc.message) from None
    problem = no_display_message()
    if problem:  # said before Qt is loaded: without a display it aborts the process
        raise CommandFailed(problem)
    # No garbage collection until the window is up: loading Qt and building the window make
    # objects by the hundred thousand, and the collections they set off on the way walk them
    # again (40 collections, 5.5 ms of a 200 ms start here; 12 and 2 ms with this; bench figure
    # 4). Start-up makes almost no cyclic garbage; the window collects once and turns the
    # collector back on after its first paint (main_window._freeze_heap), and so does the
    # finally below, whatever happens.
    gc.disable()
    try:
        try:
            from desktop.gui.app import run as run_window  # noqa: PLC0415
        except ImportError as exc:  # PySide6 missing from this installation
            raise UsageError(
                f"the window needs PySide6, which could not be loaded ({exc}).") from None
        return run_window(args.left, args.right, reasoning=getattr(args, "reasoning", None))
    finally:
        gc.enable()
