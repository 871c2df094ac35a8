"""The Coalescer behind POST /v1/analyze: concurrent texts share model calls, results do not."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import Any

import pytest

from analyzer.errors import InvalidInputError, ModelError
from analyzer.model import Analyzer
from api.coalesce import Coalescer

TEXTS = ["手机用了三天就黑屏，要求换新机", "The room was dirty.", "客服态度很差", "Great stay!",
         "退款拖了一个月", "Hidden fees everywhere", "物流太慢了", "App keeps crashing"] * 4


@pytest.fixture(scope="module")
def model() -> Analyzer:
    from analyzer.persistence import default_analyzer

    path = os.environ.get("COMPLAINT_ANALYZER_MODEL_PATH")
    return Analyzer.load(path) if path else default_analyzer()


class Spy:
    """Wraps a model: records the size of every ``analyze_many`` call, slows each down a
    little so that concurrent requests queue up, and fails on ``poison`` texts."""

    def __init__(self, model: Analyzer, poison: str | None = None) -> None:
        self.model = model
        self.poison = poison
        self.calls: list[int] = []
        self.threads: set[str] = set()

    def analyze_many(self, texts: list[str], *, explain: bool = False) -> list[Any]:
        self.calls.append(len(texts))
        self.threads.add(threading.current_thread().name)
        time.sleep(0.02)
        if self.poison in texts:
            raise InvalidInputError("poisoned")
        return self.model.analyze_many(texts, explain=explain)

    def analyze(self, text: str, *, explain: bool = False) -> Any:
        return self.analyze_many([text], explain=explain)[0]


async def gather_analyses(coalescer: Coalescer, texts: list[str], explain: bool = False
                          ) -> list[Any]:
    return await asyncio.gather(*(coalescer.analyze(t, explain=explain) for t in texts),
                                return_exceptions=True)


def test_concurrent_texts_share_model_calls_and_get_their_own_results(model):
    spy = Spy(model)
    results = asyncio.run(gather_analyses(Coalescer(spy, max_batch=64), TEXTS))  # type: ignore[arg-type]
    assert [r.to_dict() for r in results] == [model.analyze(t).to_dict() for t in TEXTS]
    assert sum(spy.calls) == len(TEXTS) and len(spy.calls) < len(TEXTS) / 4
    assert "MainThread" not in spy.threads


def test_batches_never_exceed_the_limit(model):
    spy = Spy(model)
    asyncio.run(gather_analyses(Coalescer(spy, max_batch=5), TEXTS))  # type: ignore[arg-type]
    assert max(spy.calls) <= 5 and sum(spy.calls) == len(TEXTS)


def test_a_limit_of_one_analyses_every_text_alone(model):
    spy = Spy(model)
    asyncio.run(gather_analyses(Coalescer(spy, max_batch=1), TEXTS[:6]))  # type: ignore[arg-type]
    assert spy.calls == [1] * 6


def test_explained_and_plain_texts_in_one_batch_each_get_what_they_asked(model):
    async def mixed() -> list[Any]:
        coalescer = Coalescer(model)
        return await asyncio.gather(coalescer.analyze(TEXTS[0], explain=True),
                                    coalescer.analyze(TEXTS[1]),
                                    coalescer.analyze(TEXTS[2], explain=True))

    explained, plain, explained_too = asyncio.run(mixed())
    assert explained.explanations and explained_too.explanations
    assert plain.explanations == ()
    assert explained.to_dict() == model.analyze(TEXTS[0], explain=True).to_dict()


def test_a_failing_text_fails_only_its_own_request(model):
    spy = Spy(model, poison="poison")
    texts = ["退款太慢", "poison", "The room was dirty."]
    results = asyncio.run(gather_analyses(Coalescer(spy), texts))  # type: ignore[arg-type]
    assert isinstance(results[1], InvalidInputError)
    assert results[0].to_dict() == model.analyze(texts[0]).to_dict()
    assert results[2].to_dict() == model.analyze(texts[2]).to_dict()


def test_a_cancelled_request_does_not_disturb_the_others(model):
    async def scenario() -> tuple[Any, Any]:
        coalescer = Coalescer(Spy(model))  # type: ignore[arg-type]
        first = asyncio.create_task(coalescer.analyze(TEXTS[0]))
        doomed = asyncio.create_task(coalescer.analyze(TEXTS[1]))
        last = asyncio.create_task(coalescer.analyze(TEXTS[2]))
        await asyncio.sleep(0)
        doomed.cancel()
        return await first, await last

    first, last = asyncio.run(scenario())
    assert first.to_dict() == model.analyze(TEXTS[0]).to_dict()
    assert last.to_dict() == model.analyze(TEXTS[2]).to_dict()


def test_closing_fails_queued_texts_and_refuses_new_ones(model):
    async def scenario() -> tuple[list[Any], BaseException | None]:
        coalescer = Coalescer(Spy(model), max_batch=1)  # type: ignore[arg-type]
        tasks = [asyncio.create_task(coalescer.analyze(t)) for t in TEXTS[:4]]
        await asyncio.sleep(0.005)  # the first text is being analysed, the rest queued
        await coalescer.close()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        try:
            await coalescer.analyze("退款")
        except ModelError as exc:
            return outcomes, exc
        return outcomes, None

    outcomes, refused = asyncio.run(scenario())
    assert not isinstance(outcomes[0], BaseException)
    assert all(isinstance(o, ModelError) for o in outcomes[1:])
    assert refused is not None


async def _closed_loop(coalescer: Coalescer, clients: int, rounds: int) -> None:
    """``clients`` callers that each send their next text shortly after their last answer
    (a client's round trip), like a load test or a busy ticketing system."""

    async def client(index: int) -> None:
        for turn in range(rounds):
            await coalescer.analyze(TEXTS[(index + turn) % len(TEXTS)])
            await asyncio.sleep(0.001 * (1 + index % 3))

    await asyncio.gather(*(client(i) for i in range(clients)))


def test_batches_stay_whole_under_steady_load(model):
    spy = Spy(model)
    asyncio.run(_closed_loop(Coalescer(spy, gather_seconds=0.01), clients=8, rounds=6))  # type: ignore[arg-type]
    assert sum(spy.calls) == 48
    assert spy.calls.count(8) >= 5, spy.calls  # without gathering the clients split in groups


def test_without_gathering_steady_load_splits_into_smaller_calls(model):
    spy = Spy(model)
    asyncio.run(_closed_loop(Coalescer(spy, gather_seconds=0.0), clients=8, rounds=6))  # type: ignore[arg-type]
    assert sum(spy.calls) == 48 and len(spy.calls) > 7


def test_a_text_arriving_long_after_the_last_batch_is_not_held_back(model):
    async def scenario() -> float:
        coalescer = Coalescer(Spy(model), gather_seconds=5.0, recent_seconds=0.05)  # type: ignore[arg-type]
        await gather_analyses(coalescer, TEXTS[:8])
        await asyncio.sleep(0.1)
        start = time.perf_counter()
        await coalescer.analyze(TEXTS[0])
        return time.perf_counter() - start

    assert asyncio.run(scenario()) < 1.0


def test_gathering_waits_at_most_the_gather_time(model):
    async def scenario() -> float:
        coalescer = Coalescer(Spy(model), gather_seconds=0.2, recent_seconds=10.0)  # type: ignore[arg-type]
        await gather_analyses(coalescer, TEXTS[:8])
        start = time.perf_counter()
        await coalescer.analyze(TEXTS[0])  # fewer texts than the last batch: waits, then runs
        return time.perf_counter() - start

    assert 0.15 < asyncio.run(scenario()) < 2.0


def test_the_limit_must_be_positive(model):
    with pytest.raises(ValueError):
        Coalescer(model, max_batch=0)
    with pytest.raises(ValueError):
        Coalescer(model, gather_seconds=-1)
