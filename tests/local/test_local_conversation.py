"""A local model in a conversation: the second turn carries the first through the GGUF's chat
template, on the same worker, and llama.cpp re-reads only the new part (KV cache prefix)."""

from __future__ import annotations

import re

from desktop.core.contenders.base import Contender, Finish
from desktop.core.contenders.params import GenerationParams
from desktop.core.battle.round_session import RoundSession
from desktop.core.battle.specs import make_contender


def run_turn(session: RoundSession, prompt: str) -> dict:
    battle = session.start_turn(prompt)
    for _ in battle.events():
        pass
    battle.wait()
    session.finish_turn(battle)
    return battle


def test_second_turn_carries_the_first_on_the_same_worker_mostly_cached(local_pool):
    # The embedded SmolLM2 and its real ChatML template (whose generation prompt is exactly the
    # start of the assistant turn it later renders, as chat templates are written).
    contenders = {"left": make_contender("local", local_pool=local_pool),
                  "right": make_contender("local", local_pool=local_pool)}
    params = GenerationParams(system="Be brief.", max_tokens=8, n_ctx=512, seed=3,
                              temperature=0.0)
    session = RoundSession(contenders, params, blind=False)

    first = run_turn(session, "Say hi.")
    assert all(a.error is None for a in first.answers.values())
    workers = {slot: contenders[slot]._last_worker for slot in ("left", "right")}
    assert workers["left"] is not workers["right"]  # each side its own llama.cpp context

    second = run_turn(session, "And again?")
    for slot, contender in contenders.items():
        before, after = first.answers[slot], second.answers[slot]
        assert after.error is None
        # The request carried the system prompt, turn 1 and this side's own first answer.
        assert [m["content"] for m in second.requests[slot].messages()] == [
            "Be brief.", "Say hi.", before.text, "And again?"]
        assert contender._last_worker is workers[slot], "the worker was kept between turns"
        # Turn 2's prompt extends turn 1's: all of turn 1's prompt was found in the KV cache,
        # so only the answer and the new question were evaluated.
        assert after.prompt_tokens > before.prompt_tokens + 1
        assert contender.cached_prompt_tokens >= before.prompt_tokens
        assert contender.cached_prompt_tokens > after.prompt_tokens / 2
    assert {w.pid for w in local_pool.workers()} == {w.pid for w in workers.values()}


class Recording(Contender):
    """A scripted remote side that notes whether it was ever asked to stream."""

    provider = "scripted"

    def __init__(self) -> None:
        super().__init__("scripted:x", "x")
        self.streams = 0

    def stream(self, request, cancel):
        self.streams += 1
        yield "Fine."
        yield Finish("stop")


def test_a_conversation_too_long_for_the_context_is_refused_before_anything_is_sent(
        tiny_model, local_pool):
    remote = Recording()
    contenders = {"left": make_contender(f"local:{tiny_model}", local_pool=local_pool),
                  "right": remote}
    session = RoundSession(contenders, GenerationParams(max_tokens=64, n_ctx=256), blind=False)
    first = run_turn(session, "Hi.")
    assert first.answers["left"].error is None and remote.streams == 1

    second = run_turn(session, "Please consider this long text. " * 8)
    refused = second.answers["left"].error
    assert refused.kind == "context_length"
    numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", refused.message)]
    assert numbers[1:3] == [64, 256] and numbers[0] + 64 > 256  # used, asked for, allowed
    assert "new one" in refused.message and "Nothing was sent" in refused.message
    # The other side was held back at the start line, with the same reason.
    assert remote.streams == 1
    assert second.answers["right"].error.kind == "context_length"
    assert second.answers["left"].output_tokens is None
