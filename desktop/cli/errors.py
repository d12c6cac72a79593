"""The command line's two plain failures. Their own module so that command modules (gui.py) can
raise them without importing the package's `__init__`, which imports them: no import cycle.
`desktop.cli` re-exports both, where the other commands import them."""

from __future__ import annotations


class UsageError(Exception):
    """Bad arguments found after parsing; exit status 2."""


class CommandFailed(Exception):
    """A failure or refusal to report plainly; exit status 1."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
