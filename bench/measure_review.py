"""Target review: vote → next battle painted in the Review tab, p95 ≤ 50 ms, 1,000 waiting.

A fresh data directory holds 1,000 finished blind battles without a vote (answers of 1.5-3 KB of
Markdown: headings, a list, a code block, as real answers have). An offscreen `ReviewView` with
the window's own database thread shows them; each sample is one vote cast the way Ctrl+1 casts
it (the vote bar's button), timed until the next battle is on screen and painted (a synchronous
`repaint()` of the whole tab). Between votes the view is left to prepare the next battle, as a
reader's seconds would. For scale, the same repaint with nothing changed is reported as the
reference.
"""

from __future__ import annotations

import os
import random
import tempfile
import time

from bench.common import Figure, distribution
from desktop.core.contenders.answer import Answer
from desktop.core.store import open_store
from desktop.core.store.battles import insert_battle, make_record

WAITING = 1000
TARGET_MS = 50.0


def _answer_text(rng: random.Random, n: int) -> str:
    words = " ".join(rng.choice(["river", "delta", "model", "answer", "quick", "brown", "fox",
                                 "steady", "graph", "vote"]) for _ in range(40))
    return (f"## Answer {n}\n\n{words}.\n\n- first point: {words[:80]}\n- second point\n"
            f"- third point\n\n```python\ndef f(x):\n    return x * {n}\n```\n\n{words} {words}."
            f"\n\n{words}\n\n**In short:** {words[:120]}.")


def _fill(path, rng: random.Random) -> None:
    store = open_store(path)
    try:
        with store.transaction("fill") as db:
            for i in range(WAITING):
                a = Answer("local", "local", "open", "m", _answer_text(rng, i), "stop",
                           0.1, 2.0, 300, 20, 30.0, 0.0)
                b = Answer("openai:model-1", "openai", "proprietary", "m",
                           _answer_text(rng, i + 1), "stop", 0.1, 0.5, 300, 20, 90.0, 0.0)
                insert_battle(db, make_record(f"Prompt {i}: explain rivers", a, b, mode="blind",
                                              a_slot=rng.choice(["left", "right"])))
    finally:
        store.close()


def measure(quick: bool = False) -> list[Figure]:
    from PySide6.QtWidgets import QApplication

    from desktop.gui.app import make_app
    from desktop.gui.review_view import ReviewView
    from desktop.core.operations.workspace import Workspace as Services
    from desktop.gui.tasks import TaskRunner

    votes = 30 if quick else 120
    before = os.environ.get("SIDEBYSIDE_HOME")
    with tempfile.TemporaryDirectory(prefix="sidebyside-review-") as home:
        os.environ["SIDEBYSIDE_HOME"] = home
        try:
            _fill(os.path.join(home, "sidebyside.db"), random.Random(3))
            make_app()
            services = Services()
            db = TaskRunner("bench-db", 1)
            view = ReviewView(services, db)
            view.resize(1280, 800)
            view.show()

            def wait(condition, limit_s: float = 30.0) -> None:
                end = time.monotonic() + limit_s
                while not condition():
                    QApplication.processEvents()
                    if time.monotonic() > end:
                        raise TimeoutError("the Review tab did not get ready")
                    time.sleep(0.001)

            view.refresh()
            wait(lambda: view.record is not None and view._next is not None)
            samples, reference = [], []
            for _ in range(votes):
                t0 = time.perf_counter()
                view.repaint()
                reference.append((time.perf_counter() - t0) * 1000)
                shown = view.record
                t0 = time.perf_counter()
                view.vote_bar.buttons["a"].click()
                wait(lambda s=shown: view.record is not s)
                view.repaint()
                samples.append((time.perf_counter() - t0) * 1000)
                wait(lambda: view._next is not None)  # the reader's time: the next is prepared
            db.shutdown(wait=True, cancel_pending=False)
            services.close()
            view.close()
        finally:
            if before is None:
                os.environ.pop("SIDEBYSIDE_HOME", None)
            else:
                os.environ["SIDEBYSIDE_HOME"] = before
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return [Figure(
        "review_next_painted", f"Review: vote → next battle painted ({WAITING:,} waiting)",
        round(p95, 2), "ms (p95)", f"≤ {TARGET_MS:g} ms", p95 <= TARGET_MS,
        {"votes": distribution(samples), "repaint_unchanged_ms": distribution(reference)},
    )]
