"""`sidebyside verdict`: for each open/proprietary pair and category, is the open model as good?"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from desktop.cli._store import command_store, fail
from desktop.cli._voter import add_voter_option, check_voter, voter_of
from desktop.core.judge.data import load_judged
from desktop.core.judge.verdict import judged_verdict
from desktop.core.stats.pair_votes import load_source_votes
from desktop.core.stats.verdict import DECISION_WORDS, categories_with_votes, format_number, format_usd, source_verdict
from desktop.core.store.sources import SourceError

if TYPE_CHECKING:
    from desktop.core.stats.verdict import Verdict


HEADER = ["Open", "Proprietary", "Category", "Votes", "W/L/T/Bad", "Open win rate", "95% CI",
          "Decision", "Cost/1k prompts", "TTFT (s)", "Tok/s"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "verdict", help="is the open model as good as the proprietary one, per category",
        description="For every open/proprietary pair with blind votes, overall and per "
        "category: wins, losses, ties, the open side's win rate (a tie counts half) with a "
        "95 %% Wilson interval, and a decision: as_good (the interval lies within the margin "
        "around 50 %%), better, worse, or undecided with an estimate of the votes still "
        "needed. Also cost per 1,000 prompts and median speed per side. See docs/verdict.md.",
    )
    p.add_argument("--category", metavar="NAME", help="only this category ('all': overall rows)")
    p.add_argument("--margin", type=margin_points, default=10.0, metavar="PP",
                   help="how close to 50 %% counts as 'as good', in points (default 10)")
    p.add_argument("--include-leaks", action="store_true",
                   help="count battles flagged as identity leaks too")
    p.add_argument("--include-named", action="store_true",
                   help="count votes cast with the names shown too (blind votes only by default)")
    p.add_argument("--source", metavar="NAME", default="own",
                   help="whose votes: own (yours, the default), all, team (your team's store), or an imported source "
                   "(imported models' kinds come from your own battles or the price table)")
    add_voter_option(p)
    p.add_argument("--judge", metavar="SPEC",
                   help="let this judge's verdicts narrow the interval (prediction-powered "
                   "inference over your votes and its verdicts; see docs/verdict.md)")
    p.add_argument("--json", action="store_true", help="print the verdict as JSON")
    p.set_defaults(func=run)


def margin_points(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of points") from None
    if not 0 <= value < 50:
        raise argparse.ArgumentTypeError(f"must be at least 0 and below 50 points, not {text}")
    return value


def run(args) -> int:
    voter = voter_of(args)
    with command_store(read_only=True) as store:  # reads only: works on a read-only folder
        try:
            check_voter(store, voter)
            loaded = load_source_votes(store, args.source, include_leaks=args.include_leaks,
                                       include_named=args.include_named, voter=voter)
        except SourceError as exc:
            return fail(exc.message)
    categories = categories_with_votes(loaded.votes)
    asked = args.category.lower() if args.category else None
    if asked and asked not in {c.lower() for c in categories} | set(loaded.left_out) | {"all"}:
        known = ", ".join(categories) or "none yet"
        return fail(f"No open-vs-proprietary votes in the category '{args.category}'. "
                    f"Categories with such votes: {known}.")
    verdict = source_verdict(loaded, args.category, args.margin / 100.0)
    if args.judge:
        if loaded.source != "own":
            return fail("--judge works with your own votes only (--source own): the judge's "
                        "verdicts are on your battles.")
        with command_store() as store:
            judged = load_judged(store, args.judge, include_leaks=args.include_leaks,
                                 include_named=args.include_named)
        if not judged:
            return fail(f"{args.judge} has judged none of your battles yet. Run: sidebyside "
                        f"judge --judge {args.judge}")
        verdict = judged_verdict(verdict, judged, args.judge)
    if args.json:
        print(json.dumps(verdict.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print_verdict(verdict)
    return 0


def print_verdict(verdict: "Verdict") -> None:
    margin = f"±{verdict.margin * 100:g} points"
    if verdict.source != "own":
        print_imported_verdict(verdict, margin)
        return
    if not verdict.pairs:
        print("No blind votes between an open and a proprietary model yet. Try: sidebyside ask "
              "--blind --left local --right openai:gpt-4o-mini \"your prompt\", then vote; or "
              "run a starter set: sidebyside promptsets.")
        return
    print(f"Verdict from {verdict.votes} blind vote{'s' * (verdict.votes != 1)}: is the open "
          f"model as good (within {margin} of 50 %)?")
    print_rows([HEADER] + [_row(p) for p in verdict.pairs])
    if verdict.judge:
        print_judge_note(verdict)
    print("\nCost, time to first token and tokens/s: open vs proprietary. A tie or 'both bad' "
          "counts half a win. Method and assumptions: docs/verdict.md.")


def _row(p) -> list[str]:
    decision = DECISION_WORDS[p.decision]
    if p.votes_needed is not None:
        decision += f" (~{p.votes_needed} more votes)"
    judge = (p.judged or {}).get("judge")
    votes = str(p.votes)
    if judge:  # a row that used a judge says so, and what it was worth in votes
        votes += f" +judge (≈{p.judged['effective_votes']})"
    return [
        p.open, p.proprietary, p.category, votes,
        f"{p.open_wins}/{p.proprietary_wins}/{p.ties}/{p.both_bad}",
        f"{p.open_win_rate:.1%}", f"{p.ci_low:.0%}–{p.ci_high:.0%}", decision,
        f"{format_usd(p.cost_per_1000['open'])} vs {format_usd(p.cost_per_1000['proprietary'])}",
        f"{format_number(p.ttft_s['open'], 2)} vs {format_number(p.ttft_s['proprietary'], 2)}",
        f"{format_number(p.tokens_per_s['open'], 0)} vs {format_number(p.tokens_per_s['proprietary'], 0)}",
    ]


def print_rows(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    right = {3, 5, 6}
    for row in rows:
        print("  ".join(c.rjust(w) if i in right else c.ljust(w)
                        for i, (c, w) in enumerate(zip(row, widths))).rstrip())


def print_imported_verdict(verdict: "Verdict", margin: str) -> None:
    """The verdict over an imported source, or all: the same table, plus what was left out."""
    whose = ("your blind votes and every imported source" if verdict.source == "all"
             else "the team's blind votes" if verdict.source == "team"
             else f"the imported source '{verdict.source}'")
    if verdict.pairs:
        print(f"Verdict from {verdict.votes} vote{'s' * (verdict.votes != 1)} of {whose}: is the "
              f"open model as good (within {margin} of 50 %)?")
        print_rows([HEADER] + [_row(p) for p in verdict.pairs])
    else:
        print(f"No votes between an open and a proprietary model in {whose}.")
    if verdict.left_out_unknown_kind:
        shown = ", ".join(verdict.unknown_models[:8])
        more = len(verdict.unknown_models) - 8
        print(f"\n{verdict.left_out_unknown_kind} imported vote"
              f"{'s' * (verdict.left_out_unknown_kind != 1)} left out: the kind (open or "
              f"proprietary) of {shown}{f' and {more} more' if more > 0 else ''} is unknown. A "
              "model's kind comes from your own battles with the same model or contender, or "
              "the price table's proprietary providers.")
    if verdict.pairs and verdict.source == "team":
        print("\nThe team's votes are counted by its server, without cost or speed ('?'). A tie "
              "or 'both bad' counts half a win. Method and assumptions: docs/verdict.md.")
    elif verdict.pairs:
        print("\nImported votes have no answers, so cost and speed (open vs proprietary) come "
              "from your own battles only ('?' where there are none). A tie or 'both bad' counts "
              "half a win. Method and assumptions: docs/verdict.md.")




def print_judge_note(verdict: "Verdict") -> None:
    used = [p for p in verdict.pairs if p.judged and p.judged.get("judge")]
    if used:
        print(f"\nRows marked '+judge' combine your votes with {verdict.judge}'s verdicts "
              "(prediction-powered inference): the win rate is still yours, '≈N' is how many "
              "votes alone would give as narrow an interval.")
    else:
        print(f"\n{verdict.judge} was not used: a row needs at least 10 of your votes on "
              "battles it judged, and judged battles without a vote.")
