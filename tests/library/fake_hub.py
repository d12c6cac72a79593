"""A loopback stand-in for the Hugging Face Hub, serving what `huggingface_hub` asks for.

Routes, with the shapes and headers of huggingface.co as `huggingface_hub` (2.x) reads them:

    GET  /api/models?search=Q&filter=gguf&sort=downloads&limit=N   a JSON list of repositories
         (`gated` only when asked for with expand[]=gated, as the Hub does)
    GET  /api/models/{repo}[/revision/{rev}][?blobs=true]           model info with `siblings`
         (each with `rfilename`, `size`, `blobId` and, for LFS files, `lfs.sha256/size`)
    HEAD /{repo}/resolve/{rev}/{file}   200 with X-Repo-Commit, ETag and X-Linked-Etag (the
         SHA-256 for LFS files), X-Linked-Size, Content-Length
    GET  /{repo}/resolve/{rev}/{file}   the bytes; `Range: bytes=N-` answers 206 + Content-Range

A gated repository answers /resolve with 401 (no token) or 403 (a token not granted) and
`X-Error-Code: GatedRepo`, as the Hub does; an unknown repository 401 with
`X-Error-Code: RepoNotFound`. Faults for downloads:

    stall_after  send that many bytes of the file, then hold the connection open and silent
                 (`stalled` is set; `release()` or stop ends it)
    drop_after   send that many bytes, then close the connection (once)
    corrupt      send the file with one byte changed (the listed SHA-256 stays the true one)
    etag         answer this ETag for every file (a hostile or broken mirror); a hostile commit
                 id or file name is a HubRepo's `commit` or a HubFile's `name`
    serve_any    answer every path it does not know with this file (a mirror that serves a
                 name like ../../x, which the client's URL handling has already folded away)

Every request is recorded (method, path, headers) for assertions.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

COMMIT = "3f1e2d4c5b6a79880a1b2c3d4e5f60718293a4b5"


@dataclass
class HubFile:
    name: str
    data: bytes
    lfs: bool = True

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def git_oid(self) -> str:
        return hashlib.sha1(b"blob %d\0" % len(self.data) + self.data).hexdigest()


@dataclass
class HubRepo:
    repo: str
    files: list[HubFile]
    gated: bool = False
    licence: str = "apache-2.0"
    downloads: int = 1000
    granted_tokens: set[str] = field(default_factory=set)
    commit: str = COMMIT

    def file(self, name: str) -> HubFile | None:
        return next((f for f in self.files if f.name == name), None)


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: dict
    headers: dict


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, format, *args) -> None:
        pass

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_GET(self) -> None:
        self._handle("GET")

    def _handle(self, method: str) -> None:
        hub: FakeHub = self.server.hub
        split = urlsplit(self.path)
        path, query = unquote(split.path), parse_qs(split.query)
        headers = {k.lower(): v for k, v in self.headers.items()}
        hub._record(Seen(method, path, query, headers))
        try:
            if path == "/api/models":
                return self._search(query)
            if path.startswith("/api/models/"):
                return self._info(path[len("/api/models/"):])
            if "/resolve/" in path:
                return self._resolve(method, path, headers)
            if hub.serve_any is not None:  # a hostile mirror: any other path gets a file
                repo = next(iter(hub.repos.values()))
                return self._send_file(method, repo, hub.serve_any, headers)
            self._json(404, {"error": "Not found"})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # --- API ---
    def _search(self, query: dict) -> None:
        hub: FakeHub = self.server.hub
        words = (query.get("search") or [""])[0].lower()
        filters = query.get("filter") or []
        out = []
        for repo in sorted(hub.repos.values(), key=lambda r: -r.downloads):
            if words and words not in repo.repo.lower():
                continue
            if "gguf" in filters and not any(f.name.endswith(".gguf") for f in repo.files):
                continue
            full = {
                "_id": hashlib.md5(repo.repo.encode()).hexdigest()[:24], "id": repo.repo,
                "modelId": repo.repo, "likes": 7, "downloads": repo.downloads, "private": False,
                "gated": "auto" if repo.gated else False, "library_name": "gguf",
                "tags": ["gguf", f"license:{repo.licence}"], "pipeline_tag": "text-generation",
                "createdAt": "2025-05-01T00:00:00.000Z",
            }
            # As huggingface.co: search results leave `gated` out unless it is asked for with
            # expand[]=gated, and with expand[] only the expanded fields come (plus the ids).
            expand = query.get("expand[]") or query.get("expand") or []
            if expand:
                out.append({k: v for k, v in full.items() if k in ("_id", "id", *expand)})
            else:
                out.append({k: v for k, v in full.items() if k != "gated"})
        limit = int((query.get("limit") or ["1000"])[0])
        self._json(200, out[:limit])

    def _info(self, rest: str) -> None:
        hub: FakeHub = self.server.hub
        repo_id, _, revision = rest.partition("/revision/")
        repo = hub.repos.get(repo_id)
        if repo is None:
            return self._error(401, "RepoNotFound", "Repository not found")
        if revision and revision not in ("main", repo.commit):
            return self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        siblings = []
        for f in repo.files:
            sibling = {"rfilename": f.name, "size": len(f.data), "blobId": f.git_oid}
            if f.lfs:
                sibling["lfs"] = {"sha256": f.sha256, "size": len(f.data), "pointerSize": 134}
            siblings.append(sibling)
        self._json(200, {
            "_id": hashlib.md5(repo.repo.encode()).hexdigest()[:24], "id": repo.repo,
            "modelId": repo.repo, "author": repo.repo.split("/")[0], "sha": repo.commit,
            "lastModified": "2025-05-01T00:00:00.000Z", "private": False, "disabled": False,
            "gated": "auto" if repo.gated else False, "downloads": repo.downloads, "likes": 7,
            "library_name": "gguf", "tags": ["gguf", f"license:{repo.licence}"],
            "cardData": {"license": repo.licence}, "siblings": siblings,
            "createdAt": "2025-05-01T00:00:00.000Z",
            "usedStorage": sum(len(f.data) for f in repo.files),
        })

    # --- files ---
    def _resolve(self, method: str, path: str, headers: dict) -> None:
        hub: FakeHub = self.server.hub
        before, _, after = path.lstrip("/").partition("/resolve/")
        revision, _, name = after.partition("/")
        repo = hub.repos.get(before)
        if repo is not None and after.startswith(repo.commit + "/"):  # a commit holding '/'
            revision, name = repo.commit, after[len(repo.commit) + 1:]
        if repo is None:
            return self._error(401, "RepoNotFound", "Repository not found", method)
        if repo.gated:
            auth = headers.get("authorization", "")
            given = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
            if not given:
                return self._error(401, "GatedRepo", (
                    f"Access to model {repo.repo} is restricted. You must have access to it and "
                    "be authenticated to access it. Please log in."), method)
            if given not in repo.granted_tokens:
                return self._error(403, "GatedRepo", (
                    f"Access to model {repo.repo} is restricted and you are not in the "
                    f"authorized list. Visit https://huggingface.co/{repo.repo} to ask for "
                    "access."), method)
        if revision not in ("main", repo.commit):
            return self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}", method)
        hub_file = repo.file(name)
        if hub_file is None:
            return self._error(404, "EntryNotFound", f"{name} does not exist on \"{revision}\"",
                               method)
        self._send_file(method, repo, hub_file, headers)

    def _send_file(self, method: str, repo: HubRepo, hub_file: HubFile, headers: dict) -> None:
        hub: FakeHub = self.server.hub
        data = hub_file.data
        if hub.corrupt:
            data = data[:-1] + bytes([data[-1] ^ 0xFF])
        etag = hub_file.sha256 if hub_file.lfs else hub_file.git_oid
        if hub.etag is not None:  # a hostile server's word for the file's version
            etag = hub.etag
        common = {
            "X-Repo-Commit": repo.commit, "ETag": f'"{hub.etag or hub_file.git_oid}"',
            "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream",
        }
        if hub_file.lfs or hub.etag is not None:
            common["X-Linked-Etag"] = f'"{etag}"'
            common["X-Linked-Size"] = str(len(data))
        start = 0
        wanted = headers.get("range", "")
        if method == "GET" and wanted.startswith("bytes=") and wanted.endswith("-"):
            start = int(wanted[len("bytes="):-1])
        body = data[start:]
        self.send_response(206 if start else 200)
        for key, value in common.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if method == "HEAD":
            return
        hub.downloads_started += 1
        limit = None
        if hub.stall_after is not None:
            limit = hub.stall_after - start if hub.stall_after > start else None
        drop = None
        if hub.drop_after is not None and not hub._dropped:
            drop = hub.drop_after - start if hub.drop_after > start else None
        sent = 0
        for offset in range(0, len(body), 64 * 1024):
            piece = body[offset:offset + 64 * 1024]
            if drop is not None and sent + len(piece) > drop:
                self.wfile.write(piece[:drop - sent])
                self.wfile.flush()
                hub._dropped = True
                self.close_connection = True
                return
            if limit is not None and sent + len(piece) > limit:
                self.wfile.write(piece[:limit - sent])
                self.wfile.flush()
                hub.stalled.set()
                hub._release.wait(60)
                self.close_connection = True
                return
            self.wfile.write(piece)
            sent += len(piece)

    # --- writing ---
    def _json(self, status: int, obj) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, code: str, message: str, method: str = "GET") -> None:
        data = json.dumps({"error": message}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    hub: "FakeHub"


class FakeHub:
    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.hub = self
        self._lock = threading.Lock()
        self.repos: dict[str, HubRepo] = {}
        self.seen: list[Seen] = []
        self.stall_after: int | None = None
        self.drop_after: int | None = None
        self._dropped = False
        self.corrupt = False
        self.etag: str | None = None  # answer this ETag for every file (a hostile server)
        self.serve_any: HubFile | None = None  # answer any unknown path with this file
        self.downloads_started = 0
        self.stalled = threading.Event()
        self._release = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add(self, repo: HubRepo) -> HubRepo:
        self.repos[repo.repo] = repo
        return repo

    def release(self) -> None:
        self._release.set()

    def ranges(self) -> list[str]:
        """The Range headers of the file downloads so far ('' for a whole-file GET)."""
        with self._lock:
            return [s.headers.get("range", "") for s in self.seen
                    if s.method == "GET" and "/resolve/" in s.path]

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def start(self) -> "FakeHub":
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(5)


@contextmanager
def running_fake_hub() -> Iterator[FakeHub]:
    hub = FakeHub().start()
    try:
        yield hub
    finally:
        hub.stop()


def gguf_bytes(folder: Path, name: str = "tiny.gguf", n_words: int = 2000,
               n_embd: int = 128) -> bytes:
    """A tiny random-weight GGUF that llama.cpp loads, ~2.3 MB so a download spans chunks."""
    from tests.local.tiny_gguf import write_tiny_gguf

    path = write_tiny_gguf(folder / name, n_words=n_words, n_embd=n_embd)
    return path.read_bytes()
