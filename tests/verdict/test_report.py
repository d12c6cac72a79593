"""The shareable report: one self-contained HTML file that a real browser (headless Chromium)
renders with the verdict table and the rating plot."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core.store import cast_vote, make_record, save_battle
from tests.store.helpers import answer
from tests.verdict.test_verdict import known_truth

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise AssertionError("Chromium is needed for this test: apt-get install chromium "
                         "(scripts/test.sh installs it).")


def run_chromium(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120)


def png_colours(path: Path) -> tuple[int, int, int]:
    """(width, height, distinct colours in a sample) of a PNG, read with Qt's decoder."""
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull(), f"{path} is not a PNG Qt can read"
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    return image.width(), image.height(), len(colours)


def test_report_is_self_contained_and_renders_in_headless_chromium(store, tmp_path, capsys):
    known_truth(store)
    leaky = save_battle(store, make_record("<script>alert(1)</script>",
                                           answer("local", "# Hi\n- **x**"),
                                           answer("compat:<b>odd</b>@http://10.0.0.1/v1"),
                                           mode="blind", category="<i>cat</i>"))
    cast_vote(store, leaky.id, "b")
    target = tmp_path / "report.html"
    assert main(["report", str(target)]) == 0
    assert "Report written to" in capsys.readouterr().out
    html = target.read_text(encoding="utf-8")
    # Nothing to fetch: no scripts, style sheets, images, fonts or links.
    for pattern in (r"<script", r"<link", r"<img", r"<iframe", r"\bsrc=", r"\bhref=", r"url\(",
                    r"@import"):
        assert not re.search(pattern, html, re.IGNORECASE), pattern
    assert "&lt;b&gt;odd&lt;/b&gt;" in html and "&lt;i&gt;cat&lt;/i&gt;" in html
    for heading in ("Verdict", "Ratings with 95 % intervals", "Cost and speed",
                    "Results per category", "Position bias", "Style control", "Method"):
        assert f">{heading}</h2>" in html
    assert "2026-03-01" in html  # the date range of the votes

    dom = run_chromium("--dump-dom", target.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "id=\"verdict-table\"" in dom.stdout
    table = dom.stdout[dom.stdout.index("verdict-table"):]
    table = table[:table.index("</table>")]
    for decision in ("as good", "worse", "better", "undecided"):
        assert decision in table
    assert "<svg" in dom.stdout and "<circle" in dom.stdout

    shot = tmp_path / "report.png"
    result = run_chromium(f"--screenshot={shot}", "--window-size=1280,2000", target.as_uri())
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    width, height, colours = png_colours(shot)
    assert (width, height) == (1280, 2000)
    assert colours > 20  # text, badges and the plot: far from a blank page

    assert main(["report", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["report", str(target), "--force"]) == 0
    assert main(["report", str(tmp_path / "missing" / "r.html")]) == 1
    err = capsys.readouterr().err
    assert "Could not write" in err and "Traceback" not in err


@pytest.mark.parametrize("margin", ["5", "20"])
def test_report_margin_is_stated(store, tmp_path, margin):
    known_truth(store)
    target = tmp_path / "r.html"
    assert main(["report", str(target), "--margin", margin]) == 0
    assert f"±{margin} pts" in target.read_text(encoding="utf-8")
