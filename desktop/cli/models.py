"""`sidebyside models list|search|files|pull|rm`: open models to compare, from the Hub and from
the servers already running here (Ollama, LM Studio).

    models list                 what can answer now: downloaded GGUFs and served models
    models search [WORDS]       the curated catalogue, or the Hub's GGUF repositories
    models files REPO           a repository's GGUF files: quantisation, size, fits this machine
    models pull REPO [FILE]     download (resumes a partial one), then verify its SHA-256
    models rm REPO [FILE]       delete a downloaded file, or all of a repository's

Every action takes `--json`. Progress goes to standard error, so `--json` output stays clean.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading

from desktop.cli import CommandFailed, UsageError
from desktop.cli.terminal import redraw
from desktop.core.library import BAD_INPUT, LibraryError, catalogue, download, hub, servers
from desktop.core.library.memory import this_machine


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "models", help="find, download and remove open models",
        description="Find, download and remove open models (GGUF files from the Hugging Face Hub, "
        "and models served by Ollama or LM Studio).",
    )
    actions = parser.add_subparsers(dest="models_action", metavar="ACTION", required=True)

    p = actions.add_parser("list", help="downloaded and served models, as contender specs")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_list)

    p = actions.add_parser("search", help="the curated catalogue, or search the Hub")
    p.add_argument("query", nargs="*", metavar="WORDS", help="words to search the Hub for; "
                   "none shows the curated catalogue")
    p.add_argument("--limit", type=int, default=20, help="at most this many results (20)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_search)

    p = actions.add_parser("files", help="a repository's GGUF files, and which fit this machine")
    p.add_argument("repo", metavar="REPO", help="OWNER/NAME, e.g. Qwen/Qwen3-0.6B-GGUF")
    p.add_argument("--context", type=int, default=4096, help="context length to fit (4096)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_files)

    p = actions.add_parser("pull", help="download a GGUF file (resumes, then verifies it)")
    p.add_argument("repo", metavar="REPO", help="OWNER/NAME")
    p.add_argument("file", nargs="?", metavar="FILE",
                   help="the file; optional for catalogue models (their first quantisation)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_pull)

    p = actions.add_parser("rm", help="delete a downloaded file, or a whole repository's")
    p.add_argument("repo", metavar="REPO", help="OWNER/NAME")
    p.add_argument("file", nargs="?", metavar="FILE", help="only this file")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_rm)


def _fail(exc) -> CommandFailed | UsageError:
    return UsageError(exc.message) if exc.kind == BAD_INPUT else CommandFailed(exc.message)


def _gb(size: int | None) -> str:
    if size is None:
        return "?"
    return f"{size / 1e9:.2f} GB" if size >= 1e8 else f"{size / 1e6:.1f} MB"


FITS_WORDS = {"yes": "fits", "tight": "tight", "no": "too big", "": "?"}


def cmd_list(args: argparse.Namespace) -> int:

    rows = [{"spec": i.spec, "name": f"{i.repo} · {i.file}", "source": "Hugging Face",
             "where": i.path, "size_bytes": i.size_bytes, "quant": i.quant, "kind": "open"}
            for i in hub.installed()]
    rows += [{"spec": m.spec, "name": m.name, "source": m.source, "where": m.where,
              "size_bytes": m.size_bytes, "quant": m.quant, "kind": "open"}
             for m in servers.served_models()]
    if args.json:
        print(json.dumps({"models": rows}, indent=2))
        return 0
    if not rows:
        print("No open models found yet. Find one with `sidebyside models search`, then "
              "`sidebyside models pull REPO FILE`; or start Ollama or LM Studio's server.")
        return 0
    width = max(len(r["spec"]) for r in rows)
    for row in rows:
        print(f"{row['spec']:<{width}}  {row['source']:<12}  {_gb(row['size_bytes']):>9}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:

    words = " ".join(args.query).strip()
    if not words:
        machine = this_machine()
        rows = [{
            "name": m.name, "repo": m.repo, "licence": m.licence, "params_b": m.params_b,
            "files": [{"file": q.file, "quant": q.quant, "size_bytes": q.size_bytes,
                       "memory_bytes": q.memory_bytes, "fits": machine.fits(q.memory_bytes)}
                      for q in m.quants],
        } for m in catalogue.load()]
        if args.json:
            print(json.dumps({"source": "catalogue", "models": rows}, indent=2))
            return 0
        for row in rows:
            first = row["files"][0]
            print(f"{row['name']:<32} {row['repo']:<62} {first['quant']:<7} "
                  f"{_gb(first['size_bytes']):>9}  {FITS_WORDS[first['fits']]:<7} {row['licence']}")
        print("\nPull one with `sidebyside models pull REPO` (or REPO FILE for another "
              "quantisation; `models files REPO` lists them).", file=sys.stderr)
        return 0
    try:
        hits = hub.search(words, limit=max(1, args.limit))
    except LibraryError as exc:
        raise _fail(exc) from None
    if args.json:
        print(json.dumps({"source": "hub", "models": [
            {"repo": h.repo, "downloads": h.downloads, "likes": h.likes, "gated": h.gated}
            for h in hits]}, indent=2))
        return 0
    if not hits:
        print(f"No GGUF repositories on the Hub match '{words}'.")
        return 0
    for hit in hits:
        gated = "  (gated)" if hit.gated else ""
        print(f"{hit.repo:<60} {hit.downloads or 0:>10} downloads{gated}")
    return 0


def cmd_files(args: argparse.Namespace) -> int:

    try:
        listing = hub.files(args.repo, context=max(256, args.context))
    except LibraryError as exc:
        raise _fail(exc) from None
    if args.json:
        print(json.dumps({
            "repo": listing.repo, "commit": listing.commit, "gated": listing.gated,
            "licence": listing.licence,
            "files": [{"file": f.file, "quant": f.quant, "size_bytes": f.size_bytes,
                       "sha256": f.sha256, "memory_bytes": f.memory_bytes, "fits": f.fits,
                       "path": f.path} for f in listing.files],
        }, indent=2))
        return 0
    if not listing.files:
        print(f"{listing.repo} has no GGUF files.")
        return 0
    width = max(len(f.file) for f in listing.files)
    for f in listing.files:
        mark = "  downloaded" if f.path else ""
        print(f"{f.file:<{width}}  {f.quant or '?':<8} {_gb(f.size_bytes):>9}  needs "
              f"{_gb(f.memory_bytes):>9}  {FITS_WORDS[f.fits]}{mark}")
    extra = " · gated: accept its licence on the Hub first" if listing.gated else ""
    print(f"\nLicence: {listing.licence or 'not stated'}{extra}", file=sys.stderr)
    return 0


def _show_progress(progress) -> None:
    if progress.state == "verifying":
        redraw(sys.stderr, "Checking the SHA-256…" + " " * 40)
    elif progress.state == "downloading":
        total = f" / {_gb(progress.total_bytes)}" if progress.total_bytes else ""
        speed = f"  {progress.speed_bps / 1e6:.1f} MB/s" if progress.speed_bps else ""
        eta = f"  {progress.eta_s:.0f} s left" if progress.eta_s is not None else ""
        redraw(sys.stderr, f"{_gb(progress.done_bytes)}{total}{speed}{eta}    ")
    else:
        redraw(sys.stderr, " " * 60, end="\r")
    sys.stderr.flush()


def cmd_pull(args: argparse.Namespace) -> int:

    filename = args.file
    if not filename:
        entry = catalogue.find(args.repo)
        if entry is None:
            raise UsageError(f"Say which file of {args.repo} to pull; `sidebyside models files "
                             f"{args.repo}` lists them.")
        filename = entry.quants[0].file
    cancel = threading.Event()
    try:
        done = download.pull(args.repo, filename, on_progress=_show_progress, cancel=cancel)
    except LibraryError as exc:
        sys.stderr.write("\n")
        raise _fail(exc) from None
    except KeyboardInterrupt:
        cancel.set()
        sys.stderr.write("\nStopped; `sidebyside models pull` again resumes the download.\n")
        return 130
    if args.json:
        print(json.dumps({"repo": done.repo, "file": done.file, "path": done.path,
                          "size_bytes": done.size_bytes, "quant": done.quant, "spec": done.spec,
                          "verified": True}, indent=2))
    else:
        print(f"Downloaded and verified {done.file} ({_gb(done.size_bytes)}).")
        print(f"Use it as the contender {done.spec}")
    return 0


def cmd_rm(args: argparse.Namespace) -> int:

    try:
        removed = hub.remove(args.repo, args.file)
    except LibraryError as exc:
        raise _fail(exc) from None
    if args.json:
        print(json.dumps({"removed": removed}, indent=2))
    else:
        for path in removed:
            print(f"Deleted {path}")
    return 0
