"""`sidebyside sources [rm NAME]`: list the imported vote sources, or remove one."""

from __future__ import annotations

import json

from desktop.cli import CommandFailed
from desktop.cli._store import command_store
from desktop.core.store.sources import SourceError, list_sources, own_vote_count, remove_source


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sources", help="list or remove imported vote sources",
        description="Imported votes live in named sources, apart from your own votes (the "
        "source 'own'). `sidebyside sources` lists them; `sidebyside sources rm NAME` removes "
        "one and its votes.",
    )
    p.add_argument("action", nargs="?", choices=("list", "rm"), default="list",
                   help="list (the default) or rm")
    p.add_argument("name", nargs="?", metavar="NAME", help="rm: the source to remove")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    # Listing works on a read-only folder; `rm` there is refused plainly when it writes.
    with command_store(read_only=True) as store:
        try:
            if args.action == "rm":
                if not args.name:
                    raise CommandFailed("Say which source to remove: sidebyside sources rm NAME.")
                removed = remove_source(store, args.name)
                print(f"Removed the source '{args.name}' and its {removed} vote(s).")
                return 0
            if args.name:
                raise CommandFailed(f"To remove a source: sidebyside sources rm {args.name}.")
            sources, own = list_sources(store), own_vote_count(store)
        except SourceError as exc:
            raise CommandFailed(exc.message) from None
    if args.json:
        print(json.dumps({"own_votes": own, "sources": [s.to_dict() for s in sources]},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"own: your votes ({own}).")
    if not sources:
        print("No imported sources yet. Try: sidebyside import arena_battles.csv")
        return 0
    width = max(len(s.name) for s in sources)
    for s in sources:
        print(f"{s.name.ljust(width)}  {s.votes:>9} votes  {s.models:>4} models  {s.format:<13} "
              f"imported {s.updated_at[:16].replace('T', ' ')} UTC from {s.file}")
    return 0
