"""`ask --reveal` in a terminal: a real process, the embedded model through real llama.cpp (one
thread, slow) against a fast loopback OpenAI-compatible server. Blind and paced, the fast side's
lines cannot run ahead of the slow side's; together, a neutral line says both come at once; and
before the vote no count or time is printed for either seat."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.providers.fake_server import Reply, running_fake_server

LONG = " ".join(f"word{i % 10}" for i in range(200))


@pytest.fixture
def server():
    with running_fake_server() as fake:
        yield fake


def _ask(server, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **server.env(), "OPENAI_API_KEY": "sk-test-cli-0000", "COLUMNS": "80"}
    return subprocess.run(
        [sys.executable, "-m", "desktop", "ask", "Tell me about rivers.", "--left", "local",
         "--right", "openai:gpt-4o-mini", "--blind", "--max-tokens", "48", "--threads", "1",
         "--seed", "3", "--temperature", "0", *args],
        capture_output=True, text=True, timeout=240, env=env,
    )


def _seat_lines(stdout: str) -> list[tuple[str, str]]:
    out = []
    for line in stdout.splitlines():
        match = re.match(r"^([AB]) │ (.*)$", line)
        if match:
            out.append((match.group(1), match.group(2)))
    return out


def test_paced_ask_keeps_the_fast_side_level_with_the_slow_one(server):
    server.script("openai", Reply(text=LONG, delay_s=0.003))
    run = _ask(server, "--reveal", "paced")
    assert run.returncode == 0, run.stderr
    lines = _seat_lines(run.stdout)
    remote = next(seat for seat, text in lines if "word0" in text)
    local = "B" if remote == "A" else "A"
    answer_lines = [(seat, text) for seat, text in lines if not text.startswith(seat + " · ")]
    last_local = max(i for i, (seat, _) in enumerate(answer_lines) if seat == local)
    local_count = sum(1 for seat, _ in answer_lines if seat == local)
    remote_before = sum(1 for seat, _ in answer_lines[:last_local] if seat == remote)
    # Equal characters shown, lines of equal width: the remote side is at most a line ahead.
    assert remote_before <= local_count + 1, run.stdout
    assert sum(1 for seat, _ in answer_lines if seat == remote) > local_count + 3
    # Before the vote: no count, speed or time on the closing lines.
    closing = [text for seat, text in lines if text.startswith(seat + " · ")]
    assert len(closing) == 2
    assert not re.search(r"tok|\d\.\d+ s|first token|total", " ".join(closing)), closing


def test_together_says_so_and_prints_both(server):
    server.script("openai", Reply(text=LONG, delay_s=0.003))
    run = _ask(server, "--reveal", "together")
    assert run.returncode == 0, run.stderr
    assert "Both answers will show together" in run.stderr
    seats = {seat for seat, _ in _seat_lines(run.stdout)}
    assert seats == {"A", "B"}


def test_unknown_reveal_is_a_usage_error(server):
    run = _ask(server, "--reveal", "fast")
    assert run.returncode == 2 and "invalid choice: 'fast'" in run.stderr
