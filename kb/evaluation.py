"""Measuring the tagger against hand-labelled passages: precision, recall, F1."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from kb.errors import KBError
from kb.model import Passage
from kb.tagging import tag_passages

# The quality the project commits to; a test fails below these.
TARGET_MICRO_F1 = 0.85
TARGET_NAMED_F1 = 0.8
NAMED_THEMES = ("impunity", "compensation", "non-punishment", "ukraine")
DEFAULT_GOLD = Path(__file__).resolve().parent.parent / "tests" / "data" / "themes_gold.jsonl"


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.true_positives + self.false_negatives


@dataclass
class Evaluation:
    themes: dict[str, Score] = field(default_factory=dict)
    micro: Score = field(default_factory=Score)
    errors: list[dict] = field(default_factory=list)

    def shortfalls(self) -> list[str]:
        """Say which targets are missed; empty when all are met."""
        missed = []
        if self.micro.f1 < TARGET_MICRO_F1:
            missed.append(f"micro F1 {self.micro.f1:.3f} < {TARGET_MICRO_F1}")
        for theme in NAMED_THEMES:
            score = self.themes.get(theme, Score())
            if score.f1 < TARGET_NAMED_F1:
                missed.append(f"{theme} F1 {score.f1:.3f} < {TARGET_NAMED_F1}")
        return missed


def load_gold(path: Path) -> list[dict]:
    """Read gold passages: one JSON object per line with "text" and "themes"."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise KBError(f"cannot read the gold file: {error.strerror}", str(path)) from None
    gold = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            gold.append({"id": item.get("passage_id", str(number)), "text": item["text"], "themes": set(item["themes"])})
        except (ValueError, KeyError, TypeError):
            raise KBError(f"line {number} is not a gold passage with text and themes", str(path)) from None
    return gold


def evaluate(gold: list[dict], nlp=None) -> Evaluation:
    """Tag every gold text and count agreements theme by theme."""
    passages = [Passage(doc_id="gold", seq=i + 1, text=g["text"]) for i, g in enumerate(gold)]
    result = Evaluation()
    for item, passage in zip(gold, tag_passages(passages, nlp)):
        found = set(passage.themes)
        for theme in found | item["themes"]:
            score = result.themes.setdefault(theme, Score())
            if theme in found and theme in item["themes"]:
                score.true_positives += 1
            elif theme in found:
                score.false_positives += 1
            else:
                score.false_negatives += 1
        if found != item["themes"]:
            result.errors.append({"id": item["id"], "extra": sorted(found - item["themes"]),
                                  "missing": sorted(item["themes"] - found), "text": item["text"]})
    for score in result.themes.values():
        result.micro.true_positives += score.true_positives
        result.micro.false_positives += score.false_positives
        result.micro.false_negatives += score.false_negatives
    return result
