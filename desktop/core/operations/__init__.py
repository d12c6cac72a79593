"""One set of operations for both faces: what the command line and the window do to the data.

Each operation is a plain function of the open store (`battles.vote(store, ...)`,
`votes_io.import_votes(store, ...)`) that returns `Done(value, changes)`: what it made (a vote
receipt, an import summary) and a `Changes` saying which kinds of things it changed (battles,
votes, categories, sources, judge, team), as Anki's `CollectionOp` returns `OpChanges`. The
command line calls them and prints the value; the window calls them through `Workspace`, which
tells its listeners the `Changes`, and the window refreshes the views that show those things from
that one place (desktop/gui/refresh.py).

Owns: which store function an action runs (which export runs for a source, how a round's
category is resolved before its first save) and what it changed. May import the rest of the core;
never Qt, the window or the command line. Qt-free, and not imported before the window's first
paint (it loads the importers, numpy and the statistics).
"""
