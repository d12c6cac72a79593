"""The Hugging Face Hub: search GGUF repositories, list a repository's files, pull and remove them.

Built on `huggingface_hub`, read at each call so the environment decides: `HF_ENDPOINT` (a
mirror, or a test's stand-in), `HF_HOME` / `HF_HUB_CACHE` (where files go), and the token (the
keyring entry `sidebyside keys set huggingface`, else `HF_TOKEN` or the one `hf auth login`
stored). Files land in the Hub's own cache layout (blobs/ + snapshots/<commit>/<file>), so other
tools share them and the window's GGUF scan finds them at once.

A pull asks the Hub for the file's size, SHA-256 and commit (`model_info(files_metadata=True)`),
then the file's metadata (HEAD on /resolve/, which is where a gated repository says no), checks
the free space, and downloads with `huggingface_hub.file_download.http_get` into
`blobs/<etag>.incomplete`. That partial file keeps its name, so a pull that was killed or
cancelled resumes with a Range request (http_get also resumes by itself when a connection drops
mid-file). The finished file is hashed and must match the Hub's SHA-256 before it is moved into
place; a damaged one is deleted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from desktop.core.library import (
    AUTH, BAD_INPUT, CANCELLED, CORRUPT, GATED, NETWORK, NO_SPACE, NOT_FOUND, LibraryError,
)
from desktop.core.library.machine import Machine
from desktop.core.library.quant import DEFAULT_CONTEXT, is_gguf, memory_needed, quant_of

DEFAULT_ENDPOINT = "https://huggingface.co"
KEY_NAME = "huggingface"  # `sidebyside keys set huggingface`
SPACE_MARGIN_BYTES = 200 * 1024**2
HASH_CHUNK = 4 * 1024**2
# huggingface_hub reads a response 10 MB at a time; at 1 MB progress moves smoothly, Cancel
# takes effect within a second even on a slow line, and a kill loses less.
DOWNLOAD_CHUNK_BYTES = 1024**2


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def cache_dir() -> Path:
    """The Hub cache, as huggingface_hub resolves it (read now, not at import)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "huggingface" / "hub"


def token() -> str | None:
    """The user's Hugging Face token from the keyring or HF_TOKEN; None lets huggingface_hub use
    the token `hf auth login` stored, if any."""
    from desktop.core.keys import get_key

    key, _ = get_key(KEY_NAME)
    return key


def _api():
    from huggingface_hub import HfApi

    return HfApi(endpoint=endpoint(), token=token())


def check_repo_id(repo: str) -> str:
    repo = (repo or "").strip().strip("/")
    if repo.startswith(("http://", "https://")):
        repo = urlsplit(repo).path.strip("/")
    parts = repo.split("/")
    if len(parts) != 2 or not all(parts) or any(" " in p for p in parts):
        raise LibraryError(
            BAD_INPUT, f"'{repo}' is not a repository name. Use OWNER/NAME, for example "
            "Qwen/Qwen3-0.6B-GGUF.",
        )
    return repo


# --- errors -------------------------------------------------------------------------------------
def _translate(exc: Exception, repo: str, filename: str = "") -> LibraryError:
    """A plain message for what huggingface_hub (or the network under it) raised."""
    from huggingface_hub import errors as hf

    host = urlsplit(endpoint()).netloc
    page = f"{endpoint()}/{repo}"
    if isinstance(exc, hf.GatedRepoError):
        if token():
            return LibraryError(GATED, (
                f"{repo} is gated and your Hugging Face token has not been granted access yet. "
                f"Accept the licence on {page} (signed in as the token's owner), then pull again."
            ))
        return LibraryError(GATED, (
            f"{repo} is gated: its authors want you to accept their licence first. Accept it on "
            f"{page}, create a token at {endpoint()}/settings/tokens, store it with "
            "`sidebyside keys set huggingface`, then pull again."
        ))
    if isinstance(exc, hf.RepositoryNotFoundError):
        return LibraryError(NOT_FOUND, (
            f"The Hub has no repository {repo} (or it is private). Check the name with "
            "`sidebyside models search`."
        ))
    if isinstance(exc, (hf.RevisionNotFoundError, hf.RemoteEntryNotFoundError,
                        hf.EntryNotFoundError)):
        what = f"the file {filename}" if filename else "that revision"
        return LibraryError(NOT_FOUND, (
            f"{repo} has no {what}. See its files with `sidebyside models files {repo}`."
        ))
    if isinstance(exc, hf.HfHubHTTPError):
        status = exc.response.status_code if exc.response is not None else None
        if status in (401, 403):
            return LibraryError(AUTH, (
                f"The Hub refused the Hugging Face token ({status}). Store a valid one with "
                "`sidebyside keys set huggingface`."
            ))
        return LibraryError(NETWORK, (
            f"The Hub at {host} answered with an error ({status}). Try again in a little while."
        ))
    if isinstance(exc, hf.OfflineModeIsEnabled):
        return LibraryError(NETWORK, "HF_HUB_OFFLINE is set, so the Hub can't be reached. "
                                     "Unset it to search and download.")
    if _is_network_error(exc):
        return LibraryError(NETWORK, (
            f"Couldn't reach the Hugging Face Hub at {host}. Check your internet connection "
            "(or HF_ENDPOINT) and try again; a pull resumes where it stopped."
        ))
    return LibraryError(NETWORK, f"Talking to the Hub failed ({type(exc).__name__}). Try again.")


def _is_network_error(exc: BaseException) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"TransportError", "TimeoutException", "ConnectError", "NetworkError",
                         "RemoteProtocolError", "ConnectionError", "OSError"})


# --- search and files ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RepoHit:
    repo: str
    downloads: int | None
    likes: int | None
    gated: bool


def search(query: str, limit: int = 20) -> list[RepoHit]:
    """GGUF repositories on the Hub matching `query`, most downloaded first."""
    query = (query or "").strip()
    if not query:
        raise LibraryError(BAD_INPUT, "Give words to search for, e.g. `models search qwen3`.")
    try:
        found = list(_api().list_models(search=query, filter="gguf", sort="downloads",
                                        limit=limit))
    except Exception as exc:
        raise _translate(exc, query) from None
    return [RepoHit(m.id, m.downloads, m.likes, bool(m.gated)) for m in found]


@dataclass(frozen=True)
class RepoFile:
    repo: str
    file: str
    quant: str
    size_bytes: int | None
    sha256: str | None
    memory_bytes: int | None
    fits: str  # "yes", "tight", "no" or "" (unknown)
    path: str | None = None  # where it is, once downloaded


@dataclass(frozen=True)
class RepoFiles:
    repo: str
    commit: str
    gated: bool
    licence: str
    files: list[RepoFile] = field(default_factory=list)


def files(repo: str, machine: Machine | None = None, context: int = DEFAULT_CONTEXT,
          revision: str | None = None) -> RepoFiles:
    """The GGUF files of a repository with size, quantisation, SHA-256 and whether each fits."""
    from desktop.core.library.machine import this_machine

    repo = check_repo_id(repo)
    machine = machine or this_machine()
    info = _model_info(repo, revision)
    out = []
    for sibling in info.siblings or []:
        if not is_gguf(sibling.rfilename):
            continue
        size = sibling.lfs.size if sibling.lfs else sibling.size
        need = memory_needed(size, context) if size else None
        out.append(RepoFile(
            repo, sibling.rfilename, quant_of(sibling.rfilename), size,
            sibling.lfs.sha256 if sibling.lfs else None, need,
            machine.fits(need) if need else "", _downloaded(repo, info.sha, sibling.rfilename),
        ))
    licence = ""
    card = getattr(info, "card_data", None)
    if card is not None:
        licence = str(getattr(card, "license", "") or "")
    if not licence:
        licence = next((t[len("license:"):] for t in info.tags or [] if t.startswith("license:")),
                       "")
    return RepoFiles(repo, info.sha or "", bool(info.gated), licence,
                     sorted(out, key=lambda f: (f.size_bytes or 0, f.file)))


def _model_info(repo: str, revision: str | None):
    try:
        return _api().model_info(repo, revision=revision, files_metadata=True)
    except Exception as exc:
        raise _translate(exc, repo) from None


# --- the cache ----------------------------------------------------------------------------------
def _storage(repo: str) -> Path:
    return cache_dir() / ("models--" + repo.replace("/", "--"))


def _downloaded(repo: str, commit: str | None, filename: str) -> str | None:
    if not commit:
        return None
    path = _storage(repo) / "snapshots" / commit / filename
    return str(path) if path.is_file() else None


@dataclass(frozen=True)
class Installed:
    repo: str
    file: str
    path: str
    size_bytes: int
    quant: str

    @property
    def spec(self) -> str:
        return f"local:{self.path}"


def installed() -> list[Installed]:
    """GGUF files in the Hub cache (whoever downloaded them), newest snapshot of each file."""
    root = cache_dir()
    if not root.is_dir():
        return []
    found: dict[tuple[str, str], tuple[float, Installed]] = {}
    for storage in root.glob("models--*"):
        repo = storage.name[len("models--"):].replace("--", "/", 1)
        for snapshot in (storage / "snapshots").glob("*"):
            for path in snapshot.rglob("*"):
                if not is_gguf(path.name) or not path.is_file():
                    continue
                rel = path.relative_to(snapshot).as_posix()
                stat = path.stat()
                item = Installed(repo, rel, str(path), stat.st_size, quant_of(rel))
                previous = found.get((repo, rel))
                if previous is None or stat.st_mtime > previous[0]:
                    found[(repo, rel)] = (stat.st_mtime, item)
    return sorted((item for _, item in found.values()), key=lambda i: (i.repo.lower(), i.file))


def remove(repo: str, filename: str | None = None) -> list[str]:
    """Delete a downloaded file (or every file of a repository) from the Hub cache, with its
    blob when no other snapshot still points at it. Returns the paths removed."""
    repo = check_repo_id(repo)
    storage = _storage(repo)
    targets = [i for i in installed() if i.repo == repo and (filename in (None, i.file))]
    if not targets:
        what = f"{repo}/{filename}" if filename else repo
        raise LibraryError(NOT_FOUND, f"Nothing of {what} is downloaded. See what is with "
                                      "`sidebyside models list`.")
    removed = []
    for snapshot in (storage / "snapshots").glob("*"):
        for item in targets:
            pointer = snapshot / item.file
            if pointer.is_symlink() or pointer.exists():
                blob = pointer.resolve() if pointer.is_symlink() else None
                pointer.unlink()
                removed.append(str(pointer))
                if blob is not None and blob.exists() and not _still_linked(storage, blob):
                    blob.unlink()
    if filename is None:  # a whole repository: its partial downloads go too
        for incomplete in (storage / "blobs").glob("*.incomplete"):
            incomplete.unlink()
    for folder in sorted((storage / "snapshots").rglob("*"), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()  # only what is now empty: other tools' files in the repo stay
    return removed


def _still_linked(storage: Path, blob: Path) -> bool:
    for link in (storage / "snapshots").rglob("*"):
        if link.is_symlink() and link.resolve() == blob:
            return True
    return False


# --- pull ---------------------------------------------------------------------------------------
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
    from huggingface_hub import constants, get_hf_file_metadata, hf_hub_url
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers

    constants.DOWNLOAD_CHUNK_SIZE = min(constants.DOWNLOAD_CHUNK_SIZE, DOWNLOAD_CHUNK_BYTES)

    repo = check_repo_id(repo)
    filename = (filename or "").strip()
    if not filename:
        raise LibraryError(BAD_INPUT, f"Say which file of {repo} to pull; "
                                      f"`sidebyside models files {repo}` lists them.")
    info = _model_info(repo, revision)
    sibling = next((s for s in info.siblings or [] if s.rfilename == filename), None)
    if sibling is None:
        raise LibraryError(NOT_FOUND, f"{repo} has no file {filename}. See its files with "
                                      f"`sidebyside models files {repo}`.")
    commit = info.sha
    storage = _storage(repo)
    pointer = storage / "snapshots" / commit / filename
    if pointer.is_file():
        return _installed(repo, filename, pointer)
    url = hf_hub_url(repo, filename, revision=commit, endpoint=endpoint())
    try:
        meta = get_hf_file_metadata(url, token=token(), endpoint=endpoint())
    except Exception as exc:
        raise _translate(exc, repo, filename) from None
    if not meta.etag:
        raise LibraryError(NETWORK, f"The Hub at {urlsplit(endpoint()).netloc} did not say which "
                                    "version of the file it serves (no ETag); check HF_ENDPOINT.")
    expected_sha = sibling.lfs.sha256 if sibling.lfs else None
    size = meta.size or (sibling.lfs.size if sibling.lfs else sibling.size)
    blobs = storage / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    blob = blobs / meta.etag
    partial = blobs / f"{meta.etag}.incomplete"
    _check_space(blobs, size, partial)

    from filelock import FileLock, Timeout

    locks = cache_dir() / ".locks" / storage.name
    locks.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(locks / f"{meta.etag}.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise LibraryError(BAD_INPUT, f"{filename} is already being downloaded by another "
                                      "Side by Side; wait for it to finish.") from None
    tracker = _Tracker(on_progress, cancel)
    try:
        if not blob.exists():
            headers = build_hf_headers(token=token())
            if urlsplit(meta.location).netloc != urlsplit(url).netloc:
                headers.pop("authorization", None)  # a CDN gets no token, as huggingface_hub does
            with partial.open("ab") as handle:
                resume = handle.tell()
                tracker.start(size, resume)
                try:
                    http_get(meta.location, handle, resume_size=resume, headers=headers,
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
                    raise _translate(exc, repo, filename) from None
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
            (refs / (revision or "main")).write_text(commit, encoding="utf-8")
    finally:
        lock.release()
    if on_progress:
        on_progress(tracker.progress("done"))
    return _installed(repo, filename, pointer)


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
