"""Coalescing of concurrent ``POST /v1/analyze`` requests into one vectorised model call.

One call of ``Analyzer.analyze_many`` costs a fixed few milliseconds (building sparse
matrices) plus a little per text, and the model holds the GIL, so answering 32 concurrent
requests with 32 threads costs 32 fixed overheads that also fight over the GIL. The
:class:`Coalescer` queues the texts of concurrent requests and analyses everything queued in
one ``analyze_many`` call in a worker thread; requests that arrive meanwhile form the next
call. A request that arrives alone is analysed at once, so coalescing adds no latency at low
load. Results are identical to ``analyze`` text by text (``analyze_many`` is row-wise), and
the event loop never runs model code.

Keeping batches whole: under steady load the clients of one batch send their next requests
while the *next* batch is being formed, and a drainer that always took what was queued would
split them into two alternating groups (measured: batches of 7 and 25 for 32 clients), paying
the model's fixed cost per call (about 1 ms) twice. So when fewer texts are queued than the
previous batch held and that batch finished moments ago (``recent_seconds``), the drainer
waits, at most ``gather_seconds``, for the queue to reach that size again.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from anyio import to_thread

from analyzer.errors import ModelError

if TYPE_CHECKING:
    from analyzer.model import Analyzer
    from analyzer.results import Analysis


@dataclass(frozen=True)
class _Job:
    text: str
    explain: bool
    future: asyncio.Future[Analysis]


class Coalescer:
    """Analyse single texts in batches of at most ``max_batch`` (one batch at a time).

    Contract: :meth:`analyze` returns exactly what ``analyzer.analyze(text, explain=...)``
    returns, or raises what it raises; texts must already be valid (see ``check_text``).
    A failing batch is retried text by text so that one bad text fails only its own
    request. Must be used from one event loop; :meth:`close` fails queued requests with
    ``ModelError`` (the service is stopping).
    """

    def __init__(self, analyzer: Analyzer, max_batch: int = 64, *,
                 gather_seconds: float = 0.002, recent_seconds: float = 0.05) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        if gather_seconds < 0 or recent_seconds < 0:
            raise ValueError("gather_seconds and recent_seconds cannot be negative")
        self.analyzer = analyzer
        self.max_batch = max_batch
        self.gather_seconds = gather_seconds
        self.recent_seconds = recent_seconds
        self._queue: deque[_Job] = deque()
        self._drainer: asyncio.Task[None] | None = None
        self._closed = False
        self._last_size = 0
        self._last_done = float("-inf")
        self._wanted = 0
        self._filled: asyncio.Event | None = None

    async def analyze(self, text: str, *, explain: bool = False) -> Analysis:
        """The analysis of ``text``, computed together with concurrent requests."""
        if self._closed:
            raise ModelError("the service is shutting down")
        future: asyncio.Future[Analysis] = asyncio.get_running_loop().create_future()
        self._queue.append(_Job(text, explain, future))
        if self._filled is not None and len(self._queue) >= self._wanted:
            self._filled.set()
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _gather(self) -> None:
        """Wait (at most ``gather_seconds``) until as many texts are queued as the previous
        batch held, when that batch finished less than ``recent_seconds`` ago."""
        loop = asyncio.get_running_loop()
        wanted = min(self._last_size, self.max_batch)
        if (self.gather_seconds <= 0 or len(self._queue) >= wanted
                or loop.time() - self._last_done > self.recent_seconds):
            return
        self._wanted = wanted
        self._filled = asyncio.Event()
        try:
            await asyncio.wait_for(self._filled.wait(), self.gather_seconds)
        except TimeoutError:
            pass
        finally:
            self._filled = None

    async def _drain(self) -> None:
        while self._queue:
            await self._gather()
            jobs = [self._queue.popleft()
                    for _ in range(min(self.max_batch, len(self._queue)))]
            jobs = [job for job in jobs if not job.future.cancelled()]
            if not jobs:
                continue
            outcomes = await to_thread.run_sync(self._compute, jobs)
            self._last_size = len(jobs)
            self._last_done = asyncio.get_running_loop().time()
            for job, outcome in zip(jobs, outcomes, strict=True):
                if job.future.done():
                    continue
                if isinstance(outcome, BaseException):
                    job.future.set_exception(outcome)
                else:
                    job.future.set_result(outcome)

    def _compute(self, jobs: list[_Job]) -> list[Analysis | BaseException]:
        """Runs in a worker thread: one ``analyze_many`` per ``explain`` value."""
        outcomes: list[Analysis | BaseException | None] = [None] * len(jobs)
        for explain in (False, True):
            index = [i for i, job in enumerate(jobs) if job.explain is explain]
            if not index:
                continue
            texts = [jobs[i].text for i in index]
            try:
                results: list[Analysis | BaseException] = list(
                    self.analyzer.analyze_many(texts, explain=explain))
            except Exception:
                results = [self._one(text, explain) for text in texts]
            for i, result in zip(index, results, strict=True):
                outcomes[i] = result
        return [o if o is not None else RuntimeError("no result") for o in outcomes]

    def _one(self, text: str, explain: bool) -> Analysis | BaseException:
        try:
            return self.analyzer.analyze(text, explain=explain)
        except Exception as exc:
            return exc

    async def close(self) -> None:
        """Stop accepting texts; fail the queued ones; wait for the batch in progress."""
        self._closed = True
        while self._queue:
            job = self._queue.popleft()
            if not job.future.done():
                job.future.set_exception(ModelError("the service is shutting down"))
        if self._drainer is not None:
            await asyncio.gather(self._drainer, return_exceptions=True)
