"""Terminal-safe text: what the command line prints can never drive the terminal.

Model names from an import, answers from a server and messages quoting either may hold ESC or
OSC sequences (retitle the window, clear the screen, fake a prompt). `visible()` is the one
function that makes such text harmless: every control character except newline and tab is
written as a `\\uXXXX` escape (a carriage return too, which would let a text overwrite the
label of its own line; one just before a newline, as Windows ends lines, is dropped). That form was chosen
because it is also a JSON escape: `--json` output passes through unchanged in meaning (JSON
already escapes C0 characters itself; a C1 character or DEL, which JSON leaves raw, becomes the
escape JSON reads back as the very same character), so a script still gets the exact text.

`SafeStream` applies it to everything written to standard output and error while a command
runs (see `desktop.cli.main`), so no printer can forget it. Standard error carries only
messages, so there it also hides credentials inside URLs (`core.base.redact`). The app's own styling (the live
view's colours) is written with `write_styled`, which passes the app's own escape codes
through and still makes the text between them visible; a progress line that redraws itself
writes its own carriage return the same way (`redraw`).
"""

from __future__ import annotations

import re
import threading
from typing import TextIO

from desktop.core.base.redact import redact

# C0 controls but \t and \n, DEL, C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """`text` with every control character that could drive a terminal shown as `\\uXXXX`."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m[0]):04x}", text.replace("\r\n", "\n"))


class SafeStream:
    """A text stream that writes `visible()` text to the stream it wraps; everything else (flush,
    fileno, isatty, encoding, buffer) is the wrapped stream's."""

    def __init__(self, stream: TextIO, *, redacting: bool = False) -> None:
        self.stream = stream
        self.redacting = redacting  # messages only (stderr): never an answer's exact text
        # One writer at a time: two threads printing at once (two votes cast together) must not
        # interleave inside the wrapped stream, which is not made for it.
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        shown = visible(redact(text) if self.redacting else text)
        with self._lock:
            return self.stream.write(shown)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def write_styled(self, *parts: tuple[str, bool]) -> None:
        """Write (text, is_style) parts: style parts are the app's own escape codes and pass
        as they are; text parts are made visible."""
        shown = "".join(p if style else visible(p) for p, style in parts)
        with self._lock:
            self.stream.write(shown)

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def write_styled(out: TextIO, *parts: tuple[str, bool]) -> None:
    """Write (text, is_style) parts to `out`, a SafeStream or any stream (then text parts are
    made visible here, so the result is the same)."""
    if isinstance(out, SafeStream):
        out.write_styled(*parts)
    else:
        out.write("".join(p if style else visible(p) for p, style in parts))


def redraw(out: TextIO, text: str, *, end: str = "") -> None:
    """Draw `text` over the current line (a progress bar): the carriage return is the app's own,
    `text` is made visible like any other."""
    write_styled(out, ("\r", True), (text, False), (end, True))
