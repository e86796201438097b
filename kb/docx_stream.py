"""A Word (.docx) writer that streams: paragraphs go into the ZIP as they come.

python-docx builds the whole document as an XML tree in memory before it
saves, which for a 100,000-passage export takes far more than the 200 MB an
export may use. The format only needs a handful of small fixed parts and one
big part, word/document.xml, which zipfile can compress while we write it.
Files written here open in Word, LibreOffice and python-docx.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Iterable, Union
from urllib.parse import quote
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
# Control characters are not allowed in XML 1.0, even escaped.
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    "</Relationships>"
)
DOCUMENT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/styles" Target="styles.xml"/></Relationships>'
)


def _style(kind: str, style_id: str, name: str, ppr: str = "", rpr: str = "", extra: str = "", default: bool = False) -> str:
    flag = ' w:default="1"' if default else ""
    return (f'<w:style w:type="{kind}"{flag} w:styleId="{style_id}"><w:name w:val="{name}"/>{extra}'
            f"{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}</w:style>")


_BASED = '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>'
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles xmlns:w="{W}">'
    '<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:cs="Calibri"/>'
    '<w:sz w:val="22"/><w:lang w:val="en-GB"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>'
    '<w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'
    + _style("paragraph", "Normal", "Normal", extra="<w:qFormat/>", default=True)
    + _style("paragraph", "Title", "Title", '<w:spacing w:after="240"/>', '<w:b/><w:sz w:val="40"/>', _BASED)
    + _style("paragraph", "Heading1", "heading 1", '<w:keepNext/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/>',
             '<w:b/><w:color w:val="1F4E99"/><w:sz w:val="32"/>', _BASED)
    + _style("paragraph", "Heading2", "heading 2", '<w:keepNext/><w:spacing w:before="240" w:after="80"/><w:outlineLvl w:val="1"/>',
             '<w:b/><w:color w:val="1F4E99"/><w:sz w:val="26"/>', _BASED)
    + _style("paragraph", "Heading3", "heading 3", '<w:keepNext/><w:spacing w:before="200" w:after="60"/><w:outlineLvl w:val="2"/>',
             '<w:b/><w:sz w:val="23"/>', _BASED)
    + _style("paragraph", "Quote", "Quote", '<w:ind w:left="567" w:right="567"/>', "", _BASED)
    + _style("paragraph", "Source", "Source", '<w:ind w:left="567"/><w:spacing w:after="240"/>',
             '<w:color w:val="5B5B66"/><w:sz w:val="18"/>', _BASED)
    + _style("character", "Hyperlink", "Hyperlink", rpr='<w:color w:val="1F4E99"/><w:u w:val="single"/>')
    + '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders>'
    + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="A0A0A8"/>'
              for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    + "</w:tblBorders></w:tblPr></w:style></w:styles>"
)
SECTION = ('<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1304" w:right="1304" w:bottom="1304" '
           'w:left="1304" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr>')
TEXT_WIDTH = 9298  # twentieths of a point between the A4 margins above


@dataclass(frozen=True)
class Run:
    """A stretch of text with one look."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Link:
    """A clickable link, written as a HYPERLINK field so it needs no relationship entry."""

    url: str
    text: str = ""


Inline = Union[str, Run, Link]


def xml_text(text: str) -> str:
    return escape(NOT_XML.sub("", str(text)))


class DocxStream:
    """Write a .docx to a binary stream, one paragraph at a time; close() finishes the file."""

    def __init__(self, sink: BinaryIO, title: str = ""):
        self._zip = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED)
        for name, content in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", PACKAGE_RELS),
                              ("word/_rels/document.xml.rels", DOCUMENT_RELS), ("word/styles.xml", STYLES),
                              ("docProps/core.xml", _core_properties(title))):
            self._zip.writestr(name, content)
        # Only one ZIP entry can be open for writing, so the fixed parts go first.
        self._body = self._zip.open("word/document.xml", "w", force_zip64=True)
        self._write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}"><w:body>')

    def paragraph(self, *content: Inline, style: str = "") -> None:
        props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
        self._write(f"<w:p>{props}{''.join(_inline(piece) for piece in content)}</w:p>")

    def heading(self, text: str, level: int = 1) -> None:
        self.paragraph(text, style="Title" if level == 0 else f"Heading{level}")

    def table(self, rows: Iterable[Iterable[str]], header: bool = True) -> None:
        """A grid of plain cells; the first row in bold when it is a header."""
        rows = [list(row) for row in rows]
        columns = max((len(row) for row in rows), default=0)
        if not columns:
            return
        width = TEXT_WIDTH // columns
        grid = "".join(f'<w:gridCol w:w="{width}"/>' for _ in range(columns))
        body = "".join(
            "<w:tr>" + "".join(
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr><w:p>{_inline(Run(str(cell), bold=header and not i))}</w:p></w:tc>'
                for cell in row + [""] * (columns - len(row))) + "</w:tr>"
            for i, row in enumerate(rows)
        )
        self._write(f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr>'
                    f"<w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl><w:p/>")

    def close(self) -> None:
        self._write(f"{SECTION}</w:body></w:document>")
        self._body.close()
        self._zip.close()

    def _write(self, xml: str) -> None:
        self._body.write(xml.encode("utf-8"))


def _inline(piece: Inline) -> str:
    if isinstance(piece, Link):
        # The field code holds the target; only the visible text is a plain run.
        target = quote(piece.url, safe=":/?#[]@!$&'()*+,;=%-._~")
        return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                f'<w:r><w:instrText xml:space="preserve"> HYPERLINK "{xml_text(target)}" </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                f'{_run(piece.text or piece.url, style="Hyperlink")}'
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    if isinstance(piece, Run):
        return _run(piece.text, bold=piece.bold, italic=piece.italic)
    return _run(piece)


def _run(text: str, bold: bool = False, italic: bool = False, style: str = "") -> str:
    props = (f'<w:rStyle w:val="{style}"/>' if style else "") + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    lines = str(text).split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{xml_text(line)}</w:t>' for line in lines)
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{body}</w:r>"


def _core_properties(title: str) -> str:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{xml_text(title)}</dc:title><dc:creator>atkb</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created></cp:coreProperties>'
    )


class ChunkSink(io.RawIOBase):
    """A write-only stream that keeps what was written until drained, for streaming ZIP files."""

    def __init__(self):
        super().__init__()
        self._parts: list[bytes] = []
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        self._size += len(data)
        return len(data)

    def size(self) -> int:
        return self._size

    def drain(self) -> bytes:
        data, self._parts, self._size = b"".join(self._parts), [], 0
        return data
