"""Run every measurement in one run, print a table, write the figures as JSON.

    python -m bench                 # the full run (about 7 minutes on 2 cores)
    python -m bench --only 1,4      # figures 1a-1d (paired) and 4a-4b, about 4 minutes
    python -m bench --quick         # a short smoke of the harness, about 1.5 minutes (CI may run it)
    python -m bench --only 6,7      # some measurements
    python -m bench --only 6,7,import   # own votes at 100,000, then 1.67 M imported Arena votes
    python -m bench --only team     # the team arena: 1 M team votes read, 10,000 pushed
    python -m bench --out FILE      # default bench/results/latest.json
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.common import ROOT, machine

# (figure ids it produces, module)
MEASUREMENTS = [
    (("1",), "bench.measure_paired"),
    (("2", "3", "5"), "bench.measure_gui"),
    (("4",), "bench.measure_start"),
    (("6", "7"), "bench.measure_store"),
    (("8",), "bench.measure_memory"),
    (("9",), "bench.measure_threads"),
    (("import",), "bench.measure_import"),
    (("team",), "bench.measure_team"),
    (("review",), "bench.measure_review"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short smoke run")
    parser.add_argument("--only", default="", help="comma-separated figure numbers, e.g. 6,7")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "latest.json"))
    args = parser.parse_args(argv)
    wanted = {w.strip() for w in args.only.split(",") if w.strip()}
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # The harness never touches the user's data: everything goes to a scratch data directory.
    os.environ["SIDEBYSIDE_HOME"] = tempfile.mkdtemp(prefix="sidebyside-bench-")
    started = time.time()
    figures = []
    for ids, module_name in MEASUREMENTS:
        if wanted and not wanted.intersection(ids):
            continue
        print(f"… {module_name}", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(module_name)
            figures += module.measure(quick=args.quick)
        except Exception as exc:  # one broken measurement must not hide the others
            figures.append({"id": "/".join(ids), "title": module_name, "value": None,
                            "unit": "", "target": "", "met": False,
                            "detail": {"error": f"{type(exc).__name__}: {exc}"}})
    rows = [f if isinstance(f, dict) else f.to_dict() for f in figures]
    report = {
        "started_at": datetime.fromtimestamp(started, timezone.utc).isoformat(timespec="seconds"),
        "duration_s": round(time.time() - started, 1),
        "quick": args.quick,
        "machine": machine(),
        "figures": rows,
        "targets_met": all(r["met"] for r in rows if r["met"] is not None),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print_table(rows)
    print(f"\nJSON: {out}")
    return 0


def print_table(rows: list[dict]) -> None:
    print(f"{'figure':<22} {'value':>12}  {'unit':<16} {'target':<34} met")
    for r in rows:
        value = "—" if r["value"] is None else f"{r['value']:.3g}"
        met = {True: "yes", False: "NO", None: ""}[r["met"]]
        print(f"{r['id']:<22} {value:>12}  {r['unit']:<16} {r['target']:<34} {met}")
        if "error" in r.get("detail", {}):
            print(f"    error: {r['detail']['error']}")


if __name__ == "__main__":
    sys.exit(main())
