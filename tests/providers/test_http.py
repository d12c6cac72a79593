"""Faults every provider handles the same way, run against all four wire formats.

The server is real (loopback HTTP speaking each protocol); the client is the real contender run
through the engine, so these assert what a user would see: kind, message, partial text, timing.
"""

from __future__ import annotations

import socket
import time

import pytest

from desktop.core.contenders.base import CancelToken
from desktop.core.providers.http import RetryPolicy, parse_retry_after

from .fake_server import Reply
from .helpers import KEYS, assert_no_key, contender_for, run, run_in_thread

PROTOCOLS = ["openai", "anthropic", "gemini", "compat"]
LABEL = {"openai": "OpenAI", "anthropic": "Anthropic", "gemini": "Gemini"}


def label(protocol, server):
    return LABEL.get(protocol) or server.root.removeprefix("http://")


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(
    "flavour, kind, tries",
    [
        ("auth", "auth", 1),
        ("permission", "auth", 1),
        ("quota", "quota", 1),
        ("rate_limit", "rate_limit", 3),
        ("overloaded", "overloaded", 3),
        ("server", "server", 3),
        ("bad_request", "bad_request", 1),
        ("not_found", "not_found", 1),
        ("timeout", "timeout", 3),
        ("conflict", "server", 3),
    ],
)
def test_http_errors_map_to_kinds_and_retry_only_when_worth_it(fake_server, protocol, flavour, kind, tries):
    fake_server.default_reply = Reply.fail(flavour)
    result = run(contender_for(protocol, fake_server))
    answer = result.answer
    assert answer.error is not None, answer
    assert answer.error.kind == kind, answer.error
    assert answer.finish_reason == "error"
    assert len(fake_server.requests_for(protocol)) == tries
    assert len([s for s in result.statuses if s.state == "retrying"]) == tries - 1
    assert answer.error.message.startswith(label(protocol, fake_server))
    assert_no_key(answer.error.message)
    assert not answer.ok


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_unprocessable_is_bad_request(fake_server, protocol):
    fake_server.default_reply = Reply.fail("unprocessable")
    answer = run(contender_for(protocol, fake_server)).answer
    assert answer.error.kind == "bad_request"


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_auth_message_says_which_command_fixes_it(fake_server, protocol):
    fake_server.default_reply = Reply.fail("auth")
    answer = run(contender_for(protocol, fake_server)).answer
    name = protocol if protocol != "compat" else f"compat:{fake_server.base_url('compat')}"
    assert f"`sidebyside keys set {name}`" in answer.error.message


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_429_with_retry_after_one_second_then_success(fake_server, protocol):
    expected = Reply(text="Worth the wait.", prompt_tokens=6)
    fake_server.script(protocol, Reply.fail("rate_limit", headers={"retry-after": "1"}), expected)
    contender = contender_for(protocol, fake_server, retry=RetryPolicy())  # the real policy
    started = time.monotonic()
    result = run(contender)
    waited = time.monotonic() - started
    assert result.answer.ok, result.answer.error
    assert result.answer.text == "Worth the wait."
    assert result.answer.prompt_tokens == 6
    assert [s.retry_in_s for s in result.statuses if s.state == "retrying"] == [1.0]
    assert 0.95 <= waited < 3
    assert len(fake_server.requests_for(protocol)) == 2


def test_retry_after_ms_wins_and_backoff_applies_without_header(fake_server):
    fake_server.script("openai", Reply.fail("server", headers={"retry-after-ms": "20"}),
                       Reply.fail("server"), Reply())
    policy = RetryPolicy(base_s=0.03, max_backoff_s=1.0)
    result = run(contender_for("openai", fake_server, retry=policy))
    assert result.answer.ok
    assert [s.retry_in_s for s in result.statuses] == [0.02, 0.06]  # header, then 0.03 * 2**1
    assert "attempt 2 of 3" in result.statuses[0].message


def test_retry_after_longer_than_a_minute_falls_back_to_backoff(fake_server):
    fake_server.script("openai", Reply.fail("rate_limit", headers={"retry-after": "3600"}), Reply())
    result = run(contender_for("openai", fake_server, retry=RetryPolicy(base_s=0.01)))
    assert result.answer.ok
    assert [s.retry_in_s for s in result.statuses] == [0.01]


def test_parse_retry_after_forms():
    assert parse_retry_after({"retry-after": "2"}) == 2.0
    assert parse_retry_after({"retry-after": "1.5"}) == 1.5
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:05 GMT"},
                             now=1445412480.0) == pytest.approx(5.0)
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_quota_is_never_retried(fake_server):
    fake_server.default_reply = Reply.fail("quota", headers={"retry-after": "0"})
    answer = run(contender_for("openai", fake_server)).answer
    assert answer.error.kind == "quota"
    assert len(fake_server.requests_for("openai")) == 1


def test_stop_during_retry_wait_ends_at_once(fake_server):
    fake_server.default_reply = Reply.fail("overloaded", headers={"retry-after": "30"})
    cancel = CancelToken()
    thread, holder, _ = run_in_thread(contender_for("openai", fake_server, retry=RetryPolicy()), cancel)
    assert holder["retrying"].wait(5), "the client never began its retry wait"
    stopped = time.monotonic()
    cancel.cancel()
    thread.join(2)
    assert time.monotonic() - stopped < 0.2
    assert holder["answer"].finish_reason == "cancelled"
    assert holder["answer"].error.kind == "cancelled"


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_error_event_mid_stream_keeps_partial_text(fake_server, protocol):
    reply = Reply(text="one two three four", fault="error_event", fault_after=2,
                  stream_error="overloaded")
    fake_server.default_reply = reply
    answer = run(contender_for(protocol, fake_server)).answer
    assert answer.text == "one two"
    assert answer.error.kind == "overloaded"
    assert answer.finish_reason == "error"
    assert len(fake_server.requests_for(protocol)) == 1  # text was shown: no retry


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_error_event_before_any_text_is_retried(fake_server, protocol):
    fake_server.script(protocol, Reply(fault="error_event", fault_after=0, stream_error="server"),
                       Reply(text="Second time lucky."))
    answer = run(contender_for(protocol, fake_server)).answer
    assert answer.ok, answer.error
    assert answer.text == "Second time lucky."


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_dropped_connection_mid_stream_is_network_with_partial_text(fake_server, protocol):
    fake_server.default_reply = Reply(text="alpha beta gamma delta", fault="drop", fault_after=3)
    answer = run(contender_for(protocol, fake_server)).answer
    assert answer.text == "alpha beta gamma"
    assert answer.error.kind == "network"
    assert "dropped" in answer.error.message or "closed" in answer.error.message
    assert len(fake_server.requests_for(protocol)) == 1


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_connection_reset_before_answer_is_retried_then_reported(fake_server, protocol):
    fake_server.default_reply = Reply(fault="reset")
    answer = run(contender_for(protocol, fake_server)).answer
    assert answer.error.kind == "network"
    assert answer.text == ""
    assert len(fake_server.requests_for(protocol)) == 3


def test_connection_refused_is_network():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    from desktop.core.providers.openai import OpenAIContender

    contender = OpenAIContender("openai:gpt-4o-mini", "gpt-4o-mini", base_url=f"http://127.0.0.1:{port}/v1",
                                api_key=KEYS["openai"], retry=RetryPolicy(base_s=0.01))
    result = run(contender)
    assert result.answer.error.kind == "network"
    assert "Couldn't connect to OpenAI" in result.answer.error.message
    assert len(result.statuses) == 2  # two retries were tried


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_stall_past_idle_timeout_is_timeout_with_partial_text(fake_server, protocol):
    fake_server.default_reply = Reply(text="slow and then silent", fault="stall", fault_after=2)
    started = time.monotonic()
    answer = run(contender_for(protocol, fake_server, idle_timeout_s=0.3)).answer
    assert time.monotonic() - started < 2
    assert answer.text == "slow and"
    assert answer.error.kind == "timeout"
    assert "0.3 s" in answer.error.message


def test_stall_before_headers_is_timeout(fake_server):
    fake_server.default_reply = Reply(fault="stall_headers")
    answer = run(contender_for("anthropic", fake_server, idle_timeout_s=0.3)).answer
    assert answer.error.kind == "timeout"
    assert len(fake_server.requests_for("anthropic")) == 1  # a timeout is not retried


def test_slow_trickle_longer_than_idle_timeout_in_total_is_fine(fake_server):
    reply = Reply(pieces=[f"p{i} " for i in range(12)], delay_s=0.05)
    fake_server.default_reply = reply
    answer = run(contender_for("openai", fake_server, idle_timeout_s=0.4)).answer
    assert answer.ok, answer.error
    assert answer.total_s > 0.4  # longer than the idle limit overall, never idle that long
    assert answer.text == reply.expected_text


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_stop_ends_a_stalled_stream_within_200_ms(fake_server, protocol):
    fake_server.default_reply = Reply(text="words before the stall", fault="stall", fault_after=2)
    cancel = CancelToken()
    contender = contender_for(protocol, fake_server, idle_timeout_s=30)
    thread, holder, first = run_in_thread(contender, cancel)
    assert first.wait(5)
    assert fake_server.stalling.wait(5), "the server never went silent"
    stopped = time.monotonic()
    cancel.cancel()
    thread.join(2)
    elapsed = time.monotonic() - stopped
    assert not thread.is_alive()
    assert elapsed < 0.2, elapsed
    answer = holder["answer"]
    assert answer.finish_reason == "cancelled"
    assert answer.text == "words before"
    assert answer.error.kind == "cancelled"


def test_stop_before_the_server_answers_at_all(fake_server):
    fake_server.default_reply = Reply(fault="stall_headers")
    cancel = CancelToken()
    thread, holder, _ = run_in_thread(contender_for("gemini", fake_server, idle_timeout_s=30), cancel)
    assert fake_server.stalling.wait(5), "the server never received the request"
    stopped = time.monotonic()
    cancel.cancel()
    thread.join(2)
    assert time.monotonic() - stopped < 0.2
    assert holder["answer"].finish_reason == "cancelled"


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_malformed_event_is_protocol_error_with_partial_text(fake_server, protocol):
    fake_server.default_reply = Reply(text="fine fine broken", fault="malformed", fault_after=2)
    answer = run(contender_for(protocol, fake_server)).answer
    assert answer.error.kind == "protocol"
    assert answer.text == "fine fine"
    assert "malformed" in answer.error.message


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_empty_200_stream_is_protocol_error(fake_server, protocol):
    fake_server.default_reply = Reply(fault="empty")
    answer = run(contender_for(protocol, fake_server)).answer
    assert answer.error.kind == "protocol"
    assert "empty" in answer.error.message


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_html_502_from_a_proxy_is_a_server_error_retried(fake_server, protocol):
    fake_server.default_reply = Reply.html(502)
    answer = run(contender_for(protocol, fake_server)).answer
    assert answer.error.kind == "server"
    assert "HTML" in answer.error.message
    assert "<html>" not in answer.error.message
    assert len(fake_server.requests_for(protocol)) == 3


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_html_with_200_is_protocol_error(fake_server, protocol):
    fake_server.default_reply = Reply.html(200)
    answer = run(contender_for(protocol, fake_server)).answer
    assert answer.error.kind == "protocol"
    assert "web page" in answer.error.message


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("options", [
    {"crlf": True}, {"crlf": False}, {"keepalive": True}, {"multiline_data": True},
    {"chunk_size": 1}, {"chunk_size": 3, "crlf": True},
])
def test_framing_variants_give_the_same_answer(fake_server, protocol, options):
    reply = Reply(text="Grüße, 世界! Ça va? 🎉👍 ok", prompt_tokens=9, **options)
    fake_server.default_reply = reply
    answer = run(contender_for(protocol, fake_server)).answer
    assert answer.ok, answer.error
    assert answer.text == "Grüße, 世界! Ça va? 🎉👍 ok"
    assert answer.prompt_tokens == 9
    assert answer.output_tokens == len(reply.text_pieces())


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_one_megabyte_answer(fake_server, protocol):
    pieces = [f"{i:06d}" + "x" * 994 for i in range(1000)]
    fake_server.default_reply = Reply(pieces=pieces, output_tokens=250_000)
    answer = run(contender_for(protocol, fake_server)).answer
    assert answer.ok, answer.error
    assert answer.text == "".join(pieces)
    assert len(answer.text) == 1_000_000
    assert answer.output_tokens == 250_000


@pytest.mark.parametrize("protocol", ["openai", "anthropic", "gemini"])
def test_server_echoing_the_key_never_shows_it(fake_server, protocol):
    key = KEYS[protocol]
    body = {"error": {"message": f"Key {key} is not allowed here", "type": "invalid_request_error"}}
    fake_server.default_reply = Reply(status=400, body=body)
    answer = run(contender_for(protocol, fake_server)).answer
    assert answer.error.kind == "bad_request"
    assert key not in answer.error.message
    assert "[key hidden]" in answer.error.message
