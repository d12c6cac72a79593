"""Categories and prompt-set files."""

from __future__ import annotations

import pytest

from desktop.core.battle.categories import (
    STARTER, CategoryError, all_categories, remove_category, resolve_category, user_categories,
)
from desktop.core.prompts.promptsets import PromptSetError, load_prompt_set
from tests.store.helpers import battle


def test_starter_set_and_the_users_own(store):
    assert STARTER == ("coding", "summarization", "instruction following", "reasoning",
                       "factual", "everyday reasoning", "multi-step reasoning",
                       "open-ended problems", "creative", "other")
    assert resolve_category(store, None) == "other"
    assert resolve_category(store, "  Instruction   Following ") == "instruction following"
    assert resolve_category(store, "Legal Advice") == "Legal Advice"
    assert resolve_category(store, "legal advice") == "Legal Advice"  # one category, any case
    assert user_categories(store) == ["Legal Advice"]
    battle(store, category="from-a-merge")
    assert all_categories(store) == [*STARTER, "Legal Advice", "from-a-merge"]
    assert remove_category(store, "Legal Advice") and user_categories(store) == []
    with pytest.raises(CategoryError):
        remove_category(store, "coding")
    for bad in ("x" * 61, "tab\x01char"):
        with pytest.raises(CategoryError):
            resolve_category(store, bad)


def test_txt_prompt_sets_skip_blank_and_undecodable_lines(tmp_path):
    path = tmp_path / "p.txt"
    path.write_bytes("First prompt\r\n\n  \nSecond, with émoji 😀\n".encode() + b"bad \xff\xfe line\n"
                     + "שלום\n".encode())
    result = load_prompt_set(path)
    assert [(i.line, i.prompt) for i in result.items] == [
        (1, "First prompt"), (4, "Second, with émoji 😀"), (6, "שלום")]
    assert [(p.line, "UTF-8" in p.message) for p in result.problems] == [(5, True)]
    assert str(result.problems[0]).startswith("line 5:")


def test_csv_prompt_sets_keep_quoted_newlines_and_report_bad_rows(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(
        b'\xef\xbb\xbfPrompt,Category\n'
        b'"Multi\nline, with ""quotes""",coding\n'
        b'Plain prompt,\n'
        b',creative\n'
        b'Bad \xff bytes,other\n'
        b'Last one,Legal\n'
    )
    result = load_prompt_set(path)
    assert [(i.line, i.prompt, i.category) for i in result.items] == [
        (2, 'Multi\nline, with "quotes"', "coding"), (4, "Plain prompt", None),
        (7, "Last one", "Legal")]
    assert [p.line for p in result.problems] == [5, 6]
    assert "empty" in result.problems[0].message and "UTF-8" in result.problems[1].message


def test_csv_without_a_prompt_column_is_refused(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("question,category\nx,y\n")
    with pytest.raises(PromptSetError, match="'prompt' column"):
        load_prompt_set(path)


def test_jsonl_prompt_sets(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_bytes(
        b'{"prompt": "One", "category": "coding"}\n'
        b'{"prompt": "Two"}\n'
        b'not json\n'
        b'["a list"]\n'
        b'{"prompt": ""}\n'
        b'{"prompt": "Three", "category": 5}\n'
        b'\n'
        b'{"prompt": "caf\xc3\xa9 \xff"}\n'
        b'{"prompt": "Four \\u05e9"}\n'
    )
    result = load_prompt_set(path)
    assert [(i.line, i.prompt, i.category) for i in result.items] == [
        (1, "One", "coding"), (2, "Two", None), (9, "Four \u05e9", None)]
    assert [p.line for p in result.problems] == [3, 4, 5, 6, 8]


def test_unknown_and_missing_files(tmp_path):
    with pytest.raises(PromptSetError, match=".txt"):
        load_prompt_set(tmp_path / "p.docx")
    with pytest.raises(PromptSetError, match="no file"):
        load_prompt_set(tmp_path / "missing.txt")
