"""One set of operations for both faces: what the command line and the window do to the data.

Each operation is a plain function of the open store that returns `Done(value, changes)`: what it
made (a vote receipt, an import summary) and a `Changes` naming the kinds of things it changed
(battles, votes, categories, sources, judge, team), as Anki's `CollectionOp` returns `OpChanges`.

- battles: save_turn, vote_round (a round's turn and vote), vote (a saved battle), delete_battle
- reviewing: review_vote, review_undo (a `ReviewSession`'s queue)
- votes_io: import_votes, merge, remove_source, export_tallies, export_votes, report
- judging: judge (a model judge's verdicts)
- team: team_join, team_leave, push_team

The command line calls them and prints the value. The window calls them through `Workspace`
(workspace.py), which tells its listeners the `Changes` and the view that asked (`initiator`);
the window maps them to the views that must load again in one place (desktop/gui/refresh.py).

Owns which store function an action runs (which export runs for a source; a round's category
resolved before its first save, by `battle.categories.category_for`) and what it changed. May
import the rest of the core, which never imports it back (import-linter checks); never Qt, the
window or the command line. The window does not import it before its first paint (it loads the
importers, numpy and the statistics).
"""
