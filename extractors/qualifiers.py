"""How exact a value is: ước / sơ bộ / khoảng / hơn / trên / dưới / trở lên ... (``patterns/qualifiers.yaml``).

Local cues sit right before the number (``before``) or right after it and its unit (``after``);
clause cues ("ước", "dự kiến", "sơ bộ") govern everything after them in the clause and, for table
cells, come from the column header. When several fire, the file's ``precedence`` picks one and the
others are returned as flags ``qualifier:<name>``.
"""

from __future__ import annotations

from extractors.lexicon import Lexicon
from extractors.measures import Frame, before_window
from extractors.model import Qualifier
from extractors.rules import match_at, search_first


def decide_qualifier(frame: Frame, lexicon: Lexicon) -> tuple[Qualifier, tuple[str, ...], tuple[str, ...]]:
    """Return ``(qualifier, extra flags, rule ids)`` for the number of ``frame``.

    >>> from extractors.lexicon import load_lexicon
    >>> s = "ước khoảng 18.938,78 tỷ đồng"
    >>> decide_qualifier(Frame(s, 11, 20, 28, 0, 0, "VND", (), False), load_lexicon())[:2]
    (<Qualifier.ESTIMATE: 'estimate'>, ('qualifier:approx',))
    """
    fired: dict[Qualifier, str] = {}
    before_text = before_window(frame)
    for rule in lexicon.qualifiers:
        if rule.qualifier in fired:
            continue
        hit = False
        if rule.before is not None and rule.after is not None:
            hit = bool(search_first(rule.before, before_text)) and bool(
                match_at(rule.after, frame.folded, frame.unit_end)
            )
        elif rule.before is not None:
            hit = bool(search_first(rule.before, before_text))
        elif rule.after is not None:
            hit = bool(match_at(rule.after, frame.folded, frame.unit_end))
        if not hit and rule.clause is not None:
            hit = bool(search_first(rule.clause, frame.folded, frame.clause_start, frame.start)) or bool(
                frame.header and search_first(rule.clause, frame.header)
            )
        if hit:
            fired[rule.qualifier] = rule.id
    if not fired:
        return Qualifier.EXACT, (), ()
    ordered = sorted(fired, key=lexicon.qualifier_precedence.index)
    chosen = ordered[0]
    extra = tuple(f"qualifier:{q.value}" for q in ordered[1:])
    return chosen, extra, tuple(fired[q] for q in ordered)
