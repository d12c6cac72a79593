"""What every HTTP provider shares: the request, retries, timeouts, stop, and error kinds.

A provider module subclasses `RemoteContender` and supplies only its protocol: the URL, headers
and JSON body, and a parser turning server-sent events into stream items. This module does the
rest, the same way for all of them:

- Timeouts: 10 s to connect; the idle limit (60 s, or `SIDEBYSIDE_IDLE_TIMEOUT`) bounds each wait
  for the next bytes, not the whole answer, so a long answer that keeps flowing never times out.
- Retries happen only before the first piece of text: on 408, 409, 429 (but not an exhausted
  quota), 5xx and 529 and on connection failures; at most two, waiting as `retry-after-ms` or
  `retry-after` asks (up to 60 s) or else 0.5 s doubling to 8 s. Each wait is a `Status` item
  and ends at once on Stop.
- Stop: the socket is shut down from the cancelling thread, which wakes a read blocked on a
  silent server at once (closing the socket alone does not, on Linux); clients.py finds the
  sockets a request uses, new or reused.
- Connections: one pooled client per provider and base URL, in the `ClientPool` (clients.py)
  that whoever built the contender handed it (`clients=`), keeps them alive between battles;
  `prepare()` opens one ahead, so no handshake lands in time to first token. A stream read to
  its end leaves its connection ready for the next request. A contender given no pool makes
  one of its own, which `close()` ends.
- Errors become `ContenderError`s with a stable kind (failures.py reads it from the status and
  body) and a message that names the provider and what to do (http_errors.py, a mixin of
  `RemoteContender`). Text from the server is shortened and scrubbed of the key before it is
  shown. The limits themselves live in timeouts.py.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from desktop.core.base import errors as E
from desktop.core.contenders.answer import Status
from desktop.core.base.keys import require_key
from desktop.core.contenders.base import (
    KEY_REQUIRED, CancelToken, Contender, StreamItem, Thought,
)
from desktop.core.base.errors import ContenderError
from desktop.core.contenders.params import Request
from desktop.core.providers.clients import (
    ClientPool, ReadPacer, Watch, httpx_module, shared_ssl_context, watching,
)
from desktop.core.providers.failures import (  # noqa: F401 - classify etc. re-exported
    RETRY_PHRASES, RETRYABLE_STATUSES, ErrorDetail, RetryableError, RetryPolicy, classify,
    parse_retry_after,
)
from desktop.core.providers.http_errors import MAX_ERROR_BODY, HttpErrors
from desktop.core.providers.timeouts import CONNECT_TIMEOUT_S, idle_timeout_from_env
from desktop.core.providers.sse import SSEParser

if TYPE_CHECKING:  # loaded when a request is made, not when providers are listed (the window's
    import httpx  # pickers read the registry, which imports every provider module, before it
                  # first paints)

    from desktop.core.providers.sse import SSEEvent


def __getattr__(name: str):  # `http.httpx`, for code that reached httpx through this module
    if name == "httpx":
        return httpx_module()
    raise AttributeError(name)


MAX_JSON_BODY = 16 * 1024 * 1024
WARM_WAIT_S = 3.0
MAX_DRAIN_EVENTS = 100  # read past the end of an answer to keep the connection reusable
# While a local model answers beside this stream, socket reads come at most this often (see
# clients.ReadPacer): 20 wake-ups a second instead of one per token (200–2,000 a second). Each
# wake-up costs this thread about 0.3 ms here, whatever it reads: at 200 tok/s its CPU was 17 ms a
# second read every 25 ms, 11 every 50 ms, 7 every 100 ms. The window shows text 10 times a second
# meanwhile (battle_runner), so no text shows later; the last token is seen at most 50 ms late
# (the remote's tokens/s about 1 % low on a 3 s answer that ends while the local one generates).
SHARED_READ_INTERVAL_S = 0.05

class RemoteContender(HttpErrors, Contender):
    """A contender reached over HTTP with a server-sent event stream."""

    label: ClassVar[str] = "The server"  # names the provider in messages: "OpenAI", ...

    def __init__(
        self,
        spec: str,
        model: str,
        kind: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        idle_timeout_s: float | None = None,
        retry: RetryPolicy | None = None,
        clients: ClientPool | None = None,
    ) -> None:
        super().__init__(spec, model, kind)
        # The pool of whoever made this contender (the window, a CLI command), who closes it;
        # or, without one, a pool of its own that `close()` ends.
        self._owns_clients = clients is None
        self.clients = clients if clients is not None else ClientPool()
        env_base = os.environ.get(self.base_url_env, "").strip() if self.base_url_env else ""
        self.base_url = (base_url or env_base or self.default_base_url).rstrip("/")
        self._api_key = api_key
        self.idle_timeout_s = idle_timeout_s
        self.retry = retry or RetryPolicy()
        self._neighbour_busy: Callable[[], bool] | None = None  # see share_machine
        # Done now rather than in stream(): the first keyring lookup probes D-Bus (~0.3 s) and
        # the TLS context loads the CA bundle; neither should count in time to first token.
        self._early_key: str | None = None
        if api_key is None:
            try:
                self._early_key = self.resolve_key()
            except ContenderError:
                pass  # reported by stream(), where the answer can carry it
        shared_ssl_context()

    @classmethod
    def from_spec(cls, spec, kind: str | None = None, *, clients: ClientPool | None = None,
                  workers: object = None) -> "RemoteContender":
        """The contender a parsed spec names; `workers` (local model workers) is not needed."""
        return cls(spec.raw, spec.model, kind, clients=clients)

    def share_machine(self, neighbour_busy: Callable[[], bool] | None) -> None:
        self._neighbour_busy = neighbour_busy

    def close(self) -> None:
        if self._owns_clients:
            self.clients.close_all()

    # --- what a provider supplies -------------------------------------------------------------
    @property
    def key_name(self) -> str:
        """The provider as `sidebyside keys set` names it."""
        return self.provider

    def resolve_key(self) -> str | None:
        """The API key to send; raise `missing_key` when the provider needs one and has none."""
        return require_key(self.provider) if self.key == KEY_REQUIRED else None

    def endpoint(self) -> str:
        raise NotImplementedError

    def headers(self, key: str | None) -> dict[str, str]:
        raise NotImplementedError

    def body(self, request: Request) -> dict:
        raise NotImplementedError

    def parse(self, events: Iterator[SSEEvent]) -> Iterator[StreamItem]:
        raise NotImplementedError

    def parse_json(self, data: Any) -> Iterator[StreamItem]:
        """A 200 answered with plain JSON instead of a stream; providers that can read it do."""
        raise self.protocol_error("answered with JSON instead of an event stream")

    def classify(self, status: int | None, detail: ErrorDetail) -> str:
        return classify(status, detail)

    # --- the shared machinery -----------------------------------------------------------------
    def stream(self, request: Request, cancel: CancelToken) -> Iterator[StreamItem]:
        self._key = key = self._api_key or self._early_key or self.resolve_key()
        url, headers, body = self.endpoint(), self.headers(key), self.body(request)
        attempt = 0
        while True:
            got_text = False
            try:
                for item in self._attempt(url, headers, body, cancel):
                    if isinstance(item, str) and item:
                        got_text = True
                    yield item
                return
            except ContenderError as exc:
                if cancel.is_set():
                    raise ContenderError(E.CANCELLED, "Stopped before the answer was finished.")
                retryable = isinstance(exc, RetryableError)
                if not retryable or got_text:
                    raise ContenderError(exc.kind, self._scrub(exc.message)) from None
                if attempt >= self.retry.max_retries:
                    tries = attempt + 1
                    raise ContenderError(
                        exc.kind, self._scrub(f"{exc.message} (Tried {tries} times.)")
                    ) from None
                delay = self.retry.delay(attempt, exc.retry_after_s)
                attempt += 1
                code = f" ({exc.status})" if exc.status else ""
                yield Status(
                    state="retrying",
                    message=(
                        f"{self.label} {RETRY_PHRASES.get(exc.kind, 'failed')}{code}; trying again "
                        f"in {delay:.1f} s (attempt {attempt + 1} of {self.retry.max_retries + 1})."
                    ),
                    retry_in_s=delay,
                    kind=exc.kind,
                )
                if cancel.wait(delay):
                    raise ContenderError(E.CANCELLED, "Stopped while waiting to try again.")
            except Exception:
                if cancel.is_set():  # whatever a shut-down socket raised, it was our Stop
                    raise ContenderError(E.CANCELLED, "Stopped before the answer was finished.")
                raise

    def _client(self) -> httpx.Client:
        """The pooled client for this provider and server, kept as long as its pool."""
        return self.clients.client(self.provider, self.base_url)

    def _timeout(self) -> httpx.Timeout:
        httpx = httpx_module()

        idle = self.idle_timeout_s or idle_timeout_from_env()
        return httpx.Timeout(connect=CONNECT_TIMEOUT_S, read=idle, write=idle,
                             pool=CONNECT_TIMEOUT_S)

    def prepare(self, request: Request, cancel: CancelToken) -> Iterator[Status]:
        """Open the connection while the other side loads, so no handshake is timed. Waits
        at most WARM_WAIT_S: a server that slow gets reported by the request itself."""
        done = threading.Event()

        def warm() -> None:
            try:
                self.warm()
            finally:
                done.set()

        threading.Thread(target=warm, daemon=True, name=f"warm-{self.provider}").start()
        waited = 0.0
        while not done.wait(0.05) and not cancel.is_set() and waited < WARM_WAIT_S:
            waited += 0.05
        return
        yield  # a generator that reports nothing

    def warm(self) -> None:
        """Leave a live connection to the server in the pool, with a cheap GET of the base URL
        (no key is sent); nothing to do when a request went there moments ago. Failures are
        left for the real request to report."""
        httpx = httpx_module()

        if not self.base_url.startswith(("http://", "https://")):
            return
        if self.clients.recently_used(self.provider, self.base_url):
            return
        try:
            with self._client().stream("GET", self.base_url, timeout=self._timeout()) as resp:
                self._read_limited(resp, MAX_ERROR_BODY)
            self.clients.mark_used(self.provider, self.base_url)
        except (httpx.HTTPError, ContenderError):
            pass

    def _drain(self, events: Iterator[SSEEvent]) -> None:
        """Read what is left after the answer (the end of a chunked body, usually a few bytes),
        so the connection goes back to the pool instead of being closed."""
        try:
            for count, _ in enumerate(events):
                if count >= MAX_DRAIN_EVENTS:
                    return
        except ContenderError:
            pass

    def _attempt(
        self, url: str, headers: dict[str, str], body: dict, cancel: CancelToken
    ) -> Iterator[StreamItem]:
        httpx = httpx_module()

        client = self._client()
        seen = Watch(cancel.is_set)
        unregister = cancel.on_cancel(seen.shutdown)
        try:
            request = client.build_request(
                "POST", url, json=body, headers=headers, timeout=self._timeout()
            )
            try:
                with watching(seen):  # the socket it is sent on, new or reused
                    response = client.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise self._transport_error(exc, before_response=True) from None
            seen.saw_response(response)
            pacer = None
            if self._neighbour_busy is not None:
                pacer = ReadPacer(self._neighbour_busy, cancel.wait, SHARED_READ_INTERVAL_S)
                seen.pace_reads(pacer)
            try:
                if not 200 <= response.status_code < 300:
                    raise self._status_error(response)
                ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if ctype == "application/json":
                    data = self._read_json(response)
                    if isinstance(data, dict) and data.get("error"):
                        raise self._stream_error(data)
                    yield from self.parse_json(data)
                    return
                if ctype and ctype != "text/event-stream":
                    what = "a web page" if "html" in ctype else f"'{ctype}'"
                    raise self.protocol_error(
                        f"answered with {what} instead of an event stream; a proxy or the wrong "
                        "server address may be in the way"
                    )
                events = self._events(response)
                for item in self.parse(events):
                    if pacer is not None and not pacer.armed and isinstance(item, (str, Thought)):
                        pacer.armed = True  # the first token was seen on time; space the rest
                    yield item
                if not cancel.is_set():
                    self._drain(events)
                    self.clients.mark_used(self.provider, self.base_url)
            finally:
                if pacer is not None:
                    seen.pace_reads(None)  # the connection goes back to the pool unpaced
                response.close()
        finally:
            unregister()

    def _events(self, response: httpx.Response) -> Iterator[SSEEvent]:
        httpx = httpx_module()


        parser = SSEParser()
        try:
            for chunk in response.iter_bytes():
                yield from parser.feed(chunk)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, before_response=False) from None
        yield from parser.close()

    def _read_json(self, response: httpx.Response) -> Any:
        raw = self._read_limited(response, MAX_JSON_BODY)
        try:
            return json.loads(raw)
        except ValueError:
            raise self.protocol_error("sent JSON I can't read") from None

    def _read_limited(self, response: httpx.Response, limit: int) -> bytes:
        httpx = httpx_module()

        parts, size = [], 0
        try:
            for chunk in response.iter_bytes():
                parts.append(chunk)
                size += len(chunk)
                if size >= limit:
                    break
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, before_response=False) from None
        return b"".join(parts)


def json_or_protocol_error(contender: RemoteContender, event: SSEEvent) -> Any:
    """The JSON in an event's data, or a `protocol` error naming the provider."""
    try:
        return json.loads(event.data)
    except ValueError:
        raise contender.protocol_error("sent a malformed event (not valid JSON)") from None
