"""The window's one seam to the store: Qt-free calls that run on the database thread.

Every function here is called through `tasks.TaskRunner` (one writer thread), never on the UI
thread. The store is opened lazily on first use, so start-up does not wait for SQLite.
"""

from __future__ import annotations

import threading
from typing import NamedTuple


class SavedRound(NamedTuple):
    record: object  # store.BattleRecord
    blocker: str | None  # why it cannot be voted on, or None


class Services:
    def __init__(self) -> None:
        self._store = None
        self._open_lock = threading.Lock()

    @property
    def store(self):
        with self._open_lock:  # the results thread may ask at the same moment as the writer
            if self._store is None:
                from desktop.core.store import open_store

                self._store = open_store()
            return self._store

    def notice(self) -> str | None:
        return self.store.notice

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # -- battles and votes ------------------------------------------------------------
    def save_turn(self, session, battle) -> SavedRound:
        """Save a finished turn of the window's `RoundSession` (the first one under the
        category's canonical name)."""
        from desktop.core.battle.categories import resolve_category

        session.store = self.store
        if session.record is None:
            session.category = resolve_category(self.store, session.category)
        record = session.finish_turn(battle)
        blocker = session.vote_blocker()
        return SavedRound(record, blocker.message if blocker else None)

    def vote_round(self, session, choice: str, decide_s: float | None):
        session.store = self.store
        return session.vote(choice, decide_s)

    def vote(self, battle_id: str, choice: str, decide_s: float | None):
        from desktop.core.store import cast_vote

        return cast_vote(self.store, battle_id, choice, decide_s=decide_s)

    def categories(self) -> list[str]:
        from desktop.core.battle.categories import all_categories

        return all_categories(self.store)

    # -- history ----------------------------------------------------------------------
    def history(self, query: str = "", limit: int = 200):
        from desktop.core.store import list_battles

        return list_battles(self.store, query=query or None, limit=limit)

    def imported_votes(self, source: str, query: str = "", limit: int = 500):
        """The newest imported votes of `source` matching `query`, and how many match."""
        from desktop.core.store.sources import imported_vote_rows

        return imported_vote_rows(self.store, source, query, limit)

    def battle(self, battle_id: str):
        from desktop.core.store import get_battle

        return get_battle(self.store, battle_id)

    def delete_battle(self, battle_id: str) -> bool:
        from desktop.core.store import delete_battle

        return delete_battle(self.store, battle_id)

    # -- results and export (read-only snapshots: may run beside the writer) -----------
    def leaderboard(self, category: str | None, include_leaks: bool, source: str = "own"):
        """(Results for `category` over the votes of `source`, the categories that have votes)."""
        from desktop.core.stats.results import categories_in, load_votes, results_for

        data = load_votes(self.store, source)
        return results_for(data, category, include_leaks=include_leaks), categories_in(data)

    def import_votes(self, path: str, source: str | None, progress=None):
        """Import a Chatbot Arena or Open WebUI file as a source (one transaction, on the writer
        thread: votes cast meanwhile wait for it). `progress(fraction)` is called from here."""
        from desktop.core.importing import import_file

        return import_file(self.store, path, source, progress=progress)

    def vote_sources(self) -> list[str]:
        """The names of the imported vote sources (own and all are always there)."""
        from desktop.core.store.sources import source_names

        return source_names(self.store)

    def result_sources(self) -> list[str]:
        """The imported sources, then `team` when this data folder has joined one (and no
        imported source already goes by that name)."""
        from desktop.core.team.settings import load

        names = self.vote_sources()
        if load(self.store) is not None and "team" not in {n.lower() for n in names}:
            names.append("team")
        return names

    def team_status(self):
        from desktop.core.team.settings import status

        return status(self.store)

    def team_join(self, address: str, password: str, voter: str, push_texts: bool):
        from desktop.core.team.settings import join

        return join(self.store, address, password, voter=voter or None, push_texts=push_texts)

    def team_leave(self):
        from desktop.core.team.settings import leave

        return leave(self.store)

    def push_team(self):
        """Push what is queued for the team store (a no-op outside a team); never raises for a
        server that is down: the PushResult says so and the queue waits."""
        from desktop.core.team.push import push_outbox

        return push_outbox(self.store)

    def export_tallies(self, path: str, category: str | None, include_leaks: bool,
                       source: str = "own"):
        from desktop.core.results.export import export_tallies

        return export_tallies(self.store, path, category=category, include_leaks=include_leaks,
                              force=True, source=source)

    def export_votes(self, path: str, category: str | None, source: str = "own"):
        from desktop.core.results.export import export_votes

        if source != "own":
            from desktop.core.results.export_sources import export_source_votes

            return export_source_votes(self.store, path, source, category=category, force=True)
        return export_votes(self.store, path, category=category, force=True)

    # -- the verdict, the report and the starter sets (issue 14) ------------------------
    def verdict(self, margin: float, source: str = "own", judge: str | None = None):
        """The verdict over the votes of `source`: own (the default), all, or an imported one;
        with `judge` (own votes only), each row narrowed by that judge where it can be."""
        from desktop.core.judge.verdict import verdict_with_judge
        from desktop.core.stats.pair_votes import load_source_votes
        from desktop.core.stats.verdict import source_verdict

        if judge and source == "own":
            return verdict_with_judge(self.store, judge, margin=margin)
        return source_verdict(load_source_votes(self.store, source), margin=margin)

    def verdict_judges(self) -> list[str]:
        """Judges that can narrow the verdict: those with verdicts on voted battles."""
        from desktop.core.store.judge_verdicts import judges_with_votes

        return judges_with_votes(self.store)

    def report(self, path: str, margin: float, source: str = "own", judge: str | None = None):
        from desktop.core.results.report import write_report

        return write_report(self.store, path, margin=margin, force=True,  # the dialog asked
                            source=source, judge=judge)

    def style_control(self, category: str | None, include_leaks: bool):
        from desktop.core.stats.style_control import load_style_votes, style_control_for

        return style_control_for(load_style_votes(self.store), category,
                                 include_leaks=include_leaks)

    def starter_resume(self, name: str, contenders: tuple[str, str] | None):
        """(the set's file, the index of its first prompt without a vote for this pair)."""
        from desktop.core.prompts.starter_sets import find_starter, progress_of

        starter = find_starter(name)
        return str(starter.path), progress_of(self.store, starter, contenders).next_index
