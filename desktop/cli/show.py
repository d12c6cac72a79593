"""`sidebyside show BATTLE_ID [--json]`: a saved conversation, turn by turn.

Names (contender, provider, model, kind, price) are shown only once the battle was voted on, or
when it was named from the start: the same blind rule the round session applies while it runs.
"""

from __future__ import annotations

import json

from desktop.cli import CommandFailed
from desktop.cli._store import command_store, fail
from desktop.core.contenders.choices import CHOICE_WORDS
from desktop.core.contenders.disclosure import names_shown, shown_error, shown_answer_dict
from desktop.core.store import BattleNotFound, get_battle, resolve_battle_id, vote_blocker


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "show", help="show a saved battle's whole conversation",
        description="Print every turn of a saved battle: each prompt and both answers. A blind "
        "battle's models are named only after its vote.",
    )
    p.add_argument("battle_id", metavar="BATTLE_ID",
                   help="the id `sidebyside ask` printed (its first 8 characters are enough)")
    p.add_argument("--json", action="store_true", help="print the conversation as JSON")
    p.set_defaults(func=run)


def conversation_json(record) -> dict:
    revealed = names_shown(record)
    blocked = vote_blocker(record)
    out: dict = {
        "battle_id": record.id, "mode": record.mode, "category": record.category,
        "created_at": record.created_at, "system_prompt": record.system_prompt,
        "turns": [], "identity_leak": record.identity_leak, "leak_names": record.leak_names,
        "vote": (None if record.vote is None else
                 {"choice": record.vote.choice, "voted_at": record.vote.voted_at}),
        "ended": record.vote is not None,
        "can_vote": blocked is None,
    }
    if revealed:
        out["a_slot"] = record.a_slot
    for turn in record.turns:
        entry: dict = {"turn": turn.number, "prompt": turn.prompt, "created_at": turn.created_at}
        for seat, answer in sorted(turn.answers.items()):
            entry[seat] = shown_answer_dict(answer, seat, revealed)
        out["turns"].append(entry)
    return out


def _json_error(kind: str, message: str) -> int:
    """A refusal as `vote --json` gives one: a script reading JSON gets JSON, and exit 1."""
    print(json.dumps({"error": {"kind": kind, "message": message}}, ensure_ascii=False))
    return 1


def run(args) -> int:
    try:
        with command_store(read_only=True) as store:  # reads only: works on a read-only folder
            try:
                record = get_battle(store, resolve_battle_id(store, args.battle_id))
            except BattleNotFound as exc:
                return _json_error("not_found", exc.message) if args.json else fail(exc.message)
    except CommandFailed as exc:  # the database could not be opened or read
        if args.json:
            return _json_error("store", exc.message)
        raise
    if args.json:
        print(json.dumps(conversation_json(record), ensure_ascii=False, indent=2))
        return 0
    revealed = names_shown(record)
    state = ("voted: " + CHOICE_WORDS[record.vote.choice]) if record.vote else "not voted yet"
    print(f"Battle {record.id} · {record.mode} · {record.category} · "
          f"{len(record.turns)} turn{'s' if len(record.turns) != 1 else ''} · {state}")
    if revealed:
        print(f"A: {record.a.contender}   B: {record.b.contender}")
    if record.system_prompt:
        print(f"System: {record.system_prompt}")
    for turn in record.turns:
        print(f"\n── Turn {turn.number} ──\n> {turn.prompt}")
        for seat, answer in sorted(turn.answers.items()):
            error = shown_error(answer.error, seat, revealed)
            problem = f"  [{error.message}]" if error else ""
            print(f"\n[{seat.upper()}] {answer.text}{problem}")
    return 0
