"""The judge's question, in FastChat/MT-Bench's pairwise format, and the reading of its reply.

The system prompt is MT-Bench's `pair-v2` (Zheng et al., 2023): an impartial comparison that
ends with `[[A]]`, `[[B]]` or `[[C]]` (a tie). A conversation of several turns is given whole:
the user's turns under `[User Question]`, and each assistant's side of the conversation inside
its answer block, so the judge sees what the user saw. The reply's *last* verdict token counts
(a judge that quotes the format in its explanation still ends with its own verdict); a reply
with none is unparsable.
"""

from __future__ import annotations

import re

from desktop.core.store.battles import BattleRecord

SYSTEM_PROMPT = (
    "Please act as an impartial judge and evaluate the quality of the responses provided by two "
    "AI assistants to the user question displayed below. You should choose the assistant that "
    "follows the user's instructions and answers the user's question better. Your evaluation "
    "should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, "
    "and level of detail of their responses. Begin your evaluation by comparing the two "
    "responses and provide a short explanation. Avoid any position biases and ensure that the "
    "order in which the responses were presented does not influence your decision. Do not allow "
    "the length of the responses to influence your evaluation. Do not favor certain names of "
    "the assistants. Be as objective as possible. After providing your explanation, output your "
    'final verdict by strictly following this format: "[[A]]" if assistant A is better, '
    '"[[B]]" if assistant B is better, and "[[C]]" for a tie.'
)

_TOKEN = re.compile(r"\[\[\s*([ABC])\s*\]\]")
TOKEN_TO_PICK = {"A": "A", "B": "B", "C": "tie"}


def judged_turns(record: BattleRecord) -> list[tuple[str, str, str]]:
    """(prompt, seat a's answer, seat b's answer) for each finished turn, oldest first."""
    turns = [t for t in record.turns if t.finished] or record.turns
    return [(t.prompt, t.answers["a"].text, t.answers["b"].text) for t in turns]


def question(record: BattleRecord, first: str) -> str:
    """The user message with seat `first` ('a' or 'b') shown as Assistant A."""
    turns = judged_turns(record)
    index = {"a": 1, "b": 2}
    shown = [first, "b" if first == "a" else "a"]
    if len(turns) == 1:
        user = turns[0][0]
        answers = [turns[0][index[seat]] for seat in shown]
    else:
        user = "\n\n".join(f"Turn {n}: {t[0]}" for n, t in enumerate(turns, 1))
        answers = []
        for label, seat in zip("AB", shown):
            answers.append("\n\n".join(
                f"### User (turn {n}):\n{t[0]}\n\n### Assistant {label}:\n{t[index[seat]]}"
                for n, t in enumerate(turns, 1)))
    return (
        f"[User Question]\n{user}\n\n"
        f"[The Start of Assistant A's Answer]\n{answers[0]}\n[The End of Assistant A's Answer]\n\n"
        f"[The Start of Assistant B's Answer]\n{answers[1]}\n[The End of Assistant B's Answer]"
    )


def parse_reply(reply: str) -> str | None:
    """'A', 'B' or 'tie' from the reply's last verdict token; None when it has none."""
    found = _TOKEN.findall(reply or "")
    return TOKEN_TO_PICK[found[-1]] if found else None


def to_seat(pick: str | None, first: str) -> str | None:
    """A pick ('A', 'B', 'tie') in an order where seat `first` was shown as A, as a seat."""
    if pick in (None, "tie"):
        return pick
    other = "b" if first == "a" else "a"
    return first if pick == "A" else other


def combine(seat_ab: str | None, seat_ba: str | None) -> str:
    """The battle's verdict from both orders (already mapped back to seats)."""
    if seat_ab is None or seat_ba is None:
        return "unparsable"
    return seat_ab if seat_ab == seat_ba else "inconsistent"
