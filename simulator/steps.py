"""The steps of a good call, as data: what each checklist step needs, and the dimension it feeds.

A step is done when the call so far shows it: a *fact* the session recorded (``done:<fact>``,
see ``vocab.FACTS``), an *id* that appeared in a reply (``count:<id>``), or one of the few
judgements that need the whole call (``verified_unexposed``: the identity was asked before any
debt detail was said; ``privacy_kept``: nothing was disclosed to a third party). The session
(``Session.steps``) and the debrief read this table; the labels are locale data (``steps.*``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass

#: how much of a summary dimension comes from the steps (the rest: mean of the replies' scores)
STEP_WEIGHT = {"politeness": 0.2, "clarity": 0.5, "solution": 0.5}


@dataclass(frozen=True)
class Step:
    id: str
    dimension: str
    needs: tuple[str, ...]       # all of these (``fact``, ``count:<id>``, ``any:<a>|<b>`` or a judgement)


#: the step checklist of a call (persona ``checklist:``)
CHECKLISTS: dict[str, tuple[Step, ...]] = {
    "debtor": (
        Step("identified_self", "clarity", ("identified",)),
        Step("verified_before_disclosing", "clarity", ("any:count:identity_check|count:asks_for_debtor",
                                                         "verified_unexposed")),
        Step("stated_facts", "clarity", ("facts_stated",)),
        Step("asked_situation", "solution", ("situation",)),
        Step("offered_solution", "solution", ("solution",)),
        Step("fixed_commitment", "solution", ("amount", "deadline")),
        Step("confirmed_commitment", "solution", ("confirmed",)),
        Step("closed_politely", "politeness", ("closed",)),
    ),
    "third_party": (
        Step("identified_self", "clarity", ("identified",)),
        Step("asked_for_debtor", "clarity", ("any:count:identity_check|count:asks_for_debtor",)),
        Step("protected_privacy", "clarity", ("privacy_kept",)),
        Step("asked_callback", "solution", ("callback",)),
        Step("closed_politely", "politeness", ("closed",)),
    ),
}
#: every step id once, in checklist order (the order new steps are reported in)
STEP_ORDER: tuple[str, ...] = tuple(dict.fromkeys(s.id for steps in CHECKLISTS.values() for s in steps))

Judge = Callable[[str], bool]


def done_steps(facts: Set[str], counts: Mapping[str, int], judge: Judge) -> set[str]:
    """The ids of every step (of any checklist) the call has done so far. ``judge`` answers the
    whole-call judgements (``verified_unexposed``, ``privacy_kept``)."""

    def holds(need: str) -> bool:
        if need.startswith("any:"):
            return any(holds(n) for n in need[4:].split("|"))
        if need.startswith("count:"):
            return counts.get(need[6:], 0) > 0
        if need in ("verified_unexposed", "privacy_kept"):
            return judge(need)
        return need in facts

    return {s.id for steps in CHECKLISTS.values() for s in steps if all(holds(n) for n in s.needs)}


__all__ = ["CHECKLISTS", "STEP_ORDER", "STEP_WEIGHT", "Step", "done_steps"]
