"""The section outline of a report: numbered parts and headings, front matter and back matter.

:func:`build_outline` reads the blocks of a :class:`~extractors.model.Document` and finds the blocks that open a
section from the label grammar of ``patterns/sections.yaml`` alone (plain-text dumps carry no styles), so the same
report gives the same outline from .txt, .docx and .pdf.

Decisions (seeds-structure.md §1.3-§6.5 lists the cases):

* **Which blocks are sections.** A block opens a section when it starts with a label (part, letter, roman, arabic,
  dec2, dec3, alpha) and is a *heading* (label + title, nothing else), a *run-in heading* (label + short title + ":"
  + body text; the title is the text before the first colon) or a *part* (label alone, ALL-CAPS title on the next
  one or two blocks). A labelled block that is body text is a *numbered paragraph* and opens no section:

  - a colon with body text after it makes a run-in heading only when the text before it is at most
    ``run_in_title_max_chars`` long and holds no sentence break; otherwise the colon rule does not apply;
  - a block longer than ``heading_max_chars`` is a paragraph;
  - a block that ends like a sentence ("." or ";") is a paragraph when it is longer than
    ``sentence_heading_max_chars``, holds a sentence break, or is not followed by body text (the next block is the
    end, a part, a same-type label or an ancestor-type label; 004 "5. Các chỉ tiêu khác tại Phụ lục …" before
    "Phần thứ ba");
  - part, letter and roman labels are always sections (no corpus report numbers paragraphs with them).

  "(1) … (21)" target lines, "- " / "+ " / "* " items and "Một là," paragraphs have no label in this grammar and are
  body text. Table cells, footnote bodies, running headers and FRONT_MATTER / BACK_MATTER blocks are never headings.
* **Depth** comes from the order in which label types appear: a label whose type is on the stack of open sections
  closes that section and becomes its sibling; a type already seen as a child of an open section becomes a child of
  it again; any other type becomes a child of the innermost open section. So 001 B. and 004 "Phần thứ ba" get
  arabic children at depth 2, and 003's second "III." is a sibling of the first.
* **Numbered paragraphs close their same-type sibling section**: 003 III "4." (a paragraph) ends section "3." so
  the paragraph belongs to "III.", not to "3.". A section therefore ends at the next section of the same or a higher
  level, at such a paragraph, or at the start of the back matter / the end of the body.
* **Wrapped headings** (a PDF heading that arrives as two or three blocks): a heading whose title does not end in
  ".", ":" or ";" absorbs the next block when that block has no label, is not a list item or back matter, is short,
  and either both are ALL CAPS, the next block starts in lower case, or both are HEADING blocks; a first line long
  enough to have been wrapped by the page width (``wrapped_line_min_chars``) also absorbs the next one or two blocks
  when they end the heading with ":". A short unpunctuated heading never swallows the paragraph after it.
* **Front matter** is the run of blocks before the first section that are layout-table cells, FRONT_MATTER blocks,
  front-matter cues (kind, number, motto, place/date, draft mark, "Kính gửi", issuer, rules), the title blocks after
  the kind line, and short lower-case continuations of the addressee. **Back matter** starts at the first block after
  the last section heading that is a back-matter cue (closing "Trên đây là …"/"./.", "Nơi nhận", signature).
* **Plan parts**: a depth-1 section whose title matches a plan cue and no result cue is a plan part, and every
  section below it inherits the flag; in a "kế hoạch" document the root (and so every section) is a plan part.

Titles are stored normalised for comparison: whitespace collapsed and trailing ":", "." and ";" removed (the
canonical text is already NFC and free of footnote markers).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import regex

from extractors.model import NON_BODY_KINDS, Block, BlockKind, Document, Footnote
from extractors.patterns_io import (
    PATTERNS_DIR,
    NamedPattern,
    PatternFileError,
    check_keys,
    compile_regex,
    load_yaml_mapping,
    named_patterns,
    string_list,
)
from extractors.text import fold_for_matching

SECTIONS_PATH = PATTERNS_DIR / "sections.yaml"

#: Label types in the order they are tried (dec3 before dec2 before arabic).
LABEL_TYPES = ("part", "letter", "roman", "dec3", "dec2", "arabic", "alpha")
#: Label types whose blocks are always sections, never numbered paragraphs.
ALWAYS_SECTION_TYPES = frozenset({"part", "letter", "roman"})
_NEVER_HEADING_KINDS = NON_BODY_KINDS | {BlockKind.TABLE_CELL, BlockKind.FRONT_MATTER, BlockKind.BACK_MATTER}
_TRAILING_PUNCT = " :.;"
#: The entries of ``shapes:`` in sections.yaml, each a field of :class:`SectionRules`.
SHAPE_NAMES = ("sentence_break", "list_start", "bullet")


class SectionKind(StrEnum):
    ROOT = "root"
    PART = "part"
    HEADING = "heading"
    RUN_IN = "run_in"


@dataclass(frozen=True, slots=True)
class LabelRule:
    """One label type: the regex (group "label"), examples ``(text, label)`` and counterexamples."""

    name: str
    regex: regex.Pattern[str]
    examples: tuple[tuple[str, str], ...]
    counterexamples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SectionLimits:
    heading_max_chars: int
    run_in_title_max_chars: int
    sentence_heading_max_chars: int
    continuation_max_chars: int
    wrapped_line_min_chars: int
    part_title_max_blocks: int
    title_max_blocks: int
    title_max_chars: int


@dataclass(frozen=True, slots=True)
class SectionRules:
    """Everything ``patterns/sections.yaml`` defines (see :func:`load_section_rules`)."""

    labels: tuple[LabelRule, ...]
    limits: SectionLimits
    front_matter: tuple[NamedPattern, ...]
    body_start: tuple[NamedPattern, ...]
    back_matter: tuple[NamedPattern, ...]
    plan_cues: tuple[NamedPattern, ...]
    result_cues: tuple[NamedPattern, ...]
    plan_doc_kinds: tuple[str, ...]
    #: Shapes read on the unfolded text: where a sentence ends inside a block (``sentence_break``), what
    #: opens a list entry (``list_start``) and a bullet line of a PDF (``bullet``).
    sentence_break: NamedPattern
    list_start: NamedPattern
    bullet: NamedPattern


@dataclass(frozen=True, slots=True)
class Section:
    """One section of the outline.

    Attributes:
        section_id: position in :attr:`Outline.sections`; 0 is the synthetic root (the preamble).
        parent_id: id of the enclosing section, None for the root.
        depth: 1 = top level, 0 for the root.
        label: the label as written ("PHẦN I", "I.", "1.2.", "a)"); "" for the root.
        title: normalised title (whitespace collapsed, trailing ":" / "." removed).
        path: labels from the top down joined by " > ".
        char_start, char_end: half-open span of the section in ``Document.text``, body included.
        kind: root, part, heading or run_in.
        is_plan_part: True inside a plan part ("phương hướng, nhiệm vụ …"), inherited by children.
        label_type: the label type that matched (part, letter, roman, arabic, dec2, dec3, alpha).
    """

    section_id: int
    parent_id: int | None
    depth: int
    label: str
    title: str
    path: str
    char_start: int
    char_end: int
    kind: SectionKind
    is_plan_part: bool = False
    label_type: str = ""


@dataclass(frozen=True, slots=True)
class Outline:
    """Sections in document order (``sections[0]`` is the root) and the front/back matter boundaries.

    ``front_matter_end`` is the offset where the front matter ends (0 when there is none);
    ``back_matter_start`` the offset where the back matter starts, None when there is none.
    """

    sections: list[Section]
    front_matter_end: int
    back_matter_start: int | None
    doc_kind: str | None = None


# ---------------------------------------------------------------------------------------------------- rules


def _label_rules(raw: object) -> tuple[LabelRule, ...]:
    labels = check_keys(raw, "labels", LABEL_TYPES)
    rules = []
    for name in LABEL_TYPES:
        where = f"labels.{name}"
        entry = check_keys(labels[name], where, ("pattern", "examples"), ("counterexamples", "why"))
        examples = []
        for index, example in enumerate(entry["examples"] or []):
            example = check_keys(example, f"{where}.examples[{index}]", ("text", "label"))
            examples.append((str(example["text"]), str(example["label"])))
        if not examples:
            raise PatternFileError(f"{where}: needs at least one example")
        rules.append(
            LabelRule(
                name=name,
                regex=compile_regex(entry["pattern"], where),
                examples=tuple(examples),
                counterexamples=string_list(entry.get("counterexamples"), f"{where}.counterexamples", non_empty=False),
            )
        )
    return tuple(rules)


@lru_cache(maxsize=4)
def load_section_rules(path: Path = SECTIONS_PATH) -> SectionRules:
    """Load and validate ``patterns/sections.yaml``; raises :class:`PatternFileError` on any defect."""
    data = check_keys(
        load_yaml_mapping(path),
        path.name,
        ("version", "labels", "limits", "front_matter", "body_start", "back_matter", "plan_part", "shapes"),
    )
    limit_names = [f.name for f in SectionLimits.__dataclass_fields__.values()]
    limits = check_keys(data["limits"], "limits", limit_names)
    for name in limit_names:
        if not isinstance(limits[name], int) or limits[name] <= 0:
            raise PatternFileError(f"limits.{name}: must be a positive integer")
    plan = check_keys(data["plan_part"], "plan_part", ("plan_cues", "result_cues", "plan_doc_kinds"))
    shapes = {shape.name: shape for shape in named_patterns(data["shapes"], "shapes")}
    if sorted(shapes) != sorted(SHAPE_NAMES):
        raise PatternFileError(f"shapes: expected exactly {', '.join(SHAPE_NAMES)}, got {', '.join(sorted(shapes))}")
    return SectionRules(
        labels=_label_rules(data["labels"]),
        limits=SectionLimits(**{name: limits[name] for name in limit_names}),
        front_matter=named_patterns(data["front_matter"], "front_matter"),
        body_start=named_patterns(data["body_start"], "body_start"),
        back_matter=named_patterns(data["back_matter"], "back_matter"),
        plan_cues=named_patterns(plan["plan_cues"], "plan_part.plan_cues"),
        result_cues=named_patterns(plan["result_cues"], "plan_part.result_cues"),
        plan_doc_kinds=string_list(plan["plan_doc_kinds"], "plan_part.plan_doc_kinds", non_empty=True),
        **{name: shapes[name] for name in SHAPE_NAMES},
    )


# ---------------------------------------------------------------------------------------------------- labels


@dataclass(frozen=True, slots=True)
class LabelMatch:
    label_type: str
    label: str
    rest: str  # the text after the label, stripped


def match_label(text: str, rules: SectionRules) -> LabelMatch | None:
    """The label a block starts with, if any.

    >>> match_label("3.Về văn hóa - xã hội", load_section_rules())
    LabelMatch(label_type='arabic', label='3.', rest='Về văn hóa - xã hội')
    >>> match_label("2.503 văn bản hành chính khác", load_section_rules()) is None
    True
    """
    stripped = text.lstrip()
    for rule in rules.labels:
        found = rule.regex.match(stripped)
        if found:
            return LabelMatch(rule.name, found.group("label"), stripped[found.end("label") :].strip())
    return None


def _is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and not any(c.islower() for c in letters)


def normalize_title(title: str) -> str:
    """Collapse whitespace and drop trailing ":", "." and ";".

    >>> normalize_title("Công nghiệp – TTCN:  ")
    'Công nghiệp – TTCN'
    """
    return " ".join(title.split()).rstrip(_TRAILING_PUNCT)


def _any(patterns: Sequence[NamedPattern], folded: str) -> NamedPattern | None:
    return next((p for p in patterns if p.search(folded)), None)


# ---------------------------------------------------------------------------------------------------- outline


@dataclass(slots=True)
class _Open:
    """An open section while the outline is built."""

    index: int  # index in the sections list
    label_type: str
    child_types: set[str]


@dataclass(slots=True)
class _Candidate:
    block_index: int
    label: LabelMatch
    kind: SectionKind | None  # None = numbered paragraph
    title: str
    last_block: int  # index of the last block the heading spans (part titles, wrapped lines)


class _OutlineBuilder:
    def __init__(self, document: Document, rules: SectionRules) -> None:
        self.document = document
        self.rules = rules
        self.limits = rules.limits
        self.blocks: list[Block] = [b for b in document.blocks if b.kind not in NON_BODY_KINDS]
        self.texts = [document.block_text(b) for b in self.blocks]
        self.labels: list[LabelMatch | None] = [
            None if b.kind in _NEVER_HEADING_KINDS else match_label(t, rules)
            for b, t in zip(self.blocks, self.texts, strict=True)
        ]
        self.body_end = self.blocks[-1].end if self.blocks else 0

    # -------------------------------------------------------------- classification of one labelled block

    def _followed_by_body(self, index: int, label_type: str, ancestor_types: set[str]) -> bool:
        if index + 1 >= len(self.blocks):
            return False
        following = self.labels[index + 1]
        if following is None:
            return not self._is_back_matter(index + 1)
        return not (following.label_type in ancestor_types or following.label_type in {"part", label_type})

    def _classify(self, index: int, found: LabelMatch, ancestor_types: set[str]) -> tuple[SectionKind | None, str]:
        limits, rest, text = self.limits, found.rest, self.texts[index]
        always = found.label_type in ALWAYS_SECTION_TYPES
        colon = rest.find(":")
        if colon >= 0:
            before, after = rest[:colon].strip(), rest[colon + 1 :].strip()
            if not after and (always or len(text) <= limits.heading_max_chars):
                return SectionKind.HEADING, before
            if after and len(before) <= limits.run_in_title_max_chars and not self.rules.sentence_break.search(before):
                return SectionKind.RUN_IN, before
        if always:
            return SectionKind.HEADING, rest
        if len(text) > limits.heading_max_chars:
            return None, ""
        body = rest.rstrip()
        sentence_like = body.endswith((".", ";")) and not body.endswith("./.")
        if sentence_like and (
            len(text) > limits.sentence_heading_max_chars
            or self.rules.sentence_break.search(body[:-1])
            or not self._followed_by_body(index, found.label_type, ancestor_types)
        ):
            return None, ""
        return SectionKind.HEADING, rest

    def _part_title(self, index: int, found: LabelMatch) -> tuple[str, int]:
        if found.rest:
            return found.rest, index
        parts, last = [], index
        for following in range(index + 1, min(index + 1 + self.limits.part_title_max_blocks, len(self.blocks))):
            block, text = self.blocks[following], self.texts[following]
            if block.kind in _NEVER_HEADING_KINDS or self.labels[following] is not None or not _is_all_caps(text):
                break
            parts.append(text)
            last = following
        return " ".join(parts), last

    def _may_continue(self, index: int) -> bool:
        """Whether block ``index`` could be the next line of a wrapped heading at all."""
        if index >= len(self.blocks) or self.labels[index] is not None:
            return False
        block, text = self.blocks[index], self.texts[index]
        if (
            block.kind in _NEVER_HEADING_KINDS
            or block.kind == BlockKind.LIST_ITEM
            or self.rules.list_start.search(text)
        ):
            return False
        return len(text) <= self.limits.continuation_max_chars and not self._is_back_matter(index)

    def _surely_continues(self, title: str, heading_block: Block, index: int) -> bool:
        text, block = self.texts[index], self.blocks[index]
        return (
            (_is_all_caps(title) and _is_all_caps(text))
            or text[:1].islower()
            or (heading_block.kind == BlockKind.HEADING and block.kind == BlockKind.HEADING)
        )

    def _wrapped_title(self, index: int, title: str) -> tuple[str, int]:
        """Join the blocks that continue a heading broken over several blocks (see the module docstring).

        Besides the sure signs (ALL CAPS on both, a lower-case start, two HEADING blocks), a line that filled the
        page width is continued by the next one or two blocks when they end the heading with ":".
        """
        last, heading_block = index, self.blocks[index]
        wrapped = len(self.texts[index]) >= self.limits.wrapped_line_min_chars
        while not title.rstrip().endswith((".", ":", ";")) and last - index < 3:
            following = last + 1
            if not self._may_continue(following):
                break
            if self._surely_continues(title, heading_block, following) or (
                wrapped and self.texts[following].endswith(":")
            ):
                take = [following]
            elif (
                wrapped
                and last - index < 2
                and self._may_continue(following + 1)
                and self.texts[following + 1].endswith(":")
            ):
                take = [following, following + 1]
            else:
                break
            for taken in take:
                title = f"{title} {self.texts[taken]}"
            last = take[-1]
        return title, last

    # -------------------------------------------------------------- front / back matter

    def _back_matter_offset(self, index: int) -> int | None:
        """Where the back matter starts if block ``index`` opens it (see the "at" group in sections.yaml)."""
        block = self.blocks[index]
        if block.kind == BlockKind.BACK_MATTER:
            return block.start
        folded = fold_for_matching(self.texts[index])
        for cue in self.rules.back_matter:
            found = cue.search(folded)
            if found:
                at = found.start("at") if "at" in cue.regex.groupindex else -1
                return block.start + at if at >= 0 else block.start
        return None

    def _is_back_matter(self, index: int) -> bool:
        return self._back_matter_offset(index) is not None

    def front_matter(self, first_section: int) -> tuple[int, str | None]:
        """Index of the last front-matter block (-1 if none) and the document kind named there."""
        last, doc_kind, title_blocks, mode = -1, None, 0, ""
        for index in range(first_section):
            block, text = self.blocks[index], self.texts[index]
            folded = fold_for_matching(text)
            cue = _any(self.rules.front_matter, folded) if len(text) <= self.limits.title_max_chars else None
            if block.kind == BlockKind.FRONT_MATTER or block.layout_table or cue is not None:
                last, title_blocks = index, 0
                mode = cue.name if cue is not None else ""
                kind_match = cue.search(folded) if cue is not None and "kind" in cue.regex.groupindex else None
                if kind_match is not None:
                    doc_kind = kind_match.group("kind")
                continue
            if _any(self.rules.body_start, folded) is not None:
                break
            if (
                mode == "doc_kind"
                and title_blocks < self.limits.title_max_blocks
                and len(text) <= self.limits.title_max_chars
                and self.labels[index] is None
            ):
                last, title_blocks = index, title_blocks + 1
                continue
            if mode == "addressee" and text[:1].islower() and len(text) <= self.limits.continuation_max_chars:
                last = index
                continue
            if doc_kind is None and _is_all_caps(text) and len(text) <= self.limits.continuation_max_chars:
                last = index  # issuer lines above the kind line ("PHƯỜNG KON TUM")
                continue
            break
        return last, doc_kind

    # -------------------------------------------------------------- the outline

    def build(self) -> Outline:
        candidates: list[_Candidate] = []
        sections: list[Section] = []
        stack: list[_Open] = []
        root_children: set[str] = set()
        ends: dict[int, int] = {}  # section index -> char_end once known

        def close_from(position: int, at: int) -> None:
            for open_section in stack[position:]:
                ends[open_section.index] = at
            del stack[position:]

        index = 0
        while index < len(self.blocks):
            found = self.labels[index]
            if found is None:
                index += 1
                continue
            ancestor_types = {o.label_type for o in stack}
            if found.label_type == "part":
                title, last = self._part_title(index, found)
                kind: SectionKind | None = SectionKind.PART
            else:
                kind, title = self._classify(index, found, ancestor_types)
                last = index
                if kind == SectionKind.HEADING:
                    title, last = self._wrapped_title(index, title)
            candidates.append(_Candidate(index, found, kind, title, last))
            start = self.blocks[index].start
            sibling = next((k for k in range(len(stack) - 1, -1, -1) if stack[k].label_type == found.label_type), None)
            if kind is None:
                if sibling is not None:  # a numbered paragraph ends its same-type sibling section
                    close_from(sibling, start)
                index = last + 1
                continue
            if sibling is not None:
                close_from(sibling, start)
            else:
                owner = next(
                    (k for k in range(len(stack) - 1, -1, -1) if found.label_type in stack[k].child_types), None
                )
                if owner is not None:
                    close_from(owner + 1, start)
                elif found.label_type in root_children:
                    close_from(0, start)
            parent = stack[-1] if stack else None
            (parent.child_types if parent else root_children).add(found.label_type)
            parent_index = parent.index if parent else 0
            parent_section = sections[parent_index - 1] if parent else None
            path_prefix = parent_section.path + " > " if parent_section else ""
            section = Section(
                section_id=len(sections) + 1,
                parent_id=parent_index,
                depth=len(stack) + 1,
                label=found.label,
                title=normalize_title(title),
                path=path_prefix + found.label,
                char_start=start,
                char_end=-1,
                kind=kind,
                label_type=found.label_type,
            )
            sections.append(section)
            stack.append(_Open(section.section_id, found.label_type, set()))
            index = last + 1

        first_section_block = next((c.block_index for c in candidates if c.kind is not None), len(self.blocks))
        last_front, doc_kind = self.front_matter(first_section_block)
        front_matter_end = self.blocks[last_front].end if last_front >= 0 else 0
        last_heading_block = max((c.last_block for c in candidates if c.kind is not None), default=last_front)
        back_matter_start = None
        for block_index in range(last_heading_block + 1, len(self.blocks)):
            back_matter_start = self._back_matter_offset(block_index)
            if back_matter_start is not None:
                break
        region_end = back_matter_start if back_matter_start is not None else self.body_end
        close_from(0, region_end)

        root_plan = doc_kind in self.rules.plan_doc_kinds if doc_kind else False
        root = Section(
            section_id=0,
            parent_id=None,
            depth=0,
            label="",
            title="",
            path="",
            char_start=front_matter_end,
            char_end=region_end,
            kind=SectionKind.ROOT,
            is_plan_part=root_plan,
        )
        finished = [root]
        for section in sections:
            parent = finished[section.parent_id or 0]
            plan = parent.is_plan_part
            if section.depth == 1 and not plan:
                folded = fold_for_matching(f"{section.label} {section.title}")
                plan = _any(self.rules.plan_cues, folded) is not None and _any(self.rules.result_cues, folded) is None
            end = min(max(ends.get(section.section_id, region_end), section.char_start), region_end)
            finished.append(replace(section, char_end=end, is_plan_part=plan))
        return Outline(
            sections=finished,
            front_matter_end=front_matter_end,
            back_matter_start=back_matter_start,
            doc_kind=doc_kind,
        )


def build_outline(document: Document, rules: SectionRules | None = None) -> Outline:
    """Find the sections of ``document`` (see the module docstring for the rules).

    Args:
        document: the canonical document from any reader.
        rules: the parsed ``patterns/sections.yaml``; loaded from the default path when omitted.

    Returns:
        The outline; ``sections[0]`` is the synthetic root that holds the preamble.
    """
    return _OutlineBuilder(document, rules or load_section_rules()).build()


def section_at(outline: Outline, offset: int, footnotes: Sequence[Footnote] = ()) -> Section:
    """The innermost section whose span contains ``offset``; the root when none does.

    Footnote bodies sit after the body text; pass ``document.footnotes`` and an offset inside a footnote body is
    first moved to where its reference stood, so the body belongs to the section of its reference.
    """
    for footnote in footnotes:
        if footnote.body_start <= offset < footnote.body_end and footnote.ref_start is not None:
            offset = footnote.ref_start
            break
    sections = outline.sections
    # Sections are nested and in document order: the innermost one holding the offset is the last one starting
    # before it or one of that section's ancestors.
    position = bisect.bisect_right([s.char_start for s in sections], offset) - 1
    while position > 0:
        candidate = sections[position]
        if candidate.char_start <= offset < candidate.char_end:
            return candidate
        position = candidate.parent_id or 0
    return sections[0]
