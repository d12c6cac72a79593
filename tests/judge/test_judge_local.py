"""A local GGUF judges through real llama.cpp (a tiny random-weight model: its replies are
noise, so its verdicts are unparsable, which is what such a judge honestly gets)."""

from __future__ import annotations

import json

import pytest

from desktop.cli import main
from desktop.core.local.workers import WorkerPool
from desktop.core.store import open_store
from desktop.core.store.judge_verdicts import get_verdict
from tests.judge.test_judge_cli import populate
from tests.local.tiny_gguf import write_tiny_gguf


@pytest.fixture(autouse=True)
def no_workers_left_behind():
    yield
    WorkerPool.shutdown_every_pool()


def test_a_local_gguf_judges_in_both_orders_for_free(tmp_path, capsys):
    model = write_tiny_gguf(tmp_path / "judge.gguf", n_ctx_train=8192)
    ids = populate(n_battles=1, n_votes=1)
    spec = f"local:{model}"
    assert main(["judge", "--judge", spec, "--max-cost", "0", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["judged"] == 1 and summary["spent_usd"] == 0
    verdict = get_verdict(open_store(), ids[0], spec)
    assert verdict.reply_ab and verdict.reply_ba  # the model really answered, twice
    assert verdict.cost_usd == 0.0
    assert verdict.verdict in ("a", "b", "tie", "inconsistent", "unparsable")
