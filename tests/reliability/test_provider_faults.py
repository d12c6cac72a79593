"""Provider faults: every protocol against every way a server fails, through a real battle.

Each case runs a whole `Battle` in process (the engine the CLI and the window share) with the
faulty provider on one side and a healthy provider of another protocol on the other, both on the
loopback fake server. For a failing fault it checks that the failed side has the right error
kind, keeps the text that had arrived, and says what happened in plain words naming the
provider; that the saved battle cannot be voted on; and that the next battle on the same server
works. The two cases that must succeed (a 1 MB answer, a slow trickle) check the exact text.

Retries are real but quick: `retry-after: 0`, or a 10 ms backoff policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from desktop.core.base import errors as E
from desktop.core.contenders.answer import EV_STATUS
from desktop.core.battle.round_session import record_battle
from desktop.core.contenders.disclosure import neutral_reason
from desktop.core.battle.engine import Battle
from desktop.core.contenders.params import GenerationParams, Request
from desktop.core.store import VoteRefused, cast_vote, get_battle, open_store, vote_blocker
from desktop.core.store.votes import SIDE_FAILED
from tests.providers.fake_server import PROTOCOLS, Reply
from tests.providers.helpers import assert_no_key, contender_for

PARTNER = {"openai": "anthropic", "anthropic": "gemini", "gemini": "compat", "compat": "openai"}
TRIES = 3  # the first try and two retries
DEFAULT = Reply().expected_text  # "Hello from the fake server!"
FIRST_TWO = "".join(Reply().text_pieces()[:2])  # "Hello from": sent before a mid-stream fault
IDLE_S = 0.3  # the idle limit for the stall cases, set through SIDEBYSIDE_IDLE_TIMEOUT


def big_answer() -> list[str]:
    """About 1 MB in 1,000 pieces, with multi-byte characters in every piece."""
    filler = "Ünïcode 🎉 and plain words, " * 37  # 1,000 characters
    return [f"[{i:04d}]" + filler[: 1024 - 6] for i in range(1000)]


@dataclass(frozen=True)
class Fault:
    replies: Callable[[], list[Reply]]
    kind: str | None  # None: the answer must succeed
    partial: str = ""  # the text the failed side keeps
    requests: int = 1  # requests the server must see (TRIES when retried)
    says: tuple[str, ...] = ()  # words the message must hold besides the provider's name
    stall: bool = False  # uses the small idle limit
    retry_waits: tuple[float, ...] = field(default=())  # the waits the retrying statuses show


def times(n: int, make: Callable[[], Reply]) -> Callable[[], list[Reply]]:
    return lambda: [make() for _ in range(n)]


FAULTS: dict[str, Fault] = {
    "401_auth": Fault(lambda: [Reply.fail("auth", status=401)], E.AUTH, says=("key",)),
    "403_forbidden": Fault(lambda: [Reply.fail("permission")], E.AUTH, says=("403",)),
    "404_unknown_model": Fault(lambda: [Reply.fail("not_found")], E.NOT_FOUND,
                               says=("model", "404")),
    "400_bad_request": Fault(lambda: [Reply.fail("bad_request")], E.BAD_REQUEST, says=("400",)),
    "429_retry_after": Fault(
        times(TRIES, lambda: Reply.fail("rate_limit", headers={"retry-after": "0"})),
        E.RATE_LIMIT, requests=TRIES, says=("429", "Tried 3 times"), retry_waits=(0.0, 0.0)),
    "429_out_of_credit": Fault(lambda: [Reply.fail("quota", status=429)], E.QUOTA,
                               says=("credit",)),
    "500_server": Fault(times(TRIES, lambda: Reply.fail("server")), E.SERVER, requests=TRIES,
                        says=("500", "Tried 3 times")),
    "502_html_page": Fault(times(TRIES, lambda: Reply.html(502)), E.SERVER, requests=TRIES,
                           says=("502", "HTML")),
    "503_unavailable": Fault(times(TRIES, lambda: Reply.fail("server", status=503)), E.SERVER,
                             requests=TRIES, says=("503",)),
    "529_overloaded": Fault(times(TRIES, lambda: Reply.fail("overloaded", status=529)),
                            E.OVERLOADED, requests=TRIES, says=("overloaded", "529")),
    "reset_before_answer": Fault(times(TRIES, lambda: Reply(fault="reset")), E.NETWORK,
                                 requests=TRIES, says=("connection",)),
    "error_event_mid_stream": Fault(
        lambda: [Reply(fault="error_event", fault_after=2, stream_error="overloaded")],
        E.OVERLOADED, partial=FIRST_TWO, says=("overloaded",)),
    "dropped_mid_stream": Fault(lambda: [Reply(fault="drop", fault_after=2)], E.NETWORK,
                                partial=FIRST_TWO, says=("connection",)),
    "stall_mid_stream": Fault(lambda: [Reply(fault="stall", fault_after=2, stall_s=5)],
                              E.TIMEOUT, partial=FIRST_TWO, says=(f"{IDLE_S:g} s",), stall=True),
    "stall_before_headers": Fault(lambda: [Reply(fault="stall_headers", stall_s=5)], E.TIMEOUT,
                                  says=(f"{IDLE_S:g} s",), stall=True),
    "malformed_json_line": Fault(lambda: [Reply(fault="malformed", fault_after=2)], E.PROTOCOL,
                                 partial=FIRST_TWO, says=("JSON",)),
    "wrong_content_type": Fault(lambda: [Reply(content_type="text/plain; charset=utf-8")],
                                E.PROTOCOL, says=("text/plain",)),
    "html_page_with_200": Fault(lambda: [Reply.html(200)], E.PROTOCOL, says=("web page",)),
    "empty_200_stream": Fault(lambda: [Reply(fault="empty")], E.PROTOCOL, says=("empty",)),
    "1mb_answer": Fault(lambda: [Reply(pieces=big_answer(), chunk_size=64 * 1024)], None),
    "slow_trickle": Fault(lambda: [Reply(chunk_size=40, delay_s=0.02)], None),
    "429_then_answer": Fault(
        lambda: [Reply.fail("rate_limit", headers={"retry-after": "0"}), Reply()], None,
        requests=2, retry_waits=(0.0,)),
}


def run_battle(left, right, prompt: str = "Say hello.") -> Battle:
    battle = Battle(left, right, Request(prompt, GenerationParams(max_tokens=64))).start()
    statuses = {"left": [], "right": []}
    for event in battle.events(timeout=60):
        if event.type == EV_STATUS and event.status is not None:
            statuses[event.slot].append(event.status)
    battle.wait(10)
    battle.statuses = statuses  # type: ignore[attr-defined]
    return battle


def assert_plain_message(message: str, provider_label: str, *words: str) -> None:
    assert message.strip(), "an error without a message"
    for bad in ("Traceback", 'File "', "httpx.", "httpcore", "Exception", "Error:"):
        assert bad not in message, f"not plain: {message!r}"
    assert provider_label in message, f"the message does not name {provider_label}: {message!r}"
    assert f"{provider_label} at {provider_label}" not in message, message
    for word in words:
        assert word in message, f"{word!r} missing from {message!r}"
    assert_no_key(message)


@pytest.mark.parametrize("fault_name", list(FAULTS))
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_provider_fault(protocol, fault_name, server, monkeypatch):
    fault = FAULTS[fault_name]
    if fault.stall:
        monkeypatch.setenv("SIDEBYSIDE_IDLE_TIMEOUT", str(IDLE_S))
    replies = fault.replies()
    server.script(protocol, *replies)
    idle = None if fault.stall else 5.0  # None: the limit comes from the environment
    faulty = contender_for(protocol, server, idle_timeout_s=idle)
    partner = contender_for(PARTNER[protocol], server)
    # The faulty side takes turns on the left and the right, and as A and as B.
    faulty_slot = "right" if PROTOCOLS.index(protocol) % 2 else "left"
    slots = {faulty_slot: faulty, ("left" if faulty_slot == "right" else "right"): partner}
    a_slot = "left" if len(fault_name) % 2 else "right"

    battle = run_battle(slots["left"], slots["right"])
    answer = battle.answers[faulty_slot]
    other = battle.answers["left" if faulty_slot == "right" else "right"]
    assert other.ok and other.text == DEFAULT, other.error  # the healthy side is untouched
    assert len(server.requests_for(protocol)) == fault.requests
    waits = [s.retry_in_s for s in battle.statuses[faulty_slot] if s.state == "retrying"]
    assert len(waits) == fault.requests - 1  # one "retrying" status before each retry
    if fault.retry_waits:
        assert waits == list(fault.retry_waits)  # retry-after was honoured, not the backoff

    store = open_store()
    try:
        record = record_battle(store, battle, mode="blind", a_slot=a_slot)
        saved = get_battle(store, record.id)
        position = "a" if a_slot == faulty_slot else "b"
        stored = saved.answer(position)
        if fault.kind is None:
            expected = "".join(replies[-1].text_pieces())
            assert answer.ok, answer.error
            assert answer.text == expected and stored.text == expected
            assert answer.output_tokens == len(replies[-1].text_pieces())
            if fault_name == "1mb_answer":
                assert len(answer.text.encode()) > 1_000_000
            if fault_name == "slow_trickle":
                assert answer.total_s > 0.5  # longer than the stall cases' idle limit in all
            assert vote_blocker(saved) is None
            assert cast_vote(store, record.id, "a").vote.choice == "a"
        else:
            assert answer.error is not None, f"{fault_name} was not reported as a failure"
            assert answer.error.kind == fault.kind, answer.error
            assert answer.finish_reason == "error"
            assert answer.text == fault.partial
            assert stored.text == fault.partial and stored.error.kind == fault.kind
            assert_plain_message(answer.error.message, faulty.label, *fault.says)
            blocked = vote_blocker(saved)
            assert blocked is not None and blocked.reason == SIDE_FAILED
            with pytest.raises(VoteRefused) as refused:
                cast_vote(store, record.id, "a")
            assert refused.value.reason == SIDE_FAILED
            # The battle is blind and has no vote: the refusal gives the kind of trouble in
            # words every model shares, never the provider's own message (it names itself).
            assert neutral_reason(answer.error).rstrip(".") in refused.value.message
            assert faulty.label not in refused.value.message
            assert get_battle(store, record.id).vote is None
    finally:
        store.close()

    # The next battle on the same server, with the same contenders, works.
    monkeypatch.delenv("SIDEBYSIDE_IDLE_TIMEOUT", raising=False)
    again = run_battle(slots["left"], slots["right"])
    for side in ("left", "right"):
        assert again.answers[side].ok and again.answers[side].text == DEFAULT, (
            again.answers[side].error)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_connection_refused_is_a_plain_network_error(protocol, server):
    """Nothing listening at the address: retried, then a network error naming the provider."""
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago and has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    faulty = contender_for(protocol, server)
    faulty.base_url = faulty.base_url.replace(f":{server.port}", f":{port}")
    if protocol == "compat":
        faulty.label = f"127.0.0.1:{port}"
    battle = run_battle(faulty, contender_for(PARTNER[protocol], server))
    answer = battle.answers["left"]
    assert answer.error is not None and answer.error.kind == E.NETWORK
    assert answer.text == ""
    assert_plain_message(answer.error.message, faulty.label, "Tried 3 times")
    assert battle.answers["right"].ok
