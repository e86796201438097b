"""Cross-references: recognise the documents a passage names, and find them in the corpus.

Three ways of naming a document are recognised:
- by kind and date: "the Joint Declaration ... of 4 October 2012", "the Strategy
  Paper ... adopted on 4 March 2020", "the Joint Declarations ... (2012) and ...
  (2018)", "the March 2018 Ministerial Declaration";
- by number: COM(2017)728, Directive 2011/36/EU, (EU) 2024/1712;
- by name: the instruments of the entity registry ("the Palermo Protocol"), as
  tagging found them in the passage.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.citations import MONTHS
from kb.wording import normal_form

_MONTH = "|".join(MONTHS)
# Capitalised, as when one particular declaration, statement or paper is meant.
_NAMED = r"(?:(?:Joint|Ministerial|Political)\s+)*(?:Declarations?|Statements?)|Strategy\s+Papers?"
_LINK_WORD = r"(?:of|on|dated|(?:adopted|signed|issued|endorsed)(?:\s+(?:on|in))?)"
NAME_THEN_DATE = re.compile(
    rf"\b(?P<name>{_NAMED})\b[^;.]{{0,250}}?\b{_LINK_WORD}\s+"
    rf"(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH})\s+(?P<year>(?:19|20)\d\d)\b"
)
DATE_THEN_NAME = re.compile(
    rf"\b(?:(?P<month>{_MONTH})\s+)?(?P<year>(?:19|20)\d\d)\s+(?:[A-Z][\w-]*\s+){{0,2}}?"
    rf"(?P<name>Declaration|Statement|Strategy\s+Paper)\b"
)
NAME = re.compile(rf"\b(?P<name>{_NAMED})\b")
YEAR_IN_BRACKETS = re.compile(r"\(((?:19|20)\d\d)\)")
COM_NUMBER = re.compile(r"\bCOM\s*\(\s*((?:19|20)\d\d)\s*\)\s*(\d{1,4})\b")
_ACT_SUFFIX = r"(?:/(?:EU|EC|EEC|JHA)\b)?"
_ACT_NUMBER = r"(?:No\.?\s+)?(?P<{}>(?:19|20)\d\d)/(?P<{}>\d{{1,4}})\b"
ACT_NUMBER = re.compile(
    rf"\b(?:Directive|Regulation|Decision)\s+(?:\((?:EU|EC)\)\s+)?{_ACT_NUMBER.format('a', 'b')}{_ACT_SUFFIX}"
    rf"|\((?:EU|EC)\)\s+{_ACT_NUMBER.format('c', 'd')}{_ACT_SUFFIX}"
    r"|\b(?P<e>(?:19|20)\d\d)/(?P<f>\d{1,4})/(?:EU|EC|EEC|JHA)\b"
)
FULL_DATE = re.compile(rf"\b\d{{1,2}}\s+(?:{_MONTH})\s+(?:19|20)\d\d\b")
COM_IN_ID = re.compile(r"(?:^|-)com-((?:19|20)\d\d)-(\d{1,4})(?:-|$)")
ACT_IN_ID = re.compile(r"(?:^|-)((?:19|20)\d\d)-(\d{1,4})-(?:eu|ec|eec|jha)(?:-|$)")


@dataclass(frozen=True)
class Reference:
    """Words of a passage that name a document.

    kind is "dated", "com", "act" or "instrument"; key is the date ("2012-10-04",
    "2018-03", "2012"), the number ("2017/728") or the instrument's name in lower
    case; for dated references, named is the kind of document ("declaration").
    """

    text: str
    kind: str
    key: str
    named: str = ""


@dataclass(frozen=True)
class Citable:
    """A corpus document, with the numbers and instrument names that identify it."""

    doc_id: str
    title: str
    date: str
    keys: frozenset


def find_references(text: str) -> list[Reference]:
    """Every reference by date or number in a passage, each once."""
    found = [*_by_name_then_date(text), *_by_date_then_name(text), *_by_bracketed_years(text)]
    found += [Reference(m.group(0), "com", _number_key(m.group(1), m.group(2))) for m in COM_NUMBER.finditer(text)]
    found += [Reference(m.group(0), "act", _act_key(m)) for m in ACT_NUMBER.finditer(text)]
    return list(dict.fromkeys(found))


def _by_name_then_date(text: str):
    for m in NAME_THEN_DATE.finditer(text):
        date = _date(m.group("year"), m.group("month"), m.group("day"))
        yield Reference(m.group(0), "dated", date, _kind(m.group("name")))


def _by_date_then_name(text: str):
    for m in DATE_THEN_NAME.finditer(text):
        yield Reference(m.group(0), "dated", _date(m.group("year"), m.group("month")), _kind(m.group("name")))


def _by_bracketed_years(text: str):
    """"the Joint Declarations on A (2012) and on B (2018)": one reference per year, up to the clause's end.

    A full date or another name ends the search: a year in brackets after
    them belongs to something else.
    """
    for m in NAME.finditer(text):
        clause = text[m.end() :].split(";")[0][:400]
        for stop in (FULL_DATE.search(clause), NAME.search(clause)):
            clause = clause[: stop.start()] if stop else clause
        start = m.start()
        for year in YEAR_IN_BRACKETS.finditer(clause):
            end = m.end() + year.end()
            yield Reference(text[start:end].strip(" ,").removeprefix("and "), "dated", year.group(1), _kind(m.group("name")))
            if not m.group("name").endswith("s"):
                break  # a singular name dates one document
            start = end


def _kind(name: str) -> str:
    """"Joint Declarations" → "declaration", "Strategy Papers" → "strategy paper"."""
    last = name.lower().split()[-1].removesuffix("s")
    return "strategy paper" if last == "paper" else last


def _date(year: str, month: str | None = None, day: str | None = None) -> str:
    if not month:
        return year
    number = f"{year}-{MONTHS.index(month) + 1:02d}"
    return f"{number}-{int(day):02d}" if day else number


def _act_key(m: re.Match) -> str:
    """The act's year and number, whichever way it was written."""
    return next(_number_key(m.group(a), m.group(b)) for a, b in ("ab", "cd", "ef") if m.group(a))


def _number_key(year: str, number: str) -> str:
    """"2017/728" for COM(2017)728, COM(2017) 0728 and com-2017-728 alike."""
    return f"{year}/{int(number)}"


def instrument_references(text: str, names: list[str], aliases: dict[str, tuple[str, ...]]) -> list[Reference]:
    """A reference for each instrument tagging found, quoting the passage's words for it.

    aliases maps each instrument's name in lower case to its canonical name and aliases.
    """
    return [Reference(_quoted(text, aliases.get(name.lower(), (name,))), "instrument", name.lower()) for name in names]


def _quoted(text: str, spellings: tuple[str, ...]) -> str:
    """The words of the text that spell the instrument, longest spelling first; else its name."""
    for spelling in sorted(spellings, key=len, reverse=True):
        found = re.search(rf"(?<!\w){re.escape(spelling)}(?!\w)", text, re.I)
        if found:
            return found.group(0)
    return spellings[0]


def citable(record: dict, aliases: dict[str, tuple[str, ...]]) -> Citable:
    """What identifies a corpus document: the COM or act number and the instrument it is."""
    title, doc_id = record.get("title") or "", record["doc_id"]
    keys = {("com", _number_key(*m.groups())) for m in [*COM_NUMBER.finditer(title), *COM_IN_ID.finditer(doc_id)]}
    first_act = ACT_NUMBER.search(title)
    # A title names its own act first ("Directive 2011/36/EU of ..."); a report
    # about a directive names it later, and is not that directive.
    if first_act and (first_act.start() == 0 or record.get("doc_type") == "eu_directive"):
        keys.add(("act", _act_key(first_act)))
    keys |= {("act", _number_key(*m.groups())) for m in ACT_IN_ID.finditer(doc_id)}
    title_words = [normal_form(w) for w in title.split()]
    for name, spellings in aliases.items():
        if any(_starts_with(title_words, s) for s in spellings) or _slug(name) in doc_id:
            keys.add(("instrument", name))
    return Citable(doc_id, title, record.get("date") or "", frozenset(keys))


def _starts_with(title_words: list[str], spelling: str) -> bool:
    wanted = [normal_form(w) for w in spelling.split()]
    return bool(wanted) and title_words[: len(wanted)] == wanted


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def targets(ref: Reference, citing: Citable, corpus: list[Citable]) -> list[str]:
    """The corpus documents a reference names; never the citing document itself."""
    others = [doc for doc in corpus if doc.doc_id != citing.doc_id]
    if ref.kind != "dated":
        return [doc.doc_id for doc in others if (ref.kind, ref.key) in doc.keys]
    fitting = [
        doc for doc in others
        if doc.date and _same_period(doc.date, ref.key) and _earlier(doc.date, citing.date)
        and ref.named.split()[0] in doc.title.lower()
    ]
    return _best_by_title(ref.text, fitting)


def _same_period(date: str, key: str) -> bool:
    return date.startswith(key) or key.startswith(date)


def _earlier(date: str, citing_date: str) -> bool:
    """Was a document dated `date` out before one dated `citing_date`? Undated citers cannot say no."""
    if not citing_date:
        return True
    # Compare as far as both are precise: "2018" may be before "2018-03-16", and is not after it.
    shared = min(len(date), len(citing_date))
    if date[:shared] != citing_date[:shared]:
        return date[:shared] < citing_date[:shared]
    return len(date) != len(citing_date)


def _best_by_title(text: str, docs: list[Citable]) -> list[str]:
    """Of documents of the right kind and date, those whose titles share most words with the reference."""
    said = {normal_form(w) for w in text.split() if len(w) > 3}
    overlap = {doc.doc_id: len(said & {normal_form(w) for w in doc.title.split()}) for doc in docs}
    best = max(overlap.values(), default=0)
    return [doc.doc_id for doc in docs if overlap[doc.doc_id] == best]
