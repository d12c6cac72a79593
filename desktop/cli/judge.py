"""`sidebyside judge`: a model judges the battles it has not judged yet, or (`--agreement`) how
well each judge agrees with your own votes. Judge verdicts are kept apart from your votes."""

from __future__ import annotations

import argparse
import json
import sys

from desktop.cli._store import command_store, fail
from desktop.cli.ask import _positive_int, local_worker_pool
from desktop.cli.terminal import redraw
from desktop.core.contenders.base import CancelToken
from desktop.core.base.errors import ContenderError
from desktop.core.judge.agreement import agreements
from desktop.core.judge.data import load_judged
from desktop.core.judge.runner import JudgeFailed, JudgeSummary
from desktop.core.operations.judging import judge
from desktop.core.battle.specs import make_contender
from desktop.core.providers.clients import ClientPool
from desktop.core.store.judge_verdicts import unjudged_battles

BAR = 30


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "judge", help="let a model judge your battles (apart from your votes), or measure "
        "how well it agrees with you",
        description="Ask a model (any contender spec: openai:MODEL, anthropic:MODEL, local, "
        "local:PATH.gguf, ollama:NAME, compat:MODEL@URL) which answer of each battle is better, "
        "in MT-Bench's pairwise format and in both orders; a verdict counts only when both "
        "orders agree. Every battle without a verdict from that judge is judged, voted or not; "
        "run it again to carry on. Judge verdicts never count as your votes. With --agreement: "
        "how often each judge agrees with you. See docs/judge.md.")
    p.add_argument("--judge", metavar="SPEC", help="the judge's contender spec")
    p.add_argument("--pair", nargs=2, metavar=("OPEN", "PROP"),
                   help="only battles between these two contenders")
    p.add_argument("--category", metavar="NAME", help="only battles of this category")
    p.add_argument("--source", default="own", metavar="NAME",
                   help="whose battles: own (the only one with answers to judge)")
    p.add_argument("--limit", type=_positive_int, metavar="N", help="judge at most N battles")
    p.add_argument("--max-cost", type=_usd, metavar="USD",
                   help="stop before the estimated spend would pass this many dollars")
    p.add_argument("--agreement", action="store_true",
                   help="show each judge's agreement with your votes instead of judging")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def _usd(text: str) -> float:
    try:
        value = float(text.lstrip("$"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an amount of dollars") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more, not {text}")
    return value


def run(args) -> int:
    if args.agreement:
        return run_agreement(args)
    if not args.judge:
        return fail("Name the judge with --judge SPEC (for example --judge openai:gpt-4o), or "
                    "use --agreement to see how well the judges so far agree with you.")
    if args.source.lower() != "own":
        return fail(f"Only your own battles can be judged: imported votes ('{args.source}') "
                    "come without the answers a judge would read. Use --source own.")
    with local_worker_pool() as workers, ClientPool() as clients:
        return _judge(args, workers, clients)


def _judge(args, workers, clients) -> int:
    """Judge with the contender `--judge` names, its resources the command's own."""
    try:
        contender = make_contender(args.judge, local_pool=workers, clients=clients)
    except ContenderError as exc:
        return fail(exc.message)
    try:
        with command_store() as store:
            battles = _select(unjudged_battles(store, contender.spec), args)
            if not battles:
                print(f"Nothing to judge: every battle{_filters(args)} already has a verdict "
                      f"from {contender.spec}.")
                return 0
            cancel = CancelToken()
            try:
                summary = judge(store, contender, battles, max_cost=args.max_cost,
                                cancel=cancel, progress=_progress_bar()).value
            except KeyboardInterrupt:
                cancel.cancel()
                raise
            except JudgeFailed as exc:
                _end_bar()
                return fail(exc.message + " The verdicts saved so far are kept; run the same "
                            "command again to carry on.")
    finally:
        contender.close()
    _end_bar()
    _report(summary, args.json)
    return 0


def _select(battles, args):
    if args.pair:
        wanted = tuple(args.pair)
        battles = [b for b in battles if (b.open, b.proprietary) == wanted]
    if args.category:
        battles = [b for b in battles if b.category.lower() == args.category.lower()]
    return battles[:args.limit] if args.limit else battles


def _filters(args) -> str:
    parts = []
    if args.pair:
        parts.append(f" between {args.pair[0]} and {args.pair[1]}")
    if args.category:
        parts.append(f" in '{args.category}'")
    return "".join(parts)


def _progress_bar():
    tty = sys.stderr.isatty()

    def show(done: int, total: int, verdict) -> None:
        if not tty or not total:
            return
        filled = BAR * done // total
        redraw(sys.stderr, f"Judging [{'#' * filled}{'.' * (BAR - filled)}] {done}/{total}")
        sys.stderr.flush()

    return show


def _end_bar() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\n")


def _report(summary: JudgeSummary, as_json: bool) -> None:
    counts = summary.counts()
    if as_json:
        print(json.dumps({
            "judge": summary.judge, "asked": summary.asked, "judged": len(summary.judged),
            "verdicts": counts, "spent_usd": round(summary.spent_usd, 6),
            "stopped_for_cost": summary.stopped_for_cost,
            "remaining": summary.asked - len(summary.judged),
        }, indent=2))
        return
    print(f"Judged {len(summary.judged)} of {summary.asked} battles with {summary.judge}: "
          f"{counts['a'] + counts['b']} picked an answer, {counts['tie']} ties, "
          f"{counts['inconsistent']} inconsistent (the two orders disagreed), "
          f"{counts['unparsable']} unparsable. Spent about ${summary.spent_usd:.4f}.")
    if summary.stopped_for_cost:
        print(f"Stopped before --max-cost would be passed; {summary.asked - len(summary.judged)} "
              "left. Run again with a higher --max-cost to carry on.")
    print("Judge verdicts are kept apart from your votes. See: sidebyside judge --agreement")


def run_agreement(args) -> int:
    with command_store() as store:
        rows = agreements(load_judged(store, args.judge))
    if args.json:
        print(json.dumps({"agreement": [r.to_dict() for r in rows]}, indent=2))
        return 0
    if not rows:
        print("No judge verdicts yet. Try: sidebyside judge --judge openai:gpt-4o")
        return 0
    header = ["Judge", "Category", "Judged", "Consistent", "Inconsistent", "With vote", "Agree",
              "Agree (no ties)",
              "Kappa (95% CI)", "Prefers longer"]
    table = [header]
    for r in rows:
        kappa = ("–" if r.kappa is None
                 else f"{r.kappa:.2f} ({r.kappa_low:.2f}–{r.kappa_high:.2f})")
        table.append([r.judge, r.category, str(r.judged), _pct(r.consistent_share),
                      str(r.inconsistent), str(r.both), _pct(r.agreement), _pct(r.agreement_without_ties), kappa,
                      _pct(r.prefers_longer)])
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    print("\nAgreement counts battles with your vote and a consistent verdict (both orders "
          "agreed); 'both bad' counts as a tie. Method: docs/judge.md.")
    return 0


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"
