"""The HTML report's screenshot for the README: demo votes, `sidebyside report`, headless Chromium.

    python scripts/report_screenshot.py [--out docs/screenshots/report.png] [--keep report.html]

It uses a throw-away data directory seeded with blind demo votes between two open and two
proprietary models across the seven starter categories (with a known truth per category, so
every kind of decision shows), writes the report with the real command and renders it with
Chromium exactly as the test does.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OPEN = ("local:/models/qwen2.5-7b-instruct-q4_k_m.gguf", "qwen2.5-7b-instruct-q4_k_m")
PROPRIETARY = [("openai:gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
               ("anthropic:claude-3-5-haiku-latest", "claude-3-5-haiku-20241022")]
# Category -> (how the open model fares, in log-odds before style, and how many votes): level on
# the tasks commentators say open models have caught up on, behind on the others.
CATEGORIES = {
    "coding": (0.27, 560), "summarization": (0.25, 520), "instruction following": (0.22, 480),
    "everyday reasoning": (0.05, 70), "multi-step reasoning": (-1.0, 200),
    "factual": (-0.7, 180), "open-ended problems": (-0.3, 14),
}


def text(rng: random.Random, verbose: bool) -> str:
    """Demo prose; a verbose writer adds headers, lists and bold more often, and writes more."""
    parts = [" ".join(["word"] * rng.randint(60, 180 if verbose else 140))]
    more = 0.7 if verbose else 0.2
    if rng.random() < more:
        parts.insert(0, "## Overview")
    if rng.random() < more:
        parts += [f"- point {i}" for i in range(rng.randint(2, 6))]
    if rng.random() < more:
        parts.append(" ".join(["**key idea**"] * rng.randint(1, 3)))
    return "\n\n".join(parts)


def seed() -> None:
    from desktop.core.contenders.answer import Answer
    from desktop.core.store import make_record, open_store
    from desktop.core.store.battles import insert_battle
    from desktop.core.store.votes import insert_vote

    rng = random.Random(14)
    store = open_store()
    with store.transaction() as db:
        n = 0
        for category, (edge, votes) in CATEGORIES.items():
            for _ in range(votes):
                answers = []
                for (spec, model), kind in ((OPEN, "open"), (rng.choice(PROPRIETARY),
                                                             "proprietary")):
                    provider = spec.split(":")[0]
                    local = provider == "local"
                    out_tokens = rng.randint(120, 600)
                    answers.append(Answer(
                        spec, provider, kind, model, text=text(rng, not local),
                        finish_reason="stop", ttft_s=rng.uniform(0.15, 0.4) if local
                        else rng.uniform(0.4, 1.1), total_s=5.0, prompt_tokens=rng.randint(40, 400),
                        output_tokens=out_tokens,
                        tokens_per_s=rng.uniform(18, 26) if local else rng.uniform(60, 110)))
                # The longer, formatted answer wins some votes for its style alone.
                style = 0.4 * (len(answers[1].text) - len(answers[0].text)) / 600
                style += 0.3 * (("- point" in answers[1].text) - ("- point" in answers[0].text))
                p_open = 1 / (1 + math.exp(-(edge - style)))
                open_first = rng.random() < 0.5
                a, b = (answers[0], answers[1]) if open_first else (answers[1], answers[0])
                record = make_record(
                    f"{category} prompt {n}", a, b, mode="blind", category=category,
                    a_slot=rng.choice(["left", "right"]),
                    created_at=f"2026-{9 + n * 3 // 2100:02d}-{1 + n % 28:02d}T09:00:00.000Z")
                insert_battle(db, record)
                u = rng.random()
                if u < 0.12:
                    choice = "tie"
                elif u < 0.17:
                    choice = "both_bad"
                else:
                    open_won = rng.random() < p_open
                    choice = "a" if open_won == open_first else "b"
                insert_vote(db, record, choice, record.created_at.replace("09:", "09:01"), 8.0)
                n += 1
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots" / "report.png"))
    parser.add_argument("--keep", help="also keep the HTML report here")
    parser.add_argument("--height", type=int, default=2000)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="sidebyside-report-")
    os.environ["SIDEBYSIDE_HOME"] = home
    seed()
    from desktop.cli import main as cli

    report = Path(home) / "report.html"
    if cli(["report", str(report)]) != 0:
        return 1
    if args.keep:
        shutil.copy(report, args.keep)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        print("Chromium is needed: apt-get install chromium", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars",
            f"--screenshot={Path(args.out).resolve()}", f"--window-size=1280,{args.height}",
            report.as_uri(),
        ], check=True, capture_output=True, timeout=120)
    print("saved", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
