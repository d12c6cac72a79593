"""The command line: a thin face on the Qt-free core.

Each command is one module in this package exposing `register(subparsers)`, which adds its
parser and sets `func` to a function taking the parsed args and returning an exit status.
Exit statuses: 0 success, 1 a failure the command reports (a side errored, a refused vote),
2 a usage error. With no command the window opens.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from desktop import __version__
from desktop.cli import gui
from desktop.cli.errors import CommandFailed, UsageError  # re-exported: the commands import them here
from desktop.cli.terminal import SafeStream, visible
from desktop.cli.text_args import check_text_args
from desktop.core.base.redact import redact

# Command modules, in the order `--help` lists them.
COMMANDS = ["gui", "ask", "batch", "review", "show", "vote", "leaderboard", "verdict", "judge",
            "promptsets", "report", "export", "merge", "import_votes", "sources", "models", "keys",
            "team", "doctor"]
MODULE_OF = {"import": "import_votes"}  # a command whose module is named otherwise (a keyword)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors; keep that
        self.print_usage(sys.stderr)
        self.exit(2, f"sidebyside: {message}\n")


def build_parser(commands: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser for `commands` (default: all of them)."""
    parser = _Parser(
        prog="sidebyside",
        description="Compare a local open model with a proprietary one, blind and side by side.",
    )
    parser.add_argument("--version", action="version", version=f"Side by Side {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS if commands is None else commands:
        try:
            module = importlib.import_module(f"desktop.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"desktop.cli.{name}":
                continue  # command not built yet
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_local-worker"]:  # the frozen app starts its llama.cpp worker this way
        # deferred: the worker's modules (ctypes, importlib.metadata, ...; ~100 ms) load only in
        # the worker process, not before every command or the window
        from desktop.core.local.worker import main as worker_main  # noqa: PLC0415

        return worker_main()
    # Opening the window is the common case and its start-up time counts: with no arguments no
    # parser is built. A named command builds only its own parser, so it loads only its own
    # modules (the CLI's fast start); anything else (`--help`, a mistake) builds them all.
    if not argv:
        args = argparse.Namespace(command="gui", left=None, right=None, func=gui.run)
    else:
        module = MODULE_OF.get(argv[0], argv[0])
        parser = build_parser([module] if module in COMMANDS else None)
        args = parser.parse_args(argv)
        if args.command is None:
            args = parser.parse_args(["gui", *argv])
    problem = check_text_args(args)
    if problem:  # bytes that are not UTF-8: refused before anything is sent or saved
        print(f"sidebyside: {visible(problem)}", file=sys.stderr)
        return 2
    # Whatever a command prints goes through terminal.visible(): an escape sequence in a model
    # name or an answer is shown, never obeyed by the terminal.
    # Wrapped once: a command run inside another's (tests call main() from several threads)
    # keeps the wrapping it found and leaves it in place.
    streams = sys.stdout, sys.stderr
    wrapped = not isinstance(sys.stdout, SafeStream), not isinstance(sys.stderr, SafeStream)
    if wrapped[0]:
        sys.stdout = SafeStream(sys.stdout)
    if wrapped[1]:
        sys.stderr = SafeStream(sys.stderr, redacting=True)
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a pipe holds output back until exit: meet a closed one here
        return status
    except BrokenPipeError:
        return _output_closed()
    except CommandFailed as exc:
        print(f"sidebyside: {redact(exc.message)}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"sidebyside: {redact(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return 130
    finally:
        if wrapped[0]:
            sys.stdout = streams[0]
        if wrapped[1]:
            sys.stderr = streams[1]


def _output_closed() -> int:
    """The reader of our output went away (`sidebyside ask ... | head`): end quietly. Standard
    output is pointed at /dev/null so that flushing it at exit raises nothing more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return 141  # 128 + SIGPIPE, as a shell reports a command ended by a closed pipe
