"""`sidebyside promptsets`: the seven starter prompt sets, with how far you have got in each."""

from __future__ import annotations

import json

from desktop.cli._store import command_store
from desktop.core.prompts.starter_sets import all_progress


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "promptsets", help="list the starter prompt sets and your progress in each",
        description="One starter set per kind of task (coding help, summarisation, instruction "
        "following, everyday reasoning, multi-step reasoning, factual accuracy, open-ended "
        "problems). A prompt is done once a battle on it has a vote. Run one with: "
        "sidebyside ask --promptset NAME --blind --left local --right PROVIDER:MODEL",
    )
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    with command_store(read_only=True) as store:  # reads only: works on a read-only folder
        listed = all_progress(store)
    if args.json:
        print(json.dumps({"promptsets": [p.to_dict() for p in listed]}, ensure_ascii=False,
                         indent=2))
        return 0
    rows = [["Name", "Category", "Prompts", "Voted", "Next"]]
    for p in listed:
        data = p.to_dict()
        rows.append([p.starter.name, p.starter.category, str(p.count), f"{p.done} of {p.count}",
                     "all done" if data["next"] is None else f"prompt {data['next']}"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.rjust(w) if i in (2, 3) else c.ljust(w)
                        for i, (c, w) in enumerate(zip(row, widths))).rstrip())
    print("\nRun one (it starts at the first prompt without a vote for that pair):\n"
          "  sidebyside ask --promptset coding-help --blind --left local --right openai:gpt-4o-mini"
          "\nIn the window: File → Starter prompt sets.")
    return 0
