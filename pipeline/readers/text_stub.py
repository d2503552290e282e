"""Word exports whose footnote references became "(" ⏎ ")" stubs and whose bodies follow the signature (002).

Nothing but order links a body to its reference, so both are keyed by their position (1, 2, ...).
"""

from __future__ import annotations

from pipeline.readers.base import DocumentBuilder
from pipeline.readers.text_lines import DumpLine, ParagraphDraft, emit_paragraph
from pipeline.readers.text_patterns import TextDumpPatterns


def _body_zone_start(lines: list[str], patterns: TextDumpPatterns) -> int:
    body_start = patterns.regex("stub_body_start")
    for index, line in enumerate(lines):
        if body_start.search(line):
            return index
    return len(lines)


def _next_non_blank(lines: list[str], index: int, stop: int) -> int | None:
    while index < stop:
        if lines[index].strip():
            return index
        index += 1
    return None


def read_stub_dump(lines: list[str], builder: DocumentBuilder, patterns: TextDumpPatterns) -> None:
    """Rebuild paragraphs split by reference stubs, link references and trailing bodies by order."""
    ref_open = patterns.regex("stub_ref_open")
    ref_close = patterns.regex("stub_ref_close")
    line_end = patterns.regex("hidden_ref_line_end")
    continuation = patterns.regex("hidden_ref_continuation")
    list_item = patterns.regex("list_item")
    zone = _body_zone_start(lines, patterns)

    references = 0
    index = 0
    while (index := _next_non_blank(lines, index, zone)) is not None:
        draft = ParagraphDraft.start(DumpLine(index + 1, lines[index]))
        last = index
        while True:
            following = _next_non_blank(lines, last + 1, zone)
            if following is None:
                break
            tail = lines[last].rstrip()
            stub = ref_open.search(tail) and ref_close.search(lines[following])
            # a reference reduced to a bare line break: the sentence simply goes on on the next physical line
            hidden = following == last + 1 and line_end.search(tail) and continuation.search(lines[following])
            if not (stub or hidden):
                break
            references += 1
            draft.add_reference_at_end(str(references), str(references))
            draft.extend(DumpLine(following + 1, lines[following]), "")
            last = following
        emit_paragraph(builder, draft, list_item)
        index = last + 1

    body_start = patterns.regex("stub_body_start")
    bodies: list[list[str]] = []
    for line in lines[zone:]:
        if body_start.search(line):
            bodies.append([body_start.sub("", line, count=1)])
        elif line.strip() and bodies:
            bodies[-1].append(line)
    for position, parts in enumerate(bodies, start=1):
        builder.add_footnote_body(str(position), " ".join(parts), marker=str(position))
