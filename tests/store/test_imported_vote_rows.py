"""`imported_vote_rows`: single imported votes, newest first, for the window's History tab.
These tests do not require Qt; files go through `import_file`, the real import path."""

from __future__ import annotations

import pytest

from desktop.core.importing import import_file
from desktop.core.store.sources import SourceError, imported_vote_rows
from tests.store.helpers import populate

ARENA = ("question_id,model_a,model_b,winner,category,tstamp\n"
         "q1,gpt-4,claude-2,model_a,Coding,1690000000\n"
         "q2,gpt-4,claude-2,tie,Writing,1690000300\n"
         "q3,claude-2,vicuna-13b,tie (bothbad),,\n"
         "q4,vicuna-13b,gpt-4,model_b,coding,1690000200\n")
TEAM = ("battle_id,model_a,model_b,winner,tstamp\n"
        "t1,llama-3,gpt_4x,model_b,1700000000\n")


@pytest.fixture
def imported(store, tmp_path):
    (tmp_path / "arena.csv").write_text(ARENA)
    (tmp_path / "team.csv").write_text(TEAM)
    import_file(store, tmp_path / "arena.csv")
    import_file(store, tmp_path / "team.csv")
    return store


def test_a_source_lists_its_votes_newest_first_in_own_vote_words(imported):
    page = imported_vote_rows(imported, "arena")
    assert page.source == "arena" and page.total == 4
    assert [(v.model_a, v.model_b, v.choice, v.category, v.tstamp) for v in page.votes] == [
        ("gpt-4", "claude-2", "tie", "Writing", 1690000300.0),
        ("vicuna-13b", "gpt-4", "b", "coding", 1690000200.0),
        ("gpt-4", "claude-2", "a", "Coding", 1690000000.0),
        ("claude-2", "vicuna-13b", "both_bad", "other", None),  # no time: last
    ]
    assert {v.source for v in page.votes} == {"arena"}


def test_search_matches_model_names_and_categories_in_any_case(imported):
    assert [v.choice for v in imported_vote_rows(imported, "arena", "VICUNA").votes] == [
        "b", "both_bad"]
    coding = imported_vote_rows(imported, "arena", "coding")
    assert coding.total == 2 and [v.category for v in coding.votes] == ["coding", "Coding"]
    assert imported_vote_rows(imported, "arena", "other").total == 1  # no category given
    # LIKE's wildcards are searched for as written, not as patterns.
    assert imported_vote_rows(imported, "arena", "%").total == 0
    assert [v.model_b for v in imported_vote_rows(imported, "all", "gpt_").votes] == ["gpt_4x"]


def test_the_limit_keeps_the_newest_and_the_total_counts_every_match(imported):
    page = imported_vote_rows(imported, "arena", limit=2)
    assert page.total == 4 and [v.tstamp for v in page.votes] == [1690000300.0, 1690000200.0]
    searched = imported_vote_rows(imported, "arena", "gpt-4", limit=1)
    assert searched.total == 3 and len(searched.votes) == 1


def test_all_lists_every_source_and_own_lists_none(imported):
    populate(imported, 10, k=3, seed=1)  # own votes never show up here
    page = imported_vote_rows(imported, "all")
    assert page.total == 5 and page.votes[0].source == "team"
    assert [v.source for v in page.votes].count("arena") == 4
    assert imported_vote_rows(imported, "own").votes == []
    assert imported_vote_rows(imported, "own").total == 0


def test_an_unknown_source_is_a_plain_error(imported):
    with pytest.raises(SourceError, match="no source 'nope'"):
        imported_vote_rows(imported, "nope")
