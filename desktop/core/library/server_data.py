"""What a Hub or mirror says is data, checked before any path is built from it.

A commit id, an ETag, a file name or a size comes from whatever server HF_ENDPOINT names, and the
cache layout turns them into paths (`snapshots/<commit>/<file>`, `blobs/<etag>`). A hostile or
broken server answering `../..` would otherwise make a pull write outside the cache. Each value
is checked here; a bad one is refused with a message naming the server, before anything is
written.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from desktop.core.library import BAD_SERVER, LibraryError

COMMIT = re.compile(r"[0-9a-f]{40}")
SHA256 = re.compile(r"[0-9a-f]{64}")
# An ETag as huggingface_hub hands it over (quotes and W/ already gone): the Hub's are git or
# SHA-256 hashes. Letters, digits, '.', '_' and '-', starting with a letter or digit, can never
# name a folder or step out of one.
ETAG = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,127}")
MAX_SIZE = 2**50  # 1 PiB: any bigger "size" is nonsense, not a file
MAX_NAME = 1024


def _host(endpoint: str) -> str:
    return urlsplit(endpoint).netloc or endpoint


def _refuse(endpoint: str, what: str, value: object) -> LibraryError:
    shown = ascii(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return LibraryError(BAD_SERVER, (
        f"The Hub at {_host(endpoint)} sent {what} that Side by Side will not use ({shown}); "
        "nothing was written. Check HF_ENDPOINT: it should name the Hugging Face Hub or a "
        "faithful mirror of it."
    ))


def commit_id(value: object, endpoint: str) -> str:
    if not isinstance(value, str) or not COMMIT.fullmatch(value):
        raise _refuse(endpoint, "a commit id that is not 40 hexadecimal digits", value)
    return value


def etag(value: object, endpoint: str) -> str:
    if not isinstance(value, str) or not ETAG.fullmatch(value):
        raise _refuse(endpoint, "a file version (ETag) that is not a plain hash", value)
    return value


def sha256(value: object, endpoint: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not SHA256.fullmatch(value.lower()):
        raise _refuse(endpoint, "a SHA-256 that is not 64 hexadecimal digits", value)
    return value.lower()


def size(value: object, endpoint: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SIZE:
        raise _refuse(endpoint, "a file size that is not a sensible number of bytes", value)
    return value


def safe_file_name(value: object) -> bool:
    """Whether a repository file name stays inside its snapshot folder, whatever the system:
    relative, forward slashes only, no empty, '.' or '..' part, no control characters."""
    if not isinstance(value, str) or not value or len(value) > MAX_NAME:
        return False
    if "\\" in value or ":" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return False
    parts = value.split("/")
    return not value.startswith("/") and all(p not in ("", ".", "..") for p in parts) \
        and PurePosixPath(value).parts == tuple(parts)


def file_name(value: object, endpoint: str) -> str:
    if not safe_file_name(value):
        raise _refuse(endpoint, "a file name that would leave the model's folder", value)
    return value  # type: ignore[return-value]
