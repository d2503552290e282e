"""Score extracted mentions against the hand-annotated gold set (corpus/gold/mentions.tsv).

The protocol follows CQE (peers.md §1.4): a gold quantity is *found* for a field set when a predicted
mention whose span overlaps it agrees on every field of the set; precision, recall and F1 are computed
per field set. Gold rows are located by a context snippet rather than by offsets, so the gold set
survives changes of the readers' canonical text; see corpus/gold/README.md for the annotation rules.
"""

from __future__ import annotations

import csv
import math
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePath

import pandas as pd
import regex

GOLD_COLUMNS = (
    "doc",
    "para",
    "context",
    "value_text",
    "occurrence",
    "kind",
    "value",
    "denominator",
    "unit",
    "unit_canonical",
    "scale",
    "measure",
    "direction",
    "qualifier",
    "period",
    "reference_period",
    "basis",
    "indicator_code",
    "entity",
    "note",
)
QUANTITY = "quantity"
KINDS = frozenset(
    {
        QUANTITY,
        "date",
        "year",
        "doc_number",
        "label",
        "enumeration",
        "name_number",
        "duration",
        "threshold",
        "other_nq",
    }
)
NUMERIC_COLUMNS = ("value", "denominator", "scale")

#: CQE-style field sets; each set is scored as "value and all these fields agree".
FIELD_SETS: dict[str, tuple[str, ...]] = {
    "value": ("value",),
    "value+unit": ("value", "unit_canonical"),
    "value+measure": ("value", "measure"),
    "value+period": ("value", "period"),
    "value+qualifier": ("value", "qualifier"),
    "value+indicator_code": ("value", "indicator_code"),
    "value+unit+measure+period": ("value", "unit_canonical", "measure", "period"),
}
VALUE_REL_TOL = 1e-9

# Statuses of an aligned row.
MATCHED = "matched"  # gold row located and a predicted mention overlaps it
MISSED = "missed"  # gold row located, no prediction overlaps it
UNLOCATED = "unlocated"  # the gold context is not in the document text: an annotation (or reader) error
SPURIOUS = "spurious"  # a prediction inside an annotated paragraph that overlaps no gold row


def load_gold(path: str | Path) -> pd.DataFrame:
    """Read the gold TSV: strings stay strings, empty cells become None, numbers become floats.

    Args:
        path: the TSV file (tab-separated, UTF-8, header row, no quoting).

    Returns:
        One row per gold number with the columns of :data:`GOLD_COLUMNS`.
    """
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE, encoding="utf-8")
    missing = set(GOLD_COLUMNS) - set(frame.columns)
    if missing:
        raise ValueError(f"gold file {path} lacks columns {sorted(missing)}")
    frame = frame[list(GOLD_COLUMNS)].copy()
    for column in GOLD_COLUMNS:
        if column in NUMERIC_COLUMNS:
            frame[column] = pd.to_numeric(frame[column].replace("", None), errors="raise").astype("float64")
        elif column == "occurrence":
            frame[column] = frame[column].astype(int)
        else:
            frame[column] = frame[column].map(lambda cell: cell if cell != "" else None)
    return frame


def _collapsed(text: str) -> tuple[str, list[int]]:
    """NFC text with whitespace runs collapsed to one space, and the source offset of every output char.

    Documents are NFC already (contract); normalising per character keeps the offset map exact for the
    rare string that is not.
    """
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isspace():
            if out and out[-1] == " ":
                continue
            out.append(" ")
            origin.append(index)
            continue
        for piece in unicodedata.normalize("NFC", char):
            out.append(piece)
            origin.append(index)
    return "".join(out), origin


def _number_pattern(value_text: str) -> regex.Pattern[str]:
    """value_text as a pattern that does not match inside a longer number ("3" not in "2023", "13,5")."""
    pattern = regex.escape(value_text)
    if value_text[:1].isdigit():
        pattern = r"(?<!\d)(?<!\d[.,])" + pattern
    if value_text[-1:].isdigit():
        pattern += r"(?!\d)(?![.,]\d)"
    return regex.compile(pattern)


def normalize_snippet(snippet: str) -> str:
    """A context as annotated: NFC, whitespace collapsed, trimmed."""
    return " ".join(unicodedata.normalize("NFC", snippet).split())


def locate(text: str, context: str, value_text: str, occurrence: int = 1) -> tuple[int, int] | None:
    """Span of the ``occurrence``-th ``value_text`` inside the first match of ``context`` in ``text``.

    Whitespace is insignificant on both sides (a reader may join wrapped lines with a newline or a
    space). Returns half-open offsets into ``text``, or None when the context or value is not found.
    """
    collapsed, origin = _collapsed(text)
    return _locate_in(collapsed, origin, len(text), context, value_text, occurrence)


def _locate_in(
    collapsed: str, origin: list[int], text_length: int, context: str, value_text: str, occurrence: int
) -> tuple[int, int] | None:
    context = normalize_snippet(context)
    value_text = normalize_snippet(value_text)
    if not context or not value_text:
        return None
    at = collapsed.find(context)
    if at < 0:
        return None
    matches = list(_number_pattern(value_text).finditer(context))
    if occurrence < 1 or len(matches) < occurrence:
        return None
    match = matches[occurrence - 1]
    start = origin[at + match.start()]
    last = at + match.end() - 1
    end = origin[last] + 1 if last < len(origin) else text_length
    return start, end


def _document_for(documents: pd.DataFrame, doc: str, fmt: str) -> pd.Series | None:
    """The document of report ``doc`` ("000") in format ``fmt``, matched by the file-name prefix."""
    for _, row in documents.iterrows():
        name = PurePath(str(row["source_path"])).name
        if name.startswith(f"{doc}_") and str(row.get("format", fmt)) == fmt:
            return row
    return None


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell)) or cell is pd.NA or cell == ""


def _field_equal(field: str, gold: object, predicted: object) -> bool:
    if _blank(gold) or _blank(predicted):
        return _blank(gold) and _blank(predicted)
    if field in NUMERIC_COLUMNS:
        return math.isclose(float(gold), float(predicted), rel_tol=VALUE_REL_TOL)
    gold_text, predicted_text = str(gold).strip(), str(predicted).strip()
    if field == "indicator_code" and "." not in gold_text:
        # The gold names the indicator (seeds-numbers.md §6); the dimension ("crop_area.rice") is a
        # refinement it does not annotate, so a code is scored on the indicator part only.
        predicted_text = predicted_text.partition(".")[0]
    return gold_text == predicted_text


def align(gold: pd.DataFrame, mentions: pd.DataFrame, documents: pd.DataFrame, fmt: str = "txt") -> pd.DataFrame:
    """Locate every gold row in its document and pair it with at most one overlapping predicted mention.

    Pairing is one-to-one, greedy by overlap length. Predictions that pair with no gold row count only
    when they lie inside an annotated paragraph (the hull of the paragraph's located gold spans).

    Args:
        gold: from :func:`load_gold`.
        mentions: the mentions table (contract.md): doc_id, char_start, char_end and the scored fields.
        documents: the documents table: doc_id, source_path, text, format.
        fmt: which format's document a gold row is checked against ("txt", "docx", "pdf").

    Returns:
        One row per gold row (status matched / missed / unlocated) plus one row per spurious prediction,
        with columns doc, para, gold_row, kind, status, doc_id, gold_start, gold_end, mention_row,
        pred_start, pred_end, and ``gold_<field>`` / ``pred_<field>`` for every scorable field.
    """
    fields = sorted({field for field_set in FIELD_SETS.values() for field in field_set} | {"direction", "basis"})
    records: list[dict[str, object]] = []
    for doc, doc_gold in gold.groupby("doc", sort=True):
        document = _document_for(documents, str(doc), fmt)
        text = str(document["text"]) if document is not None else ""
        doc_id = document["doc_id"] if document is not None else None
        collapsed, origin = _collapsed(text)
        spans: dict[int, tuple[int, int] | None] = {}
        for index, row in doc_gold.iterrows():
            spans[index] = (
                _locate_in(collapsed, origin, len(text), row["context"], row["value_text"], int(row["occurrence"]))
                if document is not None
                else None
            )
        predicted = (
            mentions[mentions["doc_id"] == doc_id] if doc_id is not None and len(mentions) else mentions.iloc[0:0]
        )
        pairs: list[tuple[int, int, int]] = []
        for gold_index, span in spans.items():
            if span is None:
                continue
            for mention_index, mention in predicted.iterrows():
                overlap = min(span[1], int(mention["char_end"])) - max(span[0], int(mention["char_start"]))
                if overlap > 0:
                    pairs.append((overlap, gold_index, mention_index))
        pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
        gold_to_mention: dict[int, int] = {}
        used_mentions: set[int] = set()
        for _, gold_index, mention_index in pairs:
            if gold_index in gold_to_mention or mention_index in used_mentions:
                continue
            gold_to_mention[gold_index] = mention_index
            used_mentions.add(mention_index)

        for gold_index, row in doc_gold.iterrows():
            span = spans[gold_index]
            mention_index = gold_to_mention.get(gold_index)
            status = UNLOCATED if span is None else MATCHED if mention_index is not None else MISSED
            record: dict[str, object] = {
                "doc": doc,
                "para": row["para"],
                "gold_row": gold_index,
                "kind": row["kind"],
                "status": status,
                "doc_id": doc_id,
                "gold_start": span[0] if span else None,
                "gold_end": span[1] if span else None,
                "mention_row": mention_index,
            }
            mention = predicted.loc[mention_index] if mention_index is not None else None
            record["pred_start"] = int(mention["char_start"]) if mention is not None else None
            record["pred_end"] = int(mention["char_end"]) if mention is not None else None
            for field in fields:
                record[f"gold_{field}"] = row.get(field)
                record[f"pred_{field}"] = mention.get(field) if mention is not None else None
            records.append(record)

        paragraph_hulls = _paragraph_hulls(doc_gold, spans)
        for mention_index, mention in predicted.iterrows():
            if mention_index in used_mentions:
                continue
            start, end = int(mention["char_start"]), int(mention["char_end"])
            para = next((name for name, (lo, hi) in paragraph_hulls.items() if start < hi and end > lo), None)
            if para is None:
                continue
            record = {
                "doc": doc,
                "para": para,
                "gold_row": None,
                "kind": None,
                "status": SPURIOUS,
                "doc_id": doc_id,
                "gold_start": None,
                "gold_end": None,
                "mention_row": mention_index,
                "pred_start": start,
                "pred_end": end,
            }
            for field in fields:
                record[f"gold_{field}"] = None
                record[f"pred_{field}"] = mention.get(field)
            records.append(record)
    return pd.DataFrame.from_records(records)


def _paragraph_hulls(doc_gold: pd.DataFrame, spans: Mapping[int, tuple[int, int] | None]) -> dict[str, tuple[int, int]]:
    """Each annotated paragraph's span: from the start of its first located context to the end of its last.

    Contexts are used, not value spans, so that the words around the first and last number of a
    paragraph also count as annotated (a prediction there is a false positive, not ignored).
    """
    hulls: dict[str, tuple[int, int]] = {}
    for index, row in doc_gold.iterrows():
        span = spans.get(index)
        if span is None:
            continue
        lo, hi = span
        name = str(row["para"])
        if name in hulls:
            lo, hi = min(lo, hulls[name][0]), max(hi, hulls[name][1])
        hulls[name] = (lo, hi)
    return hulls


def score(aligned: pd.DataFrame, fields: Iterable[str] | Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """Precision, recall and F1 per field set, CQE style.

    For each field set: a located gold quantity with a matching prediction that agrees on all fields is
    a true positive; one that is missed or disagrees is a false negative, and a disagreeing prediction
    is also a false positive; predictions on non-quantity gold rows and spurious predictions inside
    annotated paragraphs are false positives. Unlocated gold rows are left out (fix the annotation).

    Args:
        aligned: from :func:`align`.
        fields: names of :data:`FIELD_SETS`, or a mapping name -> fields; default all of FIELD_SETS.

    Returns:
        One row per field set: field_set, tp, fp, fn, precision, recall, f1, n_gold, n_unlocated.
    """
    if fields is None:
        field_sets = dict(FIELD_SETS)
    elif isinstance(fields, Mapping):
        field_sets = {name: tuple(columns) for name, columns in fields.items()}
    else:
        field_sets = {name: FIELD_SETS[name] for name in fields}

    located = aligned[aligned["status"] != UNLOCATED] if len(aligned) else aligned
    quantities = located[(located["kind"] == QUANTITY) & located["status"].isin([MATCHED, MISSED])]
    non_quantity_hits = located[(located["kind"] != QUANTITY) & (located["status"] == MATCHED)]
    spurious = located[located["status"] == SPURIOUS]
    n_unlocated = int((aligned["status"] == UNLOCATED).sum()) if len(aligned) else 0

    rows = []
    for name, columns in field_sets.items():
        tp = fp = fn = 0
        for _, row in quantities.iterrows():
            if row["status"] == MISSED:
                fn += 1
            elif all(_field_equal(column, row[f"gold_{column}"], row[f"pred_{column}"]) for column in columns):
                tp += 1
            else:
                fn += 1
                fp += 1
        fp += len(non_quantity_hits) + len(spurious)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append(
            {
                "field_set": name,
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "n_gold": len(quantities),
                "n_unlocated": n_unlocated,
            }
        )
    return pd.DataFrame(rows)


def unlocated_rows(aligned: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """The gold rows whose context or value could not be found: annotation errors to fix."""
    indices = aligned.loc[aligned["status"] == UNLOCATED, "gold_row"].tolist()
    return gold.loc[indices]


def format_report(scores: pd.DataFrame) -> str:
    """A fixed-width text table of :func:`score` output, for printing."""
    header = f"{'field set':<28}{'P':>8}{'R':>8}{'F1':>8}{'TP':>6}{'FP':>6}{'FN':>6}"
    lines = [header, "-" * len(header)]
    for _, row in scores.iterrows():
        lines.append(
            f"{row['field_set']:<28}{100 * row['precision']:>8.1f}{100 * row['recall']:>8.1f}"
            f"{100 * row['f1']:>8.1f}{row['tp']:>6d}{row['fp']:>6d}{row['fn']:>6d}"
        )
    if len(scores):
        first = scores.iloc[0]
        lines.append(f"gold quantities located: {first['n_gold']}; gold rows not located: {first['n_unlocated']}")
    return "\n".join(lines)
