"""Speed-blind panes in the real window: a slow local side (the embedded model through real
llama.cpp, one thread) against a fast loopback OpenAI-compatible server, both panes sampled every
few milliseconds while they fill.

- paced (blind's default): the characters shown stay equal, within one frame's worth, until one
  pane has shown its whole answer;
- together: no answer text in either pane until both answers are complete, one neutral progress;
- a named battle: live (the fast pane runs far ahead, as it always did).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer

from desktop.core.contenders.params import GenerationParams
from tests.gui.conftest import send_prompt, wait_finished
from tests.providers.fake_server import Reply

pytestmark = pytest.mark.slow

# The remote answer: long and quick (200 words, a write every 3 ms: ~2,000 characters a second);
# the local one: 64 tokens of a 135M model on one thread, several times slower.
LONG = " ".join(f"word{i % 10}" for i in range(200))
PARAMS = GenerationParams(max_tokens=64, temperature=0.0, seed=3, n_threads=1)
TOLERANCE = 24  # characters: the two panes paint on their own timers, one frame apart at most


class Sampler:
    """Every 3 ms: characters each pane has painted, whether both answers are complete (the
    engine has both), and whether the neutral progress shows."""

    def __init__(self, window) -> None:
        self.window = window
        self.samples: list[dict] = []
        self.timer = QTimer(interval=3)
        self.timer.timeout.connect(self._sample)
        self.timer.start()

    def _sample(self) -> None:
        panes = self.window.compare.panes
        runner = self.window.controller.runner
        self.samples.append({
            "a": len(panes["a"].markdown.source), "b": len(panes["b"].markdown.source),
            "complete": runner is None or len(runner.battle.answers) == 2,
            "bar": self.window.compare.together_bar.isVisible(),
        })

    def stop(self) -> list[dict]:
        self.timer.stop()
        return self.samples


def _battle(qtbot, window, fake_openai) -> tuple[list[dict], dict[str, int]]:
    fake_openai.script("openai", Reply(text=LONG, delay_s=0.003))
    sampler = Sampler(window)
    send_prompt(qtbot, window, "Tell me about rivers.")
    wait_finished(qtbot, window, timeout=180_000)
    samples = sampler.stop()
    totals = {seat: len(pane.markdown.source) for seat, pane in window.compare.panes.items()}
    return samples, totals


def test_paced_together_and_live(qtbot, make_window, fake_openai):
    window = make_window("local", "openai:gpt-4o-mini", blind=True, params=PARAMS)
    assert window.compare.reveal.currentData() == "paced"  # blind's default

    # paced: equal amounts until one pane has shown all of its answer
    samples, totals = _battle(qtbot, window, fake_openai)
    assert min(totals.values()) > 0
    racing = [s for s in samples if s["a"] < totals["a"] and s["b"] < totals["b"]]
    assert any(s["a"] > 0 for s in racing), "sampled while both were still writing"
    gaps = [abs(s["a"] - s["b"]) for s in racing]
    assert max(gaps) <= TOLERANCE, (max(gaps), totals)
    assert all(p.thinking.header == "Thinking…" for p in window.compare.panes.values())

    # together: nothing until both are complete, one progress for both meanwhile
    window.compare.new_round()
    window.compare.reveal.setCurrentIndex(window.compare.reveal.findData("together"))
    samples, totals = _battle(qtbot, window, fake_openai)
    waiting = [s for s in samples if not s["complete"]]
    assert waiting, "sampled while the answers were being written"
    assert all(s["a"] == 0 and s["b"] == 0 for s in waiting)
    assert any(s["bar"] for s in waiting)
    assert min(totals.values()) > 0 and not window.compare.together_bar.isVisible()

    # named: live; the fast remote pane runs far ahead of the local one
    window.compare.new_round()
    window.compare.blind.setChecked(False)
    assert not window.compare.reveal.isEnabled()
    samples, totals = _battle(qtbot, window, fake_openai)
    remote = window.controller.seat_of("right")
    local = window.controller.seat_of("left")
    assert totals[remote] == len(LONG)
    assert any(s[remote] >= s[local] + 200 for s in samples), "live: no pacing when named"


def test_reveal_choice_is_remembered(qtbot, make_window, gui_home):
    import json

    from desktop.gui import settings_store

    window = make_window("local", "local")
    window.compare.reveal.setCurrentIndex(window.compare.reveal.findData("together"))
    window.close()
    saved = json.loads((gui_home / "settings.json").read_text(encoding="utf-8"))
    assert saved["reveal"] == "together"
    again = make_window(reveal=settings_store.load().reveal)
    assert again.compare.reveal.currentData() == "together"
