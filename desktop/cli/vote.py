"""`sidebyside vote BATTLE_ID {a,b,tie,both_bad}`: record a vote, then reveal who was who.

The vote is committed durably before anything is printed. A second vote, a vote on a battle
where a side failed or was stopped, or an unknown id is refused with exit status 1 and a message
that says why.
"""

from __future__ import annotations

import json

from desktop.cli._store import command_store, fail
from desktop.core.contenders.identity import leak_warning
from desktop.core.battle.judge_line import judge_line_after_vote
from desktop.core.operations import battles
from desktop.core.store import CHOICES, BattleNotFound, VoteRefused, winner_of
from desktop.core.store.votes import CHOICE_WORDS


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "vote", help="vote on a battle and reveal the models",
        description="Record which answer was better. For a blind battle the models are then "
        "revealed. Each battle takes one vote.",
    )
    p.add_argument("battle_id", metavar="BATTLE_ID",
                   help="the id `sidebyside ask` printed (its first 8 characters are enough)")
    p.add_argument("choice", choices=CHOICES,
                   help="a: A is better, b: B is better, tie, or both_bad")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    with command_store() as store:
        try:
            receipt = battles.vote(store, args.battle_id, args.choice).value
            judge_note = judge_line_after_vote(store, receipt.battle.id)  # only ever after the vote
        except (BattleNotFound, VoteRefused) as exc:
            if args.json:
                print(json.dumps({"error": {"kind": getattr(exc, "reason", "not_found"),
                                            "message": exc.message}}, ensure_ascii=False))
                return 1
            return fail(exc.message)
    battle, vote = receipt.battle, receipt.vote
    if args.json:
        print(json.dumps({
            "battle_id": battle.id,
            "choice": vote.choice,
            "winner": winner_of(battle, vote.choice),
            "voted_at": vote.voted_at,
            "decide_s": vote.decide_s,
            "mode": battle.mode,
            "turns": battle.judged_turns,
            "a": _side(battle.a),
            "b": _side(battle.b),
            "identity_leak": battle.identity_leak,
            "leak_names": battle.leak_names,
        }, ensure_ascii=False, indent=2))
        return 0
    judged = f" (judging {battle.judged_turns} turns)" if battle.judged_turns > 1 else ""
    print(f"Vote saved for battle {battle.short_id}: {CHOICE_WORDS[vote.choice]}{judged}.")
    reveal = "Revealed" if battle.mode == "blind" else "The contenders"
    print(f"{reveal}:")
    for label, answer in (("A", battle.a), ("B", battle.b)):
        print(f"  {label} was {_describe(answer)}")
    if battle.identity_leak:
        print(leak_warning(battle.leak_names))
    if judge_note:
        print(judge_note)
    return 0


def _describe(answer) -> str:
    model = f", model {answer.model}" if answer.model and answer.model != answer.contender else ""
    return f"{answer.contender} ({answer.kind}{model})"


def _side(answer) -> dict:
    return {"contender": answer.contender, "provider": answer.provider, "model": answer.model,
            "kind": answer.kind}
