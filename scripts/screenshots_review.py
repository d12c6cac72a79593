"""Screenshots of speed-blind panes and the Review tab, for the README: run under Xvfb.

    xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/screenshots_review.py [--out docs/screenshots]

compare-paced.png: a blind battle mid-stream, the embedded model (one thread, slow) against the
loopback OpenAI stand-in streaming fast; paced, both panes show as much text as each other.
review.png: the Review tab with battles waiting (a demo batch), after two votes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROMPT = "Explain in three short paragraphs why rivers meander."
REMOTE = ("Rivers meander because water flowing around a bend moves faster on the outside, "
          "eroding that bank, while slower water on the inside drops sediment. ") * 6


def seed_batch(n: int = 12) -> None:
    from desktop.core.contenders.answer import Answer
    from desktop.core.battle.batch import BatchPlan, register, save_batch_battle
    from desktop.core.store import make_record, open_store

    prompts = [("Write a haiku about autumn rain.", "creative"),
               ("What is a monad, in plain words?", "coding"),
               ("Summarise the plot of Hamlet in 3 sentences.", "summarization"),
               ("Sort a list of dicts by two keys in Python.", "coding")]
    store = open_store()
    plan = BatchPlan("everyday-demo.csv", "demo", prompts, "local", "openai:gpt-4o-mini",
                     blind=True, repeat=3)
    register(store, plan)
    for n, item in enumerate(plan.items()):
        local = Answer("local", "local", "open", "SmolLM2-135M-Instruct",
                       text=f"## A short answer\n\nHere is my take on it ({n}).\n\n- one point\n"
                       "- another point\n", finish_reason="stop", ttft_s=0.9, total_s=6.0,
                       output_tokens=80)
        remote = Answer("openai:gpt-4o-mini", "openai", "proprietary", "gpt-4o-mini",
                        text=f"**In brief:** a considered answer ({n}).\n\n1. First, the "
                        "setting.\n2. Then the turn.\n3. Finally the point.\n\n```python\n"
                        "rows.sort(key=lambda r: (r['a'], r['b']))\n```\n", finish_reason="stop",
                        ttft_s=0.3, total_s=1.2, output_tokens=90)
        a_slot = "left" if n % 2 else "right"
        seats = (local, remote) if a_slot == "left" else (remote, local)
        save_batch_battle(store, plan, item, make_record(item.prompt, *seats, mode="blind",
                                                         a_slot=a_slot, category=item.category))
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ["SIDEBYSIDE_HOME"] = tempfile.mkdtemp(prefix="sidebyside-shots-")
    os.environ["HOME"] = tempfile.mkdtemp(prefix="sidebyside-user-")
    os.environ["OPENAI_API_KEY"] = "sk-demo-0000"
    from tests.providers.fake_server import Reply, running_fake_server

    from dataclasses import replace

    from PySide6.QtCore import QEventLoop, QTimer

    from desktop.gui import settings_store
    from desktop.gui.app import make_app
    from desktop.gui.main_window import MainWindow

    app = make_app()
    from PySide6.QtGui import QFont, QFontDatabase

    if "Inter" in QFontDatabase.families():
        app.setFont(QFont("Inter", 10))

    def pump(ms: int = 100) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_for(cond, timeout_s: float = 180) -> bool:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if cond():
                return True
            pump(20)
        return False

    def shot(widget, name: str) -> None:
        pump(100)
        widget.grab().save(str(out / name))
        print("saved", out / name)

    with running_fake_server() as server:
        for key, value in server.env().items():
            os.environ[key] = value
        server.default_reply = Reply(text=REMOTE, delay_s=0.004)
        settings = settings_store.WindowSettings(
            contenders=[settings_store.ContenderChoice("local"),
                        settings_store.ContenderChoice("openai:gpt-4o-mini")],
            params=replace(settings_store.WindowSettings().params, max_tokens=120, n_threads=1),
            category="factual",
        )
        window = MainWindow(settings)
        window.resize(1400, 880)
        window.show()
        pump(300)
        window.compare.prompt.setPlainText(PROMPT)
        window.compare.send()
        panes = window.compare.panes.values()
        wait_for(lambda: min(len(p.markdown.source) for p in panes) > 140, 120)
        window.grab().save(str(out / "compare-paced.png"))  # mid-stream: no pump before
        print("saved", out / "compare-paced.png", [len(p.markdown.source) for p in panes])
        wait_for(lambda: window.controller.state == "finished")
        window.compare.new_round()

        seed_batch()
        review = window.view("review")
        wait_for(lambda: review.record is not None and review._next is not None, 20)
        for choice in ("a", "b"):
            shown = review.record
            review.vote_bar.buttons[choice].click()
            wait_for(lambda s=shown: review.record is not s and review._next is not None, 20)
        wait_for(lambda: review.count.text().startswith("2 of"), 20)
        shot(window, "review.png")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
