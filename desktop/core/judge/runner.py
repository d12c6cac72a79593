"""Judging battles: one battle is asked twice (seat A first, then seat B first) and counts only
when both orders agree; a set of battles is judged one after another, each verdict saved as it
comes, so a run stopped anywhere resumes with what is left.

The judge is any contender (`specs.make_contender`): a proprietary model, a local GGUF, an Ollama
model. It runs through the engine's `run_contender`, so its answer is timed, counted and priced
like any other. `--max-cost` is kept *before* each battle: the next battle's cost is estimated
from its prompt's length (about four characters a token) and the mean reply length so far
(`DEFAULT_REPLY_TOKENS` before the first reply), priced with the price table; the run stops when
the spend so far plus that estimate would pass the cap.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from desktop.core.contenders.answer import Answer
from desktop.core.contenders.base import CancelToken, Contender
from desktop.core.battle.engine import run_contender
from desktop.core.judge.prompt import SYSTEM_PROMPT, combine, parse_reply, question, to_seat
from desktop.core.contenders.params import GenerationParams, Request
from desktop.core.contenders.prices import cost_usd
from desktop.core.store.battles import get_battle
from desktop.core.store.db import Store
from desktop.core.store.judge_verdicts import BattleToJudge, JudgeVerdict, save_verdict

JUDGE_PARAMS = GenerationParams(system=SYSTEM_PROMPT, temperature=0.0, top_p=1.0,
                                max_tokens=1024, seed=0, n_ctx=8192)
CHARS_PER_TOKEN = 4
DEFAULT_REPLY_TOKENS = 400


class JudgeFailed(Exception):
    """The judge could not answer (no key, server down, no price for --max-cost); plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class JudgeSummary:
    judge: str
    asked: int  # battles that were waiting for this judge (after filters and --limit)
    judged: list[JudgeVerdict] = field(default_factory=list)
    spent_usd: float = 0.0
    stopped_for_cost: bool = False
    cancelled: bool = False

    def counts(self) -> dict[str, int]:
        out = {v: 0 for v in ("a", "b", "tie", "inconsistent", "unparsable")}
        for v in self.judged:
            out[v.verdict] += 1
        return out


def ask(contender: Contender, text: str, cancel: CancelToken) -> Answer:
    """One question to the judge; its failure becomes JudgeFailed with the provider's message."""
    answer = run_contender(contender, Request(prompt=text, params=JUDGE_PARAMS), cancel,
                           lambda *_: None)
    if answer.error is not None and not cancel.is_set():
        raise JudgeFailed(f"The judge {contender.spec} did not answer: {answer.error.message}")
    return answer


def judge_record(contender: Contender, record, cancel: CancelToken | None = None) -> JudgeVerdict:
    """Ask about one battle in both orders and combine the two picks (nothing is saved)."""
    cancel = cancel or CancelToken()
    started = time.perf_counter()
    first = ask(contender, question(record, "a"), cancel)
    second = ask(contender, question(record, "b"), cancel)
    pick_ab = to_seat(parse_reply(first.text), "a")
    pick_ba = to_seat(parse_reply(second.text), "b")
    costs = [first.cost_usd, second.cost_usd]
    return JudgeVerdict(
        battle_id=record.id, judge=contender.spec, verdict=combine(pick_ab, pick_ba),
        reply_ab=first.text, reply_ba=second.text, pick_ab=pick_ab, pick_ba=pick_ba,
        cost_usd=None if None in costs else sum(costs), judge_s=time.perf_counter() - started,
    )


def estimate_usd(contender: Contender, record, reply_tokens: float) -> float | None:
    """The estimated cost of judging `record` (both orders); None when the judge has no price."""
    chars = len(SYSTEM_PROMPT) + len(question(record, "a"))
    probe = Answer(contender=contender.spec, provider=contender.provider, kind=contender.kind,
                   model=contender.model, priced=contender.priced, prompt_tokens=math.ceil(chars / CHARS_PER_TOKEN),
                   output_tokens=math.ceil(reply_tokens))
    one = cost_usd(probe)
    return None if one is None else 2 * one


def judge_battles(
    store: Store, contender: Contender, battles: list[BattleToJudge], *,
    max_cost: float | None = None, cancel: CancelToken | None = None,
    progress: Callable[[int, int, JudgeVerdict | None], None] = lambda done, total, v: None,
) -> JudgeSummary:
    """Judge `battles` in order, saving each verdict at once. Raises JudgeFailed on a judge
    failure (the verdicts saved before it stay: run again to carry on)."""
    cancel = cancel or CancelToken()
    summary = JudgeSummary(contender.spec, len(battles))
    reply_tokens: list[int] = []
    progress(0, len(battles), None)
    for n, item in enumerate(battles, 1):
        if cancel.is_set():
            summary.cancelled = True
            break
        record = get_battle(store, item.battle_id)
        if record is None:  # deleted meanwhile
            continue
        if max_cost is not None:
            expected = (sum(reply_tokens) / len(reply_tokens) if reply_tokens
                        else DEFAULT_REPLY_TOKENS)
            estimate = estimate_usd(contender, record, expected)
            if estimate is None:
                raise JudgeFailed(
                    f"The price table has no price for the judge {contender.spec}, so "
                    "--max-cost cannot be kept. Add its price to prices.json in the data folder "
                    "(see docs/judge.md), or run without --max-cost.")
            if summary.spent_usd + estimate > max_cost:
                summary.stopped_for_cost = True
                break
        verdict = judge_record(contender, record, cancel)
        if cancel.is_set():
            summary.cancelled = True
            break
        verdict = save_verdict(store, verdict)
        summary.judged.append(verdict)
        if verdict.cost_usd is not None:
            summary.spent_usd += verdict.cost_usd
        reply_tokens.extend(max(1, len(r) // CHARS_PER_TOKEN)
                            for r in (verdict.reply_ab, verdict.reply_ba))
        progress(n, len(battles), verdict)
    return summary
