"""Writing a user's file without touching anything else: the one way report, export and the
other writers put a file in place.

- The destination is looked at without following links (`lstat`). Nothing there: fine. A regular
  file: replaced only with `force`. A link: refused unless `force`, and then the link itself is
  replaced, never the file it points to. A folder, device, FIFO or socket: always a plain refusal,
  `force` or not (replacing a device node with a file would "succeed" and help no one).
- The content goes to a temporary created exclusively (`O_CREAT | O_EXCL | O_NOFOLLOW`) under an
  unpredictable name in the destination's own folder, so nobody can plant a link at its name
  beforehand, and the rename into place is atomic (same file system). It is flushed to disk
  before the rename, so a reader never sees half a file and a crash leaves the old one whole.
- On any failure (a full disk, an exception in the writer, Ctrl-C) the temporary is deleted.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

T = TypeVar("T")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class WriteRefused(OSError):
    """The destination cannot or may not be written; the message says why and what to do.
    `exists` tells a plain "already there, use --force" apart from the other refusals. An
    OSError, so that code which already copes with a failed write copes with this too."""

    def __init__(self, message: str, exists: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.exists = exists


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def check_destination(path: str | Path, force: bool) -> Path:
    """The destination, if it may be written now; WriteRefused otherwise."""
    path = Path(path).expanduser()
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise WriteRefused(f"Could not look at '{path}': {exc.strerror or exc}.") from None
    if info is not None:
        kind = _kind(info.st_mode)
        if kind == "a folder":
            raise WriteRefused(f"'{path}' is a folder; give a file name such as "
                               f"'{path / 'export.csv'}'.")
        if kind == "a link" and not force:
            raise WriteRefused(f"'{path}' is a link. Side by Side does not write through links; "
                               "give another name, or add --force to replace the link itself.")
        if kind not in (None, "a link"):
            raise WriteRefused(f"'{path}' is {kind}, not a regular file; Side by Side will not "
                               "replace it, even with --force. Give another name.")
        if kind is None and not force:
            raise WriteRefused(f"'{path}' already exists. Use --force to replace it, or pick "
                               "another name.", exists=True)
    if not path.parent.is_dir():
        raise WriteRefused(f"Could not write '{path}': the folder '{path.parent}' does not "
                           "exist.")
    return path


def _create_temporary(folder: Path, name: str) -> tuple[int, Path]:
    for _ in range(100):
        # os.urandom, as secrets.token_hex does, without importing secrets (hmac, hashlib,
        # random: ~3 ms before the window paints, since the keys module loads this one)
        candidate = folder / f".{name}.{os.urandom(8).hex()}.tmp"
        try:
            # 0o666: the umask applies, so the file gets the user's usual permissions.
            return os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW,
                           0o666), candidate
        except FileExistsError:
            continue
    raise OSError(errno.EEXIST, "could not create a temporary file")


def write_atomic(path: str | Path, write: Callable[[IO], T], *, force: bool = False,
                 text: bool = True) -> T:
    """Write `path` through `write(handle)` (text: UTF-8, newlines untranslated), atomically;
    returns what `write` returns. WriteRefused for a destination that may not be written;
    OSError for a failure while writing (the temporary is gone either way)."""
    path = check_destination(path, force)
    fd, temporary = _create_temporary(path.parent, path.name)
    try:
        handle = (os.fdopen(fd, "w", encoding="utf-8", newline="") if text
                  else os.fdopen(fd, "wb"))
        with handle:
            result = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        check_destination(path, force)  # again, just before the rename: it may have changed
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return result


def write_text_atomic(path: str | Path, content: str, *, force: bool = False) -> Path:
    """`write_atomic` for a text that is already whole."""
    write_atomic(path, lambda handle: handle.write(content), force=force)
    return Path(path).expanduser()
