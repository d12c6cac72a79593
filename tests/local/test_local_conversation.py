"""A local model in a conversation: the second turn carries the first through the GGUF's chat
template, on the same worker, and llama.cpp re-reads only the new part (KV cache prefix)."""

from __future__ import annotations

from desktop.core.params import GenerationParams
from desktop.core.round_session import RoundSession
from desktop.core.specs import make_contender


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
