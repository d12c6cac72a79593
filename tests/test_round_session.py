"""The round session's rules with scripted contenders. These tests do not require Qt: the CLI
and the window both run on this object, so its rules are tested once, here."""

from __future__ import annotations

import dataclasses
import random

import pytest

from desktop.core.contenders.answer import Status
from desktop.core.contenders.base import Contender, Finish
from desktop.core.base.errors import SERVER, ContenderError, ErrorInfo
from desktop.core.contenders.params import GenerationParams
from desktop.core.battle.round_session import RoundSession, TurnRefused
from desktop.core.store import ConversationEnded, VoteRefused, get_battle, open_store


class Echo(Contender):
    """Answers with its name, the turn it is on and how many earlier answers it was sent."""

    provider = "test"

    def __init__(self, name: str, fail_on_turn: int | None = None) -> None:
        super().__init__(f"test:{name}", name, "proprietary")
        self.fail_on_turn = fail_on_turn
        self.requests = []

    def stream(self, request, cancel):
        self.requests.append(request)
        turn = len(request.history) // 2 + 1
        if turn == self.fail_on_turn and len(self.requests) == turn:
            raise ContenderError(SERVER, "The server failed on purpose.")
        yield f"{self.model} turn {turn}"
        yield Finish("stop")


def run(session: RoundSession, prompt: str):
    battle = session.start_turn(prompt)
    for _ in battle.events():
        pass
    battle.wait()
    return session.finish_turn(battle)


@pytest.fixture
def store():
    store = open_store()
    yield store
    store.close()


def test_each_slot_gets_its_own_history_and_keeps_its_seat(store):
    left, right = Echo("left"), Echo("right")
    session = RoundSession({"left": left, "right": right}, GenerationParams(system="S"),
                           blind=True, store=store, rng=random.Random(1))
    seat_a_slot = session.a_slot
    for prompt in ("one", "two", "three"):
        record = run(session, prompt)
    assert session.a_slot == seat_a_slot and record.turn_count == 3
    assert [m.content for m in left.requests[2].history] == [
        "one", "left turn 1", "two", "left turn 2"]
    assert [m.content for m in right.requests[2].history] == [
        "one", "right turn 1", "two", "right turn 2"]
    seat_a = record.turns[2].answers["a"]
    assert seat_a.text == f"{seat_a_slot} turn 3"
    assert get_battle(store, record.id).turns[1].prompt == "two"


def test_blind_hides_names_and_evens_out_telling_statuses_until_the_vote(store):
    session = RoundSession({"left": Echo("l"), "right": Echo("r")}, GenerationParams(),
                           blind=True, store=store)
    record = run(session, "hi")
    shown = session.public_answer(record.a)
    assert (shown.contender, shown.model, shown.provider, shown.kind) == ("", "", "", "")
    assert session.visible_statuses("left", Status("loading", "", 0.5), set()) == [
        ("a", Status("loading", "", 0.5)), ("b", Status("loading", "", 0.5))]
    seat = session.seat_of("right")
    assert session.visible_statuses("right", Status("retrying", "", None, 2.0), set()) == [
        (seat, Status("waiting"))]
    session.vote("a")
    assert session.public_answer(record.a).contender == record.a.contender


def test_the_vote_ends_the_conversation(store):
    session = RoundSession({"left": Echo("l"), "right": Echo("r")}, GenerationParams(),
                           blind=False, store=store)
    run(session, "hi")
    run(session, "again")
    receipt = session.vote("tie")
    assert store.conn.execute("SELECT turns FROM votes").fetchone()[0] == 2
    with pytest.raises(ConversationEnded, match="voted on"):
        session.start_turn("more")
    with pytest.raises(VoteRefused):
        session.vote("a")
    with pytest.raises(ConversationEnded):
        RoundSession.resume(store, receipt.battle.id, lambda spec, kind: Echo(spec))


def test_a_failed_turn_is_retried_in_place_and_the_conversation_stays_votable(store):
    flaky = Echo("flaky", fail_on_turn=2)
    session = RoundSession({"left": flaky, "right": Echo("r")}, GenerationParams(),
                           blind=False, store=store)
    run(session, "one")
    failed = run(session, "two")
    assert failed.turn_count == 2 and not failed.turns[1].finished
    assert session.vote_blocker() is None and failed.judged_turns == 1
    retried = run(session, "two, again")
    assert [t.prompt for t in retried.turns] == ["one", "two, again"]
    assert [m.content for m in flaky.requests[-1].history] == ["one", "flaky turn 1"]


def test_resume_rebuilds_seats_and_histories(store):
    session = RoundSession({"left": Echo("l"), "right": Echo("r")}, GenerationParams(system="S"),
                           blind=True, store=store)
    record = run(session, "one")
    made = {}

    def make(spec, kind):
        made[spec] = Echo(spec.split(":")[1])
        return made[spec]

    resumed = RoundSession.resume(store, record.id, make)
    assert resumed.a_slot == session.a_slot and resumed.blind and resumed.params.system == "S"
    run(resumed, "two")
    assert [m.content for m in made["test:l"].requests[0].history] == ["one", "l turn 1"]


def test_one_turn_at_a_time_and_no_empty_prompt():
    session = RoundSession({"left": Echo("l"), "right": Echo("r")}, GenerationParams(),
                           blind=False)
    with pytest.raises(TurnRefused):
        session.start_turn("   ")
    battle = session.start_turn("hi")
    with pytest.raises(TurnRefused, match="still under way"):
        session.start_turn("again")
    battle.wait()
    assert session.finish_turn(battle) is None  # not saving


def test_blind_errors_and_retries_name_the_seat_until_the_vote(store):
    session = RoundSession({"left": Echo("l"), "right": Echo("r")}, GenerationParams(),
                           blind=True, store=store)
    seat = session.seat_of("right")
    retry = Status("retrying", "test:r is rate limiting requests (429); trying again", None, 1.0,
                   kind="rate_limit")
    assert session.public_status("right", retry).message == (
        f"Side {seat.upper()}: the service is rate limiting requests; trying again in 1.0 s…")
    record = run(session, "hi")
    failed = dataclasses.replace(record.a, error=ErrorInfo(SERVER, "test:l broke at 10.0.0.7"))
    shown = session.public_answer(failed, "a").error.message
    assert shown.startswith("Side A: the service had a problem") and "test:" not in shown
    assert "10.0.0.7" not in shown
    session.vote("a")
    assert session.public_status("right", retry) == retry
    assert session.public_answer(failed, "a").error.message == "test:l broke at 10.0.0.7"


@pytest.mark.parametrize("params, prompt, says", [
    (GenerationParams(temperature=float("nan")), "hi", "from 0 to 2"),
    (GenerationParams(top_p=1.5), "hi", "from 0 to 1"),
    (GenerationParams(), "caf\udce9", "not valid UTF-8"),
])
def test_a_turn_with_a_bad_setting_or_prompt_is_refused_before_anything_is_sent(
        store, params, prompt, says):
    left, right = Echo("l"), Echo("r")
    session = RoundSession({"left": left, "right": right}, params, blind=True, store=store)
    with pytest.raises(TurnRefused, match=says):
        session.start_turn(prompt)
    assert left.requests == [] and right.requests == []
