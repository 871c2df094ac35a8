"""Report output: HTML page, charts, files, and the ``trends`` command end to end."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from analyzer.cli import main
from analyzer.trends import (
    TrendReport,
    aggregate,
    read_classified,
    render_charts,
    render_html,
    write_report,
)
from analyzer.trends.synthetic import Spike, make_classified

HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


def tokenize(text: str) -> list[str]:
    return text.lower().split()


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    data = make_classified(3_000, seed=21, undated_rate=0.02, error_rate=0.01,
                           spike=Spike("product", "app", "2024-06-24", 40))
    data.loc[data.index[-1], "text"] = HOSTILE
    data.loc[data.index[-1], "channel"] = "<b>evil</b>"
    return data


@pytest.fixture(scope="module")
def report(frame: pd.DataFrame) -> TrendReport:
    return aggregate(frame, by=["channel", "region"], tokenizer=tokenize)


@pytest.fixture(scope="module")
def charts(report: TrendReport) -> dict[str, bytes]:
    return render_charts(report)


def test_charts_are_png_images_for_each_view(report: TrendReport, charts: dict[str, bytes]) -> None:
    assert {"cause_type_totals.png", "causes_over_time.png", "type_mix.png", "alerts.png",
            "segments_1.png", "segments_2.png"} <= set(charts)
    for data in charts.values():
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG" and image.size[0] >= 600
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 16) or []) > 10


def test_html_is_self_contained_with_sections_in_order(
        report: TrendReport, charts: dict[str, bytes]) -> None:
    page = render_html(report, charts)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "<script" not in page.replace("&lt;script", "")
    headings = [re.sub("<[^>]+>", "", h) for h in re.findall(r"<h2>(.*?)</h2>", page)]
    assert [h.split(" /")[0] for h in headings] == [
        "Alerts", "Trends", "Emerging terms", "Representative complaints",
        "Impact estimates (rules of thumb)", "Method"]
    assert page.count("data:image/png;base64,") == len(charts)
    for encoded in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page):
        assert base64.b64decode(encoded).startswith(b"\x89PNG")


def test_html_escapes_user_text_and_shows_bilingual_labels(
        report: TrendReport, charts: dict[str, bytes]) -> None:
    page = render_html(report, charts)
    assert HOSTILE not in page and "<b>evil</b>" not in page
    assert "&lt;b&gt;evil&lt;/b&gt;" in page
    assert "Product / 产品问题" in page and "Exit / 流失离开" in page
    assert "rule of thumb" in page and "并非实测" in page
    assert "White House Office of Consumer Affairs" in page


def test_html_of_an_undated_report_says_there_are_no_trends(frame: pd.DataFrame) -> None:
    undated = aggregate(frame, use_dates=False, tokenizer=tokenize)
    page = render_html(undated)
    assert "Dates are ignored" in page and "no usable dates" in page
    assert "causes_over_time" not in "".join(render_charts(undated))


def test_write_report_writes_json_csv_png_and_html(report: TrendReport, tmp_path: Path) -> None:
    paths = write_report(report, tmp_path / "out")
    assert {"report.json", "report.html", "totals.csv", "volumes.csv", "cause_trends.csv",
            "period_totals.csv", "causes_over_time.png"} <= set(paths)
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths.values())
    data = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert data["counts"]["total"] == report.counts.total
    totals = pd.read_csv(paths["period_totals.csv"], encoding="utf-8-sig")
    assert totals["rows"].sum() == report.counts.total


def test_read_classified_reads_csv_with_bom_parquet_and_parquet_folders(
        frame: pd.DataFrame, tmp_path: Path) -> None:
    csv_path = tmp_path / "c.csv"
    frame.to_csv(csv_path, index=False, encoding="utf-8-sig")
    from_csv = read_classified(csv_path)
    assert list(from_csv.columns) == list(frame.columns) and len(from_csv) == len(frame)
    folder = tmp_path / "parts"
    folder.mkdir()
    frame.iloc[:1000].to_parquet(folder / "part-0.parquet")
    frame.iloc[1000:].to_parquet(folder / "part-1.parquet")
    assert len(read_classified(folder)) == len(frame)
    assert len(read_classified(folder / "part-0.parquet")) == 1000


def test_trends_command_end_to_end_on_a_small_csv(frame: pd.DataFrame, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "classified.csv"
    frame.iloc[:1500].to_csv(source, index=False, encoding="utf-8-sig")
    out = tmp_path / "report"
    code = main(["trends", str(source), "--by", "channel,region", "--freq", "W",
                 "--date-column", "created_at", "--text-column", "text", "-o", str(out)])
    assert code == 0
    printed = capsys.readouterr()
    assert printed.out.strip() == str(out / "report.html")
    assert "1500 rows" in printed.err
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["counts"]["dated"] + data["counts"]["undated"] == 1500
    assert data["by"] == ["channel", "region"] and data["freq"] == "W"
    assert (out / "report.html").read_text(encoding="utf-8").count("<h2>") == 6
    assert (out / "segments_1.png").is_file()


def test_trends_command_reports_input_problems_with_exit_code_2(
        frame: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "bad.csv"
    frame.drop(columns=["cause"]).iloc[:50].to_csv(source, index=False)
    assert main(["trends", str(source), "-o", str(tmp_path / "o")]) == 2
    assert "classify" in capsys.readouterr().err
    assert main(["trends", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "o")]) == 2
    assert "not found" in capsys.readouterr().err
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text,is_complaint\ncaf\xe9,true\n".encode("latin-1"))
    assert main(["trends", str(latin), "-o", str(tmp_path / "o")]) == 2
    assert "UTF-8" in capsys.readouterr().err
