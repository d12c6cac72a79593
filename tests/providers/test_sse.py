"""The event-stream parser, fed bytes the way networks deliver them. These tests need no Qt."""

from __future__ import annotations

import pytest

from desktop.core.providers.sse import SSEEvent, SSEParser, iter_sse


def parse(chunks: list[bytes]) -> list[SSEEvent]:
    return list(iter_sse(chunks))


def every_split(data: bytes) -> list[list[bytes]]:
    return [[data[:i], data[i:]] for i in range(1, len(data))]


def test_lf_framing_with_named_events():
    events = parse([b"event: ping\ndata: {}\n\nevent: message_stop\ndata: {\"a\": 1}\n\n"])
    assert events == [SSEEvent("ping", "{}"), SSEEvent("message_stop", '{"a": 1}')]


@pytest.mark.parametrize("nl", [b"\n", b"\r\n", b"\r"])
def test_line_endings_are_all_accepted(nl):
    data = b"data: one" + nl + nl + b"event: x" + nl + b"data: two" + nl + nl
    assert parse([data]) == [SSEEvent("message", "one"), SSEEvent("x", "two")]


def test_crlf_split_between_cr_and_lf_is_one_line_ending():
    data = b"data: a\r\n\r\ndata: b\r\n\r\n"
    for chunks in every_split(data):
        assert parse(chunks) == [SSEEvent(data="a"), SSEEvent(data="b")], chunks


def test_multi_line_data_joins_with_newline():
    assert parse([b"data: {\"a\":\ndata:  1}\n\n"]) == [SSEEvent(data='{"a":\n 1}')]


def test_comments_and_keepalives_are_ignored():
    data = b": keep-alive\n\n:OPENROUTER PROCESSING\n\ndata: x\n: note inside an event\n\n"
    assert parse([data]) == [SSEEvent(data="x")]


def test_field_without_space_and_unknown_fields():
    assert parse([b"data:x\nfoo: bar\nid: 7\nretry: 100\n\n"]) == [
        SSEEvent(data="x", id="7", retry=100)
    ]


def test_event_without_data_is_dropped_and_its_type_does_not_leak():
    assert parse([b"event: lonely\n\ndata: y\n\n"]) == [SSEEvent(data="y")]


def test_utf8_split_inside_characters_at_every_byte():
    text = "héllo wörld 你好 🎉"
    data = f"data: {text}\n\n".encode()
    for chunks in every_split(data):
        assert parse(chunks) == [SSEEvent(data=text)], chunks
    assert parse([bytes([b]) for b in data]) == [SSEEvent(data=text)]


def test_pending_event_is_delivered_at_end_of_stream():
    assert parse([b"data: [DONE]"]) == [SSEEvent(data="[DONE]")]
    assert parse([b"data: last\n"]) == [SSEEvent(data="last")]
    assert parse([b"data: last\r"]) == [SSEEvent(data="last")]


def test_byte_order_mark_is_dropped():
    assert parse([b"\xef\xbb", b"\xbfdata: x\n\n"]) == [SSEEvent(data="x")]


def test_events_arrive_as_soon_as_complete():
    parser = SSEParser()
    assert parser.feed(b"data: a\n") == []
    assert parser.feed(b"\n") == [SSEEvent(data="a")]
    assert parser.feed(b"data: b\n\nda") == [SSEEvent(data="b")]
    assert parser.feed(b"ta: c\n\n") == [SSEEvent(data="c")]
    assert parser.close() == []


def test_large_event_in_many_chunks():
    payload = "x" * 1_000_000
    data = f"data: {payload}\n\n".encode()
    chunks = [data[i:i + 8192] for i in range(0, len(data), 8192)]
    assert parse(chunks) == [SSEEvent(data=payload)]
