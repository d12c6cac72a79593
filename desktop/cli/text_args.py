"""Text arguments settled before a command runs: a command line argument holding bytes that are
not UTF-8 reaches Python as lone surrogates (PEP 383), which no provider can be sent, the
database cannot store and the terminal cannot print. Each text argument is checked once, here,
and refused plainly (exit 2) before anything is sent or saved (`desktop.core.contenders.params.settle_text`
words it). File paths are left out on purpose: a file name need not be UTF-8 on Linux.
"""

from __future__ import annotations

import argparse

from desktop.core.contenders.params import ParamsError, settle_text

# dest -> what the message calls it. Only these are text the app sends, stores or shows.
TEXT_ARGS = {
    "prompt": "The prompt", "system": "The system prompt", "category": "The category",
    "source": "The source name", "promptset": "The prompt set name", "left": "The --left contender",
    "right": "The --right contender", "name": "The name", "query": "The search words",
    "repo": "The repository", "provider": "The provider", "continue_id": "The battle id",
    "battle_id": "The battle id",
}


def check_text_args(args: argparse.Namespace) -> str | None:
    """The first text argument that is not UTF-8, worded for the user; None when all are."""
    for dest, what in TEXT_ARGS.items():
        value = getattr(args, dest, None)
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                try:
                    settle_text(text, what)
                except ParamsError as exc:
                    return exc.message
    return None
