"""`sidebyside ask` as a user runs it: a real process, real llama.cpp, JSON and live output."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.local.tiny_gguf import write_tiny_gguf


def sidebyside(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args], input=stdin, capture_output=True, text=True,
        timeout=240, env=os.environ.copy(),
    )


def test_ask_json_gives_two_answers_with_token_counts():
    run = sidebyside("ask", "Name three primary colors.", "--left", "local", "--right", "local",
                     "--json", "--max-tokens", "32")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    for side in ("left", "right"):
        answer = result[side]
        assert answer["contender"] == "local" and answer["text"].strip()
        assert answer["prompt_tokens"] > 0 and answer["output_tokens"] > 0
        assert answer["tokens_per_s"] > 0 and answer["error"] is None
        for field in ("model", "finish_reason", "ttft_s", "total_s"):
            assert answer[field] is not None
        # The thread count the answer ran with, so a slow answer can say why.
        assert isinstance(answer["threads"], int) and answer["threads"] >= 1


def test_ask_live_labels_both_sides_and_prints_metrics():
    run = sidebyside("ask", "Say hello.", "--max-tokens", "12", "--seed", "3")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert any(line.startswith("left ") for line in lines)
    assert any(line.startswith("right") for line in lines)
    metrics = [line for line in lines if "tok/s" in line]
    assert len(metrics) == 2 and "tokens" in metrics[0]


def test_prompt_from_standard_input():
    run = sidebyside("ask", "-", "--json", "--max-tokens", "4", stdin="Say hi.")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["left"]["prompt_tokens"] > 3


@pytest.mark.parametrize("case", ["garbage", "missing", "long_prompt"])
def test_failures_exit_1_with_kind_and_plain_message(case, tmp_path):
    args = ["ask", "Hello", "--right", "local", "--json", "--max-tokens", "4"]
    if case == "garbage":
        bad = tmp_path / "garbage.gguf"
        bad.write_bytes(b"this is not a model" * 100)
        args += ["--left", f"local:{bad}"]
        expected_kind, expected_text = "model_load", str(bad)
    elif case == "missing":
        bad = tmp_path / "nowhere.gguf"
        args += ["--left", f"local:{bad}"]
        expected_kind, expected_text = "model_not_found", str(bad)
    else:
        args[1] = "x" * 50_000
        args[-1] = "512"
        args += ["--left", "local"]
        expected_kind, expected_text = "context_length", "4,096"
    run = sidebyside(*args)
    assert run.returncode == 1
    error = json.loads(run.stdout)["left"]["error"]
    assert error["kind"] == expected_kind and expected_text in error["message"]
    assert "Traceback" not in run.stdout + run.stderr


def test_usage_errors_exit_2(tmp_path):
    assert sidebyside("ask", "hi", "--left", "gpt4").returncode == 2
    run = sidebyside("ask", "   ")
    assert run.returncode == 2 and "empty" in run.stderr
    assert sidebyside("ask", "hi", "--max-tokens", "0").returncode == 2


def test_version():
    run = sidebyside("--version")
    assert run.returncode == 0 and "Side by Side" in run.stdout


def test_tiny_model_answers_fast(tmp_path):
    model = write_tiny_gguf(tmp_path / "tiny.gguf")
    run = sidebyside("ask", "hi", "--left", f"local:{model}", "--right", f"local:{model}",
                     "--json", "--max-tokens", "8", "--n-ctx", "256")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["left"]["model"] == "tiny-test-llama"
    assert 1 <= result["left"]["output_tokens"] <= 8  # random weights may pick end-of-text early
