"""Batches shared with worker processes give exactly the single-process results."""

from __future__ import annotations

import os
import signal
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analyzer.errors import InvalidInputError, ModelError
from analyzer.parallel import ParallelAnalyzer, split_evenly

TEXTS = [
    "手机用了三天就黑屏，要求换新机", "The blender stopped working after a week. Refund please.",
    "快递员态度恶劣，把包裹扔在门口就走", "Hidden $40 fee at checkout. Cancelling my membership.",
    "房间地毯很脏，空调也坏了", "App keeps crashing when I try to check in, help!",
    "宣传说有游泳池，到了根本没有", "物流很快，东西很好，好评", "@SkyAir thanks for the upgrade!",
    "Flight delayed 5 hours, no explanation.", "客服电话打了十次没人接", "iPhone13屏幕有坏点",
] * 4


@pytest.fixture(scope="module")
def parallel(small_model):
    with ParallelAnalyzer(small_model, 2, min_part=5) as analyzer:
        yield analyzer


@given(st.integers(0, 5000), st.integers(1, 16))
def test_split_evenly_covers_every_index_once_in_order(n, parts):
    bounds = split_evenly(n, parts)
    assert len(bounds) == parts
    assert [i for a, b in bounds for i in range(a, b)] == list(range(n))
    sizes = [b - a for a, b in bounds]
    assert max(sizes) - min(sizes) <= 1


def test_parallel_results_equal_the_models_in_input_order(parallel, small_model):
    assert parallel.analyze_many(TEXTS) == small_model.analyze_many(TEXTS)
    assert (parallel.analyze_many(TEXTS, explain=True)
            == small_model.analyze_many(TEXTS, explain=True))


def test_an_injected_model_is_saved_privately_and_removed_on_close(small_model):
    analyzer = ParallelAnalyzer(small_model, 2, min_part=5).start()
    path = analyzer.model_path
    assert path is not None and os.path.isfile(path)
    analyzer.close()
    assert not os.path.exists(path)


def test_small_batches_stay_in_the_calling_process(small_model):
    analyzer = ParallelAnalyzer(small_model, 2, min_part=100)
    try:
        assert analyzer.analyze_many(TEXTS[:20]) == small_model.analyze_many(TEXTS[:20])
        assert analyzer._pool is None
    finally:
        analyzer.close()


def test_an_invalid_text_fails_the_call_before_any_work(small_model):
    analyzer = ParallelAnalyzer(small_model, 2, min_part=5)
    try:
        with pytest.raises(InvalidInputError):
            analyzer.analyze_many([*TEXTS, "   "])
        assert analyzer._pool is None
    finally:
        analyzer.close()


def test_a_dead_worker_fails_the_call_with_a_model_error_and_the_pool_restarts(small_model):
    with ParallelAnalyzer(small_model, 2, min_part=5) as analyzer:
        pool = analyzer._pool
        assert pool is not None
        for process in list(pool._processes.values()):  # type: ignore[attr-defined]
            os.kill(process.pid, signal.SIGKILL)
            process.join()
        deadline = time.monotonic() + 10
        while not pool._broken and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.05)  # the pool notices the death in its manager thread
        with pytest.raises(ModelError, match="batch worker"):
            analyzer.analyze_many(TEXTS)
        assert analyzer.analyze_many(TEXTS) == small_model.analyze_many(TEXTS)
        assert analyzer._pool is not None and analyzer._pool is not pool


def test_jobs_and_part_size_must_be_positive(small_model):
    with pytest.raises(ValueError, match="jobs"):
        ParallelAnalyzer(small_model, 0)
    with pytest.raises(ValueError, match="min_part"):
        ParallelAnalyzer(small_model, 2, min_part=0)
