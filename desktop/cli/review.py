"""`sidebyside review`: vote on the battles waiting for a vote, in the terminal, one key each.

Each battle is printed whole (both answers complete, A then B, no names, no counts or times);
then one key: 1 (A is better), 2 (B), 3 (tie), 4 (both bad), u (undo the last vote of this
review), s (skip), q (quit). After each vote one line says which was which, and the count
("12 of 140 reviewed"). `--list [--json]` prints the queue instead. The rules are the core's
`desktop.core.battle.review`.
"""

from __future__ import annotations

import json
import sys

from desktop.cli._store import command_store
from desktop.core.battle.review import ORDERS, ReviewFilter, ReviewSession, queue_rows
from desktop.core.contenders.choices import CHOICES
from desktop.core.operations.reviewing import review_undo, review_vote
from desktop.core.store.votes import VoteRefused

KEYS = {str(number): choice for number, choice in enumerate(CHOICES, start=1)}  # as the window's Ctrl+1…4
ASK = "Vote: 1 A is better · 2 B is better · 3 tie · 4 both bad · u undo · s skip · q quit > "


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "review", help="vote on the battles waiting for a vote",
        description="Walk the battles without a vote, oldest first (a batch's, or rounds left "
        "open), each with both answers complete; one key votes.",
    )
    p.add_argument("--list", action="store_true", help="list the queue instead of reviewing")
    p.add_argument("--json", action="store_true", help="with --list: one JSON object")
    p.add_argument("--set", dest="set_name", metavar="NAME",
                   help="only the battles of this batch (a starter set's or a file's name)")
    p.add_argument("--category", metavar="C", help="only this category")
    p.add_argument("--pair", nargs=2, metavar="SPEC",
                   help="only battles between these two contenders (either order)")
    p.add_argument("--order", choices=ORDERS, default="oldest",
                   help="oldest first (default), or next: the undecided categories nearest a "
                   "decision first, in random order within a category")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="with --order next: the shuffle within a category (default 0)")
    p.set_defaults(func=run)


def run(args) -> int:
    flt = ReviewFilter(args.set_name, args.category, tuple(args.pair) if args.pair else None,
                       args.order, args.seed)
    # --list only reads: it works on a read-only folder; reviewing writes votes.
    with command_store(read_only=args.list) as store:
        if args.list:
            return list_queue(store, flt, args.json)
        return walk(store, flt)


def list_queue(store, flt: ReviewFilter, as_json: bool) -> int:
    rows = queue_rows(store, flt)
    if as_json:
        print(json.dumps({"count": len(rows), "battles": [r.to_dict() for r in rows]},
                         ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("No battles are waiting for a vote.")
        return 0
    for row in rows:
        pair = " vs ".join(row.pair) if row.pair else "(blind)"
        print(f"{row.battle_id[:8]}  {row.created[:16].replace('T', ' ')}  {row.category:<14} "
              f"{pair:<40} {row.prompt}")
    print(f"{len(rows)} battles waiting for a vote.")
    return 0


def show(record, out=sys.stdout) -> None:
    """The whole battle, by seat, as Compare shows it before the vote."""
    rule = "─" * 72
    for turn in record.turns:
        print(rule, file=out)
        lead = f"Turn {turn.number} · " if len(record.turns) > 1 else ""
        print(f"{lead}Prompt: {turn.prompt.strip()}", file=out)
        for seat in ("a", "b"):
            print(f"\n── {seat.upper()} ──", file=out)
            print(turn.answers[seat].text.strip(), file=out)
    print(rule, file=out)


def walk(store, flt: ReviewFilter) -> int:
    session = ReviewSession(store, flt)
    if not session.total:
        print("No battles are waiting for a vote.")
        return 0
    record = session.current()
    while record is not None:
        show(record)
        try:
            key = input(ASK).strip().lower()
        except EOFError:
            key = "q"
        if key == "q":
            break
        if key == "s":
            session.position += 1
        elif key == "u":
            back = review_undo(store, session).value
            print("Nothing to undo in this review." if back is None else
                  f"Vote taken back. {session.count}")
        elif key in KEYS:
            try:
                result = review_vote(store, session, record.id, KEYS[key]).value
            except VoteRefused as exc:
                print(f"sidebyside: {exc.message}", file=sys.stderr)
                session.position += 1
            else:
                print(f"{result.reveal} {result.count}")
                if result.judge:
                    print(result.judge)
        else:
            print("Press 1, 2, 3 or 4 to vote, u to undo, s to skip, q to quit.")
            continue
        record = session.current()
    print(f"{session.count}.")
    return 0
