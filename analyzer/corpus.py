"""The labelled training corpus: loading, validation, quality checks and coverage tables.

Run ``python -m analyzer.corpus check PATH`` to validate a corpus file (or a draft) and
``python -m analyzer.corpus stats`` to print the coverage tables used in the data card.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.labels import CAUSES, TYPES
from analyzer.normalize import fold_quotes

CORPUS_COLUMNS: tuple[str, ...] = (
    "id", "lang", "text", "is_complaint", "cause", "type",
    "secondary_causes", "industry", "channel",
)
DRAFT_COLUMNS: tuple[str, ...] = CORPUS_COLUMNS[1:]
LANGS: tuple[str, ...] = ("zh", "en", "mixed")
INDUSTRIES: tuple[str, ...] = (
    "ecommerce", "food_delivery", "restaurant", "hotel", "airline", "rail_bus", "telecom",
    "banking", "insurance", "utilities", "automotive", "healthcare", "education",
    "public_services", "software", "logistics", "retail",
)
CHANNELS: tuple[str, ...] = ("review", "social", "email", "call_note", "chat", "survey")

NEAR_DUPLICATE_JACCARD = 0.6
SHINGLE = 5
MAX_OPENING_SHARE = 0.015
EVAL_RUN_ZH = 12
EVAL_RUN_EN = 8

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[a-z0-9']+")
_SPACE = re.compile(r"\s+")


def default_corpus_path() -> Path:
    """Path of the bundled corpus (``corpora/complaints.csv`` beside the package)."""
    return Path(__file__).resolve().parent.parent / "corpora" / "complaints.csv"


def read_rows(path: Path | str) -> list[dict[str, str]]:
    """Read a corpus or draft CSV (UTF-8) into a list of dicts, all values as strings."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def write_rows(rows: Sequence[dict[str, str]], path: Path | str) -> None:
    """Write corpus rows (``CORPUS_COLUMNS``) as UTF-8 CSV."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CORPUS_COLUMNS))
        writer.writeheader()
        writer.writerows({c: r.get(c, "") for c in CORPUS_COLUMNS} for r in rows)


def assemble(drafts: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """Give draft rows ids ``<lang>-<number>``, numbered per language in draft order."""
    counters: Counter[str] = Counter()
    out = []
    for row in drafts:
        counters[row["lang"]] += 1
        out.append({**row, "id": f"{row['lang']}-{counters[row['lang']]:05d}"})
    return out


def corpus_hash(paths: Iterable[Path | str]) -> str:
    """SHA-256 over the bytes of the given corpus files, in order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Problem:
    """One validation finding: which row (0-based, -1 for the file) and what is wrong."""

    row: int
    message: str


def validate_rows(rows: Sequence[dict[str, str]], *, columns: Sequence[str] = CORPUS_COLUMNS
                  ) -> list[Problem]:
    """Check schema, allowed values and label consistency. Returns all problems found."""
    problems: list[Problem] = []
    if not rows:
        return [Problem(-1, "no rows")]
    missing = [c for c in columns if c not in rows[0]]
    if missing:
        return [Problem(-1, f"missing columns: {missing}")]
    seen_ids: set[str] = set()
    for i, row in enumerate(rows):
        def bad(msg: str, i: int = i) -> None:
            problems.append(Problem(i, msg))

        if "id" in columns:
            if not row["id"]:
                bad("empty id")
            elif row["id"] in seen_ids:
                bad(f"duplicate id {row['id']}")
            seen_ids.add(row["id"])
        if row["lang"] not in LANGS:
            bad(f"lang {row['lang']!r} not in {LANGS}")
        if not row["text"] or not row["text"].strip():
            bad("empty text")
        if row["is_complaint"] not in ("yes", "no"):
            bad(f"is_complaint {row['is_complaint']!r} must be yes or no")
        secondary = [s for s in row["secondary_causes"].split(";") if s]
        if row["is_complaint"] == "no":
            if row["cause"] or row["type"] or secondary:
                bad("cause, type and secondary_causes must be empty when is_complaint=no")
        elif row["is_complaint"] == "yes":
            if row["cause"] not in CAUSES:
                bad(f"cause {row['cause']!r} not in {CAUSES}")
            if row["type"] not in TYPES:
                bad(f"type {row['type']!r} not in {TYPES}")
            for s in secondary:
                if s not in CAUSES:
                    bad(f"secondary cause {s!r} not in {CAUSES}")
                if s == row["cause"]:
                    bad("secondary_causes repeats the primary cause")
            if len(set(secondary)) != len(secondary):
                bad("secondary_causes has a repeated value")
        if row["industry"] not in INDUSTRIES:
            bad(f"industry {row['industry']!r} not in {INDUSTRIES}")
        if row["channel"] not in CHANNELS:
            bad(f"channel {row['channel']!r} not in {CHANNELS}")
    return problems


def _shingle_text(text: str) -> str:
    return _SPACE.sub(" ", text.lower()).strip()


def char_shingles(text: str, size: int = SHINGLE) -> set[str]:
    """Character ``size``-grams of the lower-cased, whitespace-folded text."""
    t = _shingle_text(text)
    if len(t) <= size:
        return {t}
    return {t[i:i + size] for i in range(len(t) - size + 1)}


def near_duplicates(texts: Sequence[str], threshold: float = NEAR_DUPLICATE_JACCARD
                    ) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, jaccard)`` whose character 5-gram Jaccard similarity is ``>= threshold``.

    Computed exactly with a sparse incidence matrix, so it scales to tens of thousands of texts.
    """
    import numpy as np
    from scipy import sparse

    vocab: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    for text in texts:
        for s in char_shingles(text):
            indices.append(vocab.setdefault(s, len(vocab)))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.int32)
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(texts), len(vocab)))
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    inter = sparse.triu(matrix @ matrix.T, k=1).tocoo()
    union = sizes[inter.row] + sizes[inter.col] - inter.data
    jac = inter.data / np.maximum(union, 1)
    keep = jac >= threshold
    return sorted(
        zip(inter.row[keep].tolist(), inter.col[keep].tolist(), jac[keep].round(3).tolist()),
        key=lambda p: -p[2],
    )


def opening(text: str, lang: str) -> str:
    """The opening used for the diversity check: first 3 words (en) or 4 characters (zh)."""
    if lang == "en":
        return " ".join(_WORD.findall(text.lower())[:3])
    return _SPACE.sub("", text)[:4]


def opening_counts(rows: Sequence[dict[str, str]], lang: str) -> Counter[str]:
    """How many rows of ``lang`` start with each opening."""
    return Counter(opening(r["text"], lang) for r in rows if r["lang"] == lang)


def eval_shingles(text: str) -> set[str]:
    """Runs of 12 Chinese characters and 8 English words, as used for the eval-overlap check.

    A text too short to have a whole run (fewer than 12 Chinese characters and fewer than 8
    words) is represented by all of its characters and words instead, so a short text that is
    the same as an evaluation text (ignoring case, spacing and punctuation) is caught too.
    Typographic apostrophes count as plain ones, so "don’t" and "don't" are the same word.
    """
    out: set[str] = set()
    han = "".join(_CJK.findall(text))
    out.update(han[i:i + EVAL_RUN_ZH] for i in range(len(han) - EVAL_RUN_ZH + 1))
    words = _WORD.findall(fold_quotes(text.lower()))
    out.update(" ".join(words[i:i + EVAL_RUN_EN]) for i in range(len(words) - EVAL_RUN_EN + 1))
    if len(han) < EVAL_RUN_ZH and len(words) < EVAL_RUN_EN and (han or words):
        out.add("whole text: " + han + " " + " ".join(words))
    return out


def eval_overlaps(texts: Sequence[str], eval_texts: Iterable[str]) -> list[tuple[int, str]]:
    """Corpus rows sharing a 12-character (zh) or 8-word (en) run with any evaluation text."""
    index: set[str] = set()
    for t in eval_texts:
        index |= eval_shingles(t)
    hits = []
    for i, t in enumerate(texts):
        common = eval_shingles(t) & index
        if common:
            hits.append((i, sorted(common)[0]))
    return hits


def is_traditional(text: str) -> bool:
    """True when the text is written in traditional Chinese script (it changes under t2s)."""
    from analyzer.normalize import to_simplified

    han = "".join(_CJK.findall(text))
    if not han:
        return False
    changed = sum(a != b for a, b in zip(han, to_simplified(han)))
    return changed >= max(1, len(han) // 20)


def length_band(text: str, lang: str) -> str:
    """``short`` / ``medium`` / ``long`` by the corpus thresholds (zh chars, en words)."""
    if lang == "en":
        n = len(_WORD.findall(text.lower()))
        return "short" if n < 6 else "long" if n > 60 else "medium"
    n = len(_SPACE.sub("", text))
    return "short" if n < 20 else "long" if n > 150 else "medium"


def _shared_eval_texts(shared: Path) -> list[str]:
    """Texts of the shared evaluation and benchmark data (never to appear in the corpus)."""
    texts: list[str] = []
    for path in (shared / "eval" / "dev.csv", shared / "bench" / "real_texts.csv"):
        if path.exists():
            texts += [r["text"] for r in read_rows(path)]
    return texts


def check(rows: Sequence[dict[str, str]], *, columns: Sequence[str], shared: Path | None
          ) -> list[str]:
    """All corpus quality checks except the size minimums; returns human-readable findings."""
    findings = [f"row {p.row}: {p.message}" for p in validate_rows(rows, columns=columns)]
    texts = [r["text"] for r in rows]
    for i, j, jac in near_duplicates(texts):
        findings.append(f"near-duplicate rows {i} and {j} (jaccard {jac}): "
                        f"{texts[i][:40]!r} ~ {texts[j][:40]!r}")
    if shared is not None:
        for i, run in eval_overlaps(texts, _shared_eval_texts(shared)):
            findings.append(f"row {i} shares the run {run!r} with the evaluation or benchmark "
                            "data: rewrite it")
    return findings


def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analyzer.corpus")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="validate a corpus or draft file")
    c.add_argument("path", nargs="+")
    c.add_argument("--draft", action="store_true", help="file has no id column")
    c.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    a = sub.add_parser("assemble", help="merge draft files into one corpus with ids")
    a.add_argument("drafts", nargs="+")
    a.add_argument("--out", default=str(default_corpus_path()))
    args = parser.parse_args(argv)
    if args.command == "assemble":
        merged = assemble([row for p in args.drafts for row in read_rows(p)])
        write_rows(merged, args.out)
        print(f"{len(merged)} rows written to {args.out}")
        return 0
    rows: list[dict[str, str]] = []
    for p in args.path:
        rows.extend(read_rows(p))
    shared = Path(args.shared)
    findings = check(rows, columns=DRAFT_COLUMNS if args.draft else CORPUS_COLUMNS,
                     shared=shared if shared.exists() else None)
    for lang in ("zh", "en", "mixed"):
        counts = opening_counts(rows, lang)
        if counts:
            top, n = counts.most_common(1)[0]
            total = sum(counts.values())
            print(f"{lang}: {total} rows; most common opening {top!r} x{n} ({n / total:.1%})")
    cells = Counter((r["lang"], r["cause"], r["type"]) for r in rows if r["is_complaint"] == "yes")
    for key, n in sorted(cells.items()):
        print("cell", *key, n)
    bands = Counter((r["lang"], length_band(r["text"], r["lang"])) for r in rows)
    print("length bands:", dict(sorted(bands.items())))
    print("non-complaints:", sum(r["is_complaint"] == "no" for r in rows))
    for f in findings:
        print("PROBLEM", f)
    print(f"{len(findings)} problems in {len(rows)} rows")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(_main())


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return out


_EMOJI = re.compile(r"[\U0001f300-\U0001faff\u2600-\u27bf]")
_NOISE: dict[str, re.Pattern[str]] = {
    "emoji": _EMOJI,
    "URL": re.compile(r"https?://|www\.", re.IGNORECASE),
    "@handle": re.compile(r"@\w"),
    "masked data (XXXX, ****)": re.compile(r"[xX*]{3,}"),
    "amount": re.compile(r"[$¥￥€£]\s?\d|\d\s?(?:元|块)"),
    "repeated !/?": re.compile(r"[!?！？]{2,}"),
    "ALL CAPS word (4+ letters)": re.compile(r"\b[A-Z]{4,}\b"),
}


def coverage_markdown(rows: Sequence[dict[str, str]]) -> str:
    """Coverage tables of a corpus, as Markdown (used to generate the data card)."""
    lines: list[str] = [f"Rows: **{len(rows)}**", ""]
    langs = [lg for lg in LANGS if any(r["lang"] == lg for r in rows)]
    lines += ["### Rows by language", ""]
    by_lang = Counter(r["lang"] for r in rows)
    trad = Counter(r["lang"] for r in rows if is_traditional(r["text"]))
    non = Counter(r["lang"] for r in rows if r["is_complaint"] == "no")
    lines += _table(["language", "rows", "complaints", "non-complaints", "traditional script"],
                    [(lg, by_lang[lg], by_lang[lg] - non[lg], non[lg], trad[lg])
                     for lg in langs])
    cells = Counter((r["lang"], r["cause"], r["type"]) for r in rows
                    if r["is_complaint"] == "yes")
    for lg in langs:
        lines += ["", f"### Complaints by cause x type — {lg}", ""]
        lines += _table(["cause", *TYPES, "total"],
                        [(c, *(cells[(lg, c, t)] for t in TYPES),
                          sum(cells[(lg, c, t)] for t in TYPES)) for c in CAUSES])
    sec = Counter(r["lang"] for r in rows if r["secondary_causes"])
    lines += ["", "### Complaints with secondary causes", ""]
    lines += _table(["language", "rows with secondary causes"],
                    [(lg, sec[lg]) for lg in langs])
    for column, values in (("industry", INDUSTRIES), ("channel", CHANNELS)):
        counts = Counter((r[column], r["lang"]) for r in rows)
        lines += ["", f"### Rows by {column}", ""]
        lines += _table([column, *langs, "total"],
                        [(v, *(counts[(v, lg)] for lg in langs),
                          sum(counts[(v, lg)] for lg in langs)) for v in values])
    bands = Counter((r["lang"], length_band(r["text"], r["lang"])) for r in rows)
    lines += ["", "### Length bands (zh/mixed: characters < 20 / > 150; en: words < 6 / > 60)",
              ""]
    lines += _table(["language", "short", "medium", "long", "short %", "long %"],
                    [(lg, bands[(lg, "short")], bands[(lg, "medium")], bands[(lg, "long")],
                      f"{bands[(lg, 'short')] / by_lang[lg]:.1%}",
                      f"{bands[(lg, 'long')] / by_lang[lg]:.1%}") for lg in langs])
    lines += ["", "### Real-world noise (rows containing)", ""]
    lines += _table(["feature", *langs],
                    [(name, *(sum(1 for r in rows if r["lang"] == lg and p.search(r["text"]))
                              for lg in langs)) for name, p in _NOISE.items()])
    lines += ["", "### Most frequent opening per language (3 words en, 4 characters zh)", ""]
    rows_open = []
    for lg in langs:
        top, n = opening_counts(rows, lg).most_common(1)[0]
        rows_open.append((lg, f"`{top}`", n, f"{n / by_lang[lg]:.2%}"))
    lines += _table(["language", "opening", "rows", "share"], rows_open)
    return "\n".join(lines)
