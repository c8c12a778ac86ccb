"""A call's scores from its replies' scores and the steps of a good call it completed.

A pure function: no session, no persona. For each dimension (politeness, clarity, solution)

    call = (1 − w) × mean of the replies' scores + w × 100 × (steps of that dimension done / its steps)

with ``w`` the pack's ``scoring.call.step_weight`` for the dimension (a step implied by others,
``IMPLIED_STEPS``, counts as done; a step given as None does not count). In the politeness mean a
harsh reply (one with a tone finding or a red line) weighs ``scoring.call.harsh_weight`` times an
ordinary one: one sneer in a call of polite lines is what the debtor remembers. A dimension with no
step in the checklist is the mean alone. ``overall`` is the rounded mean of the three.

So the call agrees with its replies: every reply at X and every step done gives
(1 − w) × X + 100 w; a reply that scores better never lowers the call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .rulepack import DIMENSIONS, get_pack

#: the score dimension each checklist step feeds (the steps of ``session.CHECKLISTS``)
STEP_DIMENSIONS: dict[str, str] = {
    "identified_self": "clarity",
    "verified_before_disclosing": "clarity",
    "stated_facts": "clarity",
    "asked_for_debtor": "clarity",
    "protected_privacy": "clarity",
    "asked_situation": "solution",
    "offered_solution": "solution",
    "fixed_commitment": "solution",
    "confirmed_commitment": "solution",
    "asked_callback": "solution",
    "closed_politely": "politeness",
}


#: a step that counts as done when these are: a commitment fixed and confirmed is a solution found,
#: even when the debtor needed no instalment or deferral (an evasive debtor who can pay in full)
IMPLIED_STEPS: dict[str, tuple[str, ...]] = {
    "offered_solution": ("fixed_commitment",),
}


def _turn(reply: Any) -> tuple[Mapping[str, int], bool]:
    """A reply's scores and whether it was harsh, from an ``Analysis`` or its ``to_dict()``."""
    if isinstance(reply, Mapping):
        scores = reply.get("scores") or {}
        harsh = bool(reply.get("tone") or reply.get("red_lines"))
    else:
        scores = reply.scores
        harsh = bool(getattr(reply, "tone", None) or getattr(reply, "red_lines", None))
    return scores, harsh


def call_scores(replies: Sequence[Any], steps: Mapping[str, bool],
                step_dimensions: Mapping[str, str] | None = None, lang: str = "zh") -> dict[str, int]:
    """Politeness, clarity, solution and overall (0–100) of a call.

    ``replies``: the trainee's analysed replies in order (``Analysis`` objects or their
    ``to_dict()``); ``steps``: the call's checklist, step name → done (True/False), or None for a
    step the trainee had no chance to take (the debtor hung up after agreeing: no polite close, no
    read-back), which then does not count; ``step_dimensions``: the
    dimension each step feeds (default ``STEP_DIMENSIONS``); ``lang``: whose pack's weights."""
    cfg = get_pack(lang).pack.scoring.call
    dims_of = STEP_DIMENSIONS if step_dimensions is None else step_dimensions
    turns = [_turn(r) for r in replies]
    steps = dict(steps)
    for name, given in IMPLIED_STEPS.items():
        if name in steps and all(steps.get(g) for g in given):
            steps[name] = True
    out: dict[str, int] = {}
    for dim in DIMENSIONS:
        if not turns:
            out[dim] = 0
            continue
        weights = [cfg.harsh_weight if harsh and dim == "politeness" else 1.0 for _, harsh in turns]
        mean = sum(w * s.get(dim, 0) for w, (s, _) in zip(weights, turns)) / sum(weights)
        done = [bool(v) for name, v in steps.items() if v is not None and dims_of.get(name) == dim]
        w = cfg.step_weight.get(dim, 0.0) if done else 0.0
        ratio = sum(done) / len(done) if done else 0.0
        out[dim] = int(round((1 - w) * mean + w * 100 * ratio))
    out["overall"] = int(round(sum(out[d] for d in DIMENSIONS) / len(DIMENSIONS)))
    return out
