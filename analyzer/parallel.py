"""Large batches on several cores: worker processes that each hold a copy of the model.

The model is CPU-bound Python and holds the GIL, so threads cannot share one batch; processes
can. :class:`ParallelAnalyzer` cuts a batch into contiguous parts, analyses the first part in
the calling thread and queues the others for worker processes (started once, each loading the
model once); when the caller is done it takes back the parts no worker has started yet, and
the results are joined in input order. The HTTP service runs ``/v1/analyze/batch`` on
it (``COMPLAINT_ANALYZER_BATCH_JOBS``); the command-line batch (``classify --jobs``) streams
chunks through its own pool but loads models with :func:`load_model_once` too.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import multiprocessing
import shutil
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.errors import ModelError

if TYPE_CHECKING:
    from analyzer.model import Analyzer
    from analyzer.results import Analysis

#: Fewest texts worth sending to another process (smaller batches stay in the caller).
MIN_PART = 100
#: Parts per process a large batch is cut into: the caller takes back the parts no worker has
#: started when it is done with its own, so uneven speeds even out.
PARTS_PER_JOB = 3


@functools.cache
def load_model_once(model_path: str | None) -> Analyzer:
    """The model at ``model_path`` (the packaged default for ``None``), loaded once per
    process."""
    from analyzer.model import Analyzer
    from analyzer.persistence import default_analyzer

    return Analyzer.load(model_path) if model_path else default_analyzer()


def _analyze_in_worker(model_path: str | None, texts: list[str], explain: bool
                       ) -> list[Analysis]:
    return load_model_once(model_path).analyze_many(texts, explain=explain)


def _init_worker(model_path: str | None) -> None:
    """Process-pool initializer: load the model and warm it up, so that the worker's first
    batch does not pay for what is built on first use."""
    load_model_once(model_path).warm_up()


def _ready() -> bool:
    return True


def split_evenly(n: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous ``(start, end)`` ranges covering ``range(n)``, sizes differing by
    at most one."""
    size, extra = divmod(n, parts)
    bounds, start = [], 0
    for part in range(parts):
        end = start + size + (1 if part < extra else 0)
        bounds.append((start, end))
        start = end
    return bounds


class ParallelAnalyzer:
    """``analyze_many`` shared between the calling thread and ``jobs - 1`` worker processes.

    Contract: :meth:`analyze_many` returns what ``model.analyze_many`` returns for the same
    texts (same values, input order) and raises what it raises for invalid texts (checked
    before any work starts). Batches of fewer than ``2 * min_part`` texts are analysed in the
    calling thread only. Workers load the model from ``model_path``; when it is ``None`` the
    model is first saved to a private temporary file, so workers always serve exactly
    ``model``. Workers start with :meth:`start` (or on first use) and stop with
    :meth:`close`. When a worker dies, a call that needs its pool fails with ``ModelError``
    and the pool is restarted for the next call. Several threads may call
    :meth:`analyze_many` at once.
    """

    def __init__(self, model: Analyzer, jobs: int, *, model_path: str | Path | None = None,
                 min_part: int = MIN_PART) -> None:
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        if min_part < 1:
            raise ValueError("min_part must be at least 1")
        self.model = model
        self.jobs = jobs
        self.min_part = min_part
        self.model_path = str(model_path) if model_path is not None else None
        self._pool: cf.ProcessPoolExecutor | None = None
        self._folder: Path | None = None
        self._lock = threading.Lock()

    def start(self) -> ParallelAnalyzer:
        """Start the worker processes and have each load the model now; returns self."""
        with self._lock:
            if self.jobs > 1 and self._pool is None:
                self._start_pool()
        return self

    def _start_pool(self) -> None:
        if self.model_path is None:
            self._folder = Path(tempfile.mkdtemp(prefix="complaint-analyzer-model-"))
            self.model_path = str(self.model.save(self._folder / "model.npz"))
        self._pool = cf.ProcessPoolExecutor(
            max_workers=self.jobs - 1, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker, initargs=(self.model_path,))
        # Wait for the workers to be warm, so that the first batch is not slow.
        for future in [self._pool.submit(_ready) for _ in range(self.jobs - 1)]:
            future.result()

    def analyze_many(self, texts: Sequence[str], *, explain: bool = False) -> list[Analysis]:
        """The analyses of ``texts``, in order (see the class contract)."""
        from analyzer.model import check_text

        checked = [check_text(t) for t in texts]
        parts = min(self.jobs * PARTS_PER_JOB, len(checked) // self.min_part)
        if self.jobs <= 1 or parts <= 1:
            return self.model.analyze_many(checked, explain=explain)
        pool = self.start()._pool
        assert pool is not None
        bounds = split_evenly(len(checked), parts)
        done: list[list[Analysis] | None] = [None] * parts
        try:
            futures = {i: pool.submit(_analyze_in_worker, self.model_path, checked[a:b],
                                      explain)
                       for i, (a, b) in enumerate(bounds) if i > 0}
            done[0] = self.model.analyze_many(checked[:bounds[0][1]], explain=explain)
            # Work sharing: take back, from the end, the parts no worker has started yet.
            for i in sorted(futures, reverse=True):
                if futures[i].cancel():
                    a, b = bounds[i]
                    done[i] = self.model.analyze_many(checked[a:b], explain=explain)
            for i, future in futures.items():
                if done[i] is None:
                    done[i] = future.result()
        except BrokenProcessPool as exc:
            self._restart()
            raise ModelError("a batch worker process stopped unexpectedly (out of memory?); "
                             "retry the request, or lower the number of batch jobs") from exc
        return [analysis for part in done if part is not None for analysis in part]

    def _restart(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    def close(self) -> None:
        """Stop the workers and remove the temporary model file, if any."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
                self._folder = None
                self.model_path = None

    def __enter__(self) -> ParallelAnalyzer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
