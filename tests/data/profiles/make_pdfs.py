"""Write the PDF fixtures of this folder: a GRETA-style report and a UN-style document.

Run from the repository root: `.venv/bin/python tests/data/profiles/make_pdfs.py`.
The PDFs are written by hand (uncompressed, the standard Helvetica faces), so that
each line, type size, superscript and bold run sits exactly where the tests expect it.
In the text, `^3` is a superscript note mark and `**` switches bold on and off.
"""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

HERE = Path(__file__).parent
FONTS = {"regular": b"F1", "bold": b"F2"}
PAGE_WIDTH, PAGE_HEIGHT = 595, 842
WRAP = 88  # characters per line of 10-point text between the margins


def escape(text: str) -> bytes:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")


class Page:
    """A page being filled from the top, line by line."""

    def __init__(self) -> None:
        self.ops: list[bytes] = []
        self.bold = False

    def line(self, x: float, y: float, text: str, size: float = 10, bold: bool | None = None) -> None:
        """Write one line; `^N` marks become superscripts and `**` toggles bold."""
        if bold is not None:
            self.bold = bold
        runs = [b"BT %.1f %.1f Td" % (x, y)]
        for token in re.split(r"(\*\*|\^[0-9*]+)", text):
            if token == "**":
                self.bold = not self.bold
            elif token.startswith("^"):
                runs.append(b"/%s %.1f Tf %.1f Ts (%s) Tj 0 Ts" % (self.font(), size * 0.6, size * 0.35, escape(token[1:])))
            elif token:
                runs.append(b"/%s %.1f Tf (%s) Tj" % (self.font(), size, escape(token)))
        self.ops.append(b" ".join(runs) + b" ET")
        if bold is not None:
            self.bold = False

    def font(self) -> bytes:
        return FONTS["bold" if self.bold else "regular"]

    def paragraph(self, y: float, text: str, number: str = "", size: float = 10, x: float = 100, wrap: int = WRAP) -> float:
        """Write a wrapped paragraph, its number hanging in the margin; return the y below it."""
        if number:
            self.line(72, y, number, size)
        for line in textwrap.wrap(text, wrap):
            self.line(x, y, line, size)
            y -= size * 1.2
        return y - size * 0.6


REGULAR_AND_BOLD = [
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
]


def write_pdf(path: Path, pages: list[Page]) -> None:
    """Write the pages as an uncompressed PDF with Helvetica and Helvetica-Bold."""
    path.write_bytes(pdf_bytes([b"\n".join(page.ops) for page in pages], REGULAR_AND_BOLD, PAGE_WIDTH, PAGE_HEIGHT))


def pdf_bytes(streams: list[bytes], fonts: list[bytes], width: int, height: int) -> bytes:
    """An uncompressed PDF: one page per content stream, the fonts named /F1, /F2 ... in order."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", *fonts]  # the page tree once pages are numbered
    names = b" ".join(b"/F%d %d 0 R" % (n, n + 2) for n in range(1, len(fonts) + 1))
    kids = []
    for content in streams:
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R"
            b" /Resources << /Font << %s >> >> >>" % (width, height, len(objects), names)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def greta_report() -> list[Page]:
    """Two pages of an evaluation report on an imaginary country."""
    first, second = Page(), Page()
    for number, page in enumerate((first, second), 1):
        page.line(72, 800, "GRETA(2024)99 - Evaluation Report on Ruritania", 9)
        page.line(72, 40, "Third evaluation round - Ruritania", 9)
        page.line(500, 40, str(number), 9)
    first.line(72, 740, "Evaluation Report on Ruritania", 16, bold=True)
    first.line(72, 712, "I. Introduction", 13, bold=True)
    y = first.paragraph(690, "The third evaluation round focuses on access to justice and effective remedies "
                        "for victims of trafficking in human beings in Ruritania.", "1.")
    y = first.paragraph(y, "The authorities replied to the questionnaire in March 2024 and the visit took "
                        "place in May 2024.", "2.")
    first.line(72, y - 8, "II. Access to justice and effective remedies", 13, bold=True)
    first.line(72, y - 32, "1. Right to information", 11, bold=True)
    y = first.paragraph(y - 54, "Victims are informed of their rights by the police at the first interview, "
                        "as the Law on Criminal Procedure requires.^1 Leaflets exist in eleven languages.", "3.")
    y = first.paragraph(y, "Specialised NGOs provide legal counselling to presumed victims before any "
                        "formal identification takes place.", "4.")
    first.paragraph(y, "Legal aid is free of charge for victims who take part in criminal proceedings, "
                    "but civil claims for compensation against the offenders are rarely brought and the "
                    "courts award", "5.")
    first.paragraph(96, "^1 Law on Criminal Procedure, Official Gazette No. 45/2019, Article 65.", size=8, x=72)
    y = second.paragraph(760, "small amounts when they are brought, as the statistics supplied to GRETA show.")
    y = second.paragraph(y, "**GRETA urges the Ruritanian authorities to:**", "6.")
    y = second.paragraph(y, "**ensure that every victim receives legal assistance from the first contact;**", "(a)")
    y = second.paragraph(y, "**set up a State fund for compensation of victims of trafficking.**", "(b)")
    second.paragraph(y, "Labour inspectors took part in joint inspections with the police on 14 occasions "
                     "in 2023.^2", "7.")
    second.paragraph(96, "^2 Information provided by the Labour Inspectorate in April 2024.", size=8, x=72)
    return [first, second]


def un_document() -> list[Page]:
    """Two pages of a national report with the symbol in the masthead and endnotes."""
    first, second = Page(), Page()
    first.line(72, 800, "United Nations", 14)
    first.line(430, 797, "A/HRC/WG.6/99/RUR/1")
    first.line(72, 770, "General Assembly", 20, bold=True)
    first.line(400, 770, "Distr.: General 1 March 2025")
    first.line(72, 730, "Human Rights Council", 12, bold=True)
    first.line(72, 700, "Ruritania", 14, bold=True)
    first.line(72, 670, "I. Introduction", 14, bold=True)
    y = first.paragraph(648, "The present report was prepared by the Interministerial Commission on Human "
                        "Rights^1 after consultations with civil society.", "1.")
    first.line(72, y - 8, "A. Legal framework", 12, bold=True)
    first.line(72, y - 32, "1. Trafficking in persons", 10, bold=True)
    y = first.paragraph(y - 54, "The Criminal Code was amended in 2023 to cover forced criminality.^2", "2.")
    first.paragraph(y, "Victims of trafficking receive assistance from the first contact with the "
                    "authorities, regardless of their residence status.", "3.")
    first.line(72, 40, "GE.25-01234 (E)")
    second.line(72, 800, "A/HRC/WG.6/99/RUR/1", 9, bold=True)
    y = second.paragraph(760, "Moreover, the national rapporteur publishes an annual report on the "
                         "implementation of the action plan.^3", "4.")
    second.line(72, y - 8, "Notes", 10, bold=True)
    y = y - 30
    for mark, note in (("1", "Established by Government decision of 12 May 2019."),
                       ("2", "Criminal Code, Article 113."),
                       ("3", "Available from the website of the national rapporteur.")):
        y = second.paragraph(y, f"^{mark} {note}", size=9, x=90)
    second.line(72, 40, "2")
    return [first, second]


if __name__ == "__main__":
    write_pdf(HERE / "greta-report.pdf", greta_report())
    write_pdf(HERE / "un-report.pdf", un_document())
