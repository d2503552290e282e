"""The QA stage: rules that find inconsistent figures in and across reports (issue "QA of inconsistent figures").

``QA_CHECKS`` names every rule; ``run_qa`` runs them over the contract tables with the tolerances of
``params.yaml`` (key ``qa:``) and returns the ``qa_findings`` table. Messages are bilingual: ``message``
is Vietnamese, ``message_en`` English. Besides the contract columns a finding carries what the report
needs without another join: the source paths, the printed-precision tolerance, indicator and period.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from pipeline import settings
from pipeline.qa.base import Check, Finding, Severity, prepare_tables
from pipeline.qa.consistency import check_magnitude_slip, check_same_fact
from pipeline.qa.growth import check_avg_growth_intervals, check_growth_vs_levels, check_growth_written_as_ratio
from pipeline.qa.plans import check_pct_of_plan, check_target_below_actual
from pipeline.qa.ratios import check_change_vs_percent, check_count_share, check_percent_vs_fraction
from pipeline.qa.sums import check_components_sum, check_shares_sum
from pipeline.tables import SCHEMAS

__all__ = ["QA_CHECKS", "QA_FINDINGS_SCHEMA", "Check", "Finding", "Severity", "load_params", "run_qa"]

_CHECKS = (
    Check("same_fact", "consistency", "Cùng số liệu, hai giá trị", "Same fact, two values", check_same_fact),
    Check("magnitude_slip", "consistency", "Nhầm đơn vị (nghìn lần)", "Magnitude slip (x1000)", check_magnitude_slip),
    Check(
        "percent_vs_fraction",
        "ratios",
        "Tỷ lệ không khớp phân số",
        "Percent does not match its fraction",
        check_percent_vs_fraction,
    ),
    Check("count_share", "ratios", "Tỷ lệ không khớp số đếm", "Share does not match its count", check_count_share),
    Check(
        "change_vs_percent",
        "ratios",
        "Mức thay đổi và tỷ lệ thay đổi",
        "Change and its percentage",
        check_change_vs_percent,
    ),
    Check(
        "growth_vs_levels",
        "growth",
        "Tốc độ tăng trái với số liệu",
        "Growth contradicts levels",
        check_growth_vs_levels,
    ),
    Check(
        "avg_growth_intervals",
        "growth",
        "Tăng bình quân sai số khoảng",
        "Average growth, wrong intervals",
        check_avg_growth_intervals,
    ),
    Check(
        "growth_written_as_ratio",
        "growth",
        "Ghi 'tăng' cho tỷ số 'bằng'",
        "Ratio written as growth",
        check_growth_written_as_ratio,
    ),
    Check("components_sum", "sums", "Tổng thành phần ≠ tổng số", "Components ≠ total", check_components_sum),
    Check("shares_sum", "sums", "Tỷ trọng không cộng đủ 100%", "Shares do not add to 100%", check_shares_sum),
    Check("pct_of_plan", "plans", "% kế hoạch không khớp", "Percent of plan mismatch", check_pct_of_plan),
    Check(
        "target_below_actual",
        "plans",
        "Chỉ tiêu thấp hơn mức đã đạt",
        "Target below last actual",
        check_target_below_actual,
    ),
)

#: Every rule by name (the ``check`` column of qa_findings).
QA_CHECKS: dict[str, Check] = {check.name: check for check in _CHECKS}

_str, _f64 = pa.string(), pa.float64()

#: Arrow schema of OUT/qa_findings.parquet (contract columns first, then the report's extras).
QA_FINDINGS_SCHEMA = SCHEMAS["qa_findings"]

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def load_params(path: Path | None = None) -> dict[str, Any]:
    """The ``qa:`` section of params.yaml (the project root's by default); {} when absent."""
    return dict(settings.load_params(path).get("qa") or {})


def _check_params(params: Mapping[str, Any], name: str) -> dict[str, Any]:
    """Shared keys of ``qa:`` overlaid with the check's own section (``qa: {checks: {name: {...}}}``)."""
    shared = {k: v for k, v in params.items() if k not in ("checks",)}
    return {**shared, **((params.get("checks") or {}).get(name) or {})}


def _finding_id(finding: Finding) -> str:
    key = "\x1f".join([finding.check, *sorted(finding.mention_ids)])
    return hashlib.sha256(key.encode()).hexdigest()[:16]


_ONE_STEP_DOWN = {"error": "warning", "warning": "info", "info": "info"}


def _weighed(severity: str, mention_ids: Any, from_ocr: set[str]) -> str:
    return _ONE_STEP_DOWN[severity] if any(m in from_ocr for m in mention_ids) else severity


def run_qa(tables: dict[str, pd.DataFrame], params: dict) -> pd.DataFrame:
    """Run every enabled check and return the qa_findings table (columns of QA_FINDINGS_SCHEMA).

    Args:
        tables: the contract tables by name; needs documents and mentions, uses footnotes, sentences,
            tables and facts when present.
        params: the ``qa:`` section of params.yaml (see :func:`load_params`).
    """
    prepared = prepare_tables(tables, params)
    mentions = prepared["mentions"]
    doc_of = dict(zip(mentions["mention_id"], mentions["doc_id"], strict=True))
    # Figures read by OCR may hold recognition errors: a finding that rests on one is weighed a step
    # below the same finding between born-digital figures (error -> warning -> info).
    layers = mentions["source_layer"] if "source_layer" in mentions else pd.Series(["text"] * len(mentions))
    from_ocr = {m for m, layer in zip(mentions["mention_id"], layers, strict=True) if layer == "ocr"}
    path_of = dict(zip(prepared["documents"]["doc_id"], prepared["documents"]["source_path"], strict=True))
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for name, check in QA_CHECKS.items():
        check_params = _check_params(params, name)
        if not check_params.get("enabled", True):
            continue
        for finding in check.function(prepared, check_params):
            finding_id = _finding_id(finding)
            if finding_id in seen:
                continue
            seen.add(finding_id)
            doc_ids = list(dict.fromkeys(doc_of[m] for m in finding.mention_ids if m in doc_of))
            rows.append(
                {
                    "finding_id": finding_id,
                    "check": finding.check,
                    "severity": _weighed(str(finding.severity), finding.mention_ids, from_ocr),
                    "message": finding.message_vi,
                    "doc_ids": doc_ids,
                    "mention_ids": list(finding.mention_ids),
                    "observed": finding.observed,
                    "expected": finding.expected,
                    "delta": finding.delta,
                    "message_en": finding.message_en,
                    "family": check.family,
                    "tolerance": finding.tolerance,
                    "indicator_code": finding.indicator_code,
                    "period": finding.period,
                    "source_paths": [path_of[d] for d in doc_ids if d in path_of],
                }
            )
    frame = pd.DataFrame(rows, columns=QA_FINDINGS_SCHEMA.names)
    if frame.empty:
        return frame
    frame["_order"] = frame["severity"].map(SEVERITY_ORDER)
    frame = frame.sort_values(["_order", "check", "finding_id"]).drop(columns="_order")
    return frame.reset_index(drop=True)


def findings_table(findings: pd.DataFrame) -> pa.Table:
    """The findings as an Arrow table with QA_FINDINGS_SCHEMA (for writing qa_findings.parquet)."""
    columns = {name: findings[name].tolist() if name in findings else [] for name in QA_FINDINGS_SCHEMA.names}
    cleaned = {
        name: [None if (not isinstance(v, list) and pd.isna(v)) else v for v in values]
        for name, values in columns.items()
    }
    return pa.table(cleaned, schema=QA_FINDINGS_SCHEMA)
