"""A server-sent events parser that works on raw network bytes.

Real servers frame events with LF, CRLF or bare CR, send several `data:` lines per event, comment
lines (`: keep-alive`), and split chunks anywhere, including inside a multi-byte UTF-8 character
or between the CR and LF of one line ending. So the parser decodes with an incremental UTF-8
decoder and holds back a trailing CR until it sees the next byte. It follows the WHATWG
event-stream interpretation, with one leniency: an event left pending when the stream ends is
still delivered, because some servers omit the final blank line.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class SSEEvent:
    event: str = "message"  # the `event:` field; "message" when absent, as the spec says
    data: str = ""
    id: str | None = None
    retry: int | None = None


class SSEParser:
    """Feed bytes in, get complete events out."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""  # text not yet split into lines
        self._event = ""
        self._data: list[str] = []
        self._has_data = False
        self._id: str | None = None
        self._retry: int | None = None
        self._first = True  # a leading byte-order mark is dropped, per the spec

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        text = self._decoder.decode(chunk)
        if self._first and text:
            text = text.removeprefix("\ufeff")
            self._first = False
        self._buffer += text
        return self._drain(final=False)

    def close(self) -> list[SSEEvent]:
        """End of stream: flush the decoder, the last line and any pending event."""
        self._buffer += self._decoder.decode(b"", final=True)
        events = self._drain(final=True)
        if self._buffer:
            events.extend(self._line(self._buffer))
            self._buffer = ""
        pending = self._dispatch()
        if pending is not None:
            events.append(pending)
        return events

    def _drain(self, final: bool) -> list[SSEEvent]:
        events: list[SSEEvent] = []
        buf = self._buffer
        start = 0
        n = len(buf)
        while start < n:
            cr = buf.find("\r", start)
            lf = buf.find("\n", start)
            if cr == -1 and lf == -1:
                break
            if cr != -1 and (lf == -1 or cr < lf):
                if cr + 1 == n and not final:
                    break  # a CR at the end may be the first half of a CRLF
                end, nxt = cr, cr + (2 if cr + 1 < n and buf[cr + 1] == "\n" else 1)
            else:
                end, nxt = lf, lf + 1
            events.extend(self._line(buf[start:end]))
            start = nxt
        self._buffer = buf[start:]
        return events

    def _line(self, line: str) -> list[SSEEvent]:
        if not line:
            event = self._dispatch()
            return [event] if event is not None else []
        if line.startswith(":"):
            return []  # a comment: keep-alives and proxies' padding
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._has_data = True
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry":
            if value.isdigit():
                self._retry = int(value)
        return []

    def _dispatch(self) -> SSEEvent | None:
        if not self._has_data:
            # The spec drops an event with no data; its type does not carry over.
            self._event = ""
            return None
        event = SSEEvent(
            event=self._event or "message", data="\n".join(self._data), id=self._id,
            retry=self._retry,
        )
        self._event = ""
        self._data = []
        self._has_data = False
        self._retry = None
        return event


def iter_sse(chunks: Iterable[bytes]) -> Iterator[SSEEvent]:
    """Events from an iterable of byte chunks (as `httpx.Response.iter_bytes()` gives them)."""
    parser = SSEParser()
    for chunk in chunks:
        yield from parser.feed(chunk)
    yield from parser.close()
