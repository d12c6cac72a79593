"""`sidebyside batch`: run a prompt set unattended, one battle at a time, then review it.

The rules (identity, resuming without duplicates, one retry of a failure at the end) are the
core's `desktop.core.battle.batch`; this module reads arguments and shows progress: a bar on a terminal
(done/total, failures, time left), JSON lines with `--json` (one per saved battle with its
`battle_id`, then a summary), plain lines otherwise. Ctrl+C stops at once; the same command
continues from the first prompt without a battle.
"""

from __future__ import annotations

import json
import sys
import threading

from desktop.cli import CommandFailed, UsageError
from desktop.cli._store import command_store
from desktop.cli.terminal import write_styled
from desktop.cli.ask import build_contenders, local_worker_pool, params_from_args, _positive_int
from desktop.core.providers.clients import ClientPool
from desktop.core.battle.batch import ORDERS, BatchError, BatchPlan, BatchResult, Eta, make_plan, run_batch

BAR_WIDTH = 24


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "batch", help="run a prompt set unattended, one battle at a time",
        description="Run every prompt of a starter set or a file for one pair of contenders, "
        "one battle at a time, without waiting for votes; review them later with "
        "`sidebyside review` or the Review tab. Stopped or crashed, the same command continues "
        "from the first prompt without a battle.",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--promptset", metavar="NAME",
                        help="a starter prompt set (see `sidebyside promptsets`)")
    source.add_argument("--file", metavar="PROMPTS",
                        help="a .txt (one prompt a line), .csv ('prompt' and optional "
                        "'category' columns) or .jsonl file")
    p.add_argument("--left", metavar="SPEC", required=True, help="left contender")
    p.add_argument("--right", metavar="SPEC", required=True, help="right contender")
    p.add_argument("--blind", action="store_true",
                   help="a fair coin seats each battle's contenders as A and B; names stay "
                   "hidden until you vote")
    p.add_argument("--repeat", type=_positive_int, default=1, metavar="K",
                   help="run every prompt K times (default 1)")
    p.add_argument("--category", metavar="C",
                   help="category for prompts that carry none (default: other)")
    p.add_argument("--json", action="store_true",
                   help="one JSON line per finished battle, then a summary line")
    p.add_argument("--order", choices=ORDERS, default="file",
                   help="file: the prompts in the file's order (default); next: the prompts "
                   "of the categories nearest a decision for this pair first")
    for name, default in (("--max-tokens", 512), ("--n-ctx", 4096)):
        p.add_argument(name, type=_positive_int, default=default, metavar="N")
    p.add_argument("--system", default="", metavar="TEXT", help="system prompt for both sides")
    p.add_argument("--temperature", type=float, default=0.7, metavar="T")
    p.add_argument("--top-p", type=float, default=0.95, metavar="P")
    p.add_argument("--seed", type=int, default=None, metavar="N")
    p.add_argument("--threads", type=_positive_int, default=None, metavar="N")
    p.set_defaults(func=run, left_kind=None, right_kind=None, gpu_layers=0, reasoning=None)


def load_plan(args, store) -> BatchPlan:
    """The plan the arguments describe; bad input is a UsageError saying what to do."""
    try:
        plan, problems = make_plan(store, promptset=args.promptset, path=args.file,
                                   left=args.left, right=args.right, blind=args.blind,
                                   repeat=args.repeat, category=args.category)
    except BatchError as exc:
        raise UsageError(exc.message) from None
    for problem in problems:
        print(f"{plan.name} line {problem.line}: {problem.message}", file=sys.stderr)
    return plan


class Progress:
    """What the user sees while the batch runs (see the module docstring)."""

    def __init__(self, plan: BatchPlan, as_json: bool, out=None, err=None) -> None:
        self.plan, self.as_json = plan, as_json
        self.out, self.err = out or sys.stdout, err or sys.stderr
        self.bar = not as_json and self.err.isatty()
        self.done = self.failed = self.todo = 0
        self.eta = Eta()

    def start(self, already: int, todo: int) -> None:
        self.done, self.todo = already, todo
        if already:
            print(f"Continuing '{self.plan.name}': {already} of {self.plan.total} battles "
                  f"already ran; {todo} to go.", file=self.err, flush=True)
        self._draw()

    def result(self, result: BatchResult) -> None:
        if result.battle_id is None:  # to be retried at the end
            self.failed += 1
            self._draw()
            return
        self.done += 1
        self.eta.tick()
        if result.retry:
            self.failed -= 1 if not result.failed else 0
        if self.as_json:
            print(json.dumps({"battle_id": result.battle_id, "prompt_index": result.item.index,
                              "repeat": result.item.repeat, "category": result.item.category,
                              "failed": result.failed, "retry": result.retry},
                             ensure_ascii=False), file=self.out, flush=True)
        elif not self.bar:
            state = "failed" if result.failed else "saved"
            print(f"[{self.done}/{self.plan.total}] prompt {result.item.index + 1} "
                  f"(repeat {result.item.repeat}): battle {result.battle_id[:8]} {state}",
                  file=self.err, flush=True)
        self._draw()

    def _draw(self) -> None:
        if not self.bar:
            return
        total = self.plan.total
        filled = round(BAR_WIDTH * self.done / total) if total else BAR_WIDTH
        left = self.eta.seconds_left(total - self.done)
        eta = "" if left is None else f" · {_duration(left)} left"
        failed = f" · {self.failed} failed" if self.failed else ""
        write_styled(self.err, ("\r", True),
                     (f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {self.done}/{total}"
                      f"{failed}{eta}", False), ("\033[K", True))
        self.err.flush()

    def end(self, summary) -> None:
        if self.bar:
            self.err.write("\n")
        if self.as_json:
            print(json.dumps(summary.to_dict()), file=self.out, flush=True)
        if summary.stopped:
            print("Stopped. Run the same command to continue where it left off.",
                  file=self.err)
        else:
            print(f"Batch '{self.plan.name}' done: {summary.already + summary.done} of "
                  f"{summary.total} battles ({summary.failed} failed). Review them with: "
                  "sidebyside review", file=self.err)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def run(args) -> int:
    stop = threading.Event()
    with command_store() as store:
        plan = load_plan(args, store)
        progress = Progress(plan, args.json)
        with local_worker_pool() as pool, ClientPool() as clients:
            contenders = build_contenders(args, pool, clients)
            try:
                summary = run_batch(store, plan, contenders, params_from_args(args), stop=stop,
                                    on_start=progress.start, on_result=progress.result,
                                    order=args.order)
            except KeyboardInterrupt:
                stop.set()
                if progress.bar:
                    sys.stderr.write("\n")
                raise CommandFailed("stopped. Run the same command to continue where it "
                                    "left off.") from None
            finally:
                for contender in contenders.values():
                    contender.close()
        progress.end(summary)
    return 1 if summary.failed else 0
