"""Format detection from a source's bytes, with its name as a hint."""
from __future__ import annotations

import io
import zipfile

from kb.errors import EmptyDocument, UnsupportedFormat

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
# Share of control characters above which bytes are taken for binary data.
MAX_CONTROL_SHARE = 0.01


def detect_format(data: bytes, name: str, source: str | None = None) -> str:
    """Return "pdf", "docx", "html" or "text" for the bytes of a source.

    The file name is a hint; errors name the source as the user gave it.
    """
    lower = name.lower()
    name = source or name
    if not data.strip():
        raise EmptyDocument("the file is empty", name)
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if _is_docx(data):
            return "docx"
        raise UnsupportedFormat("a ZIP archive that is not a Word (.docx) document", name)
    if lower.endswith(".pdf"):
        raise UnsupportedFormat("named .pdf but does not start like a PDF file", name)
    if lower.endswith(".docx"):
        raise UnsupportedFormat("named .docx but is not a Word document (not a ZIP archive)", name)
    if looks_binary(data):
        raise UnsupportedFormat("binary data, not text", name)
    head = data[:2048].lstrip().lower()
    if lower.endswith(HTML_SUFFIXES) or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


def looks_binary(data: bytes) -> bool:
    """Tell whether bytes are binary rather than text in some encoding."""
    sample = data[:65536]
    if b"\x00" in sample:
        return True
    # Text in any encoding, UTF-8 or legacy, has almost no control characters.
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    return controls / len(sample) > MAX_CONTROL_SHARE


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError):
        return False  # a damaged archive (a name that is not UTF-8, say) is no Word file
