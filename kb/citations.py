"""Pinpoint citations of passages, written the way policy researchers cite."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def readable_date(date: str) -> str:
    """Write "2018-03-16" as "16 March 2018" (and "2018-03" as "March 2018")."""
    parts = date.split("-")
    try:
        if len(parts) == 3:
            day = dt.date.fromisoformat(date)
            return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        pass
    return date


# Numbers that already read as a pinpoint: "Art. 26(1)", "Recital (14)", "fn. 12".
SELF_CITING = re.compile(r"^(?:Art\.|Recital|fn\.)\s")


def pinpoint_label(number: str, seq: int) -> str:
    """Name a passage as a citation does: "para. 6", "(iii)" becomes "para. iii", "Art. 26(1)" stays."""
    if SELF_CITING.match(number):
        return number
    printed = number.strip("().")
    return f"para. {printed}" if printed else f"passage {seq}"


def pinpoint(document: dict, passage: dict) -> str:
    """Cite a passage: title, issuer, place, date, para. N (or Art. N(1) in a legal instrument)."""
    parts = [document.get("title"), document.get("issuer"), document.get("place"), readable_date(document.get("date") or "")]
    parts.append(pinpoint_label(passage.get("number") or "", passage.get("seq") or 0))
    return ", ".join(p for p in parts if p)


# --- links and reference-manager formats -----------------------------------

DOC_TYPE_LABELS = {
    "greta_report": "GRETA report", "eu_strategy": "EU strategy", "eu_directive": "EU directive",
    "un_document": "UN document", "other": "Document",
}
# Report-like documents import into Zotero and EndNote as reports; the rest as generic documents.
BIBTEX_TYPES = {"greta_report": "techreport", "report": "techreport", "strategy": "techreport",
                "eu_strategy": "techreport", "guidance": "techreport", "un_document": "techreport"}
RIS_TYPES = {"greta_report": "RPRT", "report": "RPRT", "guidance": "RPRT", "declaration": "GOVDOC",
             "strategy": "GOVDOC", "eu_strategy": "GOVDOC", "un_document": "GOVDOC",
             "eu_directive": "LEGAL", "convention": "LEGAL"}
BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Characters TeX reads as commands or grouping, written so they print as themselves.
BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                  "%": r"\%", "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}


def permalink(doc_id: str, seq: int | None = None, base_url: str = "") -> str:
    """The lasting link to a document, or to one passage of it: BASE/doc/ID#p-SEQ."""
    link = f"{base_url.rstrip('/')}/doc/{quote(doc_id, safe='')}"
    return link if seq is None else f"{link}#p-{seq}"


def doc_type_label(doc_type: str) -> str:
    """Name a document type as a reader would: "GRETA report", "Declaration"."""
    return DOC_TYPE_LABELS.get(doc_type) or (doc_type or "document").replace("_", " ").capitalize()


def bibtex_escape(text: str) -> str:
    """Escape TeX specials, and fold line breaks, so a field prints exactly as written."""
    return "".join(BIBTEX_ESCAPES.get(char, char) for char in " ".join(str(text).split()))


def bibtex_key(doc_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_:.-]", "-", doc_id)


def bibtex(document: dict, base_url: str = "") -> str:
    """A BibTeX entry for a document, the issuer as a corporate author."""
    kind = BIBTEX_TYPES.get(document.get("doc_type", ""), "misc")
    date = document.get("date") or ""
    fields = [
        ("title", "{" + bibtex_escape(document["title"]) + "}"),
        ("author", "{{" + bibtex_escape(document["issuer"]) + "}}"),  # double braces: a body, not a person
        ("institution" if kind == "techreport" else "organization", "{" + bibtex_escape(document["issuer"]) + "}"),
        ("type" if kind == "techreport" else "note", "{" + bibtex_escape(doc_type_label(document.get("doc_type", ""))) + "}"),
        ("year", "{" + date[:4] + "}" if date else ""),
        ("month", BIBTEX_MONTHS[int(date[5:7]) - 1] if len(date) >= 7 else ""),
        ("date", "{" + date + "}" if date else ""),
        ("address", "{" + bibtex_escape(document.get("place") or "") + "}" if document.get("place") else ""),
        ("language", "{" + bibtex_escape(document.get("language") or "") + "}" if document.get("language") else ""),
        ("url", "{" + _safe_url(document_url(document, base_url)) + "}"),
    ]
    body = ",\n".join(f"  {name} = {value}" for name, value in fields if value)
    return f"@{kind}{{{bibtex_key(document['id'])},\n{body}\n}}\n"


def ris(document: dict, base_url: str = "") -> str:
    """An RIS record for a document, as Zotero and EndNote import it."""
    date = document.get("date") or ""
    parts = date.split("-")
    tags = [
        ("TY", RIS_TYPES.get(document.get("doc_type", ""), "GEN")),
        ("TI", document["title"]),
        ("AU", document["issuer"]),
        ("PB", document["issuer"]),
        ("PY", date[:4]),
        ("DA", "/".join(parts + [""] * (3 - len(parts))) + "/" if date else ""),
        ("CY", document.get("place") or ""),
        ("M3", doc_type_label(document.get("doc_type", ""))),
        ("LA", document.get("language") or ""),
        ("UR", document_url(document, base_url)),
        ("ID", document["id"]),
        ("N1", f"atkb: {permalink(document['id'], base_url=base_url)}"),
    ]
    lines = [f"{tag}  - {' '.join(str(value).split())}" for tag, value in tags if value]
    return "\r\n".join(lines + ["ER  - ", ""])  # RIS records are CRLF-terminated lines


def document_url(document: dict, base_url: str = "") -> str:
    """Where a reader finds the document: its source link if it has one, else its atkb page."""
    return document.get("url") or permalink(document["id"], base_url=base_url)


def _safe_url(url: str) -> str:
    # Braces and backslashes would break the BibTeX field; percent-encoding keeps the link working.
    return quote(url, safe=":/?#[]@!$&'()*+,;=%-._~")
