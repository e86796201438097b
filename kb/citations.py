"""Pinpoint citations of passages, written the way policy researchers cite."""
from __future__ import annotations

import datetime as dt

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


def pinpoint_label(number: str, seq: int) -> str:
    """Name a passage as a citation does: "para. 6", "(iii)" becomes "para. iii"."""
    printed = number.strip("().")
    return f"para. {printed}" if printed else f"passage {seq}"


def pinpoint(document: dict, passage: dict) -> str:
    """Cite a passage: title, issuer, place, date, para. N."""
    parts = [document.get("title"), document.get("issuer"), document.get("place"), readable_date(document.get("date") or "")]
    parts.append(pinpoint_label(passage.get("number") or "", passage.get("seq") or 0))
    return ", ".join(p for p in parts if p)
