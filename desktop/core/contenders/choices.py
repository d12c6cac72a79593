"""The four votes, in one table: the code a vote is stored and typed as, the number the statistics
count it as, and the words every face says it with.

Everything that names a vote reads this table: the store (`store.votes`, `store.sources`), the
statistics (`stats.tallies`), the command line (`vote`, `show`, `review`) and the window (the vote
bar, History). A face picks the column that fits where it speaks; none keeps words of its own.
Imports nothing, so the window can read it before its first paint.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    code: str  # as stored (votes.choice) and typed (`sidebyside vote ID a`)
    outcome: int  # as counted (imported_votes.outcome, the statistics' arrays)
    words: str  # inside a sentence: "voted: A is better"
    label: str  # a button: the window's vote bar
    short: str  # a table cell: History's Vote and Outcome columns
    past: str  # said after the vote in the window
    chosen: str  # Review's reveal line: "A was …, B was … (you chose A)."


CHOICE_TABLE = (
    Choice("a", 0, "A is better", "A is better", "A better", "You voted: A is better.",
           "you chose A"),
    Choice("b", 1, "B is better", "B is better", "B better", "You voted: B is better.",
           "you chose B"),
    Choice("tie", 2, "a tie", "Tie", "Tie", "You voted: tie.", "a tie"),
    Choice("both_bad", 3, "both are bad", "Both are bad", "Both bad", "You voted: both are bad.",
           "both bad"),
)

CHOICES = tuple(c.code for c in CHOICE_TABLE)  # "a", "b", "tie", "both_bad", in shortcut order
A_WINS, B_WINS, TIE, BOTH_BAD = (c.outcome for c in CHOICE_TABLE)
OUTCOME_CODES = {c.code: c.outcome for c in CHOICE_TABLE}
OUTCOME_CHOICES = {c.outcome: c.code for c in CHOICE_TABLE}
CHOICE_WORDS = {c.code: c.words for c in CHOICE_TABLE}
VOTE_LABELS = {c.code: c.label for c in CHOICE_TABLE}
VOTE_SHORT = {c.code: c.short for c in CHOICE_TABLE}
VOTE_PAST = {c.code: c.past for c in CHOICE_TABLE}
VOTE_CHOSEN = {c.code: c.chosen for c in CHOICE_TABLE}
