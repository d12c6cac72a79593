"""Beside a local model, a remote side reads its stream in few socket reads: every read is a
wake-up that takes a core from llama.cpp's threads. The answer is whole all the same, the first
token is read at once, and a connection goes back to the pool unpaced."""

from __future__ import annotations

import threading

import pytest

from desktop.core.battle.engine import Battle
from desktop.core.contenders.answer import EV_DONE
from desktop.core.contenders.base import Contender
from desktop.core.contenders.params import Request
from desktop.core.providers import clients
from desktop.core.providers.clients import ReadPacer

from .fake_server import Reply
from .helpers import CLIENTS, contender_for

PIECES = [f"word{i} " for i in range(120)]


class LocalBeside(Contender):
    """Stands for the local model: computed here, answering until told the other side is done."""

    provider = "test"
    computes_here = True

    def __init__(self) -> None:
        super().__init__("test:local", "local")
        self.finish = threading.Event()

    def stream(self, request, cancel):
        while not self.finish.is_set() and not cancel.is_set():
            yield "tok "
            self.finish.wait(0.01)


class Remote(Contender):
    """Records what the battle tells it about its neighbour."""

    provider = "test"

    def __init__(self) -> None:
        super().__init__("test:remote", "remote")
        self.told: list = []
        self.neighbour_busy_while_streaming: bool | None = None

    def share_machine(self, neighbour_busy):
        self.told.append(neighbour_busy)

    def stream(self, request, cancel):
        busy = self.told[-1]
        self.neighbour_busy_while_streaming = busy is not None and busy()
        yield "remote text"


def _battle_beside(local: LocalBeside, remote) -> dict:
    """A battle of `local` (left) and `remote` (right); the local side ends once the right is
    done, so it is busy for the whole of the remote stream."""
    battle = Battle(local, remote, Request("Hello?")).start()
    for event in battle.events(timeout=30):
        if event.type == EV_DONE and event.slot == "right":
            local.finish.set()
    return battle.wait()


@pytest.fixture
def counted_reads(monkeypatch):
    """The socket reads that went through a pacer."""
    reads: list[int] = []
    done = ReadPacer.read_done

    def read_done(self):
        reads.append(1)
        done(self)

    monkeypatch.setattr(ReadPacer, "read_done", read_done)
    return reads


@pytest.fixture(autouse=True)
def fresh_pool():
    CLIENTS.close_all()
    yield
    CLIENTS.close_all()


def test_the_side_beside_a_local_model_learns_it_until_that_answer_is_done():
    local, remote = LocalBeside(), Remote()
    local.told = []
    local.share_machine = local.told.append
    answers = _battle_beside(local, remote)
    assert answers["right"].text == "remote text"
    assert local.told == [None]  # the local side has no local neighbour
    busy = remote.told[-1]
    assert remote.neighbour_busy_while_streaming is True
    assert busy() is False  # the local answer is done: nothing to make room for any more


def test_a_battle_without_a_local_model_tells_each_side_it_has_none():
    left, right = Remote(), Remote()
    answers = Battle(left, right, Request("Hello?")).run()
    assert all(a.ok for a in answers.values())
    assert left.told == [None] and right.told == [None]
    assert left.neighbour_busy_while_streaming is False


@pytest.mark.parametrize("protocol", ["openai", "anthropic", "gemini", "compat"])
def test_beside_a_local_model_the_stream_comes_whole_in_few_reads(fake_server, counted_reads,
                                                                  protocol):
    fake_server.keep_alive = True
    fake_server.default_reply = Reply(pieces=PIECES, delay_s=0.002)
    answers = _battle_beside(LocalBeside(), contender_for(protocol, fake_server))
    assert answers["right"].ok, answers["right"].error
    assert answers["right"].text == "".join(PIECES)
    # One write per piece on the server's side; read together, a read at least 50 ms after the
    # last: 120 pieces 2 ms apart take about five reads, never one a piece.
    assert 0 < len(counted_reads) < len(PIECES) / 3

    # The same connection, reused by a battle with no local model, is not paced any more.
    before = len(counted_reads)
    plain = Battle(contender_for(protocol, fake_server), Remote(), Request("Hello?")).run()
    assert plain["left"].text == "".join(PIECES)
    assert len(counted_reads) == before
    assert fake_server.connections == 1


def test_the_pacer_never_holds_the_first_token_and_stops_with_its_neighbour():
    waits: list[float] = []
    busy = [True]
    pacer = ReadPacer(lambda: busy[0], lambda s: waits.append(s) or False, interval_s=0.025)
    pacer.read_done()
    pacer.wait_turn()
    assert waits == []  # not armed: the first token is read the moment it comes
    pacer.armed = True
    pacer.wait_turn()
    assert len(waits) == 1 and 0 < waits[0] <= 0.025
    busy[0] = False
    pacer.read_done()
    pacer.wait_turn()
    assert len(waits) == 1  # the neighbour is done: reads go at once


def test_the_pacer_is_on_every_pooled_stream_only_while_its_response_is_read():
    class Stream:
        pacer = None

    seen = clients.Watch(lambda: False)
    stream = Stream()
    seen.saw(stream)
    pacer = ReadPacer(lambda: True, lambda s: False, 0.025)
    seen.pace_reads(pacer)
    assert stream.pacer is pacer
    seen.pace_reads(None)
    assert stream.pacer is None
