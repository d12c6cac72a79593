"""A batch: every prompt of a set answered unattended by one pair, one battle at a time.

`sidebyside batch` and the window's "Run a prompt set in the background…" both run a
`BatchPlan` through `run_batch`; neither re-states these rules:

- **Identity.** A plan's id hashes what makes it the same run: its source, its prompts (text and
  category), both contender specs, blind or named, and the default category. The repeat count is
  left out, so the same command with a larger `--repeat` adds only the new repeats.
- **Resumable, no duplicates.** Each battle is keyed by (batch id, prompt index, repeat) in the
  same transaction that saves it (`batch_battles`, migration m010): a stop, Ctrl+C, a crash or
  SIGKILL at any moment leaves every key with its battle, so a rerun starts at the first
  (prompt, repeat) without one and runs each exactly once.
- **One at a time, models loaded once.** The caller builds the two contenders once (a local
  model loads on the first battle and stays loaded) and every battle is a fresh `RoundSession`
  on them: its own coin toss when blind, its own category, saved like a battle from Compare, so
  a vote on it counts the same everywhere (leaderboard, verdict, report, export, starter sets).
- **Order.** By default the file's order. With `order="next"` the prompts of the categories
  whose decision for this pair is nearest run first (the verdict's `votes_needed`, the rule of
  docs/verdict.md "What to vote next"), the file's order within a category. The key stays
  (prompt index, repeat), so the order never changes what a rerun counts as done.
- **A failure is retried once, at the end.** A battle where a side failed is not saved the first
  time; after the last prompt each such one runs again, and that second result is saved
  whatever it is (a failed battle takes no vote; delete it in History to have a rerun try again).

Qt-free; the caller's thread runs it. `stop` (a threading.Event) is checked between battles and
stops a running battle at once; a stopped battle is not saved.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from desktop.core.contenders.answer import Answer
from desktop.core.battle.categories import CategoryError, resolve_category
from desktop.core.contenders.base import Contender
from desktop.core.contenders.params import GenerationParams
from desktop.core.prompts.promptsets import Problem, PromptSetError, load_prompt_set
from desktop.core.battle.round_session import RoundSession
from desktop.core.stats.vote_order import category_ranks
from desktop.core.store.base import utc_now
from desktop.core.store.battles import BattleRecord, insert_battle, make_record
from desktop.core.store.db import Store
from desktop.core.prompts.starter_sets import UnknownStarterSet, find_starter


@dataclass(frozen=True)
class BatchItem:
    index: int  # the prompt's place in the set, from 0
    repeat: int  # 1..K
    prompt: str
    category: str


@dataclass
class BatchPlan:
    name: str  # what the user calls it: the starter set's name or the file's name
    source: str  # "promptset:NAME" or the file's absolute path
    prompts: list[tuple[str, str | None]]  # (prompt, its own category or None)
    left: str
    right: str
    blind: bool
    repeat: int = 1
    category: str = "other"  # for prompts without one

    @property
    def id(self) -> str:
        key = json.dumps([self.source, self.prompts, self.left, self.right, self.blind,
                          self.category], ensure_ascii=False)
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]

    def items(self) -> list[BatchItem]:
        return [BatchItem(index, repeat, prompt, category or self.category)
                for repeat in range(1, self.repeat + 1)
                for index, (prompt, category) in enumerate(self.prompts)]

    @property
    def total(self) -> int:
        return len(self.prompts) * self.repeat


@dataclass
class BatchResult:
    """One finished battle (saved) or one failure to be retried (not saved)."""

    item: BatchItem
    battle_id: str | None
    failed: bool  # a side failed
    retry: bool  # this was the retry at the end
    answers: dict[str, Answer] = field(default_factory=dict)  # by seat


@dataclass
class BatchSummary:
    batch_id: str
    total: int  # battles the plan asks for
    already: int  # done by an earlier run
    done: int  # saved by this run
    failed: int  # saved with a failed side (after their retry)
    stopped: bool

    def to_dict(self) -> dict:
        return {"summary": True, **dataclasses.asdict(self)}


ORDERS = ("file", "next")


class BatchError(Exception):
    """A plan that cannot be made (unknown set, unreadable or empty file); says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def make_plan(store: Store, *, promptset: str | None, path: str | None, left: str, right: str,
              blind: bool, repeat: int = 1,
              category: str | None = None) -> tuple[BatchPlan, list[Problem]]:
    """The plan for a starter set or a file (and the file's skipped lines); categories are
    resolved as `ask --file` files them (a prompt's own wins, else `category`, else other)."""
    try:
        default = resolve_category(store, category) if category else "other"
    except CategoryError as exc:
        raise BatchError(exc.message) from None
    problems: list[Problem] = []
    try:
        if promptset:
            starter = find_starter(promptset)
            name, source, items = starter.name, f"promptset:{starter.name}", starter.items()
        else:
            prompt_set = load_prompt_set(path or "")
            name, source = prompt_set.path.name, str(prompt_set.path.resolve())
            items, problems = prompt_set.items, prompt_set.problems
    except (UnknownStarterSet, PromptSetError) as exc:
        raise BatchError(exc.message) from None
    if not items:
        raise BatchError(f"'{name}' has no prompts to run.")

    def known(value: str | None) -> str | None:
        try:
            return resolve_category(store, value) if value else None
        except CategoryError:
            return None

    prompts = [(item.prompt, known(item.category)) for item in items]
    return BatchPlan(name, source, prompts, left, right, blind, repeat, default), problems


def done_keys(store: Store, plan: BatchPlan) -> set[tuple[int, int]]:
    """(prompt index, repeat) of the plan that already have a battle."""
    with store.read() as db:
        rows = db.execute("SELECT prompt_index, repeat FROM batch_battles WHERE batch_id = ?",
                          (plan.id,)).fetchall()
    return {(index, repeat) for index, repeat in rows}


def register(store: Store, plan: BatchPlan) -> None:
    with store.transaction("record the batch") as db:
        db.execute(
            "INSERT OR IGNORE INTO batches (id, name, left_spec, right_spec, mode, prompts, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (plan.id, plan.name, plan.left, plan.right, "blind" if plan.blind else "named",
             len(plan.prompts), utc_now()),
        )


def save_batch_battle(store: Store, plan: BatchPlan, item: BatchItem,
                      record: BattleRecord) -> BattleRecord:
    """The battle and its key, in one transaction (see the module docstring)."""
    with store.transaction("save the battle") as db:
        insert_battle(db, record)
        db.execute("INSERT INTO batch_battles (batch_id, prompt_index, repeat, battle_id) "
                   "VALUES (?, ?, ?, ?)", (plan.id, item.index, item.repeat, record.id))
    return record


def batch_names(store: Store) -> list[str]:
    """The names of the batches run so far (the Review tab's set filter), A to Z."""
    with store.read() as db:
        return [r[0] for r in db.execute("SELECT DISTINCT name FROM batches ORDER BY name")]


def run_one(contenders: dict[str, Contender], params: GenerationParams, plan: BatchPlan,
            item: BatchItem, stop: threading.Event,
            rng: random.Random | None = None) -> tuple[RoundSession, object] | None:
    """Run one battle to its end; None when `stop` was set meanwhile (nothing to save)."""
    session = RoundSession(contenders, params, blind=plan.blind, category=item.category, rng=rng)
    battle = session.start_turn(item.prompt)
    for _ in battle.events():
        if stop.is_set():
            battle.stop()
    battle.wait()
    if stop.is_set():
        return None
    return session, battle


def record_of(session: RoundSession, battle) -> BattleRecord:
    """The battle as Compare would save it (seats, mode, coin, category, parameters)."""
    by_seat = {seat: battle.answers[slot] for seat, slot in session.seats.items()}
    return make_record(battle.request.prompt, by_seat["a"], by_seat["b"],
                       mode="blind" if session.blind else "named", a_slot=session.a_slot,
                       category=session.category, params=session.params.to_dict())


def run_batch(store: Store, plan: BatchPlan, contenders: dict[str, Contender],
              params: GenerationParams, *, stop: threading.Event | None = None,
              on_start: Callable[[int, int], None] = lambda already, todo: None,
              on_result: Callable[[BatchResult], None] = lambda result: None,
              rng: random.Random | None = None, order: str = "file") -> BatchSummary:
    """Run what is left of `plan` (see the module docstring); `on_result` hears each battle."""
    stop = stop or threading.Event()
    register(store, plan)
    done = done_keys(store, plan)
    todo = [item for item in plan.items() if (item.index, item.repeat) not in done]
    if order == "next":
        rank = category_ranks(store, plan.left, plan.right)
        todo.sort(key=lambda item: rank(item.category))  # stable: the file's order within
    on_start(len(done), len(todo))
    summary = BatchSummary(plan.id, plan.total, len(done), 0, 0, False)
    retry: list[BatchItem] = []
    for final, items in ((False, todo), (True, retry)):
        for item in items:
            if stop.is_set():
                summary.stopped = True
                return summary
            ran = run_one(contenders, params, plan, item, stop, rng)
            if ran is None:
                summary.stopped = True
                return summary
            session, battle = ran
            failed = any(a.error is not None for a in battle.answers.values())
            answers = {seat: battle.answers[slot] for seat, slot in session.seats.items()}
            if failed and not final:
                retry.append(item)
                on_result(BatchResult(item, None, True, False, answers))
                continue
            record = save_batch_battle(store, plan, item, record_of(session, battle))
            summary.done += 1
            summary.failed += int(failed)
            on_result(BatchResult(item, record.id, failed, final, answers))
    return summary


class Eta:
    """Time left, from the mean time per battle so far (None until one has finished)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.started = clock()
        self.finished = 0

    def tick(self) -> None:
        self.finished += 1

    def seconds_left(self, remaining: int) -> float | None:
        if not self.finished:
            return None
        return (self.clock() - self.started) / self.finished * remaining
