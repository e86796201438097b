"""Word-level alignment of a draft with an earlier passage: shared runs, a score, a redline."""
from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher

from kb.wording import SHINGLE_SIZE, Word

# A shared run must be as long as a shingle: what the index cannot find, the
# score does not count either.
MIN_RUN = SHINGLE_SIZE
# Fewer unchanged words than this between two changes are shown as changed.
MIN_UNCHANGED = 3


@dataclass(frozen=True, order=True)
class Run:
    """Words shared verbatim: `length` words from draft[draft_at] and precedent[precedent_at]."""

    draft_at: int
    precedent_at: int
    length: int


def shared_runs(draft: list[str], precedent: list[str], min_run: int = MIN_RUN) -> list[Run]:
    """Cover the draft with runs of words found in the precedent, longest first, in any order.

    This is greedy string tiling: take the longest run the two texts share, mark
    its words on both sides as used, and repeat with what is left. Unlike a diff
    it does not need the runs in the same order, so clauses swapped round are
    still found whole.
    """
    queue = [(-length, i, j) for i, j, length in _maximal_matches(draft, precedent, min_run)]
    heapq.heapify(queue)
    used_draft, used_precedent = [False] * len(draft), [False] * len(precedent)
    runs = []
    while queue:
        negative_length, i, j = heapq.heappop(queue)  # heapq pops the smallest: the longest run
        length = -negative_length
        free = [not used_draft[i + k] and not used_precedent[j + k] for k in range(length)]
        if all(free):
            runs.append(Run(i, j, length))
            for k in range(length):
                used_draft[i + k] = used_precedent[j + k] = True
            continue
        # Part of it went to a longer run: what is still free may be a run of its own.
        for start, length in _free_stretches(free):
            if length >= min_run:
                heapq.heappush(queue, (-length, i + start, j + start))
    return sorted(runs)


def _maximal_matches(a: list[str], b: list[str], size: int):
    """Yield (i, j, length) for every shared run of at least `size` words that cannot grow."""
    where = defaultdict(list)
    for j in range(len(b) - size + 1):
        where[tuple(b[j : j + size])].append(j)
    for i in range(len(a) - size + 1):
        for j in where.get(tuple(a[i : i + size]), ()):
            if i and j and a[i - 1] == b[j - 1]:
                continue  # the middle of a run that starts earlier
            length = size
            while i + length < len(a) and j + length < len(b) and a[i + length] == b[j + length]:
                length += 1
            yield i, j, length


def _free_stretches(free: list[bool]):
    """Yield (start, length) of each stretch of True in a list."""
    start = None
    for k, ok in enumerate(free + [False]):
        if ok and start is None:
            start = k
        elif not ok and start is not None:
            yield start, k - start
            start = None


def overlap_score(runs: list[Run], draft_length: int) -> float:
    """Score how much of a draft an earlier passage accounts for, from 0 to 1.

    score = sqrt(covered / n × longest / n), where n is the number of words in
    the draft, `covered` the draft words inside shared runs (of at least MIN_RUN
    words, in any order) and `longest` the longest single run.

    The first share says how much wording the two have in common, moved clauses
    included; the second rewards one unbroken stretch, the mark of copying, over
    the same words scattered in short runs, the stock phrases any two texts of
    the field share. Their geometric mean is 1 for exact reuse, 0.7 or more for
    a clause pasted with two halves swapped, and about 0.5 to 0.8 for a clause
    with a few words changed. A draft that joins the opening of one passage to
    the body of another ranks first the passage that gave it the longer
    verbatim stretch: the 2022 statement's clause 1 finds the 2021 clause 1 it
    opens like before the Strategy Paper priority it quotes.
    """
    if not runs or not draft_length:
        return 0.0
    covered = sum(run.length for run in runs)
    longest = max(run.length for run in runs)
    return math.sqrt(covered * longest) / draft_length


def redline(precedent: list[Word], draft: list[Word]) -> list[list[str]]:
    """A word-level diff that turns the earlier passage into the draft.

    Each step is [op, words]: "=" words both have (as the draft writes them),
    "-" words of the earlier passage that the draft dropped, "+" words the draft
    added. Unlike shared_runs this keeps order, as a redline must: a moved
    clause shows as dropped in one place and added in another.
    """
    matcher = SequenceMatcher(None, [w.norm for w in precedent], [w.norm for w in draft], autojunk=False)
    regions: list[tuple[str, list[Word], list[Word]]] = []
    opcodes = matcher.get_opcodes()
    for k, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        # An unchanged "the" or "of the" between two changes reads as part of
        # one rewrite; kept apart, it breaks the rewrite into a scatter of edits.
        island = tag == "equal" and j2 - j1 < MIN_UNCHANGED and 0 < k < len(opcodes) - 1
        op = "=" if tag == "equal" and not island else "~"
        if op == "~" and regions and regions[-1][0] == "~":
            regions[-1] = ("~", regions[-1][1] + precedent[i1:i2], regions[-1][2] + draft[j1:j2])
        else:
            regions.append((op, precedent[i1:i2], draft[j1:j2]))
    steps: list[list[str]] = []
    for op, dropped, added in regions:
        if op == "=":
            _append(steps, "=", added)
        else:
            _append(steps, "-", dropped)
            _append(steps, "+", added)
    return steps


def _append(steps: list[list[str]], op: str, chunk: list[Word]) -> None:
    if not chunk:
        return
    text = " ".join(word.surface for word in chunk)
    if steps and steps[-1][0] == op:
        steps[-1][1] += " " + text
    else:
        steps.append([op, text])
