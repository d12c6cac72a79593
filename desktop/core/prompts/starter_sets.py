"""The seven starter prompt sets: one per kind of task the "is open good enough?" debate names.

Each set is a CSV file shipped inside the package (`desktop/data/promptsets/NAME.csv`, columns
`prompt` and `category`), read by the same loader as any user's prompt set
(`desktop.core.prompts.promptsets`), and every prompt carries its set's category, so the verdict can be
read per kind of task. The prompts were written for this project; none is taken from a benchmark.

Progress lives in the database, not in a side file: a prompt counts as done once a battle on
exactly that prompt has a vote. So `ask --promptset` and the window both pick up at the first
prompt without a vote, after a stop, a crash or on another day, and a vote cast from the History
tab or `sidebyside vote` counts too. Progress may be asked for one pair of contenders (either
order), so a new pair starts the set afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the window lists the sets before its first paint; the store loads later
    from desktop.core.prompts.promptsets import PromptItem
    from desktop.core.store.db import Store


@dataclass(frozen=True)
class StarterSet:
    name: str  # the file's stem; what `ask --promptset` takes
    title: str
    category: str  # every prompt in the set carries it

    @property
    def path(self) -> Path:
        import importlib.resources as resources  # zipfile, tempfile and more: not before the first paint  # noqa: PLC0415

        return Path(str(resources.files("desktop").joinpath(f"data/promptsets/{self.name}.csv")))

    def items(self) -> list[PromptItem]:
        # deferred: the prompt set reader (with csv, ~3 ms) is not needed to list the sets in
        # the window's File menu before its first paint
        from desktop.core.prompts.promptsets import load_prompt_set  # noqa: PLC0415

        return load_prompt_set(self.path).items


STARTER_SETS = (
    StarterSet("coding-help", "Coding help", "coding"),
    StarterSet("summarisation", "Summarisation", "summarization"),
    StarterSet("instruction-following", "Instruction following", "instruction following"),
    StarterSet("everyday-reasoning", "Everyday reasoning", "everyday reasoning"),
    StarterSet("multi-step-reasoning", "Multi-step reasoning", "multi-step reasoning"),
    StarterSet("factual-accuracy", "Factual accuracy", "factual"),
    StarterSet("open-ended-ambiguity", "Open-ended problems under ambiguity",
               "open-ended problems"),
)


class UnknownStarterSet(LookupError):
    def __init__(self, name: str) -> None:
        names = ", ".join(s.name for s in STARTER_SETS)
        self.message = f"There is no starter prompt set called '{name}'. The sets are: {names}."
        super().__init__(self.message)


def find_starter(name: str) -> StarterSet:
    wanted = (name or "").strip().lower()
    for starter in STARTER_SETS:
        if wanted in (starter.name, starter.title.lower()):
            return starter
    raise UnknownStarterSet(name)


def starter_for_path(path: str | Path) -> StarterSet | None:
    """The starter set whose shipped file this is, if any."""
    for starter in STARTER_SETS:
        if Path(path) == starter.path:
            return starter
    return None


def voted_prompts(store: Store, prompts: list[str],
                  contenders: tuple[str, str] | None = None) -> set[str]:
    """Those of `prompts` that some voted battle was on (for this pair of contenders, in either
    order, when `contenders` is given)."""
    if not prompts:
        return set()
    sql = ("SELECT DISTINCT b.prompt FROM battles b JOIN votes v ON v.battle_id = b.id "
           f"WHERE b.prompt IN ({', '.join('?' * len(prompts))})")
    args: list = list(prompts)
    if contenders is not None:
        first, second = contenders
        sql += (" AND ((v.contender_a = ? AND v.contender_b = ?) "
                "OR (v.contender_a = ? AND v.contender_b = ?))")
        args += [first, second, second, first]
    with store.snapshot() as db:
        return {row[0] for row in db.execute(sql, args)}


@dataclass
class StarterProgress:
    starter: StarterSet
    count: int
    done: int
    next_index: int  # the first prompt without a vote (== count when all are done)

    def to_dict(self) -> dict:
        return {
            "name": self.starter.name,
            "title": self.starter.title,
            "category": self.starter.category,
            "count": self.count,
            "done": self.done,
            "progress": round(self.done / self.count, 4) if self.count else 0.0,
            "next": self.next_index + 1 if self.next_index < self.count else None,
        }


def progress_of(store: Store, starter: StarterSet,
                contenders: tuple[str, str] | None = None) -> StarterProgress:
    items = starter.items()
    done = voted_prompts(store, [i.prompt for i in items], contenders)
    next_index = next((n for n, i in enumerate(items) if i.prompt not in done), len(items))
    return StarterProgress(starter, len(items), sum(i.prompt in done for i in items), next_index)


def all_progress(store: Store, contenders: tuple[str, str] | None = None) -> list[StarterProgress]:
    return [progress_of(store, s, contenders) for s in STARTER_SETS]
