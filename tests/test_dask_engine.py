"""The Dask engine: same rows, order key and labels as the local engine; faults fail loudly.

Cluster tests share one ``distributed.LocalCluster`` (2 worker processes on loopback); the
fault tests get their own cluster, whose scheduler allows a single worker death per task.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from analyzer.batch import RESULT_COLUMNS, BatchOptions, classify_file  # noqa: E402
from analyzer.cli import main  # noqa: E402
from analyzer.dask_engine import (  # noqa: E402
    MANIFEST_NAME,
    DaskOptions,
    OutputMismatchError,
    Piece,
    SchedulerUnreachableError,
    WorkerFailureError,
    classified_parquet_schema_frame,
    classify_dask,
    count_piece_rows,
    csv_split_points,
    cut_pieces,
    effective_partition_size,
    expand_inputs,
    parse_size,
    plan_inputs,
    read_classified_parquet,
    read_piece,
    verify_output,
)
from analyzer.errors import InputFileError  # noqa: E402

TEXTS = [
    "退款到现在还没到账，客服一直推诿",
    "The blender stopped working after a week.\nRefund please.",
    "",
    "物流很快，东西很好，好评",
    '他说"马上处理"，结果三天没人理',
    "Flight delayed 5 hours, no food vouchers, terrible.",
    "   ",
    "=SUM(A1) 快递员态度很差",
]


def make_rows(n: int, start: int = 0) -> list[dict[str, str]]:
    return [{"id": str(start + i), "渠道": ("app", "web", "=cmd")[i % 3],
             "内容": TEXTS[i % len(TEXTS)] + ("" if i % 5 else f" #{i}")} for i in range(n)]


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def loopback_cluster() -> distributed.LocalCluster:
    """Two single-threaded worker processes; every server on 127.0.0.1, no dashboard."""
    return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                    host="127.0.0.1", dashboard_address=None,
                                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})


@pytest.fixture(scope="module")
def client():
    with loopback_cluster() as cluster, distributed.Client(cluster, set_as_default=False) as c:
        yield c


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    """Three CSVs (UTF-8, UTF-8 with BOM, GB18030) and a Parquet file with 4 row groups."""
    base = tmp_path_factory.mktemp("inputs")
    files = [write_csv(base / "a.csv", make_rows(90)),
             write_csv(base / "b.csv", make_rows(60, 1000), encoding="utf-8-sig"),
             write_csv(base / "c.csv", make_rows(45, 2000), encoding="gb18030")]
    parquet = base / "d.parquet"
    pd.DataFrame(make_rows(80, 3000)).to_parquet(parquet, row_group_size=20)
    return [*files, parquet]


def local_result(path: Path, tmp_path: Path, **options) -> pd.DataFrame:
    """The local engine's output (jobs=1) for one input, as strings."""
    target = tmp_path / f"{path.stem}.local.csv"
    classify_file(path, target, BatchOptions(jobs=1, output_format="csv", **options))
    return pd.read_csv(target, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_dask_output_matches_local_engine_on_multi_file_input(client, inputs, tmp_path):
    out = tmp_path / "out"
    summary = classify_dask([str(p) for p in inputs], out, BatchOptions(),
                            DaskOptions(partition_size=1500), client=client)
    result = read_classified_parquet(out)
    assert summary.rows == len(result) == 90 + 60 + 45 + 80
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert len(manifest["parts"]) > len(inputs)  # files were split into several partitions
    assert list(result["source_file"].drop_duplicates()) == [str(p) for p in inputs]
    for path in inputs:
        mine = result[result["source_file"] == str(path)].reset_index(drop=True)
        assert mine["source_row"].tolist() == list(range(1, len(mine) + 1))
        local = local_result(path, tmp_path)
        assert list(mine.columns[: len(local.columns)]) == list(local.columns)
        pd.testing.assert_frame_equal(mine[list(local.columns)].astype(str), local,
                                      check_dtype=False)
    assert summary.complaints == int((result["is_complaint"] == "true").sum())


def test_csv_output_with_prefix_holds_every_row_once(client, inputs, tmp_path):
    out = tmp_path / "csv-out"
    options = BatchOptions(prefix="ca_")
    classify_dask([str(p) for p in inputs[:2]], out, options,
                  DaskOptions(partition_size=2000, output_format="csv"), client=client)
    parts = sorted(out.glob("part-*.csv"))
    frame = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
                       for p in parts], ignore_index=True)
    assert len(frame) == 150
    assert frame[["ca_source_file", "ca_source_row"]].duplicated().sum() == 0
    assert all("ca_" + c in frame.columns for c in RESULT_COLUMNS)
    local = local_result(inputs[0], tmp_path, prefix="ca_")
    mine = frame[frame["ca_source_file"] == str(inputs[0])].reset_index(drop=True)
    assert mine["渠道"].tolist() == local["渠道"].tolist()  # "=cmd" kept as in the input
    assert mine["ca_cause"].tolist() == local["ca_cause"].tolist()


def test_cli_classifies_a_glob_on_a_running_scheduler(client, inputs, tmp_path, capsys):
    out = tmp_path / "cli-out"
    pattern = str(inputs[0].parent / "*.csv")
    code = main(["classify", pattern, "--engine", "dask", "--scheduler",
                 client.scheduler.address, "--partition-size", "2KB", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    assert "195 rows" in capsys.readouterr().err
    assert len(read_classified_parquet(out, ["source_row"])) == 195


def test_cli_without_scheduler_starts_and_closes_a_local_cluster(inputs, tmp_path, capsys):
    import psutil

    before = {p.pid for p in psutil.Process().children(recursive=True)}
    out = tmp_path / "local-cluster"
    code = main(["classify", str(inputs[2]), "--engine", "dask", "--jobs", "1",
                 "--format", "csv", "-o", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert len(pd.read_csv(out / "part-00000.csv", dtype=str)) == 45
    left = {p.pid for p in psutil.Process().children(recursive=True)} - before
    assert not left, "the local cluster's worker processes were not closed"


def test_column_collision_fails_before_any_work(client, tmp_path):
    source = write_csv(tmp_path / "in.csv", [{"text": "退款没到账", "cause": "x"}])
    with pytest.raises(InputFileError, match="--prefix"):
        classify_dask([str(source)], tmp_path / "out", client=client)
    clash = write_csv(tmp_path / "order.csv", [{"text": "退款没到账", "source_row": "1"}])
    with pytest.raises(InputFileError, match="source_row"):
        classify_dask([str(clash)], tmp_path / "out", client=client)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "order.csv"]


def test_inputs_with_different_columns_are_refused(client, tmp_path):
    a = write_csv(tmp_path / "a.csv", [{"text": "退款没到账", "x": "1"}])
    b = write_csv(tmp_path / "b.csv", [{"text": "退款没到账", "y": "1"}])
    with pytest.raises(InputFileError, match="same columns"):
        classify_dask([str(a), str(b)], tmp_path / "out", client=client)


def test_unreachable_scheduler_fails_with_a_clear_error(inputs, tmp_path, capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    with pytest.raises(SchedulerUnreachableError, match="cannot reach the Dask scheduler"):
        classify_dask([str(inputs[0])], tmp_path / "out",
                      dask_options=DaskOptions(scheduler=address, connect_timeout=2))
    assert main(["classify", str(inputs[0]), "--engine", "dask", "--scheduler",
                 "not a scheduler address", "-o", str(tmp_path / "o")]) == 2
    assert "scheduler" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_foreign_directory_is_never_overwritten_but_old_output_is_replaced(client, inputs,
                                                                          tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(InputFileError, match="not a classify output"):
        classify_dask([str(inputs[2])], foreign, client=client)
    assert (foreign / "notes.txt").read_text() == "keep me"
    out = tmp_path / "out"
    classify_dask([str(inputs[2])], out, client=client)
    classify_dask([str(inputs[3])], out, client=client)
    assert set(read_classified_parquet(out)["source_file"]) == {str(inputs[3])}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_local_engine_options_are_unchanged_and_refuse_dask_only_options(inputs, tmp_path,
                                                                         capsys):
    target = tmp_path / "one.csv"
    assert main(["classify", str(inputs[0]), "-o", str(target), "--jobs", "1",
                 "--quiet"]) == 0
    assert len(pd.read_csv(target, dtype=str)) == 90
    assert main(["classify", str(inputs[0]), str(inputs[1]), "-o", str(target)]) == 2
    assert "--engine dask" in capsys.readouterr().err
    assert main(["classify", str(inputs[0]), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "need --engine dask" in capsys.readouterr().err


def test_trends_can_read_only_the_columns_it_needs(client, inputs, tmp_path):
    from analyzer.trends.columns import prepare_rows, resolve_columns

    out = tmp_path / "out"
    classify_dask([str(p) for p in inputs], out, client=client)
    columns = resolve_columns(classified_parquet_schema_frame(out), by=["渠道"],
                              use_dates=False)
    wanted = [c for c in (columns.is_complaint, columns.cause, columns.type,
                          columns.complaint_score, columns.cause_score, columns.type_score,
                          columns.error, columns.text, *columns.by) if c]
    frame = read_classified_parquet(out, wanted)
    assert list(frame.columns) == wanted
    assert prepare_rows(frame, columns).n == 275
    next(iter(sorted(out.glob("part-*.parquet")))).unlink()
    with pytest.raises(InputFileError, match="incomplete"):
        read_classified_parquet(out, wanted)


def test_short_output_is_detected(tmp_path, inputs):
    plan = cut_pieces(plan_inputs([str(inputs[3])], BatchOptions()), 1)
    assert [p.rows for p in plan.pieces] == [20, 20, 20, 20]
    frame = pd.DataFrame(make_rows(20))
    for piece in plan.pieces[:3]:
        frame.to_parquet(tmp_path / f"part-{piece.index:05d}.parquet")
    with pytest.raises(OutputMismatchError, match=r"part-00003\.parquet is missing"):
        verify_output(tmp_path, plan, "parquet")
    frame.head(19).to_parquet(tmp_path / "part-00003.parquet")
    with pytest.raises(OutputMismatchError, match="19 rows instead of 20"):
        verify_output(tmp_path, plan, "parquet")


# ---------------------------------------------------------------- planning (no cluster)
def test_csv_pieces_never_cut_inside_quoted_text(tmp_path):
    rows = make_rows(200)
    rows[7]["内容"] = 'line one\nline two, "quoted"\r\n\nend'
    source = write_csv(tmp_path / "in.csv", rows)
    whole = pd.read_csv(source, dtype=str, keep_default_na=False, skip_blank_lines=False)
    plan = cut_pieces(plan_inputs([str(source)], BatchOptions()), 300)
    assert len(plan.pieces) > 10
    counted = [Piece(**{**p.__dict__, "rows": count_piece_rows(p)}) for p in plan.pieces]
    parts = [read_piece(p, whole.columns, (), ("f", "r")) for p in counted]
    joined = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(joined[list(whole.columns)], whole, check_dtype=False)


def test_irregular_quotes_and_utf16_keep_a_csv_in_one_piece(tmp_path):
    stray = tmp_path / "stray.csv"
    stray.write_text('id,text\n1,a 5" screen\n2,"ok"\n3,b\n' * 50, encoding="utf-8")
    assert csv_split_points(stray, "utf-8", ",", 10) is None
    wide = write_csv(tmp_path / "wide.csv", make_rows(50), encoding="utf-16")
    assert csv_split_points(wide, "utf-16", ",", 10) is None
    regular = write_csv(tmp_path / "regular.csv", make_rows(50))
    header_end, cuts = csv_split_points(regular, "utf-8", ",", 100)
    assert header_end == len("id,渠道,内容\r\n".encode()) and len(cuts) > 5


def test_inputs_expand_globs_in_order_and_never_twice(tmp_path):
    for name in ("b.csv", "a.csv", "c.parquet"):
        (tmp_path / name).write_text("text\nx\n")
    pattern = str(tmp_path / "*.csv")
    found = expand_inputs([str(tmp_path / "c.parquet"), pattern])
    assert [p.name for _, p in found] == ["c.parquet", "a.csv", "b.csv"]
    assert found[1][0] == str(tmp_path / "a.csv")  # source_file is the path as matched
    for bad, message in (([pattern, str(tmp_path / "a.csv")], "given twice"),
                         ([str(tmp_path / "*.tsv")], "no input file matches"),
                         ([str(tmp_path)], "is a directory"),
                         (["-"], "standard input")):
        with pytest.raises(InputFileError, match=message):
            expand_inputs(bad)


def test_partition_size_parsing_and_balancing():
    assert parse_size("64MB") == 64_000_000
    assert parse_size("512KiB") == 512 * 1024
    assert parse_size("1.5GB") == 1_500_000_000
    assert parse_size(4096) == 4096
    for bad in ("", "64 parsecs", "0", "-1MB"):
        with pytest.raises(InputFileError):
            parse_size(bad)
    assert effective_partition_size(64_000_000, 80_000_000, 2) == 10_000_000
    assert effective_partition_size(64_000_000, 1_000, 2) == 1 << 20
    assert effective_partition_size(500, 1_000, 2) == 500


# ---------------------------------------------------------------- faults
class KillWorker(distributed.WorkerPlugin):
    """Kills its worker process (SIGKILL) when a write task starts: once (marker file) or,
    with ``always``, every time partition 0 starts."""

    def __init__(self, marker: str, always: bool = False) -> None:
        self.marker = marker
        self.always = always
        self.name = "kill-worker"

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish != "executing" or "write_partition" not in str(key):
            return
        if self.always:
            if isinstance(key, tuple) and key[-1] == 0:
                os.kill(os.getpid(), signal.SIGKILL)
            return
        try:
            os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return
        os.kill(os.getpid(), signal.SIGKILL)


@pytest.fixture(scope="module")
def fault_cluster():
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), \
            loopback_cluster() as cluster, \
            distributed.Client(cluster, set_as_default=False) as c:
        yield c


@pytest.fixture
def fault_client(fault_cluster):
    """The fault cluster; the test's KillWorker plugin is removed afterwards."""
    yield fault_cluster
    fault_cluster.unregister_worker_plugin("kill-worker")
    fault_cluster.wait_for_workers(2, timeout=30)


def test_worker_killed_mid_run_still_writes_every_row_exactly_once(fault_client, inputs,
                                                                   tmp_path):
    marker = tmp_path / "killed"
    fault_client.register_plugin(KillWorker(str(marker)))
    out = tmp_path / "out"
    try:
        summary = classify_dask([str(p) for p in inputs], out, BatchOptions(),
                                DaskOptions(partition_size=1500), client=fault_client)
    except WorkerFailureError:  # also acceptable: a clear failure and no output
        assert not out.exists()
    else:
        result = read_classified_parquet(out)
        assert summary.rows == len(result) == 275
        assert not result[["source_file", "source_row"]].duplicated().any()
    assert marker.exists(), "the worker was never killed"


def test_worker_killed_every_time_fails_clearly_without_output(fault_client, inputs, tmp_path):
    fault_client.register_plugin(KillWorker(str(tmp_path / "unused"), always=True))
    out = tmp_path / "out"
    with pytest.raises(WorkerFailureError, match="died repeatedly"):
        classify_dask([str(p) for p in inputs], out, BatchOptions(),
                      DaskOptions(partition_size=1500), client=fault_client)
    assert list(tmp_path.iterdir()) == []
