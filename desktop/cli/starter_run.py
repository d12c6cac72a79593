"""`ask --promptset NAME`: run a starter prompt set from the first prompt without a vote.

The set's own file goes through the same loop as `ask --file`; only the prompts that have no
voted battle for this pair of contenders (in either order) are run, so a run that was stopped,
or voted on later with `sidebyside vote`, resumes where it left off.
"""

from __future__ import annotations

import sys

from desktop.cli import UsageError
from desktop.cli._store import StoreUnavailable, open_for_cli
from desktop.core.prompts.starter_sets import UnknownStarterSet, find_starter, voted_prompts
from desktop.core.store import StoreError


def starter_items(args, contenders: dict) -> list[tuple[int, str, str | None]]:
    """(line, prompt, category) still to run; sets `args.file` to the set's file so the loop's
    progress and summary lines name it."""
    if args.file or args.prompt is not None:
        raise UsageError("give --promptset NAME on its own, without a PROMPT or --file.")
    try:
        starter = find_starter(args.promptset)
    except UnknownStarterSet as exc:
        raise UsageError(exc.message) from None
    items = starter.items()
    pair = (contenders["left"].spec, contenders["right"].spec)
    try:
        store = open_for_cli()
    except StoreUnavailable as exc:
        raise UsageError(str(exc)) from None
    try:
        done = voted_prompts(store, [i.prompt for i in items], pair)
    except StoreError as exc:
        raise UsageError(exc.message) from None
    finally:
        store.close()
    remaining = [(i.line, i.prompt, i.category) for i in items if i.prompt not in done]
    args.file = str(starter.path)
    voted = len(items) - len(remaining)
    if not remaining:
        print(f"All {len(items)} prompts of '{starter.name}' already have a vote for "
              f"{pair[0]} vs {pair[1]}. See the result with: sidebyside verdict", file=sys.stderr)
    elif voted:
        print(f"Resuming '{starter.name}': {voted} of {len(items)} prompts already have a vote "
              f"for this pair; running the other {len(remaining)}.", file=sys.stderr)
    return remaining
