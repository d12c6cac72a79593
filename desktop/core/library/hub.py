"""The Hugging Face Hub: search GGUF repositories, list a repository's files, see and remove them.

Built on `huggingface_hub`, read at each call so the environment decides: `HF_ENDPOINT` (a
mirror, or a test's stand-in), `HF_HOME` / `HF_HUB_CACHE` (where files go), and the token (the
keyring entry `sidebyside keys set huggingface`, else `HF_TOKEN` or the one `hf auth login`
stored). Files land in the Hub's own cache layout (blobs/ + snapshots/<commit>/<file>), so other
tools share them and the window's GGUF scan finds them at once.

Downloading one file (resume, SHA-256 check, progress and cancel) is its own room,
`desktop.core.library.download`; it shares this module's endpoint, token, cache layout and
translation of the Hub's errors into plain `LibraryError`s.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from desktop.core.library import (
    AUTH, BAD_INPUT, GATED, NETWORK, NOT_FOUND, LibraryError,
)
from desktop.core.library import server_data
from desktop.core.library.memory import Machine, this_machine
from desktop.core.library.quant import DEFAULT_CONTEXT, is_gguf, memory_needed, quant_of
from desktop.core.base.keys import get_key

DEFAULT_ENDPOINT = "https://huggingface.co"
KEY_NAME = "huggingface"  # `sidebyside keys set huggingface`


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
    key, _ = get_key(KEY_NAME)
    return key


def _api():
    from huggingface_hub import HfApi  # noqa: PLC0415

    return HfApi(endpoint=endpoint(), token=token())


def check_repo_id(repo: str) -> str:
    repo = (repo or "").strip().strip("/")
    if repo.startswith(("http://", "https://")):
        repo = urlsplit(repo).path.strip("/")
    parts = repo.split("/")
    if len(parts) != 2 or not all(_REPO_PART.fullmatch(p) and "--" not in p and ".." not in p
                                  and not p.endswith(".") for p in parts):
        shown = ascii(repo)[1:-1] if len(repo) <= 100 else ascii(repo[:97])[1:-1] + "..."
        raise LibraryError(
            BAD_INPUT, f"'{shown}' is not a repository name. Use OWNER/NAME (letters, digits, "
            "'-', '_' and '.'), for example Qwen/Qwen3-0.6B-GGUF.",
        )
    return repo


# The Hub's own rule for each half of a repository id (huggingface_hub validates the same).
_REPO_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}")


@contextlib.contextmanager
def quiet_retries():
    """huggingface_hub logs every retry ("Retrying in 1s [Retry 1/5]") as a warning on
    standard error; the plain message at the end says all a user needs, so they stay quiet."""
    from huggingface_hub import utils as hf_utils  # noqa: PLC0415  (lazily, as everywhere here)

    hf_logging = hf_utils.logging
    before = hf_logging.get_verbosity()  # (importing it set the library's level up)
    hf_logging.set_verbosity(hf_logging.ERROR)
    try:
        yield
    finally:
        hf_logging.set_verbosity(before)


# --- errors -------------------------------------------------------------------------------------
def translate_error(exc: Exception, repo: str, filename: str = "") -> LibraryError:
    """A plain message for what huggingface_hub (or the network under it) raised."""
    from huggingface_hub import errors as hf  # noqa: PLC0415

    host = urlsplit(endpoint()).netloc
    page = f"{endpoint()}/{repo}"
    if isinstance(exc, hf.HFValidationError):
        return LibraryError(BAD_INPUT, (
            f"'{ascii(repo)[1:-1][:100]}' is not something the Hub accepts as a repository name "
            "or file. Use OWNER/NAME, for example Qwen/Qwen3-0.6B-GGUF."
        ))
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
        # The Hub leaves `gated` out of search results unless it is asked for; with `expand`
        # only the fields named come back, so downloads and likes are named too.
        with quiet_retries():
            found = list(_api().list_models(search=query, filter="gguf", sort="downloads",
                                            limit=limit,
                                            expand=["downloads", "likes", "gated"]))
    except Exception as exc:
        raise translate_error(exc, query) from None
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
    repo = check_repo_id(repo)
    machine = machine or this_machine()
    info = model_info(repo, revision)
    out = []
    for sibling in info.siblings or []:
        if not is_gguf(sibling.rfilename) or not server_data.safe_file_name(sibling.rfilename):
            continue  # a name that would leave the snapshot can never be pulled: not listed
        size = server_data.size(sibling.lfs.size if sibling.lfs else sibling.size, endpoint())
        need = memory_needed(size, context) if size else None
        out.append(RepoFile(
            repo, sibling.rfilename, quant_of(sibling.rfilename), size,
            server_data.sha256(sibling.lfs.sha256 if sibling.lfs else None, endpoint()), need,
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


def model_info(repo: str, revision: str | None):
    """The repository's commit, files (with size and SHA-256), gating and card from the Hub;
    the commit id is checked (it becomes a folder name) before anyone uses it."""
    try:
        with quiet_retries():
            info = _api().model_info(repo, revision=revision, files_metadata=True)
    except Exception as exc:
        raise translate_error(exc, repo) from None
    server_data.commit_id(info.sha, endpoint())
    return info


# --- the cache ----------------------------------------------------------------------------------
def repo_storage(repo: str) -> Path:
    """The repository's folder in the Hub cache: models--OWNER--NAME/{blobs,snapshots,refs}."""
    return cache_dir() / ("models--" + repo.replace("/", "--"))


def _downloaded(repo: str, commit: str | None, filename: str) -> str | None:
    if not commit:
        return None
    path = repo_storage(repo) / "snapshots" / commit / filename
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
    storage = repo_storage(repo)
    targets = [i for i in installed() if i.repo == repo and (filename in (None, i.file))]
    if not targets:
        what = f"{repo}/{filename}" if filename else repo
        raise LibraryError(NOT_FOUND, f"Nothing of {what} is downloaded. See what is with "
                                      "`sidebyside models list`.")
    removed = []
    blobs = (storage / "blobs").resolve()
    for snapshot in (storage / "snapshots").glob("*"):
        for item in targets:
            pointer = snapshot / item.file
            if not _inside(pointer.parent, storage) or not (pointer.is_symlink()
                                                            or pointer.exists()):
                continue
            blob = _own_blob(pointer, blobs)
            pointer.unlink()  # the link itself, never what it points to
            removed.append(str(pointer))
            if blob is not None and not _still_linked(storage, blob):
                blob.unlink()
    if filename is None and _inside(storage / "blobs", storage):  # its partial downloads too
        for incomplete in (storage / "blobs").glob("*.incomplete"):
            incomplete.unlink()
    for folder in sorted((storage / "snapshots").rglob("*"), reverse=True):
        if folder.is_dir() and not folder.is_symlink() and _inside(folder, storage) \
                and not any(folder.iterdir()):
            folder.rmdir()  # only what is now empty: other tools' files in the repo stay
    if not removed:
        what = f"{repo}/{filename}" if filename else repo
        raise LibraryError(NOT_FOUND, (
            f"Nothing of {what} was deleted: its files are reached through a link that leads out "
            f"of the Hub cache ({storage}), and Side by Side deletes only inside it."
        ))
    return removed


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path`, links resolved, lies within `folder` (also resolved)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def _own_blob(pointer: Path, blobs: Path) -> Path | None:
    """The blob a snapshot link points to, if it is one of this repository's blobs (a regular
    file directly in its blobs/ folder). A link anywhere else (planted, or made by hand) points
    at something that is not the cache's to delete: only the link goes."""
    if not pointer.is_symlink():
        return None
    try:
        target = pointer.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if target.parent != blobs or target.is_symlink() or not target.is_file():
        return None
    return target


def _still_linked(storage: Path, blob: Path) -> bool:
    for link in (storage / "snapshots").rglob("*"):
        if link.is_symlink() and link.resolve() == blob:
            return True
    return False
