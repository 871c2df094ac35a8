"""One self-contained HTML page of a :class:`TrendReport`.

Contract of :func:`render_html`: a complete UTF-8 document with inline CSS, charts embedded
as base64 PNG data URIs, no scripts and no external resources (it opens offline). Sections
come in this order: alerts, trends, emerging terms, representative complaints, impact,
method. Labels are in English and Chinese. Every piece of user data (texts, segment values,
column names, terms) is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Mapping, Sequence

from analyzer.trends.charts import render_charts, segment_tick, top_segment_values
from analyzer.trends.dates import FREQUENCIES
from analyzer.trends.names import bilingual
from analyzer.trends.report import Alert, Cell, ImpactScope, TermList, TrendReport, Verbatim

_CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,"Noto Sans CJK SC","Microsoft YaHei",
"PingFang SC",sans-serif;margin:0;background:#f6f7f9;color:#222;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:2px solid
#dde;padding-bottom:4px}h3{font-size:16px;margin:18px 0 6px}
.sub{color:#666;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{background:#fff;border:1px solid #e2e4e8;border-radius:8px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:22px}.card span{color:#666;font-size:12px}
table{border-collapse:collapse;background:#fff;margin:8px 0 16px;font-size:13px;width:100%}
th,td{border:1px solid #e2e4e8;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef0f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;background:#fff;border:1px solid #e2e4e8;border-radius:6px;margin:6px 0}
.sev{display:inline-block;border-radius:10px;padding:1px 8px;color:#fff;font-size:12px}
.sev-high{background:#c62828}.sev-medium{background:#ef6c00}.sev-low{background:#f9a825}
.basis{font-size:11px;border-radius:8px;padding:1px 6px;white-space:nowrap}
.basis-measured{background:#e3f2fd;color:#0d47a1}
.basis-rule_of_thumb{background:#fff3e0;color:#e65100}
.note{background:#fffbe6;border:1px solid #f0e2a0;border-radius:6px;padding:8px 12px}
.disclaimer{background:#fff3e0;border:1px solid #ffcc80;border-radius:6px;padding:8px 12px}
.quote{background:#fff;border-left:4px solid #4e79a7;margin:6px 0;padding:6px 10px}
.quote small{color:#666;display:block}
.terms span{display:inline-block;background:#e8eef7;border-radius:10px;padding:1px 8px;
margin:2px;font-size:13px}
.muted{color:#777}
"""


def _e(value: object) -> str:
    """HTML-escaped text of any value (``None`` as empty)."""
    return "" if value is None else html.escape(str(value), quote=True)


def _num(value: Cell, digits: int = 0) -> str:
    if value is None or isinstance(value, str | bool):
        return _e(value)
    if digits == 0 and float(value).is_integer():
        return f"{int(value):,}"
    return f"{float(value):,.{digits or 2}f}"


def _pct(value: Cell) -> str:
    return "" if value is None or isinstance(value, str | bool) else f"{float(value):.1%}"


def _img(charts: Mapping[str, bytes], name: str, alt: str) -> str:
    if name not in charts:
        return ""
    data = base64.b64encode(charts[name]).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_e(alt)}">'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Iterable[int] = ()
           ) -> str:
    """An HTML table; cells must already be escaped/formatted HTML."""
    nums = set(numeric)
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{c}</td>' if i in nums else f"<td>{c}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _scope(alert: Alert) -> str:
    if alert.segment_column is None:
        return "overall / 整体"
    return f"{_e(alert.segment_column)} = {_e(alert.segment_value)}"


def _quote(v: Verbatim) -> str:
    meta = [bilingual(v.cause) if v.cause else "", bilingual(v.type) if v.type else "",
            f"period {v.period}"]
    if v.score is not None:
        meta.append(f"confidence {v.score:.2f}")
    meta += [f"{k}={val}" for k, val in v.segments]
    meta.append(f"row {v.row}")
    return (f'<div class="quote">{_e(v.text)}<small>'
            f"{_e(' · '.join(m for m in meta if m))}</small></div>")


def _header(report: TrendReport) -> str:
    c = report.counts
    cards = [
        (c.total, "rows / 总行数"), (c.complaints, "complaints / 投诉"),
        (c.non_complaints, "non-complaints / 非投诉"), (c.errors, "errors / 处理失败"),
        (c.dated, "dated / 有日期"), (c.undated, "undated / 无日期"),
        (len(report.alerts), "alerts / 预警"),
    ]
    card_html = "".join(f'<div class="card"><b>{v:,}</b><span>{_e(t)}</span></div>'
                        for v, t in cards)
    if report.has_dates and report.periods:
        unit = FREQUENCIES.get(report.freq or "", report.freq)
        span = (f"{_e(report.periods[0].start)} to {_e(report.periods[-1].end)}, "
                f"{len(report.periods)} periods of one {_e(unit)} "
                f"(date column: {_e(report.date_column)})")
    else:
        span = "no usable dates: totals and segment breakdowns only / 无可用日期：仅汇总与分组"
    segs = ", ".join(_e(b) for b in report.by) or "none"
    notes = "".join(f"<li>{_e(n)}</li>" for n in report.notes)
    notes_html = f'<div class="note"><b>Notes / 说明</b><ul>{notes}</ul></div>' if notes else ""
    return (
        "<h1>Complaint trends / 投诉趋势报告</h1>"
        f'<p class="sub">{span}. Text column: {_e(report.text_column) or "none"}. '
        f"Segments: {segs}. Every input row is counted exactly once "
        f"({c.dated:,} dated + {c.undated:,} undated = {c.total:,}).</p>"
        f'<div class="cards">{card_html}</div>{notes_html}'
    )


def _alerts(report: TrendReport, charts: Mapping[str, bytes]) -> str:
    out = ["<h2>Alerts / 预警</h2>"]
    if not report.has_dates:
        out.append('<p class="muted">No dates, so no rises can be tested. / '
                   "无日期，无法检测上升。</p>")
        return "".join(out)
    if not report.alerts:
        out.append("<p>No significant rise found. / 未发现显著上升。 "
                   f'<span class="muted">(FDR {report.config.alpha:g}, at least '
                   f"{report.config.min_count} complaints and "
                   f"{report.config.min_ratio:g}x the baseline)</span></p>")
        return "".join(out)
    out.append(_img(charts, "alerts.png", "Observed vs expected counts of the alerts"))
    rows = []
    for i, a in enumerate(report.alerts, start=1):
        rows.append([
            f"{i}", f'<span class="sev sev-{_e(a.severity)}">{_e(a.severity)}</span>',
            _e(a.period), _scope(a), _e(bilingual(a.label)), _num(a.observed),
            _num(a.expected, 1), f"{a.ratio:.2f}x",
            "" if a.previous is None else _num(a.previous), f"{a.q_value:.2g}",
        ])
    out.append(_table(
        ["#", "Severity / 严重度", "Period / 周期", "Scope / 范围", "Series / 类别",
         "Observed / 实际", "Expected / 预期", "Ratio / 倍数", "Previous / 上期",
         "q-value"], rows, numeric=(5, 6, 7, 8, 9)))
    with_quotes = [(i, a) for i, a in enumerate(report.alerts, start=1) if a.verbatims]
    if with_quotes:
        out.append("<h3>What customers say in the alerts / 预警中的顾客原话</h3>")
        for i, a in with_quotes:
            out.append(f"<p><b>#{i}</b> {_e(bilingual(a.label))} · {_scope(a)} · "
                       f"{_e(a.period)}</p>")
            out.extend(_quote(v) for v in a.verbatims)
    return "".join(out)


def _trends(report: TrendReport, charts: Mapping[str, bytes]) -> str:
    out = ["<h2>Trends / 趋势</h2>"]
    out.append(_img(charts, "causes_over_time.png", "Complaints by cause over time"))
    out.append(_img(charts, "type_mix.png", "Complaint type mix over time"))
    if report.has_dates and report.latest_period:
        t = report.table("cause_trends")
        frame = [r for r in t.rows if r[t.columns.index("period")] == report.latest_period]
        col = {name: i for i, name in enumerate(t.columns)}
        out.append(f"<h3>Latest period {_e(report.latest_period)} by cause / "
                   "最近周期各原因</h3>")
        last = report.periods[-1]
        if last.label == report.latest_period and last.coverage < 1.0:
            out.append(f'<p class="note">Partial period: the data covers {last.coverage:.0%} '
                       "of it, so counts may still be low. / 该周期数据不完整。</p>")
        out.append(_table(
            ["Cause / 原因", "Complaints / 投诉", "Share / 占比", "Previous / 上期",
             "Change / 变化", "Expected / 预期", "Ratio / 倍数", "Alert / 预警"],
            ([_e(bilingual(str(r[col["cause"]]))), _num(r[col["count"]]),
              _pct(r[col["share"]]), _num(r[col["previous"]]),
              _pct(r[col["change_pct"]]), _num(r[col["expected"]], 1),
              "" if r[col["ratio"]] is None else f"{float(r[col['ratio']]):.2f}x",
              "yes / 是" if r[col["alert"]] else ""] for r in frame),
            numeric=(1, 2, 3, 4, 5, 6)))
    out.append("<h3>All rows by cause and type / 全部数据：原因 × 类型</h3>")
    out.append(_img(charts, "cause_type_totals.png", "Complaints by cause and type"))
    totals = report.table("totals")
    matrix: dict[str, dict[str, int]] = {}
    for cause, kind, count in zip(totals.column("cause"), totals.column("type"),
                                  totals.column("count"), strict=True):
        matrix.setdefault(str(cause), {})[str(kind)] = int(count or 0)
    out.append(_table(
        ["Cause / 原因", *(_e(bilingual(t)) for t in report.types), "Total / 合计"],
        ([_e(bilingual(c)), *(_num(matrix.get(c, {}).get(t, 0)) for t in report.types),
          _num(sum(matrix.get(c, {}).values()))] for c in report.causes),
        numeric=range(1, len(report.types) + 2)))
    for k, column in enumerate(report.by, start=1):
        values = top_segment_values(report, column)
        out.append(f"<h3>Segment / 分组: {_e(column)}</h3>")
        out.append(_img(charts, f"segments_{k}.png", f"Top values of {column}"))
        summary = report.table("segment_summary")
        stats = {str(v): (rows, comp) for col, v, rows, comp in zip(
            summary.column("column"), summary.column("value"), summary.column("rows"),
            summary.column("complaints"), strict=True) if col == column}
        out.append(_table(
            ["Chart label / 图标签", "Value / 取值", "Rows / 行数", "Complaints / 投诉"],
            ([_e(segment_tick(i, v)), _e(v), _num(stats[v][0]), _num(stats[v][1])]
             for i, v in enumerate(values, start=1)), numeric=(2, 3)))
    return "".join(out)


def _term_block(t: TermList) -> str:
    where = "" if t.segment_column is None else f" · {_e(t.segment_column)} = " \
        f"{_e(t.segment_value)}"
    head = (f"<h3>{_e(bilingual(t.cause))}{where}</h3><p class=\"muted\">{_e(t.focus)} "
            f"({t.focus_documents:,} texts) vs {_e(t.reference)} ({t.reference_documents:,} "
            f"texts){' · sampled' if t.sampled else ''}</p>")
    if not t.terms:
        return head + '<p class="muted">No term stands out (or too few texts). / 无显著词。</p>'
    chips = "".join(f'<span title="z={term.z:.2f}; {term.focus_count} vs '
                    f'{term.reference_count} texts">{_e(term.term)}</span>'
                    for term in t.terms)
    return head + f'<div class="terms">{chips}</div>'


def _terms(report: TrendReport) -> str:
    out = ["<h2>Emerging terms / 新兴词汇</h2>"]
    if report.text_column is None:
        out.append('<p class="muted">No text column. / 无文本列。</p>')
        return "".join(out)
    if report.terms and report.terms[0].kind == "distinctive":
        out.append("<p>No dates: terms distinctive of each cause compared with the other "
                   "causes. / 无日期：显示各原因相对其他原因的特征词。</p>")
    else:
        out.append("<p>Terms rising most in the latest period compared with the baseline "
                   "periods (weighted log-odds with an informative Dirichlet prior, Monroe et "
                   f"al. 2008; z &ge; {report.config.term_z:g}). / "
                   "最近周期相对基线上升最多的词。</p>")
    out.extend(_term_block(t) for t in report.terms)
    return "".join(out)


def _verbatims(report: TrendReport) -> str:
    out = ["<h2>Representative complaints / 代表性投诉</h2>"]
    if not report.verbatims:
        out.append('<p class="muted">No texts available. / 无可用文本。</p>')
        return "".join(out)
    for cause in report.causes:
        quotes = [v for v in report.verbatims if v.cause == cause]
        if quotes:
            out.append(f"<h3>{_e(bilingual(cause))}</h3>")
            out.extend(_quote(v) for v in quotes)
    return "".join(out)


def _impact_scope(scope: ImpactScope) -> str:
    rows = [[
        f"{_e(e.label_en)}<br><span class=\"muted\">{_e(e.label_zh)}</span>",
        _pct(e.value) if e.unit == "share" else _num(e.value, 0 if e.value.is_integer() else 1),
        _e(e.unit),
        f'<span class="basis basis-{_e(e.basis)}">{_e(e.basis.replace("_", " "))}</span>',
        _e(e.formula), _e(e.source),
    ] for e in scope.estimates]
    return (f"<h3>{_e(scope.scope)}</h3>" + _table(
        ["Estimate / 估算", "Value / 数值", "Unit / 单位", "Basis / 依据", "Formula / 公式",
         "Source / 来源"], rows, numeric=(1,)))


def _impact(report: TrendReport) -> str:
    impact = report.impact
    out = ["<h2>Impact estimates (rules of thumb) / 影响估算（经验法则）</h2>",
           f'<div class="disclaimer"><b>Not measured facts.</b> {_e(impact.disclaimer_en)}'
           f"<br><b>并非实测。</b>{_e(impact.disclaimer_zh)}</div>"]
    out.extend(_impact_scope(s) for s in impact.scopes)
    t = impact.per_cause
    out.append("<h3>By cause / 按原因</h3>")
    out.append(_table(
        ["Cause / 原因", "Complaints / 投诉", "Exit complaints / 流失型", "Exit share / 流失占比",
         "Silent dissatisfied (rule of thumb) / 沉默不满（经验）",
         "Retained if fast (rule of thumb) / 快速解决可挽回（经验）"],
        ([_e(bilingual(str(r[0]))), _num(r[1]), _num(r[2]), _pct(r[3]), _num(r[4], 1),
          _num(r[5], 1)] for r in t.rows), numeric=(1, 2, 3, 4, 5)))
    return "".join(out)


def _method(report: TrendReport) -> str:
    cfg = report.config
    return (
        "<h2>Method / 方法</h2><p class=\"muted\">Each period is compared with up to "
        f"{cfg.baseline_periods} previous fully covered periods (at least "
        f"{cfg.min_baseline_periods}). The test is the exact conditional binomial test of two "
        "Poisson rates, with quasi-Poisson scaling when the baseline is over-dispersed; only "
        f"counts of at least {cfg.min_count} are tested, Benjamini-Hochberg keeps the false "
        f"discovery rate at {cfg.alpha:g} over all tests, and an alert also needs "
        f"{cfg.min_ratio:g}x the expected count. Severity: high = at least 2x and "
        "q &le; alpha/50; medium = at least 1.5x and q &le; alpha/5; low = other alerts. "
        "Rows with a classifier error are counted separately; undated rows are kept in the "
        "'undated' bucket.</p>"
    )


def render_html(report: TrendReport, charts: Mapping[str, bytes] | None = None) -> str:
    """The report as one self-contained HTML page (see the module docstring).

    ``charts`` are PNGs by file name as made by :func:`render_charts` (rendered here when
    not given).
    """
    if charts is None:
        charts = render_charts(report)
    body = "".join([_header(report), _alerts(report, charts), _trends(report, charts),
                    _terms(report), _verbatims(report), _impact(report), _method(report)])
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        "<title>Complaint trends / 投诉趋势报告</title>"
        f"<style>{_CSS}</style></head><body><main>{body}</main></body></html>\n"
    )
