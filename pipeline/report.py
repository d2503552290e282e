"""One self-contained HTML report of the QA findings, the cross-year indicators and the documents.

No network: CSS, JavaScript and the charts (SVG) are inline. Three views, switched by tabs:
findings (filterable by check, severity and document; a click shows the source sentences side by side
with the numbers highlighted), indicators (a small cross-year chart per indicator, sources on hover)
and documents (the outline and the sentences that hold mentions, numbers highlighted). Labels are
Vietnamese / English.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.qa import QA_CHECKS
from pipeline.qa.base import present, representative_documents

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,'Segoe UI',Arial,sans-serif;margin:0;color:#1d2630;background:#f5f6f8}
header{background:#17324d;color:#fff;padding:14px 24px}
header h1{margin:0;font-size:20px}header p{margin:4px 0 0;opacity:.85}
nav{display:flex;gap:4px;padding:0 24px;background:#17324d}nav button{background:#2b4d6f;color:#fff;border:0;
padding:8px 16px;cursor:pointer;border-radius:6px 6px 0 0;font-size:14px}
nav button.active{background:#f5f6f8;color:#17324d}
main{padding:16px 24px}.view{display:none}.view.active{display:block}
.filters{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:12px;align-items:center}
.filters label{font-size:13px}.filters select{margin-left:4px;padding:3px}
.count{font-size:13px;color:#555}
.finding{background:#fff;border:1px solid #d8dde3;border-left:6px solid #999;border-radius:6px;margin:8px 0}
.finding.error{border-left-color:#c62828}.finding.warning{border-left-color:#ef8c00}.finding.info{border-left-color:#5c7fa3}
.finding-head{padding:10px 14px;cursor:pointer;display:flex;gap:10px;align-items:baseline}
.finding-head:hover{background:#f0f4f8}
.badge{font-size:11px;padding:2px 7px;border-radius:10px;color:#fff;white-space:nowrap}
.badge.error{background:#c62828}.badge.warning{background:#ef8c00}.badge.info{background:#5c7fa3}
.check{font-size:12px;color:#17324d;font-weight:600;white-space:nowrap}.msg-en{color:#555;font-size:13px}
.numbers{font-size:12px;color:#444;margin-left:auto;white-space:nowrap}
.sources{display:none;padding:0 14px 12px;gap:10px;flex-wrap:wrap}.finding.open .sources{display:flex}
.source{flex:1 1 300px;background:#fafbfc;border:1px solid #e1e5ea;border-radius:5px;padding:8px 10px;font-size:13px}
.source .where{font-size:11px;color:#5a6570;margin-bottom:4px}
mark{background:#ffe08a;padding:0 2px;border-radius:2px}mark.hit{background:#ffb74d;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px}
.chart{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:8px}
.chart h3{font-size:13px;margin:0 0 4px}.chart svg{width:100%;height:auto}
.doc{background:#fff;border:1px solid #d8dde3;border-radius:6px;margin:8px 0;padding:6px 12px}
.doc summary{cursor:pointer;font-weight:600}.outline{font-size:12px;color:#333;columns:2}
.outline div{break-inside:avoid}.sec{margin:10px 0 4px;font-weight:600;font-size:13px;color:#17324d}
.sent{font-size:13px;margin:3px 0 3px 12px;line-height:1.45}.muted{color:#777;font-size:12px}
"""

SCRIPT = """
(function(){
  function $(s,r){return (r||document).querySelector(s)}
  function $$(s,r){return Array.prototype.slice.call((r||document).querySelectorAll(s))}
  $$('nav button').forEach(function(b){b.addEventListener('click',function(){
    $$('nav button').forEach(function(x){x.classList.remove('active')});
    $$('.view').forEach(function(v){v.classList.remove('active')});
    b.classList.add('active');$('#'+b.dataset.view).classList.add('active');});});
  $$('.finding-head').forEach(function(h){h.addEventListener('click',function(){
    h.parentNode.classList.toggle('open');});});
  function apply(){
    var c=$('#f-check').value,s=$('#f-severity').value,d=$('#f-doc').value,n=0;
    $$('.finding').forEach(function(f){
      var ok=(!c||f.dataset.check===c)&&(!s||f.dataset.severity===s)&&(!d||f.dataset.docs.split(' ').indexOf(d)>=0);
      f.style.display=ok?'':'none';if(ok){n++;}});
    $('#f-count').textContent=n;}
  ['#f-check','#f-severity','#f-doc'].forEach(function(id){$(id).addEventListener('change',apply);});
  apply();
})();
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def highlight(sentence: str, values: Iterable[str], hits: Iterable[str] = ()) -> str:
    """The sentence as HTML with every given number marked (the finding's own numbers marked strongest).

    >>> highlight("đạt 3,51% và 5", ["3,51"], ["3,51"])
    'đạt <mark class="hit">3,51</mark>% và 5'
    """
    hit_set = set(hits)
    spans: list[tuple[int, int, bool]] = []
    for value in sorted(set(values), key=len, reverse=True):
        start = 0
        while value and (found := sentence.find(value, start)) >= 0:
            end = found + len(value)
            before_ok = found == 0 or not sentence[found - 1].isdigit()
            after_ok = end == len(sentence) or not sentence[end].isdigit()
            if before_ok and after_ok and not any(s < end and found < e for s, e, _ in spans):
                spans.append((found, end, value in hit_set))
            start = end
    out, position = [], 0
    for start, end, is_hit in sorted(spans):
        out.append(_e(sentence[position:start]))
        out.append(
            f'<mark class="hit">{_e(sentence[start:end])}</mark>'
            if is_hit
            else f"<mark>{_e(sentence[start:end])}</mark>"
        )
        position = end
    out.append(_e(sentence[position:]))
    return "".join(out)


def _doc_label(row: Mapping[str, Any]) -> str:
    return Path(str(row["source_path"])).name


def _fmt_number(value: Any) -> str:
    if not present(value):
        return "–"
    text = f"{float(value):,.2f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _findings_view(findings: pd.DataFrame, mentions: pd.DataFrame, labels: Mapping[str, str]) -> str:
    by_id = mentions.set_index("mention_id", drop=False)
    checks = sorted(set(findings["check"])) if not findings.empty else []
    doc_ids = sorted({d for ids in findings.get("doc_ids", []) for d in ids}, key=lambda d: labels.get(d, d))
    options_check = "".join(
        f'<option value="{_e(c)}">{_e(c)} — {_e(QA_CHECKS[c].title_vi if c in QA_CHECKS else c)}</option>'
        for c in checks
    )
    options_doc = "".join(f'<option value="{_e(d)}">{_e(labels.get(d, d))}</option>' for d in doc_ids)
    parts = [
        '<div class="filters">',
        '<label>Quy tắc / Check<select id="f-check"><option value="">(tất cả / all)</option>'
        f"{options_check}</select></label>",
        '<label>Mức độ / Severity<select id="f-severity"><option value="">(tất cả / all)</option>'
        '<option value="error">lỗi / error</option><option value="warning">cảnh báo / warning</option>'
        '<option value="info">thông tin / info</option></select></label>',
        '<label>Tài liệu / Document<select id="f-doc"><option value="">(tất cả / all)</option>'
        f"{options_doc}</select></label>",
        '<span class="count"><span id="f-count">0</span> phát hiện / findings — '
        "bấm vào một dòng để xem nguồn / click a finding to see its sources</span>",
        "</div>",
    ]
    if findings.empty:
        parts.append('<p class="muted">Không có phát hiện nào / No findings.</p>')
    for finding in findings.to_dict(orient="records"):
        mention_ids = [m for m in finding["mention_ids"] if m in by_id.index]
        values = [str(by_id.loc[m, "value_text"]) for m in mention_ids]
        hits = [v.split("/")[0] for v in values] + values
        sources, seen = [], set()
        for mention_id in mention_ids:
            mention = by_id.loc[mention_id]
            key = (mention["doc_id"], mention["sentence"])
            if key in seen:
                continue
            seen.add(key)
            same_sentence = mentions[
                (mentions["doc_id"] == mention["doc_id"]) & (mentions["sentence"] == mention["sentence"])
            ]
            placement = (
                "bảng / table"
                if mention["in_table"]
                else ("chú thích / footnote" if mention["in_footnote"] else "văn bản / text")
            )
            page = f", tr./p. {int(mention['page'])}" if present(mention["page"]) else ""
            where = (
                f"{_e(labels.get(mention['doc_id'], mention['doc_id']))}{page} · {_e(mention['section_path'] or '')}"
                f" · {placement}" + (f" {_e(mention['footnote_id'])}" if present(mention["footnote_id"]) else "")
            )
            sentence = str(mention["sentence"] or mention["value_text"])
            sources.append(
                f'<div class="source"><div class="where">{where}</div>'
                f"{highlight(sentence, list(same_sentence['value_text'].astype(str)), hits)}</div>"
            )
        numbers = (
            f"quan sát/observed {_fmt_number(finding['observed'])} · "
            f"kỳ vọng/expected {_fmt_number(finding['expected'])}"
        )
        parts.append(
            f'<div class="finding {_e(finding["severity"])}" data-check="{_e(finding["check"])}" '
            f'data-severity="{_e(finding["severity"])}" data-docs="{_e(" ".join(finding["doc_ids"]))}" '
            f'id="finding-{_e(finding["finding_id"])}">'
            f'<div class="finding-head"><span class="badge {_e(finding["severity"])}">{_e(finding["severity"])}</span>'
            f'<span class="check">{_e(finding["check"])}</span>'
            f'<span><span class="msg-vi">{_e(finding["message"])}</span><br>'
            f'<span class="msg-en">{_e(finding.get("message_en", ""))}</span></span>'
            f'<span class="numbers">{numbers}</span></div>'
            f'<div class="sources">{"".join(sources)}</div></div>'
        )
    return "\n".join(parts)


def _period_year(period: Any) -> int | None:
    if isinstance(period, str) and len(period) == 4 and period.isdigit():
        return int(period)
    return None


def _short_number(value: float) -> str:
    """An axis label: 1,5 tỷ / 283 tr / 97,2 (Vietnamese magnitudes)."""
    for size, suffix in ((1e9, " tỷ"), (1e6, " tr"), (1e3, " N"), (1.0, "")):
        if abs(value) >= size or size == 1.0:
            scaled = value / size
            text = f"{scaled:,.0f}" if abs(scaled) >= 100 else f"{scaled:.3g}"
            return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".") + suffix
    return str(value)


def _chart(code: str, points: list[dict[str, Any]]) -> str:
    """A small line chart (inline SVG) of one indicator across years, one line per measure/basis/unit."""
    width, height, pad = 320, 150, 34
    years = sorted({p["year"] for p in points})
    values = [p["value"] for p in points]
    low, high = min(values), max(values)
    if high == low:
        high, low = high + 1, low - 1

    def x(year: int) -> float:
        return pad + (width - 2 * pad) * ((years.index(year) / (len(years) - 1)) if len(years) > 1 else 0.5)

    def y(value: float) -> float:
        return height - pad + 10 - (height - pad) * (value - low) / (high - low)

    svg = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{_e(code)}">']
    svg.append(f'<line x1="{pad}" y1="{height - pad + 10}" x2="{width - pad}" y2="{height - pad + 10}" stroke="#aab"/>')
    for year in years:
        svg.append(f'<text x="{x(year):.1f}" y="{height - 6}" font-size="10" text-anchor="middle">{year}</text>')
    for value in (min(values), max(values)):
        svg.append(
            f'<text x="{width - 2}" y="{y(value) + 3:.1f}" font-size="9" text-anchor="end" fill="#667">'
            f"{_e(_short_number(value))}</text>"
        )
    colours = ["#17324d", "#ef8c00", "#2e7d32", "#8e24aa"]
    series: dict[str, list[dict[str, Any]]] = {}
    for point in points:
        series.setdefault(point["series"], []).append(point)
    for index, (name, items) in enumerate(sorted(series.items())):
        colour = colours[index % len(colours)]
        items.sort(key=lambda p: p["year"])
        if len(items) > 1:
            path = " ".join(f"{x(p['year']):.1f},{y(p['value']):.1f}" for p in items)
            svg.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        for point in items:
            svg.append(
                f'<circle cx="{x(point["year"]):.1f}" cy="{y(point["value"]):.1f}" r="4" fill="{colour}">'
                f"<title>{_e(point['tooltip'])}</title></circle>"
            )
        svg.append(f'<text x="{pad}" y="{12 + 11 * index}" font-size="10" fill="{colour}">{_e(name)}</text>')
    svg.append("</svg>")
    return "".join(svg)


def _charts_view(mentions: pd.DataFrame, labels: Mapping[str, str]) -> str:
    usable = mentions[
        mentions["indicator_code"].notna()
        & mentions["value"].notna()
        & mentions["measure"].isin(["level", "growth_pct", "rate_pct", "share_pct"])
        & ~mentions["in_table"].astype(bool)
    ].copy()
    usable["year"] = usable["period"].map(_period_year)
    usable = usable[usable["year"].notna()]
    charts = []
    for code, group in usable.groupby("indicator_code"):
        points = []
        for row in group.itertuples(index=False):
            scale = float(row.scale) if present(row.scale) else 1.0
            unit = row.unit_canonical if present(row.unit_canonical) else ""
            basis = f", {row.basis}" if present(row.basis) else ""
            points.append(
                {
                    "year": int(row.year),
                    "value": float(row.value) * scale,
                    "series": f"{row.entity or ''} · {row.measure} {unit}{basis}".strip(),
                    "tooltip": (
                        f"{int(row.year)}: {row.value_text} {row.unit or ''} — {labels.get(row.doc_id, row.doc_id)}"
                        f"{', tr./p. ' + str(int(row.page)) if present(row.page) else ''}\n{str(row.sentence)[:240]}"
                    ),
                }
            )
        kept: dict[str, list[dict[str, Any]]] = {}
        for point in points:
            kept.setdefault(point["series"], []).append(point)
        # A chart is worth drawing when one series spans at least two years.
        spanning = {k: v for k, v in kept.items() if len({p["year"] for p in v}) >= 2}
        if not spanning:
            continue
        # Levels first (the figure a reader compares across years), then the series with most years.
        first_series = min(spanning, key=lambda k: ("· level" not in k, -len(spanning[k]), k))
        charts.append(
            f'<div class="chart"><h3>{_e(code)}</h3>{_chart(str(code), spanning[first_series])}'
            f'<div class="muted">{_e(first_series)} · '
            "rê chuột lên điểm để xem nguồn / hover a point for its source</div></div>"
        )
    if not charts:
        return '<p class="muted">Chưa có chỉ tiêu nào có số liệu nhiều năm / No indicator spans several years yet.</p>'
    return f'<div class="charts">{"".join(charts)}</div>'


def _documents_view(tables: Mapping[str, pd.DataFrame], documents: pd.DataFrame, mentions: pd.DataFrame) -> str:
    sections = tables.get("sections", pd.DataFrame(columns=["doc_id"]))
    parts = []
    for doc in documents.to_dict(orient="records"):
        doc_sections = (
            sections[sections["doc_id"] == doc["doc_id"]].sort_values("char_start") if not sections.empty else sections
        )
        outline = "".join(
            f'<div style="padding-left:{max(int(s["depth"]) - 1, 0) * 12}px">'
            f"{_e(s['label'] or '')} {_e(s['title'] or '')}</div>"
            for s in doc_sections.to_dict(orient="records")
            if int(s["depth"]) >= 1
        )
        doc_mentions = mentions[(mentions["doc_id"] == doc["doc_id"]) & ~mentions["in_table"].astype(bool)]
        body = []
        for section_path, group in doc_mentions.groupby("section_path", sort=False, dropna=False):
            body.append(f'<div class="sec">{_e(section_path if present(section_path) else "—")}</div>')
            for sentence, in_sentence in group.groupby("sentence", sort=False):
                body.append(
                    f'<div class="sent">{highlight(str(sentence), list(in_sentence["value_text"].astype(str)))}</div>'
                )
        about = f"{doc.get('entity') or ''}, {doc.get('report_period') or ''}"
        title = f"{_doc_label(doc)} — {doc.get('title') or ''} ({about})"
        parts.append(
            f'<details class="doc"><summary>{_e(title)} · {len(doc_mentions)} số liệu / mentions</summary>'
            f'<h4>Mục lục / Outline</h4><div class="outline">{outline}</div>'
            f"<h4>Câu có số liệu / Sentences with mentions</h4>{''.join(body)}</details>"
        )
    return "\n".join(parts)


def write_report(tables: dict[str, pd.DataFrame], findings: pd.DataFrame, path: Path) -> Path:
    """Write the self-contained HTML report to ``path`` and return it.

    Args:
        tables: the contract tables by name (documents and mentions needed; sections used when present).
        findings: the qa_findings table from :func:`pipeline.qa.run_qa`.
        path: the HTML file to write (its folder is created).
    """
    documents = representative_documents(tables["documents"], ("docx", "txt", "pdf"))
    all_documents = tables["documents"]
    labels = {d: Path(str(p)).name for d, p in zip(all_documents["doc_id"], all_documents["source_path"], strict=True)}
    mentions = tables["mentions"]
    report_mentions = mentions[mentions["doc_id"].isin(set(documents["doc_id"]))]
    severity_counts = findings["severity"].value_counts().to_dict() if not findings.empty else {}
    summary = ", ".join(f"{severity_counts.get(s, 0)} {s}" for s in ("error", "warning", "info"))
    page = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>chiso — Báo cáo kiểm tra số liệu / QA report</title><style>{CSS}</style></head>
<body><header><h1>chiso — Kiểm tra số liệu không nhất quán / QA of inconsistent figures</h1>
<p>{len(documents)} báo cáo / reports · {len(findings)} phát hiện / findings ({_e(summary)})</p></header>
<nav><button class="active" data-view="v-findings">Phát hiện / Findings</button>
<button data-view="v-charts">Chỉ tiêu theo năm / Indicators by year</button>
<button data-view="v-docs">Tài liệu / Documents</button></nav>
<main><section id="v-findings" class="view active">{_findings_view(findings, mentions, labels)}</section>
<section id="v-charts" class="view">{_charts_view(report_mentions, labels)}</section>
<section id="v-docs" class="view">{_documents_view(tables, documents, report_mentions)}</section></main>
<script>{SCRIPT}</script>
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
