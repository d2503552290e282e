"""Hardened XML parsing for the parts of office containers (docx today, any zip-of-XML format later).

Every XML part a reader touches goes through :func:`parse_xml`: entities are never expanded, no DTD or
network resource is loaded, libxml2's size/depth limits stay on, and a part that declares a DTD at
all is rejected. Office Open XML forbids DTDs in its parts (ECMA-376 Part 2, §8.1.4), so a DOCTYPE is
a sign of a crafted file (billion laughs, external entities) rather than of an unusual producer.

:func:`reject_dtd` is the container-level check a reader runs on every XML member before any other
parser (python-docx's own included) sees the package: a raw scan for the markup declarations in the
encodings libxml2 detects by itself, then a hardened parse whose document info is authoritative
whatever the encoding or the length of the prolog.
"""

from __future__ import annotations

import re

from lxml import etree

from pipeline.readers.base import DocumentReadError

#: A DOCTYPE may only stand in the prolog, before the root element; this finds it in the raw bytes
#: even when the part is so broken that the parser gives up before reporting its docinfo.
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def _new_parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not thread-safe and keep error logs between runs.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def declares_dtd(data: bytes) -> bool:
    """Whether the XML bytes carry a DOCTYPE declaration in their prolog (UTF-8 or UTF-16).

    >>> declares_dtd(b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')
    True
    >>> declares_dtd(b"<a><![CDATA[<!DOCTYPE x>]]></a>")
    False
    """
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) > 1 and b"\x00" in head[:4]):
        encoding = "utf-16-be" if head.startswith(b"\xfe\xff") or head[:1] == b"\x00" else "utf-16-le"
        head = head.decode(encoding, errors="ignore").encode("utf-8")
    root_start = re.search(rb"<[A-Za-z_]", head)
    prolog = head if root_start is None else head[: root_start.start()]
    return _DOCTYPE.search(prolog) is not None


#: Markup declarations that only a DTD carries, in every encoding libxml2 detects without a declaration.
_DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)


def mentions_dtd(data: bytes) -> bool:
    """Whether ``<!DOCTYPE`` or ``<!ENTITY`` occurs anywhere in the bytes (UTF-8, UTF-16 or UTF-32).

    Stricter than :func:`declares_dtd`: it does not stop at 4 KiB nor trust where the prolog seems to
    end, so padding the prolog with comments cannot hide a DOCTYPE. In a well-formed part of a Word
    package these strings can only stand inside a comment or CDATA section, which Word never writes.

    >>> mentions_dtd(b"<!-- " + b" " * 10_000 + b' --><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a/>')
    True
    >>> mentions_dtd("<a>&lt;!DOCTYPE</a>".encode("utf-16"))
    False
    """
    return any(marker in data for marker in _DTD_MARKERS)


def reject_dtd(data: bytes, name: str = "XML part") -> None:
    """Raise when an XML part carries a DTD, however it is encoded or padded; malformed XML passes.

    Malformed parts are left to the reader that owns them (some are optional and only warned about);
    what this guarantees is that no parser later sees a DTD in a part that passed.

    Raises:
        DocumentReadError: "XML part NAME declares a DTD".
    """
    if mentions_dtd(data) or declares_dtd(data):
        raise DocumentReadError(f"XML part {name} declares a DTD")
    try:
        root = etree.fromstring(data, _new_parser())
    except etree.XMLSyntaxError:
        return
    if root is not None and _has_dtd(root):
        raise DocumentReadError(f"XML part {name} declares a DTD")


def _has_dtd(root: etree._Element) -> bool:
    docinfo = root.getroottree().docinfo
    return bool(docinfo.doctype) or docinfo.internalDTD is not None or docinfo.externalDTD is not None


def parse_xml(data: bytes, name: str = "XML part") -> etree._Element:
    """Parse one XML part safely and return its root element.

    Args:
        data: the raw bytes of the part.
        name: the part's name, used in error messages (e.g. "word/footnotes.xml").

    Raises:
        DocumentReadError: when the part declares a DTD or is not well-formed XML.

    >>> parse_xml(b"<a><b>1</b></a>").findtext("b")
    '1'
    >>> parse_xml(b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', "word/x.xml")
    Traceback (most recent call last):
    ...
    pipeline.readers.base.DocumentReadError: XML part word/x.xml declares a DTD
    """
    if declares_dtd(data):
        raise DocumentReadError(f"XML part {name} declares a DTD")
    try:
        root = etree.fromstring(data, _new_parser())
    except etree.XMLSyntaxError as exc:
        raise DocumentReadError(f"XML part {name} is not well-formed: {exc}") from exc
    if root is None:
        raise DocumentReadError(f"XML part {name} is empty")
    if _has_dtd(root):
        raise DocumentReadError(f"XML part {name} declares a DTD")
    return root
