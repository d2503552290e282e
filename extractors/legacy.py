"""Legacy 8-bit Vietnamese encodings (TCVN3 / VNI): which fonts use them, how to decode them, how to spot them.

Pre-Unicode reports store Vietnamese in 8-bit fonts: a Word or PDF extractor shows each byte as the cp1252
character of the same code ("ViÖt Nam" for "Việt Nam" in TCVN3, "Vieät Nam" in VNI). The decoders here map
those characters back to Unicode with the tables of patterns/legacy_encodings.yaml. They are pure functions:
callers that know the font (docx runs, PDF characters) pass it; callers that do not (text dumps) use
:func:`detect_legacy_text`, a count of characters that only mojibake contains.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

from extractors.patterns_io import PATTERNS_DIR, PatternFileError, check_keys, compile_regex, load_yaml_mapping

LEGACY_PATH = PATTERNS_DIR / "legacy_encodings.yaml"
TCVN3 = "tcvn3"
VNI = "vni"
#: Tone marks in the order of the TCVN3 vowel rows: grave, hook, tilde, acute, dot.
_TCVN3_TONES = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
#: A PDF subset prefix ("ABCDEF+.VnTime") and a style suffix (".VnTimeH,Bold", "VNI-Times-BoldItalic").
_SUBSET_PREFIX = regex.compile(r"^[A-Z]{6}\+")
_STYLE_SUFFIX = regex.compile(r"(?i)[-,](?:bold|italic|oblique|regular|normal|roman|bolditalic|boldoblique|mt|ps)+$")


@dataclass(frozen=True, slots=True)
class FontEncoding:
    """The legacy encoding a font name implies.

    Attributes:
        encoding: "tcvn3" or "vni".
        upper_case: the font draws every letter as a capital (TCVN3 "H" fonts such as .VnTimeH).
    """

    encoding: str
    upper_case: bool = False


@dataclass(frozen=True, slots=True)
class LegacyExample:
    legacy: str
    unicode: str
    font: str | None = None


@dataclass(frozen=True, slots=True)
class DetectorExample:
    text: str
    expect: str | None


@dataclass(frozen=True, slots=True)
class LegacyTables:
    """The decoding tables, font-name rules and detector thresholds, as loaded from the YAML file."""

    tcvn3: Mapping[str, str]
    tcvn3_fonts: regex.Pattern[str]
    tcvn3_upper_fonts: regex.Pattern[str]
    tcvn3_hyphen_u_horn_after: frozenset[str]
    vni_letters: Mapping[str, str]
    vni_marks: Mapping[str, tuple[str, frozenset[str]]]
    vni_fonts: regex.Pattern[str]
    tcvn3_signs: frozenset[str]
    vni_signs: regex.Pattern[str]
    unicode_signs: regex.Pattern[str]
    min_share: float
    min_hits: int
    dominance: float
    examples: Mapping[str, tuple[LegacyExample, ...]]
    detector_examples: tuple[DetectorExample, ...]


@dataclass(frozen=True, slots=True)
class LegacyDetection:
    """What :func:`detect_legacy_text` counted and concluded (``encoding`` None = Unicode or unknown)."""

    encoding: str | None
    tcvn3_hits: int
    vni_hits: int
    unicode_hits: int
    letters: int

    @property
    def confidence(self) -> float:
        """Share of the signs that back the conclusion (0 when nothing was found)."""
        total = self.tcvn3_hits + self.vni_hits + self.unicode_hits
        if not total:
            return 0.0
        backing = {TCVN3: self.tcvn3_hits, VNI: self.vni_hits, None: self.unicode_hits}[self.encoding]
        return backing / total


def _byte_views(code: str, where: str) -> set[str]:
    """The characters a byte shows as: cp1252 (Word, most PDFs) and Latin-1 (some PDF text layers)."""
    try:
        value = int(code, 16)
    except (TypeError, ValueError) as exc:
        raise PatternFileError(f"{where}: {code!r} is not a hex byte") from exc
    if not 0 <= value <= 0xFF:
        raise PatternFileError(f"{where}: {code!r} is not a byte")
    views = {chr(value)}
    with contextlib.suppress(UnicodeDecodeError):  # five cp1252 codes are undefined; Latin-1 still covers them
        views.add(bytes([value]).decode("cp1252"))
    return views


def _load_tcvn3(section: Mapping[str, Any], where: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for vowel, codes in section["vowels"].items():
        if not isinstance(codes, list) or len(codes) != 1 + len(_TCVN3_TONES):
            raise PatternFileError(f"{where}.vowels.{vowel}: expected 6 codes (plain + 5 tones)")
        letters = [vowel] + [unicodedata.normalize("NFC", vowel + tone) for tone in _TCVN3_TONES]
        for code, letter in zip(codes, letters, strict=True):
            for view in _byte_views(str(code), f"{where}.vowels.{vowel}"):
                if view != letter:
                    table[view] = letter
    for code, letter in section["letters"].items():
        for view in _byte_views(str(code), f"{where}.letters"):
            table[view] = letter
    table.update(section.get("aliases") or {})
    return table


def _load_vni_marks(entries: Any, combining: Mapping[str, str], where: str) -> dict[str, tuple[str, frozenset[str]]]:
    marks: dict[str, tuple[str, frozenset[str]]] = {}
    for index, raw in enumerate(entries):
        entry = check_keys(raw, f"{where}.marks[{index}]", ("codes", "adds", "after"))
        unknown = [name for name in entry["adds"] if name not in combining]
        if unknown:
            raise PatternFileError(f"{where}.marks[{index}]: unknown mark(s) {unknown}")
        sequence = "".join(combining[name] for name in entry["adds"])
        for code in entry["codes"]:
            marks[code] = (sequence, frozenset(entry["after"]))
    return marks


def _examples(section: Mapping[str, Any], where: str) -> tuple[LegacyExample, ...]:
    examples = []
    for index, raw in enumerate(section.get("examples") or []):
        entry = check_keys(raw, f"{where}.examples[{index}]", ("legacy", "unicode"), ("font",))
        examples.append(LegacyExample(entry["legacy"], entry["unicode"], entry.get("font")))
    if not examples:
        raise PatternFileError(f"{where}: needs at least one example")
    return tuple(examples)


@lru_cache(maxsize=4)
def load_legacy_tables(path: Path = LEGACY_PATH) -> LegacyTables:
    """Load and validate patterns/legacy_encodings.yaml (cached)."""
    data = check_keys(load_yaml_mapping(path), path.name, ("version", "tcvn3", "vni", "combining", "detector"))
    where = path.name
    tcvn3 = check_keys(
        data["tcvn3"],
        f"{where}:tcvn3",
        ("fonts", "upper_case_fonts", "vowels", "letters", "pdf_hyphen_u_horn_after", "examples"),
        ("why", "aliases"),
    )
    vni = check_keys(data["vni"], f"{where}:vni", ("fonts", "letters", "marks", "examples"), ("why",))
    detector = check_keys(
        data["detector"],
        f"{where}:detector",
        ("tcvn3_signs", "vni_signs", "unicode_signs", "min_share", "min_hits", "dominance", "examples"),
    )
    detector_examples = tuple(
        DetectorExample(entry["text"], entry["expect"])
        for index, raw in enumerate(detector["examples"])
        if (entry := check_keys(raw, f"{where}:detector.examples[{index}]", ("text", "expect")))
    )
    return LegacyTables(
        tcvn3=_load_tcvn3(tcvn3, f"{where}:tcvn3"),
        tcvn3_fonts=compile_regex(tcvn3["fonts"], f"{where}:tcvn3.fonts", regex.IGNORECASE),
        tcvn3_hyphen_u_horn_after=frozenset(tcvn3["pdf_hyphen_u_horn_after"]),
        tcvn3_upper_fonts=compile_regex(tcvn3["upper_case_fonts"], f"{where}:tcvn3.upper_case_fonts", regex.IGNORECASE),
        vni_letters=dict(vni["letters"]),
        vni_marks=_load_vni_marks(vni["marks"], data["combining"], f"{where}:vni"),
        vni_fonts=compile_regex(vni["fonts"], f"{where}:vni.fonts", regex.IGNORECASE),
        tcvn3_signs=frozenset(detector["tcvn3_signs"]),
        vni_signs=compile_regex(detector["vni_signs"], f"{where}:detector.vni_signs"),
        unicode_signs=compile_regex(detector["unicode_signs"], f"{where}:detector.unicode_signs"),
        min_share=float(detector["min_share"]),
        min_hits=int(detector["min_hits"]),
        dominance=float(detector["dominance"]),
        examples={TCVN3: _examples(tcvn3, f"{where}:tcvn3"), VNI: _examples(vni, f"{where}:vni")},
        detector_examples=detector_examples,
    )


def clean_font_name(name: str) -> str:
    """A font name without its PDF subset prefix and style suffix.

    >>> clean_font_name("ABCDEF+.VnTimeH,Bold")
    '.VnTimeH'
    """
    name = _SUBSET_PREFIX.sub("", name.strip())
    return _STYLE_SUFFIX.sub("", name).strip()


def font_encoding(font_name: str | None, tables: LegacyTables) -> FontEncoding | None:
    """The legacy encoding a font name implies, or None for a Unicode font.

    >>> tables = load_legacy_tables()
    >>> font_encoding(".VnTimeH", tables), font_encoding("VNI-Times", tables), font_encoding("Times New Roman", tables)
    (FontEncoding(encoding='tcvn3', upper_case=True), FontEncoding(encoding='vni', upper_case=False), None)
    """
    if not font_name:
        return None
    name = clean_font_name(font_name)
    if tables.tcvn3_fonts.search(name):
        return FontEncoding(TCVN3, bool(tables.tcvn3_upper_fonts.search(name)))
    if tables.vni_fonts.search(name):
        return FontEncoding(VNI)
    return None


def _upper(char: str) -> str:
    upper = char.upper()
    return upper if len(upper) == 1 else char  # "ß" -> "SS" would shift every offset after it


def decode_tcvn3(text: str, tables: LegacyTables, *, upper_case: bool = False) -> str:
    """Decode TCVN3 text (one character per byte, so offsets are kept); ``upper_case`` for "H" fonts.

    >>> decode_tcvn3("ViÖt Nam", load_legacy_tables())
    'Việt Nam'
    """
    decoded = "".join(tables.tcvn3.get(char, char) for char in text)
    return "".join(_upper(char) for char in decoded) if upper_case else decoded


def decode_vni(text: str, tables: LegacyTables) -> str:
    """Decode VNI text: a base vowel and the mark code after it become one letter.

    >>> decode_vni("Vieät Nam", load_legacy_tables())
    'Việt Nam'
    """
    out: list[str] = []
    for char in text:
        letter = tables.vni_letters.get(char)
        mark = tables.vni_marks.get(char)
        if mark is not None and out and out[-1] in mark[1]:
            out[-1] = unicodedata.normalize("NFC", out[-1] + mark[0])
        elif letter is not None:
            out.append(letter)
        else:
            out.append(char)
    return "".join(out)


def decode_legacy(text: str, font: FontEncoding, tables: LegacyTables) -> str:
    """Decode text written in a legacy font."""
    if font.encoding == TCVN3:
        return decode_tcvn3(text, tables, upper_case=font.upper_case)
    decoded = decode_vni(text, tables)
    return "".join(_upper(char) for char in decoded) if font.upper_case else decoded


def tcvn3_hyphen_is_u_horn(before: str, after: str, tables: LegacyTables) -> bool:
    """Whether a "-" that a PDF text layer shows between ``before`` and ``after`` (TCVN3 font) is the letter ư.

    >>> tables = load_legacy_tables()
    >>> tcvn3_hyphen_is_u_horn("r", "ë", tables), tcvn3_hyphen_is_u_horn("Õ", "x", tables)
    (True, False)
    """
    return before in tables.tcvn3_hyphen_u_horn_after and after.isalpha() and after == after.lower()


def encoding_label(counts: Mapping[str, int], unit: str = "runs") -> str | None:
    """Name what was decoded: one legacy encoding alone ("tcvn3"), a mix ("utf-8+tcvn3-runs"), or None.

    Args:
        counts: encoding ("utf-8", "tcvn3", "vni") -> number of runs or characters with letters.
        unit: what was counted, for the mixed label.

    >>> encoding_label({"utf-8": 3, "tcvn3": 40}), encoding_label({"tcvn3": 9}), encoding_label({"utf-8": 5})
    ('utf-8+tcvn3-runs', 'tcvn3', None)
    """
    legacy = sorted(name for name, count in counts.items() if name != "utf-8" and count)
    if not legacy:
        return None
    if not counts.get("utf-8") and len(legacy) == 1:
        return legacy[0]
    return "+".join(["utf-8", *(f"{name}-{unit}" for name in legacy)])


def detect_legacy_text(text: str, tables: LegacyTables, sample: int = 200_000) -> LegacyDetection:
    """Tell TCVN3 or VNI mojibake from real Unicode Vietnamese by counting characters only each can contain.

    >>> tables = load_legacy_tables()
    >>> detect_legacy_text("T×nh h×nh thùc hiÖn KÕ ho¹ch ph¸t triÓn kinh tÕ - x· héi n¨m", tables).encoding
    'tcvn3'
    """
    head = text[:sample]
    letters = sum(1 for char in head if char.isalpha())
    tcvn3_hits = sum(1 for char in head if char in tables.tcvn3_signs)
    vni_hits = len(tables.vni_signs.findall(head))
    unicode_hits = len(tables.unicode_signs.findall(head))
    encoding = None
    floor = max(tables.min_hits, tables.min_share * letters)
    if tcvn3_hits >= floor and tcvn3_hits >= tables.dominance * unicode_hits and tcvn3_hits > vni_hits:
        encoding = TCVN3
    elif vni_hits >= floor and vni_hits >= tables.dominance * unicode_hits and vni_hits > tcvn3_hits:
        encoding = VNI
    return LegacyDetection(encoding, tcvn3_hits, vni_hits, unicode_hits, letters)


def decode_detected(text: str, encoding: str, tables: LegacyTables) -> str:
    """Decode a whole text in the encoding :func:`detect_legacy_text` found (no font: no H-font capitals)."""
    return decode_legacy(text, FontEncoding(encoding), tables)
