"""Links within a GRETA report, as `kb show --json` and the document page give them:
each passage's recommendations, and the appendix of conclusions to the body."""
from __future__ import annotations

from kb.conclusions import conclusion_links, referred_by


def with_greta_links(passages: list[dict], recommendations: list[dict]) -> list[dict]:
    """Add "recommendations", "refers_to" and "referred_by" to each passage's JSON."""
    by_id = {p["passage_id"]: p for p in passages}
    found_in: dict[str, list[dict]] = {}
    for item in recommendations:
        found_in.setdefault(item["parent"], []).append(
            {"passage_id": item["passage_id"], "seq": item["seq"], "strength": item["strength"], "text": item["text"]}
        )
    refers = conclusion_links(passages)
    back = referred_by(refers)
    return [
        {
            **passage,
            "recommendations": found_in.get(passage["passage_id"], []),
            "refers_to": [_anchor(by_id[i]) for i in refers.get(passage["passage_id"], [])],
            "referred_by": [_anchor(by_id[i]) for i in back.get(passage["passage_id"], [])],
        }
        for passage in passages
    ]


def _anchor(passage: dict) -> dict:
    """What a link to another passage of the same document needs."""
    return {"passage_id": passage["passage_id"], "seq": passage["seq"], "number": passage["number"]}
