"""The window's open data folder: the operations bound to one lazily opened store, and the reads
its views show. Qt-free; the window calls every method through its task runners (writes on its
one database thread), never on the UI thread.

Each operation here runs the function of the same name in this package and tells every listener
(`listen`) what it changed, on the thread that ran it, before returning its value; the window
turns that into a refresh of the views that show those things (desktop/gui/refresh.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from desktop.core.battle.categories import all_categories
from desktop.core.judge.verdict import verdict_with_judge
from desktop.core.operations import battles, team, votes_io
from desktop.core.operations.changes import Changes, Done
from desktop.core.prompts.starter_sets import find_starter, progress_of
from desktop.core.stats.pair_votes import load_source_votes
from desktop.core.stats.results import categories_in, load_votes, results_for
from desktop.core.stats.style_control import load_style_votes, style_control_for
from desktop.core.stats.verdict import source_verdict
from desktop.core.store import get_battle, list_battles, open_store
from desktop.core.store.db import Store
from desktop.core.store.judge_verdicts import judges_with_votes
from desktop.core.store.sources import imported_vote_rows, source_names
from desktop.core.team.settings import load as load_team
from desktop.core.team.settings import status as team_status

SavedRound = battles.SavedRound


class Workspace:
    def __init__(self) -> None:
        self._store: Store | None = None
        self._open_lock = threading.Lock()
        self._listeners: list[Callable[[Changes, str | None], None]] = []

    @property
    def store(self) -> Store:
        with self._open_lock:  # the results thread may ask at the same moment as the writer
            if self._store is None:
                self._store = open_store()
            return self._store

    def notice(self) -> str | None:
        return self.store.notice

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # -- operations: each tells the listeners what it changed --------------------------
    def listen(self, listener: Callable[[Changes, str | None], None]) -> None:
        """Call `listener(changes, initiator)` after each operation that changed something."""
        self._listeners.append(listener)

    def run(self, operation: Callable[..., Done], *args, initiator: str | None = None, **kwargs):
        """Run `operation(store, *args, **kwargs)`, tell the listeners, return its value.
        `initiator` names the view that asked (it shows the result itself, so it need not
        reload: Anki's `OpChanges` handler)."""
        done = operation(self.store, *args, **kwargs)
        if done.changes:
            for listener in self._listeners:
                listener(done.changes, initiator)
        return done.value

    def save_turn(self, session, battle) -> battles.SavedRound:
        return self.run(battles.save_turn, session, battle)

    def vote_round(self, session, choice: str, decide_s: float | None):
        return self.run(battles.vote_round, session, choice, decide_s)

    def vote(self, battle_id: str, choice: str, decide_s: float | None):
        return self.run(battles.vote, battle_id, choice, decide_s)

    def delete_battle(self, battle_id: str, initiator: str | None = None) -> bool:
        return self.run(battles.delete_battle, battle_id, initiator=initiator)

    def import_votes(self, path: str, source: str | None, progress=None):
        """Import a vote file as a source (one transaction, on the writer thread: votes cast
        meanwhile wait for it). `progress(fraction)` is called from here."""
        return self.run(votes_io.import_votes, path, source, progress)

    def team_join(self, address: str, password: str, voter: str, push_texts: bool):
        return self.run(team.team_join, address, password, voter, push_texts)

    def team_leave(self):
        return self.run(team.team_leave)

    def push_team(self):
        return self.run(team.push_team)

    def export_tallies(self, path: str, category: str | None, include_leaks: bool,
                       source: str = "own"):
        return self.run(votes_io.export_tallies, path, category=category,
                        include_leaks=include_leaks, force=True, source=source)  # the dialog asked

    def export_votes(self, path: str, category: str | None, source: str = "own"):
        return self.run(votes_io.export_votes, path, category=category, source=source, force=True)

    def report(self, path: str, margin: float, source: str = "own", judge: str | None = None):
        return self.run(votes_io.report, path, margin=margin, force=True, source=source,
                        judge=judge)

    # -- reads --------------------------------------------------------------------------
    def categories(self) -> list[str]:
        return all_categories(self.store)

    def history(self, query: str = "", limit: int = 200):
        return list_battles(self.store, query=query or None, limit=limit)

    def imported_votes(self, source: str, query: str = "", limit: int = 500):
        """The newest imported votes of `source` matching `query`, and how many match."""
        return imported_vote_rows(self.store, source, query, limit)

    def battle(self, battle_id: str):
        return get_battle(self.store, battle_id)

    def leaderboard(self, category: str | None, include_leaks: bool, source: str = "own"):
        """(Results for `category` over the votes of `source`, the categories that have votes)."""
        data = load_votes(self.store, source)
        return results_for(data, category, include_leaks=include_leaks), categories_in(data)

    def vote_sources(self) -> list[str]:
        """The names of the imported vote sources (own and all are always there)."""
        return source_names(self.store)

    def result_sources(self) -> list[str]:
        """The imported sources, then `team` when this data folder has joined one (and no
        imported source already goes by that name)."""
        names = self.vote_sources()
        if load_team(self.store) is not None and "team" not in {n.lower() for n in names}:
            names.append("team")
        return names

    def team_status(self):
        return team_status(self.store)

    def verdict(self, margin: float, source: str = "own", judge: str | None = None):
        """The verdict over the votes of `source`: own (the default), all, or an imported one;
        with `judge` (own votes only), each row narrowed by that judge where it can be."""
        if judge and source == "own":
            return verdict_with_judge(self.store, judge, margin=margin)
        return source_verdict(load_source_votes(self.store, source), margin=margin)

    def verdict_judges(self) -> list[str]:
        """Judges that can narrow the verdict: those with verdicts on voted battles."""
        return judges_with_votes(self.store)

    def style_control(self, category: str | None, include_leaks: bool):
        return style_control_for(load_style_votes(self.store), category,
                                 include_leaks=include_leaks)

    def starter_resume(self, name: str, contenders: tuple[str, str] | None):
        """(the set's file, the index of its first prompt without a vote for this pair)."""
        starter = find_starter(name)
        return str(starter.path), progress_of(self.store, starter, contenders).next_index
