"""Screenshots of the window's main states, for the README: run under Xvfb.

    xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/screenshots.py [--out docs/screenshots]

It uses a throw-away data directory seeded with demo votes (so the leaderboard has something
to show), runs a real round with the embedded model on both sides (or the contenders given with
--left/--right), and saves compare-streaming.png, compare-conversation.png (a second turn), compare-revealed.png, first-run.png,
verdict.png, leaderboard.png, history.png and settings.png.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROMPT = "Explain in three short paragraphs why the sky is blue, with one Python example."
FOLLOW_UP = "Now say it in one sentence for a child."
DEMO = [  # spec, model, provider, kind, strength
    ("openai:gpt-4o-mini", "gpt-4o-mini", "openai", "proprietary", 1.2),
    ("anthropic:claude-3-5-haiku-latest", "claude-3-5-haiku", "anthropic", "proprietary", 1.0),
    ("gemini:gemini-2.0-flash", "gemini-2.0-flash", "gemini", "proprietary", 0.9),
    ("local:/models/qwen2.5-7b-instruct-q4_k_m.gguf", "qwen2.5-7b-instruct-q4_k_m", "local", "open", 0.4),
    ("local", "SmolLM2-135M-Instruct (Q4_1)", "local", "open", -1.0),
]
CATEGORIES = ["coding", "reasoning", "creative", "factual", "summarization"]


def seed(n: int = 160) -> None:
    from desktop.core.contenders.answer import Answer
    from desktop.core.store import cast_vote, make_record, open_store, save_battle

    rng = random.Random(7)
    store = open_store()
    prompts = ["Write a haiku about autumn rain.", "What is a monad, in plain words?",
               "Summarise the plot of Hamlet in 3 sentences.", "Sort a list of dicts by two keys in Python.",
               "Is 1001 a prime number? Explain.", "Draft a polite reminder email about an invoice."]
    for i in range(n):
        x, y = rng.sample(DEMO, 2)
        answers = []
        for spec, model, provider, kind, _ in (x, y):
            # Answers of different length and markdown, the stronger (proprietary) ones longer,
            # so the style-controlled ratings have something to hold equal.
            lines = rng.randint(0, 6) + (4 if kind == "proprietary" else 0)
            text = ("## Answer\n\n" if rng.random() < 0.5 else "") + "A demo answer." + "".join(
                f"\n- **point {k}** with some detail" for k in range(lines))
            answers.append(Answer(spec, provider, kind, model, text=text,
                                  finish_reason="stop", ttft_s=0.3, total_s=2.0, output_tokens=120,
                                  tokens_per_s=60.0, cost_usd=0.0 if provider == "local" else 0.0004))
        record = save_battle(store, make_record(
            rng.choice(prompts), answers[0], answers[1], mode="blind",
            a_slot=rng.choice(["left", "right"]), category=rng.choice(CATEGORIES)))
        p = 1 / (1 + 10 ** ((y[4] - x[4]) / 1.5))
        r = rng.random()
        choice = "tie" if r < 0.12 else "both_bad" if r < 0.17 else ("a" if rng.random() < p else "b")
        cast_vote(store, record.id, choice, decide_s=rng.uniform(3, 30))
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--left", default="local")
    parser.add_argument("--right", default="local")
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--dark", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    home = tempfile.mkdtemp(prefix="sidebyside-shots-")
    os.environ["SIDEBYSIDE_HOME"] = home
    os.environ["HOME"] = tempfile.mkdtemp(prefix="sidebyside-user-")  # no real files scanned
    seed()

    from dataclasses import replace

    from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.gui import round_controller as rc
    from desktop.gui import settings_store, theme
    from desktop.gui.app import make_app
    from desktop.gui.main_window import MainWindow

    app = make_app()
    from PySide6.QtGui import QFont, QFontDatabase

    if "Inter" in QFontDatabase.families():  # as on a desktop whose UI font is Inter
        app.setFont(QFont("Inter", 10))
    if args.dark:
        theme.apply(app, dark=True)

    def pump(ms: int = 100) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_for(cond, timeout_s: float = 180) -> bool:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if cond():
                return True
            pump(50)
        return False

    def shot(widget, name: str) -> None:
        pump(150)
        path = out / name
        widget.grab().save(str(path))
        print("saved", path)

    # First run: the embedded model against a provider with no key.
    first = MainWindow(settings_store.WindowSettings())
    first.resize(1400, 880)
    first.show()
    wait_for(lambda: first.compare.answers.currentIndex() == 1, 20)
    shot(first, "first-run.png")
    first.close()

    settings = settings_store.WindowSettings(
        contenders=[settings_store.ContenderChoice(args.left), settings_store.ContenderChoice(args.right)],
        params=replace(settings_store.WindowSettings().params, max_tokens=args.max_tokens),
        category="reasoning",
    )
    window = MainWindow(settings)
    window.resize(1400, 880)
    window.show()
    pump(300)
    window.compare.prompt.setPlainText(PROMPT)
    window.compare.send()
    wait_for(lambda: sum(len(p.markdown.source) for p in window.compare.panes.values()) > 350, 120)
    shot(window, "compare-streaming.png")
    wait_for(lambda: window.controller.state == rc.FINISHED)
    # A follow-up: each pane shows the first turn above the second.
    window.compare.prompt.setPlainText(FOLLOW_UP)
    window.compare.send()
    wait_for(lambda: window.controller.state == rc.RUNNING, 20)
    wait_for(lambda: window.controller.state == rc.FINISHED)
    shot(window, "compare-conversation.png")
    window.compare.vote_bar.buttons["a"].click()
    wait_for(lambda: window.controller.record is not None and window.controller.record.vote is not None, 20)
    shot(window, "compare-revealed.png")

    verdict = window.view("verdict")
    wait_for(lambda: verdict.verdict is not None, 60)
    shot(window, "verdict.png")
    board = window.view("leaderboard")
    wait_for(lambda: board.results is not None and board.style is not None, 60)
    shot(window, "leaderboard.png")
    history = window.view("history")
    wait_for(lambda: history.table.rowCount() > 0, 20)
    history.table.selectRow(0)
    wait_for(lambda: history.record is not None, 20)
    shot(window, "history.png")

    from desktop.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window.work, "openai", window)
    dialog.show()
    wait_for(lambda: "Checking" not in dialog.rows["openai"]["status"].text(), 20)
    shot(dialog, "settings.png")
    dialog.close()
    window.close()
    QCoreApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
