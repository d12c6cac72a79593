"""`sidebyside import FILE`: bring in votes from Chatbot Arena or Open WebUI as a named source."""

from __future__ import annotations

import json
import sys
import time

from desktop.cli import CommandFailed
from desktop.cli._store import command_store
from desktop.cli.terminal import redraw
from desktop.core.importing import ImportFailed, import_file

BAR_WIDTH = 30


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "import", help="import votes from Chatbot Arena or Open WebUI",
        description="Import votes as a source of their own: Chatbot Arena battles (CSV, JSON "
        "list or JSON Lines with model_a, model_b, winner) or Open WebUI's evaluation feedback "
        "export (JSON). The format is recognised from the content. Imported votes never mix "
        "with yours: see them with `sidebyside leaderboard --source NAME`. Importing the same "
        "file again adds nothing.",
    )
    p.add_argument("file", metavar="FILE", help="the file to import")
    p.add_argument("--source", metavar="NAME",
                   help="the source to import into (default: the file name without extension)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    bar = ProgressBar() if sys.stderr.isatty() else None
    with command_store() as store:
        try:
            summary = import_file(store, args.file, args.source,
                                  progress=bar.update if bar else None)
        except ImportFailed as exc:
            raise CommandFailed(exc.message) from None
        finally:
            if bar:
                bar.close()
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return 0
    kind = {"chatbot-arena": "Chatbot Arena battles", "open-webui": "Open WebUI feedback"}
    print(f"Imported {args.file} ({kind.get(summary.format, summary.format)}, "
          f"{summary.layout.upper()}) into the source '{summary.source}': "
          f"{summary.added} new vote{'s' * (summary.added != 1)}.")
    if summary.already_imported:
        print(f"{summary.already_imported} vote(s) were already there and were skipped.")
    if summary.duplicates:
        print(f"{summary.duplicates} row(s) repeat an id seen earlier in the file; only the first "
              "of each was imported.")
    if summary.skipped:
        print(f"{summary.skipped} feedback(s) rate a single answer rather than compare two "
              "models; they were skipped.")
    if summary.bad_rows:
        print(f"{summary.bad_rows} bad row(s) left out, for example:")
        for example in summary.bad_examples:
            print(f"  line {example['line']}: {example['reason']}")
    print(f"The source '{summary.source}' now holds {summary.source_votes} vote(s). See it with: "
          f"sidebyside leaderboard --source {_quoted(summary.source)}")
    return 0


def _quoted(name: str) -> str:
    return name if name.replace("-", "").replace("_", "").isalnum() else repr(name)


class ProgressBar:
    """A one-line bar on stderr, redrawn at most ten times a second."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.drawn_at = 0.0

    def update(self, fraction: float) -> None:
        now = time.monotonic()
        if fraction < 1.0 and now - self.drawn_at < 0.1:
            return
        self.drawn_at = now
        filled = int(round(BAR_WIDTH * fraction))
        redraw(sys.stderr, f"Importing [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
                           f"{fraction:4.0%}  {now - self.started:5.1f} s")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()
