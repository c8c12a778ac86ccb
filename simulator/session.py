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

A reply is one turn in named phases:

- **perceive** — the analyzer reads the reply in the call's context: features, signals, red lines,
  dialogue acts and typed values (sums, dates, 工号). The session adds what only the call can
  tell (the debtor named in a question, a proposal now on the table, the trainee repeating
  itself or contradicting what it said) and remembers what it was told.
- **react** — the persona's reactions move its inner variables (anger, trust, willingness,
  patience).
- **move** — one trigger (``hear``) of the ``transitions`` machine: the first of the current
  state's transitions (in file order) whose conditions hold fires.
- **answer** — the debtor answers what the reply did (the persona's ``answers:``), then adds its
  state line where it fits; no line is said twice while its pool has another.
- **record** — facts, steps, red lines and the turn.
- **maybe end** — a terminal state, a stalled call or the turn limit ends it.

Every random choice goes through the session's own ``random.Random(seed)``, and conditions are
evaluated once per reply, so the same scenario, seed and replies always give the same call.
"""

from __future__ import annotations

import datetime as _dt
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from transitions import Machine

from . import steps as _steps
from .analyzer.values import Value, reader, render_amount_spoken, render_date
from .i18n import honorific, money, pronoun, value as _value
from .i18n import t as _t
from .persona import AGAIN, HEAR, CAnswer, CLine, CTransition, DebtorModel, Persona
from .scenario import Scenario
from .steps import CHECKLISTS, STEP_ORDER
from .vocab import (
    CONTENT_ACTS, DIMENSIONS, ENDED_BY, FEATURE_IDS, FINISH_REASONS, RED_LINE_IDS, REACTIVE_ACTS, SUCCESS_OUTCOMES, TONE_IDS,
    VARIABLES,
)

SOLUTIONS = ("installment", "deferral", "partial_payment", "fee_reduction")
PRESSURE = ("shouting", "demands_full") + TONE_IDS
#: acts that ask the debtor something: asked again after it was answered, the trainee repeats itself
QUESTION_ACTS = ("identity_check", "asks_situation", "asks_capacity", "asks_contact")
#: an act with no answer of its own is answered as another one
ACT_ALIASES = {"asks_for_debtor": "identity_check"}


# -- reading sums and dates (kept for callers of the old API; the analyzer does the reading) ----

_CJK = re.compile(r"[\u3400-\u9fff]")


def _values(text: str) -> list[Value]:
    from .analyzer.normalize import normalize

    lang = "zh" if _CJK.search(text) else "en"
    return reader(lang).read(normalize(text, strip_separators=lang == "zh", simplify=lang == "zh"))


def read_amounts(text: str) -> list[int]:
    """Sums of money in a reply, in yuan (``1,000元``, ``三千块``, ``3万``, ``每月还1100``), or in an
    English reply in dollars (``$1,500``, ``300 dollars``, ``payments of 700``)."""
    return [v.amount for v in _values(text) if v.kind == "amount" and v.amount is not None]


def read_deadline(text: str) -> str | None:
    """The first concrete date in a reply, rendered from its typed value (``3月25日``, ``本周五``;
    in an English reply ``Friday``, ``March 25``, ``the 5th``)."""
    lang = "zh" if _CJK.search(text) else "en"
    for v in _values(text):
        if v.kind == "date":
            return render_date(v, lang)
    return None


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
    acts: list[str] = field(default_factory=list)      # the acts the debtor heard (and answered first)
    answered: list[str] = field(default_factory=list)  # the acts the debtor's line answers
    speaker: str = "debtor"                 # who says ``debtor``: "debtor" | "third_party" (the answerer)
    handover: str | None = None             # the third party's words as they hand the phone to the debtor

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
            "acts": list(self.acts),
            "answered": list(self.answered),
            "speaker": self.speaker,
            "handover": {"speaker": "third_party", "line": self.handover} if self.handover is not None else None,
        }


class SessionOver(RuntimeError):
    """A reply after the call has ended."""


Analyze = Callable[[str, Any], Any]


# -- what the debtor knows: capacity, the plan on the table, memory ------------------------------

@dataclass(frozen=True)
class Capacity:
    """What the debtor can really pay (the case file's ``capacity``, defaults filled in)."""

    lump_sum: int
    monthly: int
    earliest_days: int
    convinced_by: tuple[str, ...]

    @classmethod
    def of(cls, case: Any) -> "Capacity":
        cap = case.capacity
        amount = int(round(case.amount))
        monthly = cap.monthly or case.monthly_capacity or max(100, -(-amount // 12 // 100) * 100)
        lump = cap.lump_sum or (amount if amount <= 5000 else max(100, int(round(amount * 0.3 / 100)) * 100))
        return cls(lump, monthly, cap.earliest_days, tuple(cap.convinced_by))


@dataclass
class Plan:
    """The offer on the table: what the trainee proposed so far (typed, never raw text)."""

    once: int | None = None        # a one-off payment (先还20000元)
    monthly: int | None = None     # an instalment a month (每月1500)
    date: Value | None = None      # the payment date
    days: int | None = None        # … in days from the call
    turn: int = 0

    @property
    def amount(self) -> int | None:
        """What is due by the date: the one-off payment, else the first instalment."""
        return self.once if self.once is not None else self.monthly

    @property
    def complete(self) -> bool:
        return self.amount is not None and self.date is not None


@dataclass
class Memory:
    """What the trainee has told the debtor, as the debtor remembers it."""

    caller_name: str | None = None
    staff_id: str | None = None
    org: str | None = None
    debt_amount: int | None = None
    offers: list[dict[str, Any]] = field(default_factory=list)


class _Env:
    """The window conditions and effects see (persona.Env)."""

    def __init__(self, s: "Session"):
        self.s = s

    def has(self, name: str) -> bool:
        return name in self.s._now_ids

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
        if name == "has_new_number":
            return s.scenario.case.answerer.has_new_number
        return bool(getattr(s.scenario.case, name))

    def flag(self, name: str) -> bool:
        return name in self.s.flags

    def set_flag(self, name: str, on: bool) -> None:
        (self.s.flags.add if on else self.s.flags.discard)(name)

    def affordable(self) -> bool:
        return not self.s.offer_status()["offer_over"]

    def offer(self, test: str) -> bool:
        return self.s.offer_status()[test]

    def convinced(self) -> bool:
        return self.s.convinced()

    def knows(self, item: str) -> bool:
        return self.s.knows(item)

    def relation(self) -> str:
        return self.s.relation

    def state(self) -> str:
        return self.s.state

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
    ("situation", {"asks_situation", "asks_capacity"}),
    ("solution", {"offers_solution", "proposes_plan"}),
    ("channel", {"payment_channel", "official_verification"}),
    ("confirmed", {"confirms_commitment"}),
    ("closed", {"closing"}),
    ("callback", {"asks_callback"}),
    ("contact", {"asks_contact"}),
    ("boundary", {"sets_boundary"}),
    ("disclosed", {"third_party_disclosure"}),
))
_PUNCT = re.compile(r"[\s,。!?;:、…~.,!?;:\"'“”‘’()()]+")


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


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
        case = scenario.case
        self.lang = scenario.spec.lang
        self.variables: dict[str, int] = {k: max(0, min(100, v)) for k, v in self.persona.initial_variables().items()}
        self.flags: set[str] = set(spec.flags)
        self.facts: set[str] = set()
        self.counts: Counter[str] = Counter()
        self.turn = 0
        self.turns: list[TurnResult] = []
        self.red_lines: list[dict[str, Any]] = []
        self.path: list[str] = [spec.initial]
        self.capacity = Capacity.of(case)
        self.call_date: _dt.date = case.date
        self.relation = "self" if case.answerer.is_debtor else case.answerer.relation_kind
        self.plan = Plan()
        self.memory = Memory()
        self.plan_amount: int | None = None
        self.plan_amount_text: str | None = None
        self.deadline_text: str | None = None
        self.started = False
        self.ended = False
        self.outcome: str | None = None
        self.ended_by: str | None = None
        self._verified = False
        self._debtor_on_line = case.answerer.is_debtor
        self._hands_over = case.answerer.hands_over       # a third party answers, then hands over
        self.handed_over_at: int | None = None            # the reply after which the debtor took the phone
        self._before_handover: dict[str, bool] = {}       # the third-party steps, as they stood then
        self._disclosed_unverified = False
        self._turns_in_state = 0
        self._stalled = 0
        self._now_ids: set[str] = set()
        self._now_analysis: Any = None
        self._holds: dict[int, bool] = {}
        self._fired: list[CTransition] = []
        self._said: dict[str, int] = {}          # every debtor line said -> the turn it was said
        self._last_for: dict[str, str] = {}      # an act or state -> the last line said for it
        self._answered: set[str] = set()         # acts the debtor has answered
        self._replies: list[tuple[str, set[str]]] = []  # the trainee's replies, normalised, and their bigrams
        self._asked_with: dict[str, set[str]] = {}       # a question act -> the bigrams of the reply that asked it
        self._debtor_offer: Plan | None = None   # what the debtor's last line offered (a counter, its capacity)
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
        if self._waiting():
            line = self._third_party_line("greeting")
            self.turns.append(TurnResult(0, "", line, self.state, self.state, dict(self.variables), {}, [], None,
                                         self.context_dict(), speaker="third_party"))
            return line
        if not self.persona.spec.speaks_first:
            return None
        line = self._pick_lines(self.state, self._state_lines(self.state))
        self.turns.append(TurnResult(0, "", line, self.state, self.state, dict(self.variables), {}, [], None,
                                     self.context_dict(), speaker=self.speaker))
        return line

    # -- a hand-over call: the third party answers, then the debtor takes the phone ------------
    @property
    def speaker(self) -> str:
        """Who is on the line now: ``"debtor"`` or ``"third_party"`` (the answerer)."""
        return "debtor" if self._debtor_on_line else "third_party"

    @property
    def checklist(self) -> str:
        """The checklist the call is judged on now: a hand-over call is a third-party call until the
        debtor takes the phone, then the persona's (debtor) checklist."""
        return "third_party" if self._waiting() else self.persona.spec.checklist

    def _waiting(self) -> bool:
        """A hand-over call whose debtor has not taken the phone yet."""
        return self._hands_over is not None and self.handed_over_at is None

    def _third_party_line(self, kind: str) -> str | None:
        """The answerer's words before the hand-over (the scenario's ``hands_over``, else the
        locale's): ``greeting``, ``before`` (to any other reply), ``lines`` (handing over), ``stall``."""
        h = self._hands_over
        assert h is not None
        own = {"greeting": [h.greeting] if h.greeting else [], "before": h.before, "lines": h.lines,
               "stall": []}[kind]
        default = _value(f"session.handover_{kind}", self.lang) or []
        pool = list(own) or ([default] if isinstance(default, str) else list(default))
        if not pool:
            return None
        return self._pick(f"handover:{kind}", [], [str(x) for x in pool])

    def _hands_over_now(self, ids: set[str]) -> bool:
        h = self._hands_over
        assert h is not None
        if h.turn is not None:
            return self.turn >= h.turn
        asks = {"asks_to_put_on"} if h.after == "asks_to_put_on" else {"asks_to_put_on", "asks_for_debtor",
                                                                          "identity_check"}
        return bool(ids & asks)

    def _hand_over(self) -> str | None:
        """The debtor takes the phone: from now on the persona plays the call, judged as a debtor
        call; what the third party heard is not what the debtor heard, so identity is to be verified
        again and the debtor's checklist starts afresh. Returns the debtor's first words."""
        self._before_handover = {s.id: s.id in self._steps_done() for s in CHECKLISTS["third_party"]}
        self.handed_over_at = self.turn
        self._debtor_on_line = True
        self.relation = "self"
        self._verified = False
        self._disclosed_unverified = False
        self.facts = {f for f in self.facts if f == "disclosed"}
        self.counts = Counter()
        self.plan, self.memory = Plan(), Memory()
        self.plan_amount = self.plan_amount_text = self.deadline_text = None
        self._answered, self._replies, self._asked_with = set(), [], {}
        self._turns_in_state = 0
        if not self.persona.spec.speaks_first:
            return None
        return self._pick_lines(self.state, self._state_lines(self.state))

    def _reply_waiting(self, text: str) -> TurnResult:
        """A reply to the third party before the hand-over: scored as a third-party call (a
        disclosure to them is a red line); the debtor hears none of it, so the persona neither
        reacts nor moves."""
        previous = self.state
        before = (dict(self.variables), self._steps_done(), set(self.facts))
        ctx = self.context_dict()
        analysis = self._perceive(text, ctx)
        handover: str | None = None
        fired: list[Fired] = []
        if self._hands_over_now(self._now_ids):
            handover = self._third_party_line("lines")
            assert self._hands_over is not None
            why = (f"turn {self.turn}",) if self._hands_over.turn is not None else tuple(
                sorted(self._now_ids & {"asks_to_put_on", "asks_for_debtor", "identity_check"}))
            fired.append(Fired("engine", "hand_over", why, reason=_t("session.handed_over", self.lang)))
            line = self._hand_over()
        else:
            line = self._third_party_line("before")
        result = self._record(text, analysis, ctx, previous, before, fired, line, [])
        if handover is not None:  # the debtor's call starts afresh
            result.handover, result.new_steps, self._stalled = handover, [], 0
        self._maybe_end(result)
        self._now_analysis = None
        self._now_ids = set()
        return result

    def context_dict(self) -> dict[str, Any]:
        """The call context the next reply is judged in (the contract's ``score`` context)."""
        case = self.scenario.case
        ctx: dict[str, Any] = {
            "lang": self.lang,
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
        """The trainee says ``text``; the debtor reacts (perceive → react → move → answer → record
        → maybe end)."""
        if self.ended:
            raise SessionOver(f"the call has ended ({self.outcome})")
        if not self.started:
            self.start()
        self.turn += 1
        if self._waiting():
            return self._reply_waiting(text)
        previous = self.state
        before = (dict(self.variables), self._steps_done(), set(self.facts))
        ctx = self.context_dict()
        analysis = self._perceive(text, ctx)
        fired = self._react()
        transition = self._move()
        if transition is not None:
            fired.append(Fired("transition", transition.trigger, _because(transition.when, transition.unless),
                               tuple(e for e, _ in transition.effects), transition.reason, previous,
                               transition.dest, transition.index))
        line, answered = self._answer(transition, previous)
        result = self._record(text, analysis, ctx, previous, before, fired, line, answered)
        self._maybe_end(result)
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
        if self.ended or self._waiting():
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
        """The checklist's steps (``checklist``: the debtor's after a hand-over), done or not."""
        done = self._steps_done()
        return {s.id: s.id in done for s in CHECKLISTS[self.checklist]}

    def summary(self) -> dict[str, Any]:
        replies = [t for t in self.turns if t.analysis is not None]
        steps = self.steps()
        checklist = CHECKLISTS[self.checklist]
        # the call's scores agree with its replies' (analyzer/callscore.py, weights in the rule pack)
        from .analyzer.callscore import call_scores

        out: dict[str, Any] = call_scores([t.analysis for t in replies], steps,
                                          {st.id: st.dimension for st in checklist}, self.lang)
        out["red_lines"] = [dict(r) for r in self.red_lines]
        out["passed"] = not self.red_lines
        out["steps"] = steps
        out["step_labels"] = {st.id: _t(f"steps.{st.id}", self.lang) for st in checklist}
        out["replies"] = len(replies)
        out["ended_by"] = self.ended_by
        out["path"] = list(self.path)
        out["final_variables"] = dict(self.variables)
        if self.plan_amount is not None or self.deadline_text is not None:
            out["commitment"] = self.commitment()
        if self._hands_over is not None:
            out["handover"] = {"turn": self.handed_over_at, "by": self.scenario.case.answerer.relation,
                               "steps_before": dict(self._before_handover)}
        return out

    def commitment(self) -> dict[str, Any]:
        """The plan the call ended on, typed: amount (and whether it is a month's), date, confirmed."""
        p = self.plan
        out: dict[str, Any] = {"amount": self.plan_amount, "amount_text": self.plan_amount_text,
                               "deadline": self.deadline_text, "confirmed": "confirmed" in self.facts,
                               "agreed": self._agreed()}
        if p.monthly is not None:
            out["monthly"] = p.monthly
        if p.date is not None:
            out["deadline_value"] = {k: v for k, v in p.date.to_dict().items()
                                     if k not in ("start", "end", "text", "kind")}
            out["deadline_in_days"] = p.days
        return out

    def _agreed(self) -> bool:
        """The debtor agreed to the plan: the call went through a state that ends in a promise."""
        states = self.persona.states
        return any((states[n].spec.outcome or states[n].spec.end_outcome) == "promise_to_pay" for n in self.path)

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

    # -- what the debtor knows -----------------------------------------------------------------
    def offer_status(self) -> dict[str, bool]:
        """The plan on the table against the debtor's capacity."""
        p, cap = self.plan, self.capacity
        over = bool((p.once is not None and p.once > cap.lump_sum) or (p.monthly is not None and p.monthly > cap.monthly))
        too_soon = p.days is not None and p.days < cap.earliest_days
        offer = p.complete
        return {"offer": offer, "offer_over": over, "offer_too_soon": too_soon,
                "offer_fits": offer and not over and not too_soon}

    def convinced(self) -> bool:
        """Everything ``capacity.convinced_by`` asks for has happened in the call."""
        for need in self.capacity.convinced_by:
            if need.startswith("done:"):
                if need[5:] not in self.facts:
                    return False
            elif not self.counts[need]:
                return False
        return True

    def knows(self, item: str) -> bool:
        m = self.memory
        if item == "identity":
            return self._verified
        if item == "offer":
            return self.plan.amount is not None or self.plan.date is not None
        if item == "org":
            return m.org is not None or "identified" in self.facts
        if item == "debt_amount":
            return m.debt_amount is not None or "facts_stated" in self.facts
        return getattr(m, item) is not None

    # -- perceive --------------------------------------------------------------------------------
    def _perceive(self, text: str, ctx: dict[str, Any]) -> Any:
        from .analyzer import CallContext

        analysis = self._analyze(text, CallContext.model_validate(ctx))
        self._now_analysis = analysis
        ids = set(analysis.features) | set(analysis.signals) | set(analysis.red_line_ids)
        # an analyzer without typed values (a test's fake): read them from the text here
        values = list(analysis.values) if hasattr(analysis, "values") else _values(text)
        ids |= self._read_plan(ids, values)
        ids |= self._remember(ids, values)
        if ids & set(SOLUTIONS):
            ids.add("offers_solution")
        if ids & set(PRESSURE):
            ids.add("pressure")
        if ids & set(TONE_IDS):
            ids.add("tone")
        if not analysis.red_lines and not ids & set(PRESSURE):
            ids.add("calm")
        if self._asks_for_debtor(text):
            ids.add("asks_for_debtor")
        if self._debtor_offer is not None and ids & {"agreement", "filler", "confirms_commitment", "closing"} \
                and not [v for v in values if v.kind == "amount"]:
            self._accept_debtor_offer(ids)
        norm = _PUNCT.sub("", text.lower())
        grams = _bigrams(norm)
        if norm and "filler" not in ids and any(
                norm == r or (len(norm) >= 6 and len(grams & g) / len(grams | g) >= 0.75) for r, g in self._replies):
            ids.add("repeats_self")
        asked = {ACT_ALIASES.get(a, a) for a in ids & set(QUESTION_ACTS)}
        if not self._verified and "asks_for_debtor" not in ids:  # 「您是他室友吧?」 after 「我不是他」 is new
            asked.discard("identity_check")
        # every question in it was answered already, and it says it asks again or asks it alike
        if asked and asked <= self._answered and ("asks_again" in ids or any(
                len(grams & self._asked_with.get(a, grams)) / len(grams | self._asked_with.get(a, grams)) >= 0.3
                for a in asked)):
            ids.add("repeats_self")
        self._replies.append((norm, grams))
        for a in ids & set(QUESTION_ACTS + ("asks_for_debtor",)):
            self._asked_with.setdefault(ACT_ALIASES.get(a, a), grams)
        if self._off_topic(text, analysis, values):
            ids.add("off_topic")
        self._now_ids = ids
        self._holds = {}
        self.counts.update(ids)
        self._update_facts(ids)
        return analysis

    def _off_topic(self, text: str, analysis: Any, values: list[Value]) -> bool:
        """Nothing the call needs: the analyzer found nothing in it, it asks nothing, and it speaks
        of no one on the line (the pack's off_topic catches chit-chat by its words)."""
        if analysis.features or analysis.signals or analysis.red_lines or values:
            return False
        if re.search(r"[??吗呢]|[你您他她]|\b(?:you|he|she|him|her)\b", text, re.IGNORECASE):
            return False
        return len(_PUNCT.sub("", text)) >= 4 and not self._asks_for_debtor(text)

    def _asks_for_debtor(self, text: str) -> bool:
        case = self.scenario.case
        names = (case.debtor_name, case.surname + case.honorific,
                 case.debtor_name[1:] if len(case.debtor_name) > 2 else None,
                 f"{honorific(case.honorific, self.lang)} {case.surname}",
                 case.debtor_name.split()[0] if " " in case.debtor_name else None)
        low = text.lower()
        return any(n and n.lower() in low for n in names) and bool(re.search("吗|[?\uff1f]|是不是|在不在|本人|找一下|找下", text))

    def _read_plan(self, ids: set[str], values: list[Value]) -> set[str]:
        """Put the reply's payment amounts and dates on the table (typed), and say what it added."""
        out: set[str] = set()
        negotiating = self.persona.states[self.state].spec.negotiating
        debt = int(round(self.scenario.case.amount))
        dates = [v for v in values if v.kind == "date" and v.role not in ("past", "threat", "callback")]
        amounts = [v for v in values if v.kind == "amount" and v.amount is not None and v.role not in ("threat", "past")]
        contextual = negotiating or bool(dates) or bool(ids & set(SOLUTIONS)) or bool(
            ids & {"confirms_commitment", "agreement", "asks_capacity"})
        pay = [v for v in amounts if v.role == "payment" or (v.role is None and contextual)]
        if len(pay) > 1:  # the debt total said beside a plan is a fact, not the plan
            pay = [v for v in pay if v.amount != debt] or pay
        if amounts or "states_amount" in ids:
            out.add("gives_amount")
        if dates:
            out.add("gives_deadline")
        if "threat" in {v.role for v in values if v.kind == "date"} and not dates:
            out.discard("gives_deadline")
        p = self.plan
        changed = False
        if pay:  # a reply with sums makes a new proposal: its sums replace the ones on the table
            once = next((v.amount for v in pay if v.per != "month"), None)
            monthly = next((v.amount for v in pay if v.per == "month"), None)
            if monthly is None and once is not None and once == p.monthly and p.once is None:
                once, monthly = None, p.monthly      # 「确认一下:周一前还1200元」 restates 每月1200
            if (once, monthly) != (p.once, p.monthly):
                p.once, p.monthly, changed = once, monthly, True
        # a date with no payment word of its own counts when the reply proposes (a sum, a solution,
        # asks when) or in the middle of negotiating — not 「今天就不打扰了」 at the goodbye
        proposing = bool(pay or ids & set(SOLUTIONS) or ids & {"asks_capacity", "confirms_commitment"}
                         or (negotiating and "closing" not in ids))
        pay_dates = [v for v in dates if v.role == "payment"] or [v for v in dates if v.role is None and proposing]
        if pay_dates:
            d = pay_dates[0]
            days = d.days_from(self.call_date)
            if days is not None and (p.date is None or p.date.to_dict() != d.to_dict()):
                p.date, p.days, changed = d, days, True
        if changed:
            p.turn = self.turn
            if p.complete:
                out.add("proposes_plan")
            self.memory.offers.append({"turn": self.turn, "once": p.once, "monthly": p.monthly,
                                       "days": p.days})
            self._sync_plan()
        return out

    def _sync_plan(self) -> None:
        p = self.plan
        if p.amount is not None:
            self.plan_amount = p.amount
            self.plan_amount_text = money(p.amount, self.lang)
            self.facts.add("amount")
        if p.date is not None:
            self.deadline_text = render_date(p.date, self.lang)
            self.facts.add("deadline")

    def _accept_debtor_offer(self, ids: set[str]) -> None:
        """「好的」 to what the debtor just offered (a counter-offer, or its capacity): it is the plan."""
        offer, p = self._debtor_offer, self.plan
        assert offer is not None
        if offer.once is not None:
            p.once = offer.once
        if offer.monthly is not None:
            p.monthly = offer.monthly
            if offer.once is None and p.once is not None and p.once > self.capacity.lump_sum:
                p.once = None
        if offer.date is not None and (p.days is None or p.days < (offer.days or 0)):
            p.date, p.days = offer.date, offer.days
        p.turn = self.turn
        self._sync_plan()
        if p.complete:
            ids.add("proposes_plan")
            self.facts.add("solution")

    def _date_in(self, days: int) -> Value:
        """A date ``days`` after the call, typed the way people say it (今天/明天, 本周五, 15号)."""
        if days <= 2:
            return Value("date", 0, 0, "", type="relative", offset=days)
        target = self.call_date + _dt.timedelta(days=days)
        from_monday = days + self.call_date.isoweekday() - 1   # days from the Monday of the call's week
        if from_monday < 14:
            return Value("date", 0, 0, "", type="weekday", weekday=target.isoweekday(), week=from_monday // 7)
        if target.month == self.call_date.month:
            return Value("date", 0, 0, "", type="day_of_month", day=target.day, week=0)
        return Value("date", 0, 0, "", type="month_day", month=target.month, day=target.day)

    def _remember(self, ids: set[str], values: list[Value]) -> set[str]:
        """Remember the caller's particulars and the debt amount said; flag contradictions."""
        out: set[str] = set()
        m = self.memory
        debt = int(round(self.scenario.case.amount))
        for v in values:
            if v.kind == "staff_id" and v.ident:
                if m.staff_id is not None and v.ident != m.staff_id:
                    out.add("contradicts_staff_id")
                m.staff_id = v.ident
            elif v.kind == "caller_name" and v.ident:
                m.caller_name = m.caller_name or v.ident
            elif v.kind == "org" and v.ident:
                m.org = m.org or v.ident
            elif v.kind == "amount" and v.role == "debt" and v.amount is not None and v.per is None:
                known = m.debt_amount if m.debt_amount is not None else debt
                if abs(v.amount - known) > max(1, known // 100) and abs(v.amount - debt) > max(1, debt // 100):
                    out.add("contradicts_amount")
                m.debt_amount = v.amount
        if out:
            out.add("contradicts")
        return out

    def _update_facts(self, ids: set[str]) -> None:
        f = self.facts
        f.update(fact for fact, signs in _FACTS if ids & signs)
        if "discloses_before_verification" in ids or (
                self._debtor_on_line and not self._verified and ids & {"states_amount", "states_overdue"}):
            self._disclosed_unverified = True

    # -- react, move ---------------------------------------------------------------------------
    def _react(self) -> list[Fired]:
        fired: list[Fired] = []
        for var, delta in self.persona.spec.per_turn.items():
            self._set_var(var, self.variables[var] + delta)
        for r in self.persona.reactions:
            if all(c(self._env) for _, c in r.when) and not any(c(self._env) for _, c in r.unless):
                for _, act in r.effects:
                    act(self._env)
                fired.append(Fired("reaction", f"reactions[{r.index}]", _because(r.when, r.unless),
                                   tuple(e for e, _ in r.effects), r.reason))
        return fired

    def _move(self) -> CTransition | None:
        """One trigger; the machine fires the first transition out of the state whose conditions
        hold (they are the machine's conditions, evaluated once per reply)."""
        self._fired = []
        getattr(self.model, HEAR)()
        return self._fired[0] if self._fired else None

    def _machine_transition(self, t: CTransition) -> dict[str, Any]:
        return {"trigger": HEAR, "source": t.sources, "dest": t.dest,
                "conditions": [lambda t=t: self._check(t)],
                "after": [lambda t=t: self._after(t)]}

    def _check(self, t: CTransition) -> bool:
        if t.index not in self._holds:
            self._holds[t.index] = t.holds(self._env)
        return self._holds[t.index]

    def _after(self, t: CTransition) -> None:
        self._fired.append(t)
        for _, act in t.effects:
            act(self._env)

    def _set_var(self, name: str, value: int) -> None:
        self.variables[name] = max(0, min(100, int(value)))

    # -- answer --------------------------------------------------------------------------------
    def _answer(self, transition: CTransition | None, previous: str) -> tuple[str | None, list[str]]:
        """The debtor's line: what it says to the reply's acts, then its state line where it fits."""
        state = self.state
        changed = state != previous
        st = self.persona.states[state]
        if transition is not None and st.spec.terminal:
            pool = transition.lines or self._state_lines(state)
            return self._pick_lines(f"state:{state}", pool), []
        answered: list[str] = []
        reaction = self._answer_acts(REACTIVE_ACTS, answered)
        content: str | None = None
        if transition is not None and transition.lines:
            content = self._pick_lines(f"move:{transition.index}", transition.lines)
        else:
            content = self._answer_acts(self._content_order(), answered)
            if changed:
                content = self._join(content, self._pick_lines(f"state:{state}", self._state_lines(state)))
            elif content is None and reaction is None:
                content = self._pick_lines(f"state:{state}", self._state_lines(state))
        line = self._join(reaction, content)
        self._debtor_offer = self._offer_in(line)
        return line, answered

    def _offer_in(self, line: str | None) -> Plan | None:
        """The figures of the debtor's capacity a line states (「最多2000元,15号」): an offer the
        trainee can take with a 「好的」."""
        if not line:
            return None
        cap, lang = self.capacity, self.lang
        offer = Plan()
        if money(cap.lump_sum, lang) in line:
            offer.once = cap.lump_sum
        if money(cap.monthly, lang) in line and cap.monthly != cap.lump_sum:
            offer.monthly = cap.monthly
        elif money(cap.monthly, lang) in line and offer.once is None:
            offer.monthly = cap.monthly
        days = max(cap.earliest_days, self.plan.days or 0)
        if render_date(self._date_in(days), lang) in line:
            offer.date, offer.days = self._date_in(days), days
        return offer if offer.amount is not None else None

    def _content_order(self) -> tuple[str, ...]:
        order = tuple(self.persona.spec.answer_order) or CONTENT_ACTS
        return tuple(a for a in order if a not in REACTIVE_ACTS)

    def _answers_for(self, act: str) -> list[list[CAnswer]]:
        """The answer pools for an act, the answerer's relation's first (then the persona's own)."""
        rel = self.persona.relations.get(self.relation)
        pools = [p for p in ((rel.answers.get(act, []) if rel else []), self.persona.answers.get(act, [])) if p]
        if not pools and act in ACT_ALIASES:
            return self._answers_for(ACT_ALIASES[act])
        return pools

    def _answer_acts(self, order: Sequence[str], answered: list[str]) -> str | None:
        for act in order:
            if act not in self._now_ids:
                continue
            pool = next((held for p in self._answers_for(act) if (held := [a for a in p if a.holds(self._env)])), [])
            if not pool:
                continue
            specific = [a for a in pool if a.states or a.when or a.unless]
            plain = [a for a in pool if not (a.states or a.when or a.unless)]
            key = ACT_ALIASES.get(act, act)
            line = self._pick(key, [a.text for a in specific], [a.text for a in plain])
            if line is None:
                continue
            answered.append(act)
            self._answered.add(key)
            return line
        return None

    def _state_lines(self, state: str) -> list[CLine]:
        rel = self.persona.relations.get(self.relation)
        if rel and state in rel.lines:
            return rel.lines[state]
        return self.persona.states[state].lines

    def _pick_lines(self, key: str, lines: Sequence[CLine]) -> str | None:
        if not lines:
            return None
        specific = [x.text for x in lines if (x.when or x.unless) and x.holds(self._env)]
        plain = [x.text for x in lines if not (x.when or x.unless)]
        if not specific and not plain:
            plain = [x.text for x in lines]
        return self._pick(key, specific, plain)

    def _pick(self, key: str, specific: list[str], plain: list[str]) -> str | None:
        """A line no one has heard in this call yet (specific lines first); when the pool is spent,
        the 「我刚才说了……」 fallback; never a line with a placeholder left unfilled."""
        for pool in (specific, plain):
            rendered = [r for r in (self._render(t) for t in pool) if r is not None]
            fresh = [r for r in dict.fromkeys(rendered) if r not in self._said]
            if fresh:
                return self._say(key, self.rng.choice(fresh))
        rendered = [r for r in dict.fromkeys(self._render(t) for t in specific + plain) if r is not None]
        said = self._last_for.get(key) or (rendered[0] if rendered else None)
        if said is not None:
            again = [a.text for a in self.persona.answers.get(AGAIN, []) if a.holds(self._env)] or list(
                _value("session.again", self.lang))
            fresh = [r for r in dict.fromkeys(self._render(t, said=said) for t in again)
                     if r is not None and r not in self._said]
            if fresh:
                return self._say(key, self.rng.choice(fresh))
        if rendered:  # everything has been said: the one said longest ago
            return self._say(key, min(rendered, key=lambda r: self._said.get(r, -1)))
        return None

    def _say(self, key: str, line: str) -> str:
        self._said[line] = self.turn
        self._last_for[key] = line
        return line

    def _join(self, first: str | None, second: str | None) -> str | None:
        if not first or not second:
            return first or second
        return first + _t("session.join", self.lang) + second

    # -- record, maybe end ---------------------------------------------------------------------
    def _record(self, text: str, analysis: Any, ctx: dict[str, Any], previous: str,
                before: tuple[dict[str, int], set[str], set[str]], fired: list[Fired], line: str | None,
                answered: list[str]) -> TurnResult:
        before_vars, before_steps, before_facts = before
        state_changed = self.state != previous
        if state_changed:
            self.path.append(self.state)
            self._turns_in_state = 0
        else:
            self._turns_in_state += 1
        for r in analysis.red_lines:
            self.red_lines.append({"rule": r.rule, "turn": self.turn, "evidence": r.evidence})
        done = self._steps_done()
        new_steps = [name for name in STEP_ORDER if name in done and name not in before_steps]
        improved = (before_vars["anger"] - self.variables["anger"]) + (self.variables["trust"] - before_vars["trust"]) \
            + (self.variables["willingness"] - before_vars["willingness"])
        progress = state_changed or bool(new_steps) or bool(self.facts - before_facts) or improved >= 10
        self._stalled = 0 if progress else self._stalled + 1
        changes = {k: self.variables[k] - before_vars[k] for k in VARIABLES if self.variables[k] != before_vars[k]}
        acts = sorted(self._now_ids & set(REACTIVE_ACTS + CONTENT_ACTS + ("asks_for_debtor",)))
        result = TurnResult(self.turn, text, line, self.state, previous, dict(self.variables), changes, fired,
                            analysis, ctx, new_steps, acts=acts, answered=answered, speaker=self.speaker)
        self.turns.append(result)
        return result

    def _maybe_end(self, result: TurnResult) -> None:
        st = self.persona.states[self.state].spec
        outcome: str | None = None
        ended_by = None
        if st.terminal:
            outcome, ended_by = self._guard(st.outcome or "no_agreement"), "debtor"
        elif self._stalled >= self.persona.spec.stall_turns:
            outcome, ended_by = "no_agreement", "stall"
            result.fired.append(Fired("engine", "stalled", (f"no progress for {self._stalled} replies",),
                                      reason=_t("session.stalled", self.lang)))
        elif self.turn >= self.persona.spec.max_turns:
            outcome, ended_by = "no_agreement", "max_turns"
            result.fired.append(Fired("engine", "max_turns", (f"turn {self.turn} of {self.persona.spec.max_turns}",),
                                      reason=_t("session.max_turns", self.lang)))
        if ended_by in ("stall", "max_turns"):
            result.debtor = (self._third_party_line("stall") if self._waiting()
                             else self._pick("stall", [], list(self.persona.spec.stall_lines)))
        if outcome is not None:
            self.ended, self.outcome, self.ended_by = True, outcome, ended_by
            result.ended, result.outcome, result.ended_by = True, outcome, ended_by

    def _steps_done(self) -> set[str]:
        def judge(name: str) -> bool:
            if name == "verified_unexposed":
                return not self._disclosed_unverified
            return self.turn > 0 and "disclosed" not in self.facts and not self.counts["privacy_exposure"]

        return _steps.done_steps(self.facts, self.counts, judge)

    def _guard(self, outcome: str) -> str:
        """Success needs its substance: a promise an amount and a date, a message nothing disclosed."""
        if outcome == "promise_to_pay" and not {"amount", "deadline"} <= self.facts:
            return "no_agreement"
        if outcome == "message_left" and ("callback" not in self.facts or "disclosed" in self.facts):
            return "no_agreement"
        return outcome

    # -- placeholders --------------------------------------------------------------------------
    def _format(self, text: str) -> str:
        """A hint (or any text) filled in, a missing plan said generically (这笔钱, 那天)."""
        out = self._render(text, defaults=True)
        assert out is not None
        return out

    def _render(self, text: str, said: str | None = None, defaults: bool = False) -> str | None:
        """Fill a line's placeholders from the case and the call, every number and date from a
        typed value. None if a placeholder has no value (unless ``defaults``: hints say 那天)."""
        if "{" not in text:
            return text
        case = self.scenario.case
        lang = self.lang
        cap = self.capacity
        m = self.memory
        plan = self.plan
        values: dict[str, Callable[[], str | None]] = {
            "name": lambda: case.debtor_name, "surname": lambda: case.surname,
            "honorific": lambda: honorific(case.honorific, lang), "creditor": lambda: case.creditor,
            "product": lambda: case.product_name or _t(f"product_long.{case.product}", lang),
            "amount": lambda: money(case.amount, lang), "overdue_days": lambda: str(case.overdue_days),
            "reason": lambda: case.reason or _t("session.reason_default", lang),
            "capacity": lambda: money(cap.monthly, lang) if (case.monthly_capacity or case.capacity.monthly)
            else _t("session.capacity_default", lang),
            "capacity_monthly": lambda: money(cap.monthly, lang), "capacity_lump": lambda: money(cap.lump_sum, lang),
            "earliest": lambda: render_date(self._date_in(cap.earliest_days), lang),
            "plan_amount": lambda: self.plan_amount_text or (_t("session.plan_amount_default", lang) if defaults
                                                             else None),
            "deadline": lambda: _strip_before(self.deadline_text) or (_t("session.deadline_default", lang)
                                                                      if defaults else None),
            "plan_amount_spoken": lambda: render_amount_spoken(self.plan_amount, lang) if self.plan_amount else None,
            "counter_amount": lambda: money(cap.monthly if plan.monthly is not None and plan.once is None
                                            else cap.lump_sum, lang),
            "counter_deadline": lambda: render_date(self._date_in(max(cap.earliest_days, plan.days or 0)), lang),
            "relation": lambda: case.answerer.relation, "collector_org": lambda: case.creditor,
            "ta": lambda: pronoun(case.honorific, lang),
            "caller_name": lambda: m.caller_name, "staff_id": lambda: m.staff_id, "org_said": lambda: m.org,
            "answerer_name": lambda: case.answerer.name, "whereabouts": lambda: case.answerer.whereabouts or None,
            "said": lambda: said,
        }
        missing = False

        def fill(mt: re.Match[str]) -> str:
            nonlocal missing
            key = mt.group(1)
            if key not in values:
                return mt.group(0)
            v = values[key]()
            if v is None:
                missing = True
                return ""
            return v

        out = re.sub(r"\{([a-z_]+)\}", fill, text)
        return None if missing else out


def _strip_before(text: str | None) -> str | None:
    if not text:
        return text
    return re.sub(r"(?:之前|以前|前)$", "", text)


def _because(when: list[tuple[str, Any]], unless: list[tuple[str, Any]]) -> tuple[str, ...]:
    return tuple(c for c, _ in when) + tuple(f"not {c}" for c, _ in unless)


__all__ = ["CHECKLISTS", "Capacity", "ENDED_BY", "FINISH_REASONS", "Fired", "Memory", "Plan", "Session", "SessionOver",
           "TurnResult", "read_amounts", "read_deadline", "FEATURE_IDS", "RED_LINE_IDS", "SUCCESS_OUTCOMES"]
