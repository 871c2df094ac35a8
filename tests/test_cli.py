import json
import subprocess
import sys

import pandas as pd

from analyzer.cli import main


def test_analyze_prints_json(capsys):
    assert main(["analyze", "快递员态度恶劣，以后再也不在这家买了"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["is_complaint"] is True
    assert out["cause"] == "service_attitude"
    assert "explanations" not in out


def test_analyze_explain_adds_spans(capsys):
    assert main(["analyze", "--explain", "Refund me now, the phone is broken"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["explanations"][0]["terms"][0]["spans"]


def test_empty_text_exits_2_with_one_line(capsys):
    assert main(["analyze", "   "]) == 2
    err = capsys.readouterr().err.strip()
    assert "empty" in err and "\n" not in err


def test_python_dash_m_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "analyzer", "--version"],
                          capture_output=True, text=True, check=True)
    assert "complaint-analyzer" in done.stdout


def test_evaluate_reports_every_task_per_language(tmp_path, capsys, corpus):
    sample = corpus[corpus["lang"].isin(["zh", "en"])].sample(120, random_state=3)
    path = tmp_path / "labelled.csv"
    sample.to_csv(path, index=False)
    assert main(["evaluate", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"overall", "zh", "en"}
    for tasks in report.values():
        assert {"is_complaint", "cause", "type"} <= set(tasks)
        assert 0.0 <= tasks["cause"]["macro_f1"] <= 1.0
        matrix = tasks["cause"]["confusion"]
        assert sum(map(sum, matrix)) == tasks["cause"]["n"]


def test_evaluate_table_lists_confusion_matrices(tmp_path, capsys, corpus):
    path = tmp_path / "labelled.csv"
    corpus.sample(60, random_state=4).to_csv(path, index=False)
    assert main(["evaluate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "macro-F1" in out and "confusion" in out


def test_evaluate_missing_columns_exits_2(tmp_path, capsys):
    path = tmp_path / "x.csv"
    pd.DataFrame({"text": ["a"]}).to_csv(path, index=False)
    assert main(["evaluate", str(path)]) == 2
    assert "is_complaint" in capsys.readouterr().err


def test_train_writes_a_loadable_model_with_metadata(tmp_path, capsys, small_corpus):
    corpus_path = tmp_path / "c.csv"
    small_corpus.to_csv(corpus_path, index=False)
    out = tmp_path / "model.npz"
    assert main(["train", "--corpus", str(corpus_path), "--out", str(out), "--cv", "2"]) == 0
    printed = capsys.readouterr().out
    assert "cross_validation" in printed
    from analyzer.model import Analyzer

    model = Analyzer.load(out)
    assert model.metadata_["corpus_files"] == ["c.csv"]
    assert model.metadata_["metrics"]["cross_validation"]["folds"] == 2


def test_corpus_stats_prints_coverage_tables(capsys):
    assert main(["corpus-stats"]) == 0
    out = capsys.readouterr().out
    assert "cause x type" in out and "Length bands" in out


def test_report_classifies_then_writes_the_trend_report(tmp_path, capsys):
    from analyzer.corpus import default_corpus_path

    sample = default_corpus_path().parent / "samples" / "complaints_sample.csv"
    out = tmp_path / "report"
    assert main(["report", str(sample), "-o", str(out), "--jobs", "1", "--quiet",
                 "--by", "region,channel"]) == 0
    classified = pd.read_csv(out / "classified.csv", dtype=str, keep_default_na=False,
                             encoding="utf-8-sig")
    original = pd.read_csv(sample, dtype=str, keep_default_na=False)
    assert classified["ticket_id"].tolist() == original["ticket_id"].tolist()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["counts"]["total"] == len(original)
    assert (out / "report.html").is_file()


def test_corpus_stats_update_rewrites_only_the_marked_block(tmp_path, capsys):
    from analyzer.commands.corpus_stats import END, START

    card = tmp_path / "card.md"
    card.write_text(f"intro\n{START}\nold\n{END}\noutro\n", encoding="utf-8")
    assert main(["corpus-stats", "--update", str(card)]) == 0
    text = card.read_text(encoding="utf-8")
    assert text.startswith("intro\n") and text.endswith("outro\n")
    assert "old" not in text and "Rows by language" in text
