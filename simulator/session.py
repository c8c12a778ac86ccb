"""The session engine: one phone call between a trainee and a debtor persona.

Plain Python, no UI: the CLI (``run``), the TUI and the tests drive it the same way::

    session = Session(scenario, seed=7)
    first = session.start()            # the debtor's first line, or None
    result = session.reply("您好,…")   # TurnResult: debtor line, state, mood, what fired and why
    ...
    session.hint()                     # the current state's model line (practice mode), or None
    session.finish()                   # the trainee hangs up (if the debtor has not)
    session.finish(reason="time_limit")  # … or an exam's time limit ended the call
    session.to_dict()                  # the contract's ``run --json``

Every reply is analysed in a call context derived from the case file and from what happened so
far (the debtor has confirmed who they are; a third party is on the line; the clock and the
calls made today). Then the persona's reactions move its inner variables, and the first of the
current state's transitions whose conditions hold fires (through ``transitions.Machine``).
Every random choice goes through the session's own ``random.Random(seed)``, and conditions are
evaluated once per reply, so the same scenario, seed and replies always give the same call.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from transitions import Machine

from .i18n import honorific, money, pronoun
from .i18n import t as _t

from .persona import (
    FEATURE_IDS, RED_LINE_IDS, SUCCESS_OUTCOMES, VARIABLES, CLine, CTransition, DebtorModel, Persona,
)
from .scenario import Scenario

SOLUTIONS = ("installment", "deferral", "partial_payment", "fee_reduction")
#: why a call ended (``Session.ended_by``, ``summary()["ended_by"]``): the debtor reached a terminal
#: state, the call stalled or ran too long, or it was ended from outside with ``finish(reason)``
ENDED_BY = ("debtor", "stall", "max_turns", "trainee", "time_limit")
#: the reasons ``finish`` accepts: the trainee hung up (or the replies ran out); a time limit ran out
FINISH_REASONS = ("trainee", "time_limit")
PRESSURE = ("command", "sarcasm", "blame", "shouting", "demands_full")

#: the step checklist of a call (persona ``checklist:``), with the score dimension each feeds and
#: its Chinese label (``summary()`` gives the labels in the scenario's language, locales ``steps.*``)
CHECKLISTS: dict[str, list[tuple[str, str, str]]] = {
    "debtor": [
        ("identified_self", "clarity", _t("steps.identified_self")),
        ("verified_before_disclosing", "clarity", _t("steps.verified_before_disclosing")),
        ("stated_facts", "clarity", _t("steps.stated_facts")),
        ("asked_situation", "solution", _t("steps.asked_situation")),
        ("offered_solution", "solution", _t("steps.offered_solution")),
        ("fixed_commitment", "solution", _t("steps.fixed_commitment")),
        ("confirmed_commitment", "solution", _t("steps.confirmed_commitment")),
        ("closed_politely", "politeness", _t("steps.closed_politely")),
    ],
    "third_party": [
        ("identified_self", "clarity", _t("steps.identified_self")),
        ("asked_for_debtor", "clarity", _t("steps.asked_for_debtor")),
        ("protected_privacy", "clarity", _t("steps.protected_privacy")),
        ("asked_callback", "solution", _t("steps.asked_callback")),
        ("closed_politely", "politeness", _t("steps.closed_politely")),
    ],
}
_STEP_ORDER = list(dict.fromkeys(name for steps in CHECKLISTS.values() for name, _, _ in steps))
#: how much of a summary dimension comes from the steps (the rest: mean of the replies' scores)
STEP_WEIGHT = {"politeness": 0.2, "clarity": 0.5, "solution": 0.5}

# -- reading sums and dates out of a reply (the persona needs the numbers, not only the fact) ---

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUM = r"(?:\d[\d,,]*(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)"
_MONEY = re.compile(
    rf"({_NUM})\s*(万元|万块|万|千元|千块|千|元|块钱|块|rmb|RMB)"
    rf"|(?:还|付|存|交|转|凑|每月|每个月|每期|首期|月供|先还|一期)\s*(?:上|个|款|了)?\s*(\d{{3,7}})(?![\d号日月点年:.:])"
)
_DATE = re.compile(
    r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{1,2}\s*[号日](?:之前|以前|前|当天)?|(?:本|这|下|下个)?(?:周|星期|礼拜)[一二三四五六日天]"
    r"|(?:今天|明天|后天|今晚|明早)|[一二三四五六七八九十]{1,3}\s*号|\d{1,2}\s*[点:]\s*(?:\d{2})?|(?:本|这个?)月底|月底前"
)


_ASKS = re.compile("吗|[?\uff1f]|是不是|在不在|本人|找一下|找下")
# English replies (a reply with no Chinese character in it): $1,500 · 300 dollars · 6 payments of 700
_CJK = re.compile(r"[\u3400-\u9fff]")
_MONEY_EN = re.compile(
    r"\$\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s?(?:dollars|bucks|usd)\b"
    r"|\b(?:pay|paying|payments? of|instal+ments? of)\s+(\d[\d,]{1,8})\b(?!\s*(?:st|nd|rd|th|am|pm|days?|weeks?|months?|payments?|instal))"
    r"|\b(\d[\d,]{1,8})\s+(?:a|per|each)\s+month\b", re.IGNORECASE)
_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_ORD = r"\d{1,2}(?:st|nd|rd|th)"
_DATE_EN = re.compile(
    rf"\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b{_ORD}\s+of\s+(?:{_MONTHS}|this month|next month)\b"
    rf"|\b(?:(?:this|next)\s+)?{_DAYS}(?:,?\s+(?:the\s+)?{_ORD})?\b|\bthe\s+{_ORD}(?:\s+of\s+(?:this|next)\s+month)?\b"
    rf"|\btomorrow\b|(?<=by )today\b|(?<=before )today\b|\b(?:the\s+)?end of (?:the|this|next) month\b|\b\d{{1,2}}/\d{{1,2}}\b",
    re.IGNORECASE)


def _cn_number(text: str) -> float | None:
    text = text.replace(",", "").replace(",", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    total, section, digit = 0, 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit == 10000:
                total += (section + digit) * unit
                section, digit = 0, 0
            else:
                section += (digit or 1) * unit
                digit = 0
        else:
            return None
    return float(total + section + digit) or None


def read_amounts(text: str) -> list[int]:
    """Sums of money in a reply, in yuan (``1,000元``, ``三千块``, ``3万``, ``每月还1100``), or in an
    English reply in dollars (``$1,500``, ``300 dollars``, ``payments of 700``)."""
    out: list[int] = []
    if not _CJK.search(text):
        for m in _MONEY_EN.finditer(text):
            n = _cn_number(next(g for g in m.groups() if g))
            if n is not None and n >= 1:
                out.append(int(round(n)))
    for m in _MONEY.finditer(text):
        if m.group(1):
            n = _cn_number(m.group(1))
            if n is None:
                continue
            unit = m.group(2)
            if unit.startswith("万"):
                n *= 10000
            elif unit.startswith("千"):
                n *= 1000
        else:
            n = _cn_number(m.group(3))
            if n is None:
                continue
        if n >= 1:
            out.append(int(round(n)))
    return out


def read_deadline(text: str) -> str | None:
    """The first concrete date or time point in a reply, as written (``3月25日``, ``本周五``; in an
    English reply ``Friday``, ``March 25``, ``the 5th``)."""
    if not _CJK.search(text):
        e = _DATE_EN.search(text)
        if e:
            return e.group(0).strip()
    m = _DATE.search(text)
    return m.group(0).strip() if m else None


# -- what the UI and the debrief see -----------------------------------------------------------

@dataclass(frozen=True)
class Fired:
    """A reaction or transition that fired, and why."""

    kind: str          # "reaction" | "transition" | "engine"
    name: str          # reaction index, trigger name, or the engine rule
    because: tuple[str, ...]
    effects: tuple[str, ...] = ()
    reason: str = ""
    source: str | None = None
    dest: str | None = None
    index: int | None = None  # the transition's place in the persona file (for test coverage)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "name": self.name, "because": list(self.because),
                               "effects": list(self.effects), "reason": self.reason}
        if self.kind == "transition":
            out.update({"from": self.source, "to": self.dest})
        return out


@dataclass
class TurnResult:
    turn: int
    trainee: str
    debtor: str | None
    state: str
    previous_state: str
    variables: dict[str, int]
    changes: dict[str, int]
    fired: list[Fired]
    analysis: Any                        # simulator.analyzer.Analysis (None for turn 0)
    context: dict[str, Any]
    new_steps: list[str] = field(default_factory=list)
    ended: bool = False
    outcome: str | None = None
    ended_by: str | None = None

    @property
    def red_lines(self) -> list[Any]:
        return list(self.analysis.red_lines) if self.analysis is not None else []

    def to_dict(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "trainee": self.trainee,
            "debtor": self.debtor,
            "state": self.state,
            "score": self.analysis.to_dict() if self.analysis is not None else None,
            "previous_state": self.previous_state,
            "variables": dict(self.variables),
            "changes": dict(self.changes),
            "fired": [f.to_dict() for f in self.fired],
            "new_steps": list(self.new_steps),
            "context": dict(self.context),
            "ended": self.ended,
            "outcome": self.outcome,
        }


class SessionOver(RuntimeError):
    """A reply after the call has ended."""


Analyze = Callable[[str, Any], Any]


class _Env:
    """The window conditions and effects see (persona.Env)."""

    def __init__(self, s: "Session"):
        self.s = s

    def has(self, name: str) -> bool:
        s = self.s
        return name in s._now_ids

    def any_red_line(self) -> bool:
        a = self.s._now_analysis
        return bool(a is not None and a.red_lines)

    def var(self, name: str) -> int:
        return self.s.variables[name]

    def add_var(self, name: str, delta: int) -> None:
        self.s._set_var(name, self.s.variables[name] + delta)

    def set_var(self, name: str, value: int) -> None:
        self.s._set_var(name, value)

    def done(self, fact: str) -> bool:
        return fact in self.s.facts

    def count(self, name: str) -> int:
        return self.s.counts[name]

    def turns_in_state(self) -> int:
        return self.s._turns_in_state

    def turn(self) -> int:
        return self.s.turn

    def case_flag(self, name: str) -> bool:
        s = self.s
        if name == "informed":
            return s.scenario.case.answerer.informed
        if name == "debtor_on_line":
            return s._debtor_on_line
        return bool(getattr(s.scenario.case, name))

    def flag(self, name: str) -> bool:
        return name in self.s.flags

    def set_flag(self, name: str, on: bool) -> None:
        (self.s.flags.add if on else self.s.flags.discard)(name)

    def affordable(self) -> bool:
        s = self.s
        cap = s.scenario.case.monthly_capacity
        return cap is None or s.plan_amount is None or s.plan_amount <= cap

    def chance(self, percent: int) -> bool:
        return self.s.rng.random() * 100 < percent

    def verify_identity(self) -> None:
        self.s._verified = True
        self.s.facts.add("verified")

    def debtor_on_line(self) -> None:
        self.s._debtor_on_line = True


# what the trainee has done so far in the call: fact ← any of these ids in a reply
_FACTS: tuple[tuple[str, frozenset[str]], ...] = tuple((fact, frozenset(signs)) for fact, signs in (
    ("identified", {"self_identification"}),
    ("facts_stated", {"states_amount", "states_overdue"}),
    ("situation", {"asks_situation"}),
    ("solution", {"offers_solution"}),
    ("channel", {"payment_channel", "official_verification"}),
    ("confirmed", {"confirms_commitment"}),
    ("closed", {"closing"}),
    ("callback", {"asks_callback"}),
    ("contact", {"asks_contact"}),
    ("boundary", {"sets_boundary"}),
    ("disclosed", {"third_party_disclosure"}),
))


class Session:
    """One call. Not thread-safe; cheap to create (one per call)."""

    def __init__(self, scenario: Scenario, seed: int = 0, analyze: Analyze | None = None,
                 persona: Persona | None = None):
        self.scenario = scenario
        self.persona = persona or scenario.persona()
        self.seed = int(seed)
        self.rng = random.Random(self.seed)
        if analyze is None:
            from .analyzer import analyze as default_analyze
            analyze = default_analyze
        self._analyze = analyze
        spec = self.persona.spec
        self.variables: dict[str, int] = {k: max(0, min(100, v)) for k, v in self.persona.initial_variables().items()}
        self.flags: set[str] = set(spec.flags)
        self.facts: set[str] = set()
        self.counts: Counter[str] = Counter()
        self.turn = 0
        self.turns: list[TurnResult] = []
        self.red_lines: list[dict[str, Any]] = []
        self.path: list[str] = [spec.initial]
        self.plan_amount: int | None = None
        self.plan_amount_text: str | None = None
        self.deadline_text: str | None = None
        self.started = False
        self.ended = False
        self.outcome: str | None = None
        self.ended_by: str | None = None
        self._verified = False
        self._debtor_on_line = scenario.case.answerer.is_debtor
        self._disclosed_unverified = False
        self._turns_in_state = 0
        self._stalled = 0
        self._now_ids: set[str] = set()
        self._now_analysis: Any = None
        self._holds: dict[int, bool] = {}
        self._fired_index: list[int] = []
        self._env = _Env(self)
        self.model = DebtorModel(self)
        self.machine = Machine(
            model=self.model, states=self.persona.machine_states(),
            transitions=[self._machine_transition(t) for t in self.persona.transitions],
            initial=spec.initial, auto_transitions=False, ignore_invalid_triggers=True,
            send_event=False, queued=False,
        )

    # -- public API ----------------------------------------------------------------------------
    @property
    def state(self) -> str:
        return str(self.model.state)

    @property
    def identity_verified(self) -> bool:
        return self._verified

    def start(self) -> str | None:
        """Begin the call; the debtor's first line if the debtor speaks first (turn 0)."""
        if self.started:
            return self.turns[0].debtor if self.turns and self.turns[0].turn == 0 else None
        self.started = True
        if not self.persona.spec.speaks_first:
            return None
        line = self._choose(self.persona.states[self.state].lines)
        self.turns.append(TurnResult(0, "", line, self.state, self.state, dict(self.variables), {}, [], None,
                                     self.context_dict()))
        return line

    def context_dict(self) -> dict[str, Any]:
        """The call context the next reply is judged in (the contract's ``score`` context)."""
        case = self.scenario.case
        ctx: dict[str, Any] = {
            "lang": self.scenario.spec.lang,
            "counterpart": "debtor" if self._debtor_on_line else "third_party",
            "third_party_informed": bool(case.answerer.informed and not self._debtor_on_line),
            "identity_verified": self._verified if self._debtor_on_line else False,
            "clock": case.clock,
            "calls_today": case.calls_today,
            "lawsuit_filed": case.lawsuit_filed,
        }
        if self.scenario.spec.profile:
            ctx["profile"] = self.scenario.spec.profile
        return ctx

    def reply(self, text: str) -> TurnResult:
        """The trainee says ``text``; the debtor reacts."""
        if self.ended:
            raise SessionOver(f"the call has ended ({self.outcome})")
        if not self.started:
            self.start()
        from .analyzer import CallContext

        self.turn += 1
        ctx = self.context_dict()
        analysis = self._analyze(text, CallContext.model_validate(ctx))
        previous = self.state
        before_vars = dict(self.variables)
        before_steps = self._steps_done()
        before_facts = set(self.facts)
        self._now_analysis = analysis
        self._now_ids = self._ids(text, analysis)
        self._holds = {}
        self.counts.update(self._now_ids)
        self._update_facts(text, analysis)
        fired: list[Fired] = []

        for var, delta in self.persona.spec.per_turn.items():
            self._set_var(var, self.variables[var] + delta)
        for r in self.persona.reactions:
            if all(c(self._env) for _, c in r.when) and not any(c(self._env) for _, c in r.unless):
                for _, act in r.effects:
                    act(self._env)
                fired.append(Fired("reaction", f"reactions[{r.index}]", _because(r.when, r.unless),
                                   tuple(e for e, _ in r.effects), r.reason))

        transition = self._fire_transition()
        line_pool: list[CLine]
        if transition is not None:
            fired.append(Fired("transition", transition.trigger, _because(transition.when, transition.unless),
                               tuple(e for e, _ in transition.effects), transition.reason, previous, transition.dest,
                               transition.index))
            line_pool = transition.lines or self.persona.states[self.state].lines
        else:
            line_pool = self.persona.states[self.state].lines

        state_changed = self.state != previous
        if state_changed:
            self.path.append(self.state)
            self._turns_in_state = 0
        else:
            self._turns_in_state += 1

        for r in analysis.red_lines:
            self.red_lines.append({"rule": r.rule, "turn": self.turn, "evidence": r.evidence})

        done = self._steps_done()
        new_steps = [name for name in _STEP_ORDER if name in done and name not in before_steps]
        improved = (before_vars["anger"] - self.variables["anger"]) + (self.variables["trust"] - before_vars["trust"]) \
            + (self.variables["willingness"] - before_vars["willingness"])
        progress = state_changed or bool(new_steps) or bool(self.facts - before_facts) or improved >= 10
        self._stalled = 0 if progress else self._stalled + 1

        st = self.persona.states[self.state].spec
        outcome: str | None = None
        ended_by = None
        if st.terminal:
            outcome, ended_by = self._guard(st.outcome or "no_agreement"), "debtor"
        elif self._stalled >= self.persona.spec.stall_turns:
            outcome, ended_by = "no_agreement", "stall"
            fired.append(Fired("engine", "stalled", (f"no progress for {self._stalled} replies",),
                               reason=_t("session.stalled", self.scenario.spec.lang)))
        elif self.turn >= self.persona.spec.max_turns:
            outcome, ended_by = "no_agreement", "max_turns"
            fired.append(Fired("engine", "max_turns", (f"turn {self.turn} of {self.persona.spec.max_turns}",),
                               reason=_t("session.max_turns", self.scenario.spec.lang)))
        if ended_by in ("stall", "max_turns"):
            line = self._format(self.rng.choice(self.persona.spec.stall_lines))
        else:
            line = self._choose(line_pool)
        if outcome is not None:
            self.ended, self.outcome, self.ended_by = True, outcome, ended_by
        changes = {k: self.variables[k] - before_vars[k] for k in VARIABLES if self.variables[k] != before_vars[k]}
        result = TurnResult(self.turn, text, line, self.state, previous, dict(self.variables), changes, fired,
                            analysis, ctx, new_steps, self.ended, self.outcome, self.ended_by)
        self.turns.append(result)
        self._now_analysis = None
        self._now_ids = set()
        return result

    def finish(self, reason: str = "trainee") -> str:
        """End the call from outside the debtor; returns the outcome. ``reason`` is recorded as
        ``ended_by``: ``"trainee"`` (hung up, or the replies ran out) or ``"time_limit"`` (an exam's
        time limit ran out). The outcome is the same either way: the state's ``end_outcome``.
        A call that has already ended keeps its outcome and ``ended_by``."""
        if reason not in FINISH_REASONS:
            raise ValueError(f"finish(reason={reason!r}): use one of {', '.join(FINISH_REASONS)}")
        if not self.ended:
            st = self.persona.states[self.state].spec
            self.ended, self.ended_by = True, reason
            self.outcome = self._guard(st.end_outcome or "no_agreement")
        assert self.outcome is not None
        return self.outcome

    def hint(self) -> str | None:
        """The coaching hint for where the call is now: the current state's ``hint:`` (or the
        scenario's ``overrides.hints``), filled in from the case file and the call so far. None when
        the state has no hint or the call has ended."""
        if self.ended:
            return None
        text = self.persona.states[self.state].spec.hint
        return self._format(text) if text else None

    @classmethod
    def replay(cls, scenario: Scenario, seed: int, replies: Iterable[str], finish: bool = False,
               analyze: Analyze | None = None, reason: str = "trainee") -> "Session":
        """Rebuild a session from its replies (resuming a crashed call gives the same state);
        with ``finish``, end it as ``finish(reason)`` would."""
        s = cls(scenario, seed, analyze)
        s.start()
        for text in replies:
            if s.ended:
                break
            s.reply(text)
        if finish:
            s.finish(reason)
        return s

    @classmethod
    def from_record(cls, record: dict[str, Any], scenario: Scenario | None = None,
                    analyze: Analyze | None = None) -> "Session":
        """Resume from ``to_dict()`` output (or ``{"scenario", "seed", "replies"}``)."""
        if scenario is None:
            from .scenario import Catalog
            scenario = Catalog.discover().get(record["scenario"])
        replies = record.get("replies")
        if replies is None:
            replies = [t["trainee"] for t in record.get("turns", []) if t.get("turn", 1) != 0 and t.get("trainee")]
        ended_by = record.get("ended_by")
        return cls.replay(scenario, int(record.get("seed", 0)), replies,
                          finish=ended_by in FINISH_REASONS, analyze=analyze,
                          reason=ended_by if ended_by in FINISH_REASONS else "trainee")

    def record(self) -> dict[str, Any]:
        """The minimum needed to resume: scenario, seed and the replies so far."""
        return {"scenario": self.scenario.id, "seed": self.seed,
                "replies": [t.trainee for t in self.turns if t.turn > 0]}

    def steps(self) -> dict[str, bool]:
        done = self._steps_done()
        return {name: name in done for name, _, _ in CHECKLISTS[self.persona.spec.checklist]}

    def summary(self) -> dict[str, Any]:
        replies = [t for t in self.turns if t.analysis is not None]
        steps = self.steps()
        checklist = CHECKLISTS[self.persona.spec.checklist]
        out: dict[str, Any] = {}
        for dim in ("politeness", "clarity", "solution"):
            if not replies:
                out[dim] = 0
                continue
            mean = sum(t.analysis.scores.get(dim, 0) for t in replies) / len(replies)
            dim_steps = [steps[name] for name, d, _ in checklist if d == dim]
            ratio = sum(dim_steps) / len(dim_steps) if dim_steps else mean / 100
            w = STEP_WEIGHT[dim]
            out[dim] = int(round((1 - w) * mean + w * 100 * ratio))
        out["overall"] = int(round((out["politeness"] + out["clarity"] + out["solution"]) / 3))
        out["red_lines"] = [dict(r) for r in self.red_lines]
        out["passed"] = not self.red_lines
        out["steps"] = steps
        out["step_labels"] = {name: _t(f"steps.{name}", self.scenario.spec.lang) for name, _, _ in checklist}
        out["replies"] = len(replies)
        out["ended_by"] = self.ended_by
        out["path"] = list(self.path)
        out["final_variables"] = dict(self.variables)
        if self.plan_amount is not None or self.deadline_text is not None:
            out["commitment"] = {"amount": self.plan_amount, "amount_text": self.plan_amount_text,
                                 "deadline": self.deadline_text, "confirmed": "confirmed" in self.facts}
        return out

    def to_dict(self) -> dict[str, Any]:
        """The contract's ``run --json`` object."""
        return {
            "scenario": self.scenario.id,
            "persona": self.persona.kind,       # angry | evasive | hardship | lost_contact
            "seed": self.seed,
            "turns": [t.to_dict() for t in self.turns],
            "outcome": self.outcome,
            "summary": self.summary(),
        }

    # -- internals -----------------------------------------------------------------------------
    def _machine_transition(self, t: CTransition) -> dict[str, Any]:
        return {"trigger": t.trigger, "source": t.sources, "dest": t.dest,
                "conditions": [lambda t=t: self._check(t)],
                "after": [lambda t=t: self._after(t)]}

    def _check(self, t: CTransition) -> bool:
        if t.index not in self._holds:
            self._holds[t.index] = t.holds(self._env)
        return self._holds[t.index]

    def _after(self, t: CTransition) -> None:
        self._fired_index.append(t.index)
        for _, act in t.effects:
            act(self._env)

    def _fire_transition(self) -> CTransition | None:
        """The first outgoing transition (in file order) whose conditions hold, fired by the machine."""
        for t in self.persona.outgoing(self.state):
            if self._check(t):
                self._fired_index.clear()
                getattr(self.model, t.trigger)()
                if self._fired_index != [t.index]:  # pragma: no cover - guarded by the memo
                    raise RuntimeError(f"machine fired {self._fired_index}, expected transition {t.index}")
                return t
        return None

    def _set_var(self, name: str, value: int) -> None:
        self.variables[name] = max(0, min(100, int(value)))

    def _ids(self, text: str, a: Any) -> set[str]:
        ids = set(a.features) | set(a.signals) | set(a.red_line_ids)
        if read_amounts(text) or "states_amount" in ids:
            ids.add("gives_amount")
        if read_deadline(text) or "specific_deadline" in ids:
            ids.add("gives_deadline")
        if ids & set(SOLUTIONS):
            ids.add("offers_solution")
        if ids & set(PRESSURE):
            ids.add("pressure")
        if not a.red_lines and not ids & set(PRESSURE):
            ids.add("calm")
        case = self.scenario.case
        names = (case.debtor_name, case.surname + case.honorific, case.debtor_name[1:] if len(case.debtor_name) > 2 else None,
                 f"{honorific(case.honorific, self.scenario.spec.lang)} {case.surname}",
                 case.debtor_name.split()[0] if " " in case.debtor_name else None)
        if any(n and n.lower() in text.lower() for n in names) and _ASKS.search(text):
            ids.add("asks_for_debtor")
        return ids

    def _update_facts(self, text: str, a: Any) -> None:
        ids = self._now_ids
        f = self.facts
        f.update(fact for fact, signs in _FACTS if ids & signs)
        if "discloses_before_verification" in ids or (
                self._debtor_on_line and not self._verified and ids & {"states_amount", "states_overdue"}):
            self._disclosed_unverified = True
        negotiating = self.persona.states[self.state].spec.negotiating
        if "gives_deadline" in ids:
            f.add("deadline")
            self.deadline_text = read_deadline(text) or _evidence(a, "specific_deadline") or self.deadline_text
        if "gives_amount" in ids and (negotiating or ids & {"offers_solution", "gives_deadline", "confirms_commitment"}):
            f.add("amount")
            amounts = read_amounts(text)
            debt = int(round(self.scenario.case.amount))
            if amounts:
                smaller = [x for x in amounts if x != debt] or amounts
                self.plan_amount = min(smaller)
                self.plan_amount_text = money(self.plan_amount, self.scenario.spec.lang)
            else:
                self.plan_amount_text = _evidence(a, "states_amount") or self.plan_amount_text

    def _steps_done(self) -> set[str]:
        f = self.facts
        done = set()
        if "identified" in f:
            done.add("identified_self")
        asked_identity = self.counts["identity_check"] or self.counts["asks_for_debtor"]
        if asked_identity and not self._disclosed_unverified:
            done.add("verified_before_disclosing")
        if asked_identity:
            done.add("asked_for_debtor")
        if "facts_stated" in f:
            done.add("stated_facts")
        if "situation" in f:
            done.add("asked_situation")
        if "solution" in f:
            done.add("offered_solution")
        if "amount" in f and "deadline" in f:
            done.add("fixed_commitment")
        if "confirmed" in f:
            done.add("confirmed_commitment")
        if "closed" in f:
            done.add("closed_politely")
        if self.turn > 0 and "disclosed" not in f and not self.counts["privacy_exposure"]:
            done.add("protected_privacy")
        if "callback" in f:
            done.add("asked_callback")
        return done

    def _guard(self, outcome: str) -> str:
        """Success needs its substance: a promise an amount and a date, a message nothing disclosed."""
        if outcome == "promise_to_pay" and not {"amount", "deadline"} <= self.facts:
            return "no_agreement"
        if outcome == "message_left" and ("callback" not in self.facts or "disclosed" in self.facts):
            return "no_agreement"
        return outcome

    def _choose(self, lines: Sequence[CLine]) -> str | None:
        if not lines:
            return None
        specific = [x for x in lines if (x.when or x.unless) and x.holds(self._env)]
        pool = specific or [x for x in lines if not (x.when or x.unless)] or list(lines)
        return self._format(self.rng.choice(pool).text)

    def _format(self, text: str) -> str:
        case = self.scenario.case
        lang = self.scenario.spec.lang
        values = {
            "name": case.debtor_name, "surname": case.surname, "honorific": honorific(case.honorific, lang),
            "creditor": case.creditor, "product": case.product_name or _t(f"product_long.{case.product}", lang),
            "amount": money(case.amount, lang), "overdue_days": str(case.overdue_days),
            "reason": case.reason or _t("session.reason_default", lang),
            "capacity": money(case.monthly_capacity, lang) if case.monthly_capacity else _t("session.capacity_default", lang),
            "plan_amount": self.plan_amount_text or _t("session.plan_amount_default", lang),
            "deadline": _strip_before(self.deadline_text) or _t("session.deadline_default", lang),
            "relation": case.answerer.relation, "collector_org": case.creditor,
            "ta": pronoun(case.honorific, lang),
        }
        return re.sub(r"\{([a-z_]+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def _strip_before(text: str | None) -> str | None:
    if not text:
        return text
    return re.sub(r"(?:之前|以前|前)$", "", text)


def _evidence(a: Any, feature: str) -> str | None:
    hit = getattr(a, "feature_hits", {}).get(feature)
    return hit.evidence if hit is not None else None


def _because(when: list[tuple[str, Any]], unless: list[tuple[str, Any]]) -> tuple[str, ...]:
    return tuple(c for c, _ in when) + tuple(f"not {c}" for c, _ in unless)


__all__ = ["CHECKLISTS", "ENDED_BY", "FINISH_REASONS", "Fired", "Session", "SessionOver", "TurnResult", "read_amounts", "read_deadline",
           "FEATURE_IDS", "RED_LINE_IDS", "SUCCESS_OUTCOMES"]
