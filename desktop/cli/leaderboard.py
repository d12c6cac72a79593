"""`sidebyside leaderboard`: ratings, win rates, position bias and the head-to-head matrix."""

from __future__ import annotations

import json
import math

from typing import TYPE_CHECKING

from desktop.cli._store import command_store, fail
from desktop.cli._voter import add_voter_option, check_voter, voter_of
from desktop.core.stats.results import load_votes, results_for, votes_per_category
from desktop.core.stats.style_control import FEATURE_WORDS, load_style_votes, style_control_for
from desktop.core.store.sources import SourceError

if TYPE_CHECKING:
    from desktop.core.stats.results import Results
    from desktop.core.stats.style_control import StyleControl

MAX_MATRIX = 10  # contenders; beyond this the matrix would not fit a terminal


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "leaderboard", help="show ratings and win rates from your votes",
        description="Bradley–Terry ratings (Chatbot Arena's scale, mean 1000) with 95 %% "
        "bootstrap intervals, win rates with Wilson intervals, position bias and head-to-head "
        "results. Battles whose answers name a model maker are left out unless you ask.",
    )
    p.add_argument("--category", metavar="NAME", help="only battles in this category")
    p.add_argument("--include-leaks", action="store_true",
                   help="count battles flagged as identity leaks too")
    p.add_argument("--style-control", action="store_true",
                   help="also fit ratings that hold answer length and markdown equal (Chatbot "
                   "Arena's style control) and show them beside the plain ratings")
    p.add_argument("--source", metavar="NAME", default="own",
                   help="whose votes: own (yours, the default), all, team (your team's store), or an imported source")
    add_voter_option(p)
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(func=run)


def run(args) -> int:

    style = None
    voter = voter_of(args)
    with command_store(read_only=True) as store:  # reads only: works on a read-only folder
        try:
            check_voter(store, voter)
            data = load_votes(store, args.source, voter)
        except SourceError as exc:
            return fail(exc.message)
        if args.style_control:
            if args.source != "own":
                return fail("--style-control needs the answers' texts, which only your own "
                            "battles have; use it without --source.")

            style = load_style_votes(store)
    per_category = votes_per_category(data)
    categories = list(per_category)
    if args.category and args.category.lower() not in {c.lower() for c in categories} | {"all"}:
        known = ", ".join(categories) or "none yet"
        return fail(f"No votes in the category '{args.category}'. Categories with votes: {known}.")
    results = results_for(data, args.category, include_leaks=args.include_leaks)
    control = None
    if style is not None:

        control = style_control_for(style, args.category, include_leaks=args.include_leaks)
    if args.json:
        out = results.to_dict()
        out["categories"] = per_category
        if control is not None:
            add_style_fields(out, control)
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print_table(results, per_category, control)
    return 0


def add_style_fields(out: dict, control: "StyleControl") -> None:
    """`rating_style`, `rating_style_low`, `rating_style_high` per contender, and the fit."""
    for row in out["contenders"]:
        rating = control.rating_of(row["contender"])
        row["rating_style"] = rating.rating if rating else None
        row["rating_style_low"] = rating.rating_low if rating else None
        row["rating_style_high"] = rating.rating_high if rating else None
    out["style_control"] = control.to_dict()


def print_table(res: "Results", per_category: dict[str, int],
                control: "StyleControl | None" = None) -> None:
    scope = "all battles" if res.category == "all" else f"category '{res.category}'"
    whose = {"own": "your votes", "all": "your votes and every imported source",
             "team": "the team's votes"}.get(
        res.source, f"the imported source '{res.source}'")
    print(f"Leaderboard for {scope}, {whose}: {res.votes} vote{'s' if res.votes != 1 else ''} "
          "counted.")
    if res.leaks_excluded:
        print(f"{res.leaks_excluded} vote(s) on battles with an identity leak left out; "
              "--include-leaks counts them.")
    if not res.contenders and res.votes:
        print("Those votes compare a contender with itself, which shows position bias but "
              "ranks nobody. Put two different contenders side by side to build a ranking.")
        return
    if not res.contenders and res.source != "own":
        print("No votes to rank in this source.")
        return
    if not res.contenders:
        print("No votes to rank yet. Try: sidebyside ask --blind --right openai:gpt-4o-mini "
              "\"your prompt\", then sidebyside vote BATTLE_ID a")
        return
    header = ["#", "Contender", "Model", "Kind", "Rating", "95% CI", "Battles", "W", "L", "T",
              "Bad", "Win rate", "95% CI"]
    rows = []
    for rank, c in enumerate(res.contenders, 1):
        rows.append([
            str(rank), c.contender, c.model if c.model != c.contender else "", c.kind,
            f"{c.rating:.0f}", f"{c.rating_low:.0f}–{c.rating_high:.0f}", str(c.battles),
            str(c.wins), str(c.losses), str(c.ties), str(c.both_bad), f"{c.win_rate:.1%}",
            f"{c.win_rate_low:.0%}–{c.win_rate_high:.0%}",
        ])
    right = {0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}
    if control is not None:
        header[6:6] = ["Style-controlled", "95% CI"]
        for row, c in zip(rows, res.contenders):
            styled = control.rating_of(c.contender)
            row[6:6] = ([f"{styled.rating:.0f}",
                         f"{styled.rating_low:.0f}–{styled.rating_high:.0f}"]
                        if styled else ["–", ""])
    _print_rows([header, *rows], right)
    if control is not None:
        print_style_effects(control)
    pb = res.position_bias
    if pb.a_share is not None:
        print(f"\nPosition bias: A (shown first) won {pb.a_share:.1%} of {pb.a_wins + pb.b_wins} "
              f"decisive votes (95% CI {pb.a_share_low:.1%}–{pb.a_share_high:.1%}); 50% is no bias.")
    h = res.head_to_head
    if 1 < len(h.contenders) <= MAX_MATRIX:
        print("\nHead to head: the row's share of points against the column (games played).")
        matrix = [["", *[f"#{j + 1}" for j in range(len(h.contenders))]]]
        for i in range(len(h.contenders)):
            cells = [f"#{i + 1}"]
            for j in range(len(h.contenders)):
                rate = h.rate(i, j)
                cells.append("·" if i == j else "–" if rate is None
                             else f"{rate:.0%} ({h.games[i, j]})")
            matrix.append(cells)
        _print_rows(matrix, set(range(1, len(h.contenders) + 1)))
    if res.category == "all" and per_category:
        listed = ", ".join(f"{name} ({n})" for name, n in per_category.items())
        print(f"\nVotes by category: {listed}. Use --category NAME for one.")
    print("Ratings: Bradley–Terry, 400 points = 10× odds, mean 1000; ties count half. "
          "See docs/schema.md.")


def print_style_effects(control: "StyleControl") -> None:

    print("\nStyle-controlled ratings hold these equal; how each moved the votes (odds of being "
          "preferred per standard deviation of the difference, 95% CI):")
    for c in control.coefficients:
        sure = c.low > 0 or c.high < 0
        print(f"  {FEATURE_WORDS[c.feature]}: ×{c.odds_ratio:.2f} "
              f"(×{math.exp(c.low):.2f}–×{math.exp(c.high):.2f})"
              f"{'' if sure else ', could be chance'}")


def _print_rows(rows: list[list[str]], right: set[int]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell.rjust(w) if i in right else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths))]
        print("  ".join(cells).rstrip())
