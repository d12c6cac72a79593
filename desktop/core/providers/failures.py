"""How provider failures are read: error kinds from HTTP statuses and error bodies, and when
and how long to wait before trying again.

Shared by every HTTP provider (see http.py). Kinds are the stable ones in desktop.core.base.errors.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop.core.base import errors as E
from desktop.core.base.errors import ContenderError
from desktop.core.providers.clients import httpx_module

if TYPE_CHECKING:
    import httpx

RETRYABLE_STATUSES = frozenset({408, 409, 429, 529}) | frozenset(range(500, 600))

# Error `type`/`code`/`status` strings the providers use, mapped to our kinds.
ERROR_TYPE_KINDS: dict[str, str] = {
    # Anthropic
    "authentication_error": E.AUTH,
    "permission_error": E.AUTH,
    "not_found_error": E.NOT_FOUND,
    "invalid_request_error": E.BAD_REQUEST,
    "request_too_large": E.BAD_REQUEST,
    "rate_limit_error": E.RATE_LIMIT,
    "api_error": E.SERVER,
    "overloaded_error": E.OVERLOADED,
    "billing_error": E.QUOTA,
    "timeout_error": E.TIMEOUT,
    # OpenAI
    "insufficient_quota": E.QUOTA,
    "billing_hard_limit_reached": E.QUOTA,
    "billing_not_active": E.QUOTA,
    "invalid_api_key": E.AUTH,
    "rate_limit_exceeded": E.RATE_LIMIT,
    "server_error": E.SERVER,
    "model_not_found": E.NOT_FOUND,
    # Google RPC status names (Gemini)
    "UNAUTHENTICATED": E.AUTH,
    "PERMISSION_DENIED": E.AUTH,
    "NOT_FOUND": E.NOT_FOUND,
    "INVALID_ARGUMENT": E.BAD_REQUEST,
    "FAILED_PRECONDITION": E.BAD_REQUEST,
    "RESOURCE_EXHAUSTED": E.RATE_LIMIT,
    "INTERNAL": E.SERVER,
    "UNAVAILABLE": E.SERVER,
    "DEADLINE_EXCEEDED": E.TIMEOUT,
}
QUOTA_TYPES = frozenset(
    {"insufficient_quota", "billing_error", "billing_hard_limit_reached", "billing_not_active"}
)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    base_s: float = 0.5
    max_backoff_s: float = 8.0
    max_retry_after_s: float = 60.0

    def delay(self, attempt: int, retry_after_s: float | None) -> float:
        """Seconds to wait before retry number `attempt + 1` (attempt counts from 0)."""
        if retry_after_s is not None and 0 <= retry_after_s <= self.max_retry_after_s:
            return retry_after_s
        return min(self.base_s * (2**attempt), self.max_backoff_s)


def parse_retry_after(
    headers: httpx.Headers | dict[str, str], now: float | None = None
) -> float | None:
    """Seconds the server asks us to wait, from `retry-after-ms` or `retry-after`."""
    httpx = httpx_module()

    headers = httpx.Headers(headers)
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = (headers.get("retry-after") or "").strip()
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        # deferred: email.utils costs ~6 ms and this module loads with the providers before
        # the window's first paint; only a Retry-After given as a date needs it
        import email.utils  # noqa: PLC0415

        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


@dataclass
class ErrorDetail:
    """What a provider's error JSON says, in one shape for all of them."""

    message: str = ""
    type: str = ""
    code: str = ""
    status: str = ""  # Google's RPC status name
    reasons: list[str] = field(default_factory=list)  # Google ErrorInfo reasons
    quota_ids: list[str] = field(default_factory=list)  # Google QuotaFailure ids
    retry_delay_s: float | None = None  # Google RetryInfo

    @classmethod
    def from_json(cls, data: Any) -> "ErrorDetail":
        if isinstance(data, list) and data:  # Gemini sometimes wraps the error in an array
            data = data[0]
        if not isinstance(data, dict):
            return cls()
        err = data.get("error", data)
        if isinstance(err, str):
            return cls(message=err)
        if not isinstance(err, dict):
            return cls()
        detail = cls(
            message=str(err.get("message") or ""),
            type=str(err.get("type") or ""),
            code=str(err.get("code") or ""),
            status=str(err.get("status") or ""),
        )
        for item in err.get("details") or []:
            if not isinstance(item, dict):
                continue
            if item.get("reason"):
                detail.reasons.append(str(item["reason"]))
            for violation in item.get("violations") or []:
                if isinstance(violation, dict) and violation.get("quotaId"):
                    detail.quota_ids.append(str(violation["quotaId"]))
            delay = item.get("retryDelay")
            if isinstance(delay, str) and delay.endswith("s"):
                try:
                    detail.retry_delay_s = float(delay[:-1])
                except ValueError:
                    pass
        return detail


def classify(status: int | None, detail: ErrorDetail) -> str:
    """The error kind for an HTTP status (None: an error inside a 200 stream) and its body."""
    message = detail.message.lower()
    if detail.type in QUOTA_TYPES or detail.code in QUOTA_TYPES or "credit balance" in message:
        return E.QUOTA  # checked first: OpenAI reports an empty account as a 429
    if "API_KEY_INVALID" in detail.reasons or "api key not valid" in message:
        return E.AUTH  # Gemini answers a bad key with 400
    if status is None or 200 <= status < 300:
        code = int(detail.code) if detail.code.isdigit() else None
        if code and code >= 400:
            return classify(code, detail)
        if "overloaded" in message:
            return E.OVERLOADED
        for name in (detail.type, detail.code, detail.status):
            if name in ERROR_TYPE_KINDS:
                return ERROR_TYPE_KINDS[name]
        return E.SERVER
    if status == 529 or detail.type == "overloaded_error":
        return E.OVERLOADED
    if status >= 500:
        return E.OVERLOADED if "overloaded" in message else E.SERVER
    if status in (401, 403):
        return E.AUTH
    if status == 429:
        return E.RATE_LIMIT
    if status == 404:
        return E.NOT_FOUND
    if status == 408:
        return E.TIMEOUT
    if status == 409:
        return E.SERVER
    return E.BAD_REQUEST


class RetryableError(ContenderError):
    """A failure worth another try if no text has been shown yet."""

    def __init__(
        self, kind: str, message: str, retry_after_s: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(kind, message)
        self.retry_after_s = retry_after_s
        self.status = status


RETRY_PHRASES = {
    E.RATE_LIMIT: "is rate limiting requests",
    E.OVERLOADED: "is overloaded",
    E.SERVER: "had a server error",
    E.TIMEOUT: "timed out",
    E.NETWORK: "could not be reached",
}
