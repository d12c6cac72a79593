"""How an HTTP provider's failures read: the error translation `RemoteContender` inherits.

Every failure of a request ends here and leaves as a `ContenderError` with a stable kind
(failures.py classifies the status and body) and a message that names the provider, says what
happened and what to do. Kept apart from http.py, which moves the bytes, because this is about
words: a provider adjusts them by overriding `error_message` (compat.py, ollama.py).
Invariants:
- Text from the server is shortened and scrubbed of the API key before it is shown.
- Only transient failures (connection trouble, 408/409/429 short of an exhausted quota, 5xx,
  an overloaded stream) come back as `RetryableError`; the request decides whether to retry.
- httpx is imported when a failure is translated, never at module level: listing providers
  must not load the transport (the window's pickers import every provider before first paint).

The mixin reads from the class that uses it: `label`, `model`, `key_name`, `base_url`,
`_api_key`, `idle_timeout_s`, `classify()` and `_read_limited()` (RemoteContender has them all).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from desktop.core.base import errors as E
from desktop.core.base.errors import ContenderError
from desktop.core.base.redact import host_of
from desktop.core.providers.clients import httpx_module
from desktop.core.providers.failures import (
    RETRYABLE_STATUSES, ErrorDetail, RetryableError, parse_retry_after,
)
from desktop.core.providers.timeouts import (
    CONNECT_TIMEOUT_S, IDLE_TIMEOUT_ENV, idle_timeout_from_env,
)

if TYPE_CHECKING:
    import httpx

MAX_ERROR_BODY = 64 * 1024


def _shorten(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class HttpErrors:
    """Failures of an HTTP request, as `ContenderError`s a person can act on."""

    def _scrub(self, text: str) -> str:
        key = getattr(self, "_key", None) or self._api_key
        if key and len(key) >= 4 and key in text:
            text = text.replace(key, "[key hidden]")
        return text

    def _host(self) -> str:
        return host_of(self.base_url)

    def protocol_error(self, what: str) -> ContenderError:
        return ContenderError(
            E.PROTOCOL,
            f"{self.label} {what}. Try again; if it keeps happening, check the server address "
            f"({self._host()}).",
        )

    def _transport_error(self, exc: httpx.HTTPError, before_response: bool) -> ContenderError:
        httpx = httpx_module()

        # "OpenAI at api.example.com", but a compat: server's label is its host already.
        host = self._host()
        where = self.label if self.label == host else f"{self.label} at {host}"
        if isinstance(exc, httpx.ConnectTimeout):
            return ContenderError(
                E.TIMEOUT,
                f"Couldn't reach {where} within {CONNECT_TIMEOUT_S:.0f} s. Check "
                "your internet connection and try again.",
            )
        if isinstance(exc, httpx.TimeoutException):
            idle = self.idle_timeout_s or idle_timeout_from_env()
            return ContenderError(
                E.TIMEOUT,
                f"{self.label} sent nothing for {idle:g} s, so I stopped waiting. Try again, or "
                f"allow longer waits with {IDLE_TIMEOUT_ENV}=SECONDS.",
            )
        if isinstance(exc, httpx.ConnectError):
            reason = _shorten(str(exc), 120) or "connection failed"
            return RetryableError(
                E.NETWORK,
                f"Couldn't connect to {where} ({reason}). Check your internet "
                "connection and the server address.",
            )
        if isinstance(exc, (httpx.TransportError, httpx.StreamError)):
            if before_response:
                message = (
                    f"The connection to {where} failed before it answered. "
                    "Check your internet connection and try again."
                )
            else:
                message = (
                    f"The connection to {self.label} dropped before the answer was finished. "
                    "Try again."
                )
            return RetryableError(E.NETWORK, message)
        return ContenderError(E.NETWORK, f"Talking to {self.label} failed ({type(exc).__name__}).")

    def _status_error(self, response: httpx.Response) -> ContenderError:
        status = response.status_code
        raw = self._read_limited(response, MAX_ERROR_BODY)
        ctype = response.headers.get("content-type", "").lower()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        detail = ErrorDetail.from_json(data)
        if not detail.message and raw and "html" not in ctype:
            detail.message = raw.decode("utf-8", "replace")
        kind = self.classify(status, detail)
        message = self.error_message(kind, status, detail, html="html" in ctype)
        retry_after = parse_retry_after(response.headers)
        if retry_after is None:
            retry_after = detail.retry_delay_s
        if status in RETRYABLE_STATUSES and kind != E.QUOTA:
            return RetryableError(kind, message, retry_after, status)
        return ContenderError(kind, message)

    def _stream_error(self, data: Any) -> ContenderError:
        """An error reported inside a 200 response (an error event or error chunk)."""
        detail = ErrorDetail.from_json(data)
        kind = self.classify(None, detail)
        message = self.error_message(kind, None, detail, in_stream=True)
        if kind in (E.RATE_LIMIT, E.OVERLOADED, E.SERVER):
            return RetryableError(kind, message, detail.retry_delay_s)
        return ContenderError(kind, message)

    def error_message(
        self, kind: str, status: int | None, detail: ErrorDetail, html: bool = False,
        in_stream: bool = False,
    ) -> str:
        who = self.label
        code = f" ({status})" if status else ""
        said = _shorten(self._scrub(detail.message)) if detail.message else ""
        quoted = f' It said: "{said}"' if said else ""
        if html:
            quoted = " It answered with an HTML error page, likely from a proxy in front of it."
        if kind == E.AUTH:
            return (
                f"{who} rejected the API key{code}. Check the key with "
                f"`sidebyside keys set {self.key_name}`."
            )
        if kind == E.QUOTA:
            return (
                f"{who} says the account is out of credit or over its quota{code}. Check the plan "
                "and billing with the provider, then try again."
            )
        if kind == E.RATE_LIMIT:
            return (
                f"{who} is limiting how fast requests can be sent{code}. Wait a minute and "
                "try again."
            )
        if kind == E.OVERLOADED:
            return f"{who} is overloaded right now{code}. Try again in a few minutes."
        if kind == E.NOT_FOUND:
            return (
                f"{who} doesn't know the model '{self.model}'{code}. Check the model name in the "
                f"spec.{quoted}"
            )
        if kind == E.BAD_REQUEST:
            return f"{who} refused the request{code}.{quoted} Check the model name and settings."
        if kind == E.TIMEOUT:
            return f"{who} timed out while answering{code}. Try again."
        where = " in the middle of the answer" if in_stream else ""
        return f"{who} had a problem on its side{code}{where}. Try again in a little while.{quoted}"
