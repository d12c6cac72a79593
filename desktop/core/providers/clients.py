"""Warm connections: one pooled HTTP client per provider and base URL, for its owner's life.

A fresh client per request paid a TCP + TLS handshake (100–300 ms on the internet) inside the
proprietary side's time to first token. Here a client, once made, keeps its connections alive
between battles; `warm()` opens one ahead, while the user types or the local model loads.
There is no global pool: whoever builds contenders (the window, a CLI command) owns a
`ClientPool`, hands it to them (desktop/core/battle/specs.py) and closes it when it ends
(`close_all()`, or a `with` block). A test hands a pool an httpx transport (`MockTransport`).

Stop must still cut a stream at once, also on a reused connection whose socket no connect hook
will report. So the clients' connections are made through a network backend that wraps each
stream: while a request runs, its thread's `watch()` collects the streams it writes to or reads
from, and Stop shuts those sockets down from the cancelling thread (which wakes a read blocked
on a silent server at once; closing alone does not, on Linux).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from desktop.core.providers.timeouts import CONNECT_TIMEOUT_S

if TYPE_CHECKING:  # httpx loads when a request is made, not when providers are listed
    import ssl

KEEPALIVE_EXPIRY_S = 120.0  # providers close idle connections after ~1–5 min
STILL_WARM_S = 30.0  # a connection used this recently needs no warm-up


def httpx_module():
    """httpx, imported on first use. Every provider module loads at start-up (the window's
    pickers read the registry before it paints), so all of them reach httpx through here."""
    # deferred: httpx, httpcore and ssl cost ~0.1 s, not to be paid before the first paint
    import httpx  # noqa: PLC0415

    return httpx


_ssl_lock = threading.Lock()
_ssl_context: ssl.SSLContext | None = None


def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for all requests: loading the CA bundle costs ~50 ms, which would
    otherwise land in every answer's time to first token. Immutable once made, so shared by
    every pool (a cache, not state any pool depends on)."""
    httpx = httpx_module()

    global _ssl_context
    with _ssl_lock:
        if _ssl_context is None:
            _ssl_context = httpx.create_ssl_context()
        return _ssl_context


def shutdown_stream(stream: Any) -> None:
    # deferred: a stream exists only once httpx (which loads socket) has; the providers load
    # before the window's first paint, socket (with selectors, ~3 ms) need not
    import socket  # noqa: PLC0415

    sock = stream.get_extra_info("socket")
    if sock is None:
        return
    try:
        # The base-class call, so an SSL socket is shut down without touching its SSL state
        # while another thread may be reading it.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class Watch:
    """The streams one request uses, so Stop can shut them down from another thread."""

    def __init__(self, stopped: Callable[[], bool]) -> None:
        self.streams: list[Any] = []
        self.stopped = stopped
        self.lock = threading.Lock()

    def saw(self, stream: Any) -> None:
        with self.lock:
            if stream not in self.streams:
                self.streams.append(stream)
        if self.stopped():
            shutdown_stream(stream)

    def saw_response(self, response: Any) -> None:
        """The stream a response's body is read from (httpcore names it in extensions)."""
        stream = response.extensions.get("network_stream")
        if stream is not None and hasattr(stream, "get_extra_info"):
            self.saw(stream)

    def shutdown(self) -> None:
        with self.lock:
            streams = list(self.streams)
        for stream in streams:
            shutdown_stream(stream)

    def pace_reads(self, pacer: ReadPacer | None) -> None:
        """Every socket read of the streams seen so far waits its turn with `pacer` (None:
        reads go at once again, as the pool's next user expects)."""
        with self.lock:
            streams = list(self.streams)
        for stream in streams:
            if hasattr(stream, "pacer"):
                stream.pacer = pacer


class ReadPacer:
    """Spaces a response's socket reads at least `interval_s` apart while `wanted()` holds.

    A local model answering beside this stream wants every core, and every read of the few bytes
    one token takes is a wake-up of this thread that preempts one of llama.cpp's threads (which
    then stalls the other at its next barrier). What arrives meanwhile waits in the socket's
    buffer at no cost and is parsed in one go; the window paints it at its next frame (10 a
    second while the local side generates), so nothing shows later. Armed only once the first
    text has arrived, so the time to first token is the server's own; the last read lands at
    most `interval_s` after the stream's end."""

    def __init__(self, wanted: Callable[[], bool], cancel_wait: Callable[[float], bool],
                 interval_s: float) -> None:
        self.wanted = wanted
        self.cancel_wait = cancel_wait  # sleeps, waking at once on Stop
        self.interval_s = interval_s
        self.armed = False
        self._last_read = 0.0

    def wait_turn(self) -> None:
        if not self.armed or not self.wanted():
            return
        wait = self._last_read + self.interval_s - time.monotonic()
        if wait > 0:
            self.cancel_wait(wait)

    def read_done(self) -> None:
        self._last_read = time.monotonic()


_current = threading.local()


@contextmanager
def watching(seen: Watch) -> Iterator[Watch]:
    """While the block runs, streams this thread connects, writes or reads go to `seen`."""
    previous = getattr(_current, "watch", None)
    _current.watch = seen
    try:
        yield seen
    finally:
        _current.watch = previous


def _note(stream: Any) -> None:
    seen = getattr(_current, "watch", None)
    if seen is not None:
        seen.saw(stream)


def _backend():
    # deferred: httpcore loads with httpx, when the first client is made (see httpx_module)
    import httpcore  # noqa: PLC0415

    class TrackedStream(httpcore.NetworkStream):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        pacer: ReadPacer | None = None  # set for one response at a time (Watch.pace_reads)

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            _note(self)
            pacer = self.pacer
            if pacer is None:
                return self._inner.read(max_bytes, timeout)
            pacer.wait_turn()
            data = self._inner.read(max_bytes, timeout)
            pacer.read_done()
            return data

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            _note(self)
            self._inner.write(buffer, timeout)

        def close(self) -> None:
            self._inner.close()

        def start_tls(self, ssl_context, server_hostname=None, timeout=None):
            return TrackedStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    class TrackingBackend(httpcore.SyncBackend):
        def connect_tcp(self, *args: Any, **kwargs: Any):
            stream = TrackedStream(super().connect_tcp(*args, **kwargs))
            _note(stream)
            return stream

        def connect_unix_socket(self, *args: Any, **kwargs: Any):
            stream = TrackedStream(super().connect_unix_socket(*args, **kwargs))
            _note(stream)
            return stream

    return TrackingBackend()


class ClientPool:
    """httpx clients by (provider, base URL); made on first use, closed together.

    `transport` (an `httpx.MockTransport` in a test, say) replaces the network for every client
    this pool makes."""

    def __init__(self, transport: Any = None) -> None:
        self._transport = transport
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        self._used: dict[tuple[str, str], float] = {}

    def client(self, provider: str, base_url: str):
        httpx = httpx_module()

        key = (provider, base_url)
        with self._lock:
            client = self._clients.get(key)
            if (client is None or client.is_closed) and self._transport is not None:
                client = httpx.Client(
                    transport=self._transport, follow_redirects=False,
                    timeout=httpx.Timeout(CONNECT_TIMEOUT_S),
                )
                self._clients[key] = client
            elif client is None or client.is_closed:
                # Made as httpx makes any client, so proxies from the environment still apply;
                # then each of its connection pools connects through the tracking backend.
                client = httpx.Client(
                    verify=shared_ssl_context(), follow_redirects=False,
                    timeout=httpx.Timeout(CONNECT_TIMEOUT_S),
                    limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_S),
                )
                transports = [client._transport, *client._mounts.values()]
                for transport in transports:
                    pool = getattr(transport, "_pool", None)
                    if pool is not None and hasattr(pool, "_network_backend"):
                        pool._network_backend = _backend()
                self._clients[key] = client
            return client

    def mark_used(self, provider: str, base_url: str) -> None:
        with self._lock:
            self._used[(provider, base_url)] = time.monotonic()

    def recently_used(self, provider: str, base_url: str) -> bool:
        with self._lock:
            when = self._used.get((provider, base_url))
        return when is not None and time.monotonic() - when < STILL_WARM_S

    def __len__(self) -> int:
        with self._lock:
            return len(self._clients)

    def close_all(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
            self._used.clear()
        for client in clients:
            try:
                client.close()
            except Exception:  # closing must never fail the app's exit
                pass

    close = close_all

    def __enter__(self) -> ClientPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close_all()
