"""`sidebyside keys set|list|delete`: API keys in the system keyring.

`set` reads the key from standard input, without echo on a terminal, so it never appears in the
process arguments or the shell history. `list` says whether each provider has a key and where it
comes from, never the key itself.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from desktop.cli import UsageError
from desktop.core.providers.registry import keyed_providers
from desktop.core.base.keys import parse_provider
from desktop.core.base import keys


def provider_help() -> str:
    names = ", ".join(p.name for p in keyed_providers())
    return f"{names}, or compat:BASE_URL (e.g. compat:http://localhost:8080/v1)"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "keys", help="store, list and delete API keys in the system keyring",
        description="Store, list and delete API keys in the system keyring.",
    )
    actions = parser.add_subparsers(dest="keys_action", metavar="ACTION", required=True)

    set_parser = actions.add_parser(
        "set", help="store a key (read from standard input)",
        description="Store a provider's API key. The key is read from standard input; on a "
        "terminal it is asked for without echo.",
    )
    set_parser.add_argument("provider", metavar="PROVIDER", help=provider_help())
    set_parser.set_defaults(func=cmd_set)

    list_parser = actions.add_parser("list", help="show which providers have a key, and from where")
    list_parser.add_argument("--json", action="store_true", help="print JSON")
    list_parser.set_defaults(func=cmd_list)

    delete_parser = actions.add_parser("delete", help="remove a stored key")
    delete_parser.add_argument("provider", metavar="PROVIDER", help=provider_help())
    delete_parser.set_defaults(func=cmd_delete)


def _provider(text: str) -> tuple[str, str | None]:
    try:
        return parse_provider(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _read_key(label: str) -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"API key for {label} (input hidden): ")
    return (sys.stdin.read() if sys.stdin is not None else "").strip()


def cmd_set(args: argparse.Namespace) -> int:
    provider, base_url = _provider(args.provider)
    name = keys.entry_name(provider, base_url)
    problem = keys.keyring_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    key = _read_key(name)
    if not key.strip():
        print("No key was given on standard input; nothing was stored.", file=sys.stderr)
        return 1
    try:
        keys.set_key(provider, key, base_url)
    except keys.KeyStoreError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"Stored the key for {name} in the system keyring.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    rows = keys.list_keys()
    problem = keys.keyring_problem()
    if args.json:
        print(json.dumps({
            "keyring_available": problem is None,
            "keys": [{"provider": r.provider, "present": r.present, "source": r.source}
                     for r in rows],
        }, indent=2))
        return 0
    width = max(len(r.provider) for r in rows)
    for row in rows:
        state = f"key from {row.source}" if row.present else "no key"
        print(f"{row.provider:<{width}}  {state}")
    if problem:
        print(f"\n{problem}", file=sys.stderr)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    provider, base_url = _provider(args.provider)
    name = keys.entry_name(provider, base_url)
    try:
        deleted = keys.delete_key(provider, base_url)
    except keys.KeyStoreError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if deleted:
        print(f"Deleted the key for {name} from the system keyring.")
    else:
        print(f"The system keyring holds no key for {name}.", file=sys.stderr)
    _, source = keys.get_key(provider, base_url)
    if source.startswith("env "):
        print(f"Note: {source[4:]} is still set in the environment and will be used.",
              file=sys.stderr)
    return 0 if deleted else 1
