import codecs
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analyzer.batch import RESULT_COLUMNS, BatchOptions, classify_file
from analyzer.cli import main
from analyzer.errors import InputFileError

ROWS = [
    {"id": "1", "渠道": "app", "内容": "退款到现在还没到账，客服一直推诿"},
    {"id": "2", "渠道": "web", "内容": "The blender stopped working after a week.\nRefund please."},
    {"id": "3", "渠道": "app", "内容": ""},
    {"id": "4", "渠道": "=cmd", "内容": "物流很快，东西很好，好评"},
]


def write_csv(path: Path, rows, encoding="utf-8", delimiter=","):
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_output(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                       sep="\t" if path.suffix == ".tsv" else ",")


def check_round_trip(out: pd.DataFrame, rows=ROWS, prefix=""):
    assert len(out) == len(rows)
    for column in rows[0]:
        assert out[column].tolist() == [r[column] for r in rows]
    for name in RESULT_COLUMNS:
        assert prefix + name in out.columns
    assert out[prefix + "error"].tolist() == ["", "", "empty text", ""]
    assert out[prefix + "is_complaint"].tolist()[:2] == ["true", "true"]


TRADITIONAL_ROWS = [
    {"id": "1", "內容": "退款到現在還沒到帳，客服一直推託"},
    {"id": "2", "內容": "The blender stopped working after a week.\nRefund please."},
    {"id": "3", "內容": ""},
    {"id": "4", "內容": "物流很快，東西很好，好評"},
]


@pytest.mark.parametrize(("encoding", "rows"), [
    ("utf-8", ROWS), ("utf-8-sig", ROWS), ("gb18030", ROWS), ("gbk", ROWS), ("utf-16", ROWS),
    ("big5", TRADITIONAL_ROWS),
])
def test_csv_encodings_are_decoded(tmp_path, encoding, rows):
    source = write_csv(tmp_path / "in.csv", rows, encoding=encoding)
    out_path = tmp_path / "out.csv"
    classify_file(source, out_path, BatchOptions(jobs=1))
    out = read_output(out_path)
    for column in rows[0]:
        assert out[column].tolist() == [r[column] for r in rows]
    assert out["error"].tolist() == ["", "", "empty text", ""]
    assert out["is_complaint"].tolist()[0] == "true"


def test_undecodable_file_names_the_byte_offset(tmp_path):
    path = tmp_path / "bad.csv"
    good = "text\n" + "好" * 40000 + "\n"
    path.write_bytes(good.encode("utf-8") + b"\xff\xfe\xfa bad\n")
    with pytest.raises(InputFileError, match="offset"):
        classify_file(path, tmp_path / "o.csv")
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path, delimiter):
    source = write_csv(tmp_path / "in.csv", ROWS, delimiter=delimiter)
    classify_file(source, tmp_path / "out.csv", BatchOptions(jobs=1))
    check_round_trip(read_output(tmp_path / "out.csv"))


def test_multi_line_quoted_cells_survive(tmp_path):
    source = write_csv(tmp_path / "in.csv", ROWS)
    classify_file(source, tmp_path / "out.csv", BatchOptions(jobs=1))
    out = read_output(tmp_path / "out.csv")
    assert out.loc[1, "内容"] == ROWS[1]["内容"]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "xlsx", "jsonl", "parquet"])
def test_each_format_round_trips(tmp_path, fmt):
    frame = pd.DataFrame(ROWS)
    source = tmp_path / f"in.{fmt}"
    if fmt == "csv":
        frame.to_csv(source, index=False)
    elif fmt == "tsv":
        frame.to_csv(source, index=False, sep="\t")
    elif fmt == "xlsx":
        frame.to_excel(source, index=False)
    elif fmt == "jsonl":
        frame.to_json(source, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(source, index=False)
    summary = classify_file(source, None, BatchOptions(jobs=1))
    target = tmp_path / f"in.classified.{fmt}"
    assert summary.output == str(target)
    if fmt in ("csv", "tsv"):
        out = read_output(target)
    elif fmt == "xlsx":
        out = pd.read_excel(target, dtype=str, keep_default_na=False)
    elif fmt == "jsonl":
        out = pd.read_json(target, lines=True, dtype=False).fillna("").astype(str)
    else:
        out = pd.read_parquet(target)
    assert out["内容"].tolist() == [r["内容"] for r in ROWS]
    assert out["error"].tolist() == ["", "", "empty text", ""]
    assert summary.rows == 4 and summary.errors == 1


def test_missing_text_column_lists_the_columns(tmp_path):
    source = write_csv(tmp_path / "in.csv", [{"a": "x", "b": "y"}])
    with pytest.raises(InputFileError, match="'a', 'b'"):
        classify_file(source, tmp_path / "out.csv")
    with pytest.raises(InputFileError, match="not found"):
        classify_file(source, tmp_path / "out.csv", BatchOptions(text_column="zzz"))


def test_column_collision_stops_before_work_and_prefix_fixes_it(tmp_path):
    rows = [dict(r, cause="old") for r in ROWS]
    source = write_csv(tmp_path / "in.csv", rows)
    with pytest.raises(InputFileError, match="--prefix"):
        classify_file(source, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()
    classify_file(source, tmp_path / "out.csv", BatchOptions(prefix="ca_", jobs=1))
    out = read_output(tmp_path / "out.csv")
    assert out["cause"].tolist() == ["old"] * 4
    assert "ca_cause" in out.columns


def test_formula_cells_are_neutralised(tmp_path):
    source = write_csv(tmp_path / "in.csv", ROWS)
    classify_file(source, tmp_path / "plain.csv", BatchOptions(jobs=1))
    assert read_output(tmp_path / "plain.csv")["渠道"].tolist()[3] == "=cmd"
    classify_file(source, tmp_path / "safe.csv", BatchOptions(jobs=1, safe_cells=True))
    assert read_output(tmp_path / "safe.csv")["渠道"].tolist()[3] == "'=cmd"


def test_stdin_to_stdout(tmp_path):
    data = io.StringIO()
    pd.DataFrame(ROWS).to_csv(data, index=False)
    done = subprocess.run([sys.executable, "-m", "analyzer", "classify", "-", "--jobs", "1",
                           "--quiet"], input=data.getvalue(), capture_output=True, text=True,
                          check=True)
    out = pd.read_csv(io.StringIO(done.stdout), dtype=str, keep_default_na=False)
    check_round_trip(out)


def test_ten_thousand_rows_keep_order_and_count_with_two_jobs(tmp_path, corpus):
    texts = corpus["text"].sample(10_000, replace=True, random_state=5).tolist()
    texts[17] = ""
    frame = pd.DataFrame({"row": [str(i) for i in range(10_000)], "text": texts})
    source = tmp_path / "big.csv"
    frame.to_csv(source, index=False)
    summary = classify_file(source, tmp_path / "out.csv", BatchOptions(jobs=2, chunk_size=700))
    out = read_output(tmp_path / "out.csv")
    assert out["row"].tolist() == frame["row"].tolist()
    assert out["text"].tolist() == frame["text"].tolist()
    assert summary.rows == 10_000 and summary.errors == 1
    single = classify_file(source, tmp_path / "one.csv", BatchOptions(jobs=1, chunk_size=3000))
    assert read_output(tmp_path / "one.csv")["cause"].tolist() == out["cause"].tolist()
    assert single.complaints == summary.complaints


def test_interrupted_run_leaves_no_output(tmp_path, corpus):
    frame = pd.DataFrame({"text": corpus["text"].head(600).tolist()})
    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False)
    target = tmp_path / "out.csv"

    def interrupt(rows: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        classify_file(source, target, BatchOptions(jobs=1, chunk_size=100), on_chunk=interrupt)
    assert list(tmp_path.iterdir()) == [source]


def test_ctrl_c_in_the_cli_exits_130(tmp_path, corpus, monkeypatch, capsys):
    import analyzer.batch as batch

    frame = pd.DataFrame({"text": corpus["text"].head(50).tolist()})
    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False)

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "classify_file", boom)
    assert main(["classify", str(source), "--jobs", "1"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_cli_missing_file_exits_2(tmp_path, capsys):
    assert main(["classify", str(tmp_path / "nope.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_cli_summary_counts_rows_and_errors(tmp_path, capsys):
    source = write_csv(tmp_path / "in.csv", ROWS)
    assert main(["classify", str(source), "-o", str(tmp_path / "o.csv"), "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert "4 rows" in err and "1 rows with errors" in err


def test_explain_adds_a_json_column(tmp_path):
    source = write_csv(tmp_path / "in.csv", ROWS)
    classify_file(source, tmp_path / "o.csv", BatchOptions(jobs=1, explain=True))
    out = read_output(tmp_path / "o.csv")
    assert json.loads(out.loc[0, "explanation"])[0]["task"] == "is_complaint"


def test_utf16_without_bom_is_not_needed_but_bom_variants_are(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + "text\n坏了\n".encode("utf-16-le"))
    classify_file(path, tmp_path / "o.csv", BatchOptions(jobs=1))
    assert read_output(tmp_path / "o.csv")["text"].tolist() == ["坏了"]


def test_progress_line_shows_rows_and_eta():
    stream = io.StringIO()
    import analyzer.batch as batch

    progress = batch.Progress(stream, 100)
    progress.last = -1.0
    progress.update(10, 0.5)
    assert "10 rows" in stream.getvalue() and "ETA" in stream.getvalue()


def test_jsonl_that_is_not_utf8_is_an_input_error(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes('{"text": "坏了"}\n'.encode("gbk"))
    with pytest.raises(InputFileError, match="UTF-8"):
        classify_file(path, tmp_path / "o.jsonl", BatchOptions(jobs=1))


def test_a_loaded_model_can_be_passed_in(tmp_path, small_model):
    source = write_csv(tmp_path / "in.csv", ROWS)
    classify_file(source, tmp_path / "o.csv", BatchOptions(jobs=1), model=small_model)
    out = read_output(tmp_path / "o.csv")
    expected = small_model.analyze(ROWS[0]["内容"])
    assert out.loc[0, "complaint_score"] == f"{expected.complaint_score:.4f}"
