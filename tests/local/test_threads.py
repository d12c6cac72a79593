"""Thread count by measurement: the choice rules with an injected measurement, and one real
calibration on the embedded model (remembered, not repeated)."""

from __future__ import annotations

import pytest

from desktop.core.local import learned, threads
from desktop.core.local.load import LoadMonitor
from tests.local.test_local_engine import answer


def test_pick_best_prefers_fewer_threads_within_three_percent():
    assert threads.pick_best({1: 48.0, 2: 82.0}) == 2
    assert threads.pick_best({1: 80.0, 2: 82.0}) == 1  # 2.4 % faster: not worth a core
    assert threads.pick_best({1: 30.0, 2: 55.0, 3: 70.0, 4: 69.0}) == 3


def test_calibrate_interleaves_two_passes_and_keeps_each_counts_best():
    measured = []
    # The first pass at 2 threads was hit by a burst of other work: the second one counts.
    samples = iter([50.0, 20.0, 70.0, 49.0, 90.0, 69.0])

    def measure(n: int) -> float:
        measured.append(n)
        return next(samples)

    result = threads.calibrate(measure, [1, 2, 3])
    assert measured == [1, 2, 3, 1, 2, 3]
    assert result == {"best": 2, "tokens_per_s": {"1": 50.0, "2": 90.0, "3": 70.0}}


@pytest.mark.parametrize("best, busy, others, cores, expected", [
    (2, 0.0, 0, 2, 2),     # quiet machine: the measured best
    (2, 0.3, 0, 2, 2),     # a neighbour reading a stream (0.3 core) is not "busy"
    (2, 1.0, 0, 2, 1),     # a process spinning on a core: leave it its core
    (2, 1.9, 0, 2, 1),     # never below 1
    (4, 0.2, 2, 8, 4),     # plenty free
    (2, None, 1, 2, 1),    # the other side is a local model with 1 thread
    (6, 3.0, 0, 8, 5),
])
def test_back_off_only_when_really_busy(best, busy, others, cores, expected):
    assert threads.back_off(best, busy, others, cores) == expected


def test_choose_explicit_calibrate_then_remembered(monkeypatch):
    monkeypatch.setattr(threads, "physical_cores", lambda: 2)
    monkeypatch.setattr(threads, "logical_cores", lambda: 2)
    explicit = threads.choose("cpu-128MB", explicit=3)
    assert explicit.n_threads == 3 and explicit.calibrate is None and "--threads" in explicit.how

    first = threads.choose("cpu-128MB", busy=0.1)
    assert first.n_threads is None and first.calibrate == [1, 2] and first.max_threads == 2

    threads.remember("cpu-128MB", {"best": 2, "tokens_per_s": {"1": 48.0, "2": 82.0}})
    quiet = threads.choose("cpu-128MB", busy=0.2)
    assert quiet.n_threads == 2 and quiet.calibrate is None and "82.0" in quiet.how
    busy = threads.choose("cpu-128MB", busy=1.2)
    assert busy.n_threads == 1 and "busy" in busy.how
    # Another model size is measured on its own, but not while the machine is busy or another
    # local model answers (the measurement would be theirs): the free cores meanwhile.
    assert threads.choose("cpu-4096MB").calibrate == [1, 2]
    busy_now = threads.choose("cpu-4096MB", busy=1.1)
    assert busy_now.calibrate is None and busy_now.n_threads == 1 and "busy" in busy_now.how
    two_local = threads.choose("cpu-4096MB", busy=0.0, other_local_threads=1)
    assert two_local.calibrate is None and two_local.n_threads == 1


@pytest.mark.parametrize("cores, counts", [
    (1, [1]), (2, [1, 2]), (4, [1, 2, 3, 4]), (8, [4, 6, 7, 8]), (16, [4, 6, 7, 8]),
])
def test_candidate_counts(cores, counts):
    assert threads.candidate_counts(cores) == counts


def test_model_bucket_rounds_size_up_to_a_power_of_two(tmp_path):
    model = tmp_path / "m.gguf"
    model.write_bytes(b"x" * (100 * 2**20))
    assert threads.model_bucket(model) == "cpu-128MB"
    assert threads.model_bucket(model, n_gpu_layers=99) == "gpu-128MB"


def test_real_calibration_on_first_use_is_remembered(monkeypatch, local_pool):
    monkeypatch.setattr(threads, "physical_cores", lambda: 2)
    # Other tests may be running: the machine counts as quiet for this one.
    monkeypatch.setattr(LoadMonitor, "other_busy_cores", lambda self, wait_s=0: 0.0)
    result, _ = answer("local", "Say hello.", max_tokens=8, seed=1, pool=local_pool)
    assert result.error is None
    (worker,) = local_pool.workers()
    calibration = worker.calibration
    assert calibration and set(calibration["tokens_per_s"]) == {"1", "2"}
    assert all(rate > 0 for rate in calibration["tokens_per_s"].values())
    assert worker.n_threads in (1, 2)
    bucket = threads.model_bucket(worker.settings.path)
    assert threads.remembered(bucket)["best"] == calibration["best"]
    assert bucket in learned.path().read_text()

    local_pool.shutdown()
    result, _ = answer("local", "Say hello.", max_tokens=8, seed=1, pool=local_pool)
    (worker,) = local_pool.workers()
    assert result.error is None and worker.calibration is None, "measured once, not again"
