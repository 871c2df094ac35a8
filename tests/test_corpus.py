"""The corpus checks of the corpus issue: schema, minimums, diversity, no evaluation overlap."""

from collections import Counter

import pytest

from analyzer.corpus import (
    CHANNELS,
    INDUSTRIES,
    MAX_OPENING_SHARE,
    default_corpus_path,
    eval_overlaps,
    is_traditional,
    length_band,
    near_duplicates,
    opening_counts,
    read_rows,
    validate_rows,
)
from analyzer.labels import CAUSES, TYPES


@pytest.fixture(scope="module")
def rows():
    return read_rows(default_corpus_path())


def test_schema_values_and_label_consistency(rows):
    assert validate_rows(rows) == []


def test_size_minimums(rows):
    langs = Counter(r["lang"] for r in rows)
    assert len(rows) >= 6000
    assert langs["zh"] >= 2500 and langs["en"] >= 2500 and langs["mixed"] >= 200
    assert sum(1 for r in rows if r["lang"] == "zh" and is_traditional(r["text"])) >= 150
    assert sum(1 for r in rows if r["is_complaint"] == "no") >= 600


def test_every_language_cause_type_cell_is_covered(rows):
    cells = Counter((r["lang"], r["cause"], r["type"]) for r in rows
                    if r["is_complaint"] == "yes")
    for lang in ("zh", "en"):
        for cause in CAUSES:
            for ctype in TYPES:
                minimum = 10 if (cause, ctype) == ("malicious", "exit") else 40
                assert cells[(lang, cause, ctype)] >= minimum, (lang, cause, ctype)


def test_industries_and_channels_are_spread(rows):
    industries = Counter(r["industry"] for r in rows)
    channels = Counter(r["channel"] for r in rows)
    assert sum(1 for i in INDUSTRIES if industries[i] >= 20) >= 12
    assert sum(1 for c in CHANNELS if channels[c] >= 20) >= 5


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_length_spread(rows, lang):
    bands = Counter(length_band(r["text"], lang) for r in rows if r["lang"] == lang)
    total = sum(bands.values())
    assert bands["short"] / total >= 0.15
    assert bands["long"] / total >= 0.15


def test_no_near_duplicates(rows):
    pairs = near_duplicates([r["text"] for r in rows])
    assert pairs == [], [(rows[i]["id"], rows[j]["id"], j_) for i, j, j_ in pairs[:5]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_openings_are_diverse(rows, lang):
    counts = opening_counts(rows, lang)
    top, n = counts.most_common(1)[0]
    assert n / sum(counts.values()) <= MAX_OPENING_SHARE, top


def test_real_world_noise_is_present(rows):
    texts = [r["text"] for r in rows]
    assert sum("@" in t for t in texts) >= 200
    assert sum(any(m in t for m in ("XXXX", "****")) for t in texts) >= 50
    assert sum("http" in t or "www." in t for t in texts) >= 20
    assert sum(any(p in t for p in ("!!", "！！", "??", "？？")) for t in texts) >= 100


def test_no_overlap_with_evaluation_or_benchmark_data(rows, shared_dir):
    texts = [r["text"] for r in read_rows(shared_dir / "eval" / "dev.csv")]
    bench = shared_dir / "bench" / "real_texts.csv"
    if bench.is_file():
        texts += [r["text"] for r in read_rows(bench)]
    hits = eval_overlaps([r["text"] for r in rows], texts)
    assert hits == [], [(rows[i]["id"], run) for i, run in hits[:5]]


def test_near_duplicate_detector_finds_a_pair():
    texts = ["The blender stopped working after a week.",
             "The blender stopped working after one week.", "Completely different words here."]
    assert [(i, j) for i, j, _ in near_duplicates(texts)] == [(0, 1)]


def test_eval_overlap_detector_finds_a_shared_run():
    assert eval_overlaps(["我买的这个热水器安装师傅态度特别差真的"],
                         ["前面不同 热水器安装师傅态度特别差真的 后面"]) != []
    assert eval_overlaps(["one two three four five six seven eight nine"],
                         ["zero one two three four five six seven eight"]) != []


def test_eval_overlap_detector_finds_a_short_text_repeated_whole():
    assert eval_overlaps(["Bad  service!!"], ["BAD SERVICE."]) != []
    assert eval_overlaps(["质量太差了"], ["质量太差了！"]) != []
    assert eval_overlaps(["Don't ask."], ["don\u2019t ask"]) != []
    assert eval_overlaps(["Don\u02bct ask."], ["don't ask"]) != []
    # a short text inside a longer evaluation text is not a copy of it
    assert eval_overlaps(["Bad service."], ["Bad service. The food was fine though."]) == []


def test_data_card_tables_match_the_corpus(rows):
    from analyzer.commands.corpus_stats import END, START
    from analyzer.corpus import coverage_markdown

    card = (default_corpus_path().parent / "README.md").read_text(encoding="utf-8")
    block = card.split(START, 1)[1].split(END, 1)[0].strip()
    assert block == coverage_markdown(rows).strip(), (
        "corpora/README.md is stale: run 'complaint-analyzer corpus-stats --update "
        "corpora/README.md'")
