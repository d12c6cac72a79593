"""The operations both faces call (desktop/core/operations): each does what the store function
it stands for does, and says what it changed. These tests do not require Qt."""

from __future__ import annotations

import csv
import random

import pytest

from desktop.core.battle.round_session import RoundSession
from desktop.core.contenders.params import GenerationParams
from desktop.core.battle.categories import CategoryError, all_categories, category_for
from desktop.core.operations import battles, team, votes_io
from desktop.core.operations.changes import NOTHING, Changes
from desktop.core.operations.workspace import Workspace
from desktop.core.results.export import VOTE_COLUMNS
from desktop.core.results.export_sources import COLUMNS as SOURCE_COLUMNS
from desktop.core.store import VoteRefused, get_battle, open_store
from tests.store.helpers import battle
from tests.test_round_session import Echo

ARENA = ("question_id,model_a,model_b,winner,category,tstamp\n"
         "q1,gpt-4,claude-2,model_a,Coding,1690000000\n"
         "q2,gpt-4,claude-2,tie,Writing,1690000300\n")


def test_a_vote_changes_votes_and_battles_and_takes_the_short_id(store):
    rec = battle(store)
    done = battles.vote(store, rec.short_id, "a", decide_s=2.0)
    assert done.value.vote.choice == "a" and done.value.battle.id == rec.id
    assert done.changes == Changes(battles=True, votes=True)
    assert done.changes.names() == {"battles", "votes"}
    with pytest.raises(VoteRefused):  # a second vote is refused, so nothing changes
        battles.vote(store, rec.id, "b")


def test_deleting_says_whether_a_vote_went_with_the_battle(store):
    voted, open_ = battle(store), battle(store)
    battles.vote(store, voted.id, "tie")
    assert battles.delete_battle(store, voted.id).changes == Changes(battles=True, votes=True)
    done = battles.delete_battle(store, open_.id)
    assert done.value is True and done.changes == Changes(battles=True)
    assert get_battle(store, open_.id) is None
    missing = battles.delete_battle(store, open_.id)  # already gone: nothing changed
    assert missing.value is False and missing.changes == NOTHING and not missing.changes


def test_import_changes_sources_and_remove_takes_them_back(store, tmp_path):
    (tmp_path / "arena.csv").write_text(ARENA)
    done = votes_io.import_votes(store, tmp_path / "arena.csv")
    assert done.value.added == 2 and done.value.source == "arena"
    assert done.changes == Changes(sources=True)
    removed = votes_io.remove_source(store, "arena")
    assert removed.value == 2 and removed.changes == Changes(sources=True)


def test_merge_changes_what_it_brought_and_nothing_the_second_time(store, tmp_path):
    other_path = tmp_path / "teammate.db"
    other = open_store(other_path)
    rec = battle(other, category="Poetry")
    battles.vote(other, rec.id, "b")
    other.close()
    first = votes_io.merge(store, other_path)
    assert first.changes == Changes(battles=True, votes=True, categories=True)
    assert votes_io.merge(store, other_path).changes == NOTHING


def test_export_picks_the_shape_by_source_in_one_place_and_changes_nothing(store, tmp_path):
    rec = battle(store)
    battles.vote(store, rec.id, "a")
    (tmp_path / "arena.csv").write_text(ARENA)
    votes_io.import_votes(store, tmp_path / "arena.csv")
    own = votes_io.export_votes(store, tmp_path / "own.csv")
    imported = votes_io.export_votes(store, tmp_path / "arena-out.csv", source="ARENA ")
    for done, path, header, rows in ((own, "own.csv", VOTE_COLUMNS, 1),
                                     (imported, "arena-out.csv", SOURCE_COLUMNS, 2)):
        with open(tmp_path / path, newline="") as f:
            read = list(csv.reader(f))
        assert read[0] == header and len(read) == rows + 1 and done.value.rows == rows
        assert done.changes == NOTHING
    tallies = votes_io.export_tallies(store, tmp_path / "t.csv", source="arena")
    assert tallies.value.rows > 0 and tallies.changes == NOTHING


def test_a_push_outside_a_team_changes_nothing(store):
    battles.vote(store, battle(store).id, "a")
    done = team.push_team(store)
    assert done.value.battles == 0 and done.changes == NOTHING


def test_category_for_is_the_one_rule_for_both_faces(store):
    assert category_for(store, None) == "other" and category_for(store, "  ", "coding") == "coding"
    assert category_for(store, "CODING") == "coding"  # a starter keeps its spelling
    assert category_for(store, "  Sea   shanties ") == "Sea shanties"  # new: added as the user's
    assert category_for(store, "sea shanties") == "Sea shanties"
    assert "Sea shanties" in all_categories(store)
    with pytest.raises(CategoryError):
        category_for(store, "x" * 61)
    assert category_for(store, "x" * 61, "reasoning", lenient=True) == "reasoning"


def test_the_workspace_tells_its_listeners_what_each_operation_changed(store):
    rec = battle(store)
    heard: list[Changes] = []
    workspace = Workspace()
    workspace.listen(lambda changes, initiator: heard.append((changes, initiator)))
    try:
        receipt = workspace.vote(rec.id, "b", 1.0)
        assert receipt.vote.choice == "b"
        assert workspace.delete_battle("no-such-battle") is False  # nothing changed: not told
        assert workspace.run(battles.delete_battle, rec.id, initiator="history") is True
    finally:
        workspace.close()
    assert heard == [(Changes(battles=True, votes=True), None),
                     (Changes(battles=True, votes=True), "history")]


def test_saving_a_round_changes_battles_and_a_new_category_then_its_vote_ends_it(store):
    session = RoundSession({"left": Echo("left"), "right": Echo("right")}, GenerationParams(),
                           blind=True, category=" Sea  shanties ", rng=random.Random(1))
    first = battles.save_turn(store, session, _drained(session, "Sing."))
    assert first.value.record.category == "Sea shanties" and first.value.blocker is None
    assert first.changes == Changes(battles=True, categories=True)
    second = battles.save_turn(store, session, _drained(session, "Again."))
    assert len(second.value.record.turns) == 2 and second.changes == Changes(battles=True)
    voted = battles.vote_round(store, session, "tie", 3.0)
    assert voted.value.vote.choice == "tie" and voted.changes == Changes(battles=True, votes=True)


def _drained(session, prompt):
    battle = session.start_turn(prompt)
    for _ in battle.events():
        pass
    battle.wait()
    return battle
