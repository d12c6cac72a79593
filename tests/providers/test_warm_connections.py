"""Warm connections: one pooled client per provider and base URL, reused battle after battle,
opened ahead by the warm-up; Stop still cuts a stream at once on a reused connection."""

from __future__ import annotations

import time

import pytest

from desktop.core.contenders.base import CancelToken
from desktop.core.battle.engine import Battle
from desktop.core.contenders.params import Request
from types import SimpleNamespace

from .fake_server import Reply
from .helpers import CLIENTS, contender_for, run_in_thread

# The pool the helpers' contenders share (as a window's do), under the names these tests use.
pool = SimpleNamespace(CLIENTS=CLIENTS, close_all=CLIENTS.close_all)

PROTOCOLS = ["openai", "anthropic", "gemini", "compat"]


@pytest.fixture(autouse=True)
def fresh_pool():
    pool.close_all()
    yield
    pool.close_all()


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_five_battles_reach_the_server_over_one_connection(fake_server, protocol):
    fake_server.keep_alive = True
    fake_server.default_reply = Reply(text="kept alive and well")
    for _ in range(5):
        left = contender_for(protocol, fake_server)
        right = contender_for(protocol, fake_server, model="second-model")
        answers = Battle(left, right, Request("Hello?")).run()
        assert all(a.ok for a in answers.values()), [a.error for a in answers.values()]
        assert answers["left"].text == "kept alive and well"
    assert len(fake_server.requests_for(protocol)) == 10
    # Both sides of a battle run at once, so at most two connections are ever open; the
    # warm-up opened them before the first battle, and every later battle reused them.
    assert fake_server.connections <= 2
    assert len(pool.CLIENTS) == 1


@pytest.mark.parametrize("left,right", [("openai", "anthropic"), ("gemini", "compat")])
def test_five_battles_reach_each_provider_over_one_connection(fake_server, left, right):
    fake_server.keep_alive = True
    for _ in range(5):
        answers = Battle(contender_for(left, fake_server), contender_for(right, fake_server),
                         Request("Hello?")).run()
        assert all(a.ok for a in answers.values()), [a.error for a in answers.values()]
    assert len(fake_server.requests_for(left)) == len(fake_server.requests_for(right)) == 5
    assert fake_server.connections == 2  # one per provider, opened ahead, kept for all five
    assert len(pool.CLIENTS) == 2


def test_one_side_battles_use_exactly_one_connection(fake_server):
    fake_server.keep_alive = True
    for _ in range(5):
        contender = contender_for("openai", fake_server)
        request = Request("Hello?")
        cancel = CancelToken()
        list(contender.prepare(request, cancel))
        items = list(contender.stream(request, cancel))
        assert "".join(i for i in items if isinstance(i, str)) == Reply().expected_text
    assert fake_server.connections == 1
    assert fake_server.gets == [fake_server.base_url("openai")[len(fake_server.root):]]


def test_the_warm_up_opens_the_connection_before_the_request(fake_server):
    fake_server.keep_alive = True
    contender = contender_for("anthropic", fake_server)
    list(contender.prepare(Request("Hi"), CancelToken()))
    assert fake_server.connections == 1 and fake_server.requests == []
    list(contender.stream(Request("Hi"), CancelToken()))
    assert fake_server.connections == 1 and len(fake_server.requests) == 1


def test_a_closed_pool_makes_new_connections(fake_server):
    fake_server.keep_alive = True
    for _ in range(2):
        list(contender_for("openai", fake_server).stream(Request("Hi"), CancelToken()))
        pool.close_all()
    assert fake_server.connections == 2


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
def test_stop_ends_a_stalled_stream_on_a_reused_connection_within_200_ms(fake_server, protocol):
    fake_server.keep_alive = True
    list(contender_for(protocol, fake_server).stream(Request("Hi"), CancelToken()))
    assert fake_server.connections == 1
    fake_server.default_reply = Reply(text="words before the stall", fault="stall", fault_after=2)
    cancel = CancelToken()
    thread, holder, first = run_in_thread(contender_for(protocol, fake_server, idle_timeout_s=30),
                                          cancel)
    assert first.wait(5)
    assert fake_server.stalling.wait(5), "the server never went silent"
    assert fake_server.connections == 1  # the stalled answer came over the reused connection
    stopped = time.monotonic()
    cancel.cancel()
    thread.join(2)
    elapsed = time.monotonic() - stopped
    assert not thread.is_alive()
    assert elapsed < 0.2, elapsed
    assert holder["answer"].finish_reason == "cancelled"
    assert holder["answer"].text == "words before"


def test_stop_before_headers_on_a_reused_connection(fake_server):
    fake_server.keep_alive = True
    list(contender_for("gemini", fake_server).stream(Request("Hi"), CancelToken()))
    fake_server.default_reply = Reply(fault="stall_headers")
    cancel = CancelToken()
    thread, holder, _ = run_in_thread(contender_for("gemini", fake_server, idle_timeout_s=30),
                                      cancel)
    assert fake_server.stalling.wait(5), "the server never received the request"
    assert fake_server.connections == 1
    stopped = time.monotonic()
    cancel.cancel()
    thread.join(2)
    assert time.monotonic() - stopped < 0.2
    assert holder["answer"].finish_reason == "cancelled"
