"""`sidebyside doctor [--json]`: this machine, its llama.cpp build and the app's choices."""

from __future__ import annotations

import argparse
import json

from desktop.core.doctor import format_text, report


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor", help="show the machine, the llama.cpp build and the app's choices",
        description="Show what a bug report needs: OS, Python, Qt, CPU and cores, the "
        "llama.cpp build (system info, GPU offload, backends), the thread count and why, "
        "safe mode, the keyring, the data folder and the embedded model.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def run(args) -> int:

    result = report()
    print(json.dumps(result, indent=2) if args.json else format_text(result))
    return 0
