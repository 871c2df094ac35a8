"""Analyzer speed: cold start, and analyze_many vs bare jieba.lcut on the same real texts.

Usage: python bench/bench_analyzer.py [--n 10000]
Prints one JSON document. Texts: short (<= 140 chars) real texts from ../shared/bench/, half
Chinese reviews, half English tweets, in a fixed shuffled order.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from common import real_texts

COLD_START = (
    "import time; t = time.perf_counter(); import analyzer; "
    "r = analyzer.analyze('手机用了三天就黑屏，要求换新机'); "
    "print(time.perf_counter() - t)"
)


def cold_start_seconds(runs: int = 5) -> list[float]:
    """Wall time of a fresh process: interpreter start, import, load model, first analysis."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", COLD_START], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    rows = real_texts(max_chars=140)
    zh = [r["text"] for r in rows if r["lang"] == "zh"]
    en = [r["text"] for r in rows if r["lang"] == "en"]
    rng = random.Random(0)
    texts = rng.sample(zh, args.n // 2) + rng.sample(en, args.n - args.n // 2)
    rng.shuffle(texts)

    import jieba

    from analyzer.persistence import default_analyzer

    model = default_analyzer()
    model.analyze("预热 warm-up")
    jieba.lcut("预热")
    result: dict[str, object] = {"texts": len(texts)}
    rates: dict[str, list[float]] = {"jieba_lcut": [], "analyze_many": []}
    for _ in range(3):
        start = time.perf_counter()
        for text in texts:
            jieba.lcut(text)
        rates["jieba_lcut"].append(len(texts) / (time.perf_counter() - start))
        start = time.perf_counter()
        model.analyze_many(texts)
        rates["analyze_many"].append(len(texts) / (time.perf_counter() - start))
    result["texts_per_second"] = {k: round(max(v)) for k, v in rates.items()}
    result["pipeline_vs_jieba"] = round(max(rates["analyze_many"]) / max(rates["jieba_lcut"]), 2)
    cold = cold_start_seconds()
    result["cold_start_seconds"] = {"median": round(sorted(cold)[len(cold) // 2], 3),
                                    "max": round(max(cold), 3)}
    from analyzer.segmentation import Segmenter, token_agreement

    agreement = token_agreement(zh[:5000], Segmenter(backend="rjieba"), Segmenter(backend="jieba"))
    result["rjieba_token_agreement_with_jieba"] = round(agreement, 4)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
