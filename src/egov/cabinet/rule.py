"""The result rule of an opinion ballot (Law on Government Organisation 2015, art. 47(3)):

- a question is adopted when more than half of **all** the Government's members (N, on the day
  of issue; not those asked, not those who answered) agree;
- on a tie (as many "agree" as "disagree", each exactly half of N) the side the Prime Minister
  voted for wins: adopted when the PM agreed. A tie with fewer votes (10–10 of 27) is not one
  the PM breaks: adopting it would adopt with fewer than half of all members;
- silence is "not answered", never agreement; "other opinion" counts for neither side.

Answers are immutable, so "agree" only grows: an adopted question stays adopted, and a question
is decided early (before the deadline) once it is adopted or can no longer be.

Pure functions: the tally is counted by the caller (egov.cabinet.services.tally).
"""

from __future__ import annotations

from dataclasses import dataclass

AGREE, DISAGREE, OTHER = "agree", "disagree", "other"


@dataclass(frozen=True)
class Count:
    n: int  # all members of the Government
    agree: int = 0
    disagree: int = 0
    other: int = 0
    # What the Prime Minister answered ("" for not yet, or no PM).
    pm_choice: str = ""
    # Members asked who have not answered and still may (before the deadline).
    pending: int = 0
    # Is the Prime Minister among them?
    pm_pending: bool = False

    @property
    def answered(self) -> int:
        return self.agree + self.disagree + self.other

    @property
    def not_answered(self) -> int:
        return self.n - self.answered


def majority(n: int) -> int:
    """The smallest number of "agree" that is more than half of ``n``."""
    return n // 2 + 1


def adopted(c: Count) -> bool:
    """The rule on a final count."""
    if c.agree * 2 > c.n:
        return True
    tie = c.agree == c.disagree and c.agree * 2 == c.n
    return tie and c.pm_choice == AGREE


def agree_needed(c: Count) -> int:
    """How many more "agree" adopt the question (0 once adopted)."""
    return max(0, majority(c.n) - c.agree)


def can_still_be_adopted(c: Count) -> bool:
    if adopted(c):
        return True
    best = c.agree + c.pending  # everyone still pending agrees
    if best * 2 > c.n:
        return True
    # A tie the PM breaks: all pending agree, reaching exactly half against half.
    pm_agrees = c.pm_choice == AGREE or c.pm_pending
    return best * 2 == c.n and c.disagree * 2 == c.n and pm_agrees


def decided(c: Count) -> bool:
    """Can the outcome no longer change, whatever the members still to answer say?"""
    return adopted(c) or not can_still_be_adopted(c)
