"""An answer's measurements read the same in the terminal and in the window (one metrics line),
and a local answer says it was free in both."""

from __future__ import annotations

from html import escape

from desktop.cli.live import metrics_line as terminal_line
from desktop.core.contenders.metrics import metrics_line
from desktop.gui.wording import reveal_html
from tests.store.helpers import answer


def test_the_terminal_and_the_window_show_one_metrics_line():
    local = answer("local", output_tokens=40, tokens_per_s=30.0, ttft_s=0.25, total_s=1.5,
                   threads=4)
    line = metrics_line(local)
    assert line == ("40 tokens · 30.0 tok/s · 4 threads · first token 0.25 s · total 1.50 s · "
                    "free")
    assert terminal_line(local, "A") == f"A · {line} · stop"
    assert escape(line) in reveal_html(local, won=None)


def test_a_priced_answer_shows_its_cost_and_an_unpriced_one_says_so():
    priced = answer("openai:gpt-4o-mini", cost_usd=0.000125)
    assert metrics_line(priced).endswith(" · $0.000125")
    assert terminal_line(priced, "B").endswith(" · $0.000125 · stop")
    assert metrics_line(answer("compat:m@http://x/v1", cost_usd=None)).endswith(" · cost unknown")
