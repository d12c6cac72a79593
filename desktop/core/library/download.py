"""Downloading one file from the Hugging Face Hub into its cache: progress, cancel, resume and a
SHA-256 check.

A pull asks the Hub for the file's size, SHA-256 and commit (`model_info(files_metadata=True)`),
then the file's metadata (HEAD on /resolve/, which is where a gated repository says no), checks
the free space, and downloads with `huggingface_hub.file_download.http_get` into
`blobs/<etag>.incomplete`. That partial file keeps its fixed name, so a pull that was killed or
cancelled resumes with a Range request (http_get also resumes by itself when a connection drops
mid-file). The finished file is hashed and must match the Hub's SHA-256 before it is moved to
`blobs/<etag>`; a damaged one is deleted. The blob is then linked in as
`snapshots/<commit>/<file>` (and `refs/<revision>` names the commit), the Hub's own cache layout,
so `hub.installed()`, other tools and the window's GGUF scan find it at once. A file lock per blob
keeps two Side by Sides from writing the same partial file.

Endpoint, token, cache location and error messages come from `desktop.core.library.hub`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from desktop.core.library import (
    BAD_INPUT, CANCELLED, CORRUPT, NETWORK, NO_SPACE, NOT_FOUND, LibraryError,
)
from desktop.core.library import server_data
from desktop.core.library.hub import (
    Installed, cache_dir, check_repo_id, endpoint, model_info, quiet_retries, repo_storage, token,
    translate_error,
)
from desktop.core.library.quant import quant_of
from desktop.core.base.safe_write import write_text_atomic

SPACE_MARGIN_BYTES = 200 * 1024**2
HASH_CHUNK = 4 * 1024**2
# huggingface_hub reads a response 10 MB at a time; at 1 MB progress moves smoothly, Cancel
# takes effect within a second even on a slow line, and a kill loses less.
DOWNLOAD_CHUNK_BYTES = 1024**2


@dataclass(frozen=True)
class Progress:
    state: str  # "downloading", "verifying" or "done"
    done_bytes: int
    total_bytes: int | None
    speed_bps: float | None  # over this session, not counting bytes resumed from before
    eta_s: float | None


class _Tracker:
    """Receives http_get's progress-bar calls; reports Progress and carries out a cancel."""

    def __init__(self, report: Callable[[Progress], None] | None,
                 cancel: threading.Event | None) -> None:
        self.report = report
        self.cancel = cancel
        self.total: int | None = None
        self.done = 0
        self.started_at = time.monotonic()
        self.start_bytes = 0
        self.last_report = 0.0

    def start(self, total: int | None, initial: int) -> None:
        self.total = total or self.total
        self.done = initial
        self.start_bytes = initial
        self.started_at = time.monotonic()

    def advance(self, n: int) -> None:
        self.done += n
        if self.cancel is not None and self.cancel.is_set():
            raise LibraryError(CANCELLED, "Download cancelled; `models pull` again resumes it.")
        now = time.monotonic()
        if self.report and (now - self.last_report >= 0.1 or self.done == self.total):
            self.last_report = now
            self.report(self.progress())

    def progress(self, state: str = "downloading") -> Progress:
        elapsed = time.monotonic() - self.started_at
        fresh = self.done - self.start_bytes
        speed = fresh / elapsed if elapsed > 0 and fresh > 0 else None
        eta = (self.total - self.done) / speed if speed and self.total else None
        return Progress(state, self.done, self.total, speed, eta)

    def bar_class(self):
        tracker = self

        class Bar:  # huggingface_hub builds it as Bar(total=..., initial=..., desc=..., ...)
            def __init__(self, **kwargs) -> None:
                tracker.start(kwargs.get("total"), int(kwargs.get("initial") or 0))

            def __enter__(self):
                return self

            def __exit__(self, *exc) -> bool:
                return False

            def update(self, n: int = 1) -> None:
                tracker.advance(n)

        return Bar


def pull(repo: str, filename: str, *, on_progress: Callable[[Progress], None] | None = None,
         cancel: threading.Event | None = None, revision: str | None = None) -> Installed:
    """Download one file into the Hub cache, resuming a partial one, and verify its SHA-256."""
    # deferred: huggingface_hub (requests, tqdm, ...) loads only when a model is downloaded
    from huggingface_hub import (  # noqa: PLC0415
        constants, file_download, get_hf_file_metadata, hf_hub_url, utils as hf_utils,
    )

    constants.DOWNLOAD_CHUNK_SIZE = min(constants.DOWNLOAD_CHUNK_SIZE, DOWNLOAD_CHUNK_BYTES)

    repo = check_repo_id(repo)
    filename = (filename or "").strip()
    if not filename:
        raise LibraryError(BAD_INPUT, f"Say which file of {repo} to pull; "
                                      f"`sidebyside models files {repo}` lists them.")
    info = model_info(repo, revision)  # its commit id is checked there
    sibling = next((s for s in info.siblings or [] if s.rfilename == filename), None)
    if sibling is None:
        raise LibraryError(NOT_FOUND, f"{repo} has no file {filename}. See its files with "
                                      f"`sidebyside models files {repo}`.")
    server = endpoint()
    server_data.file_name(sibling.rfilename, server)
    commit = info.sha
    storage = repo_storage(repo)
    snapshot = storage / "snapshots" / commit
    pointer = snapshot / filename
    if not _within(pointer, snapshot):  # belt and braces: checked by name above
        server_data.file_name("../" + filename, server)
    if pointer.is_file():
        return _installed(repo, filename, pointer)
    url = hf_hub_url(repo, filename, revision=commit, endpoint=endpoint())
    try:
        with quiet_retries():
            meta = get_hf_file_metadata(url, token=token(), endpoint=endpoint())
    except Exception as exc:
        raise translate_error(exc, repo, filename) from None
    if not meta.etag:
        raise LibraryError(NETWORK, f"The Hub at {urlsplit(endpoint()).netloc} did not say which "
                                    "version of the file it serves (no ETag); check HF_ENDPOINT.")
    etag = server_data.etag(meta.etag, server)
    expected_sha = server_data.sha256(sibling.lfs.sha256 if sibling.lfs else None, server)
    size = server_data.size(meta.size, server) or server_data.size(
        sibling.lfs.size if sibling.lfs else sibling.size, server)
    blobs = storage / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    blob = blobs / etag
    partial = blobs / f"{etag}.incomplete"
    _check_space(blobs, size, partial)

    from filelock import FileLock, Timeout  # noqa: PLC0415

    locks = cache_dir() / ".locks" / storage.name
    locks.mkdir(parents=True, exist_ok=True)
    lock_path = locks / f"{etag}.lock"
    lock = FileLock(str(lock_path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise LibraryError(BAD_INPUT, f"{filename} is already being downloaded by another "
                                      "Side by Side; wait for it to finish.") from None
    except OSError as exc:  # a link planted at the lock's fixed name is not followed
        raise LibraryError(CORRUPT, (
            f"Could not take the download lock {lock_path}: {exc.strerror or exc}. If it is a "
            "link or not a regular file, delete it and pull again."
        )) from None
    tracker = _Tracker(on_progress, cancel)
    try:
        if not blob.exists():
            headers = hf_utils.build_hf_headers(token=token())
            if urlsplit(meta.location).netloc != urlsplit(url).netloc:
                headers.pop("authorization", None)  # a CDN gets no token, as huggingface_hub does
            with _open_partial(partial) as handle:
                resume = handle.tell()
                tracker.start(size, resume)
                try:
                    file_download.http_get(meta.location, handle, resume_size=resume, headers=headers,
                                           expected_size=size, displayed_filename=filename,
                                           tqdm_class=tracker.bar_class())
                except LibraryError:
                    raise
                except Exception as exc:
                    if isinstance(exc, OSError) and "Consistency check failed" in str(exc):
                        partial.unlink(missing_ok=True)
                        raise LibraryError(CORRUPT, (
                            f"The download of {filename} ended at the wrong size, so it was "
                            "deleted. Pull again."
                        )) from None
                    raise translate_error(exc, repo, filename) from None
            if on_progress:
                on_progress(tracker.progress("verifying"))
            if expected_sha and _sha256(partial, cancel) != expected_sha:
                partial.unlink(missing_ok=True)
                raise LibraryError(CORRUPT, (
                    f"The downloaded {filename} is damaged: its SHA-256 doesn't match the one the "
                    "Hub lists, so it was deleted. Pull again to download it afresh."
                ))
            os.replace(partial, blob)
        _link(blob, pointer)
        if revision is None or revision != commit:
            refs = storage / "refs"
            refs.mkdir(parents=True, exist_ok=True)
            # Replaced, never written through: a link planted at refs/main stays harmless.
            write_text_atomic(refs / (revision or "main"), commit, force=True)
    finally:
        lock.release()
    if on_progress:
        on_progress(tracker.progress("done"))
    return _installed(repo, filename, pointer)


def _within(path: Path, folder: Path) -> bool:
    return os.path.normpath(path).startswith(os.path.normpath(folder) + os.sep)


def _open_partial(partial: Path):
    """The partial download, opened to append. Its name is fixed (that is what lets a later pull
    resume it) and lives in the cache's own blobs folder, under the per-blob lock; it is opened
    without following a link, and anything there that is not a regular file of its own (a
    hard link shared with another file included) is refused rather than written through."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(partial, flags, 0o666)
    except OSError as exc:
        raise LibraryError(CORRUPT, (
            f"Could not write the partial download {partial}: {exc.strerror or exc}. If it is a "
            "link or not a regular file, delete it and pull again."
        )) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise LibraryError(CORRUPT, f"{partial} is not a regular file; delete it and pull again.")
    if info.st_nlink > 1:
        # A hard link planted at the fixed name would make the download append to (and then
        # move away) a file that also lives elsewhere: a partial of ours has one name only.
        os.close(fd)
        raise LibraryError(CORRUPT, (
            f"{partial} is also another file (it has {info.st_nlink} names), so Side by Side "
            "will not write to it. Delete it (only that name) and pull again."
        ))
    handle = os.fdopen(fd, "ab")
    handle.seek(0, os.SEEK_END)
    return handle


def _installed(repo: str, filename: str, pointer: Path) -> Installed:
    return Installed(repo, filename, str(pointer), pointer.stat().st_size, quant_of(filename))


def _check_space(folder: Path, size: int | None, partial: Path) -> None:
    if not size:
        return
    have = partial.stat().st_size if partial.exists() else 0
    needed = max(size - have, 0)
    free = shutil.disk_usage(folder).free
    if free < needed + SPACE_MARGIN_BYTES:
        raise LibraryError(NO_SPACE, (
            f"Not enough disk space: this needs {needed / 1e9:.1f} GB more in {folder}, and "
            f"{free / 1e9:.1f} GB is free. Free some space, or set HF_HOME to a bigger disk."
        ))


def _sha256(path: Path, cancel: threading.Event | None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            if cancel is not None and cancel.is_set():
                raise LibraryError(CANCELLED, "Cancelled while checking the download; "
                                              "`models pull` again checks it again.")
            digest.update(chunk)
    return digest.hexdigest()


def _link(blob: Path, pointer: Path) -> None:
    """snapshots/<commit>/<file> -> ../../blobs/<etag>, as huggingface_hub lays its cache out;
    where symlinks are not allowed (Windows without developer mode) the blob moves instead."""
    pointer.parent.mkdir(parents=True, exist_ok=True)
    if pointer.is_symlink() or pointer.exists():
        pointer.unlink()
    try:
        os.symlink(os.path.relpath(blob, pointer.parent), pointer)
    except OSError:
        shutil.move(str(blob), str(pointer))
