"""Does the debtor listen? Probe calls per scenario and free-form calls, judged automatically.

Two kinds of evidence (issue 10, "Done when"):

1. **Free-form calls** written by another hand (``tests/data/calls/*.yaml``: scenario, style, seed,
   replies, expect {success, red_line_turns}). Each is played through the engine; the figures are the
   repeat rate (debtor lines said word for word twice in one call, over all debtor lines), the
   excellent-call success rate (a success outcome with every reply said), the violation-call
   failure rate (a call whose red-line turn was reached must fail) and scrambled lines (a number or
   date that is not a typed value the engine rendered, or an unfilled ``{placeholder}``).
2. **Probe calls** built from ``tests/data/probes.yaml`` for every Chinese scenario: identity,
   reason, capacity, an offer within and over the case's capacity, filler, rudeness and a repeated
   question, each judged on how the persona should answer (see ``judge_*`` below).

Run: ``python bench/realism.py`` (``--help`` for options). ``tests/test_calls.py`` holds the same
figures to their thresholds.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from simulator.analyzer.values import render_date  # noqa: E402
from simulator.i18n import honorific, money  # noqa: E402
from simulator.scenario import Catalog, Scenario  # noqa: E402
from simulator.session import Session, TurnResult  # noqa: E402
from simulator.vocab import SUCCESS_OUTCOMES  # noqa: E402

CALLS_DIR = REPO / "tests" / "data" / "calls"
PROBES_FILE = REPO / "tests" / "data" / "probes.yaml"
PROBE_KINDS = ("identity", "reason", "capacity", "offer_within", "offer_over", "filler", "rudeness",
               "repeat_question")
#: a 「我刚才说了……」-type line: the debtor points out it was said or asked before
AGAIN_MARKERS = re.compile(r"刚才|说过|说了|问过|又问|再问|再说一遍|两遍|第二遍|多少遍|几遍|复读|翻来覆去|"
                           r"already|told you|like I said|you asked")


# --------------------------------------------------------------------------------------------------
# free-form calls

@dataclass
class CallResult:
    """One free-form call played through the engine."""

    path: Path
    scenario: str
    style: str
    replies: list[str]
    expect: dict[str, Any]
    session: Session
    repeats: list[tuple[int, str]] = field(default_factory=list)
    scrambled: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def said(self) -> int:
        """How many of the trainee's replies the debtor heard before the call ended."""
        return sum(1 for t in self.session.turns if t.turn > 0)

    @property
    def lines(self) -> list[str]:
        return [t.debtor for t in self.session.turns if t.debtor]

    @property
    def outcome(self) -> str | None:
        return self.session.outcome

    @property
    def passed(self) -> bool:
        return bool(self.session.summary()["passed"])

    @property
    def success(self) -> bool:
        """A success outcome, and the debtor heard every reply (did not hang up before the last)."""
        return self.outcome in SUCCESS_OUTCOMES and self.said == len(self.replies)

    @property
    def red_line_turns(self) -> list[int]:
        return [int(n) for n in (self.expect.get("red_line_turns") or [])]

    @property
    def violation_reached(self) -> bool:
        return any(n <= self.said for n in self.red_line_turns)


def load_calls(folder: Path = CALLS_DIR) -> list[tuple[Path, dict[str, Any]]]:
    out = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("replies"):
            out.append((path, data))
    return out


def run_call(catalog: Catalog, path: Path, data: dict[str, Any]) -> CallResult:
    scenario = catalog.get(str(data["scenario"]))
    replies = [str(r) for r in data["replies"]]
    session = Session.replay(scenario, int(data.get("seed", 0)), replies, finish=True)
    result = CallResult(path, scenario.id, str(data.get("style", "")), replies, dict(data.get("expect") or {}),
                        session)
    result.repeats = repeated_lines(session.turns)
    result.scrambled = scrambled_lines(scenario, session.turns)
    return result


def repeated_lines(turns: Sequence[TurnResult]) -> list[tuple[int, str]]:
    """Debtor lines said word for word before in the same call: (turn, line)."""
    seen: set[str] = set()
    out = []
    for t in turns:
        if not t.debtor:
            continue
        if t.debtor in seen:
            out.append((t.turn, t.debtor))
        seen.add(t.debtor)
    return out


_NUMBER = re.compile(r"\$?\d[\d,]*(?:\.\d+)?")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _authored_numbers(scenario: Scenario) -> set[str]:
    """Digit runs a trainer wrote into the persona's lines or the case file (12378, a product name)."""
    texts: list[str] = []
    p = scenario.persona()
    for st in p.states.values():
        texts += [ln.text for ln in st.lines]
    for tr in p.transitions:
        texts += [ln.text for ln in tr.lines]
    texts += list(p.spec.stall_lines)

    def answer_texts(answers: dict[str, Any]) -> list[str]:
        return [a.text for pool in answers.values() for a in pool]

    texts += answer_texts(p.answers)
    for rel in p.relations.values():
        texts += answer_texts(rel.answers)
        texts += [ln.text for pool in rel.lines.values() for ln in pool]
    case = scenario.case
    texts += [case.reason, case.product_name or "", case.creditor, case.history, case.answerer.whereabouts]
    return {m.group(0).lstrip("$").replace(",", "") for text in texts for m in _NUMBER.finditer(text or "")}


def _typed(turns: Sequence[TurnResult]) -> list[Any]:
    return [v for t in turns if t.analysis is not None for v in t.analysis.values]


def scrambled_lines(scenario: Scenario, turns: Sequence[TurnResult]) -> list[tuple[int, str, str]]:
    """Debtor lines with a number or date that is not a typed value the engine rendered, or an
    unfilled placeholder: (turn, line, the offending text)."""
    case = scenario.case
    lang = scenario.spec.lang
    cap = case.capacity
    amounts = {int(case.amount)} | {int(x) for x in (cap.lump_sum, cap.monthly, case.monthly_capacity) if x}
    dates: set[tuple[int | None, int]] = set()
    earliest = case.date + _dt.timedelta(days=cap.earliest_days)
    dates.add((earliest.month, earliest.day))
    allowed_text: set[str] = {money(case.amount, lang), str(case.overdue_days)}
    authored = _authored_numbers(scenario)
    out: list[tuple[int, str, str]] = []
    for i, t in enumerate(turns):
        for v in _typed(turns[: i + 1]):
            if v.kind == "amount" and v.amount is not None:
                amounts.add(int(v.amount))
            elif v.kind == "date":
                days = v.days_from(case.date)
                if days is not None:
                    d = case.date + _dt.timedelta(days=days)
                    dates.add((d.month, d.day))
                if v.day is not None:
                    dates.add((v.month, v.day))
                if v.hour is not None:
                    allowed_text.add(str(v.hour if v.hour <= 12 else v.hour - 12))
                    allowed_text.add(str(v.hour))
                text = render_date(v, lang)
                if text:
                    allowed_text.add(text)
            elif v.kind in ("staff_id", "caller_name", "org"):
                allowed_text.update(filter(None, (v.text, v.ident)))
        if not t.debtor:
            continue
        line = t.debtor
        hole = _PLACEHOLDER.search(line)
        if hole:
            out.append((t.turn, line, hole.group(0)))
            continue
        # take out what the trainer wrote (reason, product, hotline …) and the engine's renders
        rest = line
        for text in sorted({case.reason, case.product_name or "", case.creditor, case.answerer.whereabouts,
                            case.history} | allowed_text, key=len, reverse=True):
            if text and not text.isdigit():
                rest = rest.replace(text, " ")
        for m in _NUMBER.finditer(rest):
            token = m.group(0)
            digits = token.lstrip("$").replace(",", "")
            after = rest[m.end(): m.end() + 2]
            before = rest[max(0, m.start() - 3): m.start()]
            try:
                number = float(digits)
            except ValueError:
                out.append((t.turn, line, token))
                continue
            if (after.startswith(("元", "块")) or token.startswith("$")) and int(number) in amounts:
                continue
            if after.startswith(("号", "日")) and any(day == int(number) for _, day in dates):
                continue
            if after.startswith("月") and any(month == int(number) for month, _ in dates if month):
                continue
            if after.startswith("天") and digits == str(case.overdue_days):
                continue
            if after.startswith(("点", ":")) and digits in allowed_text:
                continue
            if re.search(r"(th|st|nd|rd)\b", rest[m.end(): m.end() + 3]) and any(day == int(number)
                                                                                    for _, day in dates):
                continue
            if "月" in before and any(day == int(number) for _, day in dates):
                continue
            if digits in authored or digits in allowed_text:
                continue
            out.append((t.turn, line, token))
    return out


# --------------------------------------------------------------------------------------------------
# probe calls

#: what the rule pack must have heard in a probe for the persona to be able to answer it
HEARD: dict[str, frozenset[str]] = {
    "identity": frozenset({"identity_check", "asks_for_debtor"}),
    "reason": frozenset({"asks_situation"}),
    "capacity": frozenset({"asks_capacity"}),
    "offer_within": frozenset({"proposes_plan"}),
    "offer_over": frozenset({"proposes_plan"}),
    "filler": frozenset({"filler", "off_topic"}),
    "rudeness": frozenset({"sarcasm", "blame", "command", "dismissive", "impatience", "contempt", "demands_full",
                           "off_topic", "abuse"}),
    "repeat_question": frozenset({"repeats_self", "asks_capacity", "asks_situation", "identity_check",
                                  "asks_for_debtor", "asks_callback"}),
}


@dataclass
class ProbeResult:
    scenario: str
    kind: str
    index: int
    ok: bool
    why: str
    turns: list[TurnResult]

    @property
    def heard(self) -> bool:
        """Did the rule pack tag the probe with an act of its kind? (If not, no persona can answer it:
        the miss is the analyzer's, not the persona's.)"""
        last = self.turns[-1] if self.turns else None
        if last is None or last.turn == 0:
            return False
        red = {r.rule for r in last.red_lines}
        return bool((set(last.acts) | red) & HEARD[self.kind])


def load_probes(path: Path = PROBES_FILE) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {k: [str(x) for x in v] for k, v in data.items()}


def _fill(text: str, scenario: Scenario, monthly: int | None = None, date: str | None = None) -> str:
    case = scenario.case
    lang = scenario.spec.lang
    values = {
        "name": case.debtor_name, "surname": case.surname, "honorific": honorific(case.honorific, lang),
        "creditor": case.creditor, "amount": money(case.amount, lang),
        "monthly": money(monthly, lang) if monthly else "", "date": date or "",
    }
    return re.sub(r"\{([a-z_]+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def _is_debtor(scenario: Scenario) -> bool:
    """The debtor is on the line for the probes (a hand-over call: once the phone is handed over)."""
    return scenario.case.answerer.is_debtor or scenario.case.answerer.hands_over is not None


def _capacity(scenario: Scenario) -> tuple[int, int, int]:
    """monthly, lump sum, earliest days: the case's capacity with the engine's defaults."""
    case = scenario.case
    cap = case.capacity
    amount = int(case.amount)
    monthly = cap.monthly or case.monthly_capacity or -(-amount // 12 // 100) * 100
    lump = cap.lump_sum or (amount if amount <= 5000 else round(amount * 0.3 / 100) * 100)
    return int(monthly), int(lump), int(cap.earliest_days)


def _offer_date(scenario: Scenario) -> str:
    _, _, earliest = _capacity(scenario)
    d = scenario.case.date + _dt.timedelta(days=earliest + 2)
    return f"{d.month}月{d.day}日"


_CONVINCE = {
    "asks_situation": "我想了解一下,最近是遇到什么困难了吗?",
    "empathy": "我理解您的难处,换谁遇到这种事都不容易。",
    "lawful_consequence": "如果一直逾期,会影响您的个人征信记录。",
    "official_verification": "您可以拨打{creditor}官方客服热线,核实我的身份和工号。",
    "acknowledges_dispute": "您说还过的那笔,我们马上帮您核实还款记录。",
    "fee_reduction": "按时还款以后,可以帮您申请减免部分罚息。",
    "payment_channel": "还款只走{creditor}官方APP或手机银行。",
}
_UNBLOCK = {  # a state that blocks an offer, and a reply that should move the debtor out of it
    "suspicious": _CONVINCE["official_verification"],
    "disputing": _CONVINCE["acknowledges_dispute"],
}


class _Call:
    """A probe call under construction: replies said one at a time."""

    def __init__(self, scenario: Scenario, seed: int):
        self.scenario = scenario
        self.session = Session(scenario, seed)
        self.session.start()
        if scenario.case.answerer.hands_over is not None:  # the probes are for the debtor: ask for them first
            self.say("您好,麻烦您请{name}本人接一下电话,谢谢。")
            assert self.session.handed_over_at is not None, f"{scenario.id}: the phone was not handed over"

    def say(self, text: str) -> TurnResult | None:
        if self.session.ended:
            return None
        return self.session.reply(_fill(text, self.scenario))

    @property
    def state(self) -> str:
        return self.session.state

    def last(self) -> TurnResult:
        return self.session.turns[-1]


def _opening(scenario: Scenario, probes: dict[str, list[str]], i: int) -> str:
    intro = probes["self_intro"][i % len(probes["self_intro"])]
    if _is_debtor(scenario):
        return intro + "请问您是{name}{honorific}本人吗?"
    return intro + "请问{name}在吗?"


def _facts(scenario: Scenario) -> str | None:
    if not _is_debtor(scenario) and not scenario.case.answerer.informed:
        return None
    return "您的" + (scenario.case.product_name or "贷款") + "目前欠款{amount},已经逾期" + \
        str(scenario.case.overdue_days) + "天了。"


def _prepare_for_offer(call: _Call, probes: dict[str, list[str]], i: int) -> None:
    """Open, state the facts, listen (what convinces this debtor), calm an angry one down."""
    sc = call.scenario
    call.say(_opening(sc, probes, i))
    facts = _facts(sc)
    if facts:
        call.say(facts)
    call.say(probes["empathy"][i % len(probes["empathy"])])
    if _is_debtor(sc) or sc.case.answerer.informed:
        call.say(_CONVINCE["asks_situation"])  # the setup, not the probe: a reason question the pack knows
    for act in sc.case.capacity.convinced_by:
        if act in _CONVINCE and act != "asks_situation":
            call.say(_CONVINCE[act])
    initial = sc.persona().spec.initial
    for k in range(4):
        if call.session.ended:
            return
        unblock = next((text for name, text in _UNBLOCK.items() if name in call.state), None)
        if unblock:
            call.say(unblock)
        elif call.state == initial or "shut" in call.state:
            call.say(probes["empathy"][(i + 2 + k) % len(probes["empathy"])])
        else:
            return


def _states_with_figures(scenario: Scenario, act: str) -> set[str] | None:
    """States where the persona's answers to ``act`` give a figure (None: every state)."""
    pool = scenario.persona().answers.get(act) or []
    states: set[str] = set()
    for a in pool:
        if re.search(r"\{capacity_|\{counter_", a.text):
            if not a.states:
                return None
            states |= set(a.states)
    return states


def _agreed(turn: TurnResult, scenario: Scenario) -> bool:
    st = scenario.persona().states[turn.state].spec
    return (st.end_outcome or st.outcome) == "promise_to_pay"


def _money_in(line: str, figure: int, lang: str) -> bool:
    return money(figure, lang) in line or f"{figure:,}" in line or str(figure) in line


def _calmer(before: dict[str, int], after: dict[str, int]) -> bool:
    return after.get("anger", 0) < before.get("anger", 0) or after.get("trust", 0) > before.get("trust", 0)


def run_probe(scenario: Scenario, probes: dict[str, list[str]], kind: str, i: int) -> ProbeResult:
    call = _Call(scenario, seed=i)
    sc = scenario
    lang = sc.spec.lang
    debtor = _is_debtor(sc)
    monthly, lump, _ = _capacity(sc)
    date = _offer_date(sc)
    utter = probes[{"offer_within": "offer", "offer_over": "offer"}.get(kind, kind)]
    text = utter[i % len(utter)]

    def result(ok: bool, why: str) -> ProbeResult:
        return ProbeResult(sc.id, kind, i, ok, why, list(call.session.turns))

    if kind == "identity":
        call.say(probes["self_intro"][i % len(probes["self_intro"])])
    elif kind in ("offer_within", "offer_over"):
        _prepare_for_offer(call, probes, i)
    else:
        call.say(_opening(sc, probes, i))
        if kind in ("capacity", "rudeness", "repeat_question") and _facts(sc):
            call.say(_facts(sc) or "")
        if kind == "repeat_question":
            if debtor or sc.case.answerer.informed:
                call.say("没还款的原因,方便跟我说说吗?")
                call.say("您每个月能还多少?最快什么时候能还上一部分?")
            else:
                call.say("麻烦您转告{name},请{ta}方便的时候给我们回个电话。".replace(
                    "{ta}", "他" if sc.case.honorific == "先生" else "她"))
    if call.session.ended:
        return result(False, f"the call ended before the probe ({call.session.outcome})")
    before = dict(call.last().variables)
    earlier = [t.debtor for t in call.session.turns if t.debtor]
    if kind in ("offer_within", "offer_over"):
        figure = monthly if kind == "offer_within" else 2 * max(monthly, lump)
        text = _fill(text, sc, figure, date)
    turn = call.say(text)
    assert turn is not None
    line = turn.debtor or ""
    answered = set(turn.answered)
    if kind != "filler" and line in earlier:
        return result(False, "the same line as before")

    if not debtor and not sc.case.answerer.informed and kind in ("reason", "capacity", "offer_within",
                                                                  "offer_over", "repeat_question"):
        # asking someone who does not know of the loan about it discloses the debt: the persona should
        # take offence (a red line caught, the call over) or deflect the question
        disclosed = any(r.rule == "third_party_disclosure" for r in turn.red_lines)
        deflected = bool(answered & {"asks_situation", "asks_capacity", "proposes_plan", "offers_solution",
                                     "asks_to_pay", "repeats_self"}) and not _agreed(turn, sc)
        ok = (disclosed and turn.ended and turn.outcome == "complaint") or (deflected and not disclosed)
        return result(ok, f"uninformed third party: disclosed {disclosed}, outcome {turn.outcome}, "
                          f"answered {sorted(answered)}")
    if kind == "identity":
        ok = bool(answered & {"identity_check", "asks_for_debtor"}) or turn.ended and bool(line)
        return result(ok, f"answered {sorted(answered)}")
    if kind == "reason":
        if debtor:
            ok = bool(sc.case.reason) and sc.case.reason in line
            return result(ok, "the case's reason " + ("is" if ok else "is not") + " in the line")
        return result("asks_situation" in answered, f"answered {sorted(answered)}")
    if kind == "capacity":
        if not debtor:
            return result(bool(answered & {"asks_capacity", "offers_solution"}), f"answered {sorted(answered)}")
        figures = _money_in(line, monthly, lang) or _money_in(line, lump, lang)
        states = _states_with_figures(sc, "asks_capacity")
        dodge_state = states is not None and turn.state not in states
        ok = figures or (dodge_state and bool(answered & {"asks_capacity", "offers_solution"}))
        return result(ok, f"state {turn.state}, figure {'said' if figures else 'not said'}, "
                          f"answered {sorted(answered)}")
    if kind == "offer_within":
        if not debtor:
            ok = bool(answered & {"proposes_plan", "offers_solution", "asks_to_pay"}) and not _agreed(turn, sc)
            return result(ok, f"a third party answers the offer: answered {sorted(answered)}")
        ok = _agreed(turn, sc)
        return result(ok, f"state {turn.state} after an offer of {money(monthly, lang)} by {date}")
    if kind == "offer_over":
        if not debtor:
            ok = bool(answered & {"proposes_plan", "offers_solution", "asks_to_pay"}) and not _agreed(turn, sc)
            return result(ok, f"a third party answers the offer: answered {sorted(answered)}")
        countered = _money_in(line, monthly, lang) or _money_in(line, lump, lang)
        ok = countered and not _agreed(turn, sc)
        return result(ok, f"state {turn.state}, counter figure {'said' if countered else 'not said'}")
    after = dict(turn.variables)
    if kind == "filler":
        per_turn = sc.persona().spec.per_turn.get("patience", 0)
        worse = (after.get("patience", 0) - before.get("patience", 0) < per_turn
                 or after.get("anger", 0) > before.get("anger", 0) or turn.ended)
        ok = worse and not _calmer(before, after) and line not in earlier
        return result(ok, f"variables {before} -> {after}")
    if kind == "rudeness":
        per_turn = sc.persona().spec.per_turn.get("patience", 0)
        worse = (after.get("anger", 0) > before.get("anger", 0) or after.get("trust", 0) < before.get("trust", 0)
                 or after.get("patience", 0) - before.get("patience", 0) < per_turn
                 or (turn.ended and turn.outcome != "promise_to_pay"))
        ok = worse and not _calmer(before, after)
        return result(ok, f"variables {before} -> {after}")
    if kind == "repeat_question":
        ok = "repeats_self" in answered or bool(AGAIN_MARKERS.search(line))
        asked_before = {a for t in call.session.turns[:-1] for a in t.acts}
        if not ok and not debtor and answered and not (answered & asked_before):
            ok = True  # "again" about something this third party was never asked: answering it is right
        return result(ok, f"answered {sorted(answered)}")
    raise ValueError(kind)


def probe_scenarios(catalog: Catalog, ids: Iterable[str] = ()) -> list[Scenario]:
    wanted = set(ids)
    out = []
    for sid in sorted(catalog.scenarios):
        sc = catalog.get(sid)
        if sc.spec.lang != "zh" or (wanted and sid not in wanted):
            continue
        out.append(sc)
    return out


def run_probes(catalog: Catalog, probes: dict[str, list[str]], ids: Iterable[str] = (),
               per_kind: int = 10, kinds: Sequence[str] = PROBE_KINDS) -> list[ProbeResult]:
    out = []
    for sc in probe_scenarios(catalog, ids):
        for kind in kinds:
            pool = probes["offer" if kind.startswith("offer") else kind]
            for i in range(min(per_kind, len(pool))):
                out.append(run_probe(sc, probes, kind, i))
    return out


# --------------------------------------------------------------------------------------------------
# figures

@dataclass
class Figures:
    probes_ok: int
    probes_total: int
    heard_ok: int
    heard_total: int
    by_scenario: dict[str, tuple[int, int]]
    by_kind: dict[str, tuple[int, int]]
    debtor_lines: int
    repeated: int
    excellent_ok: int
    excellent_total: int
    violations_failed: int
    violations_reached: int
    violations_total: int
    scrambled: int

    @property
    def probe_rate(self) -> float:
        return self.probes_ok / self.probes_total if self.probes_total else 1.0

    @property
    def heard_rate(self) -> float:
        return self.heard_ok / self.heard_total if self.heard_total else 1.0

    @property
    def repeat_rate(self) -> float:
        return self.repeated / self.debtor_lines if self.debtor_lines else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "probes": {"ok": self.probes_ok, "total": self.probes_total, "rate": round(self.probe_rate, 4),
                       "heard": {"ok": self.heard_ok, "total": self.heard_total, "rate": round(self.heard_rate, 4)},
                       "by_scenario": {k: {"ok": a, "total": b} for k, (a, b) in self.by_scenario.items()},
                       "by_kind": {k: {"ok": a, "total": b} for k, (a, b) in self.by_kind.items()}},
            "calls": {"debtor_lines": self.debtor_lines, "repeated": self.repeated,
                      "repeat_rate": round(self.repeat_rate, 4),
                      "excellent": {"ok": self.excellent_ok, "total": self.excellent_total},
                      "violations": {"failed": self.violations_failed, "reached": self.violations_reached,
                                     "total": self.violations_total},
                      "scrambled_lines": self.scrambled},
        }


def figures(probes: Sequence[ProbeResult], calls: Sequence[CallResult]) -> Figures:
    by_sc: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p in probes:
        for table, key in ((by_sc, p.scenario), (by_kind, p.kind)):
            table[key][0] += p.ok
            table[key][1] += 1
    excellent = [c for c in calls if c.style == "excellent" or c.expect.get("success")]
    violations = [c for c in calls if c.red_line_turns]
    reached = [c for c in violations if c.violation_reached]
    heard = [p for p in probes if p.heard]
    return Figures(
        sum(p.ok for p in probes), len(probes), sum(p.ok for p in heard), len(heard),
        {k: (v[0], v[1]) for k, v in by_sc.items()}, {k: (v[0], v[1]) for k, v in by_kind.items()},
        sum(len(c.lines) for c in calls), sum(len(c.repeats) for c in calls),
        sum(c.success for c in excellent), len(excellent),
        sum(not c.passed for c in reached), len(reached), len(violations),
        sum(len({t for t, _, _ in c.scrambled}) for c in calls),
    )


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:5.1f}% ({a}/{b})" if b else "  n/a"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(
        "How well the debtor listens: probe calls per Chinese scenario (identity, reason, capacity, "
        "offers within and over capacity, filler, rudeness, a repeated question) judged automatically, "
        "and the free-form calls in tests/data/calls (repeats, excellent-call success, violation-call "
        "failure, scrambled lines)."))
    ap.add_argument("--calls", type=Path, default=CALLS_DIR, help="folder of call YAML files (default: %(default)s)")
    ap.add_argument("--probes", type=Path, default=PROBES_FILE, help="probe utterances (default: %(default)s)")
    ap.add_argument("--scenario", action="append", default=[], help="only this scenario's probes (repeatable)")
    ap.add_argument("--per-kind", type=int, default=10, help="probe utterances per kind (default: %(default)s)")
    ap.add_argument("--show", action="store_true", help="print every failed probe and every faulty call line")
    ap.add_argument("--json", action="store_true", help="the figures as JSON")
    args = ap.parse_args(argv)
    try:
        catalog = Catalog.discover()
        probes = load_probes(args.probes)
        calls_data = load_calls(args.calls)
    except (OSError, yaml.YAMLError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    calls = [run_call(catalog, p, d) for p, d in calls_data]
    results = run_probes(catalog, probes, args.scenario, args.per_kind)
    fig = figures(results, calls)
    if args.json:
        print(json.dumps(fig.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print("probe calls (answered as the persona should):")
    for sid, (ok, total) in sorted(fig.by_scenario.items()):
        print(f"  {sid:40s} {_pct(ok, total)}")
    print("  by kind: " + ", ".join(f"{k} {100.0 * a / b:.0f}%" for k, (a, b) in fig.by_kind.items()))
    print(f"  total                                    {_pct(fig.probes_ok, fig.probes_total)}")
    print(f"  the probes the rule pack heard           {_pct(fig.heard_ok, fig.heard_total)}"
          f"  [{fig.probes_total - fig.heard_total} probes carried no act of their kind]")
    print(f"free-form calls: {len(calls)}")
    print(f"  repeat rate (debtor lines said twice)    {_pct(fig.repeated, fig.debtor_lines)}")
    print(f"  excellent calls that succeed to the end  {_pct(fig.excellent_ok, fig.excellent_total)}")
    print(f"  violation calls that fail (reached)      {_pct(fig.violations_failed, fig.violations_reached)}"
          f"  [{fig.violations_total - fig.violations_reached} ended before the red-line turn]")
    print(f"  scrambled debtor lines                   {fig.scrambled}")
    if args.show:
        for p in results:
            if not p.ok:
                print(f"\nPROBE {p.scenario} {p.kind}[{p.index}]{'' if p.heard else ' (not heard)'}: {p.why}")
                for t in p.turns[-2:]:
                    print(f"   [{t.turn}] {t.trainee}\n       → {t.debtor}  ({t.state}; {','.join(t.answered)})")
        for c in calls:
            bad = c.repeats or c.scrambled or (c in [x for x in calls if x.style == "excellent"] and not c.success) \
                or (c.violation_reached and c.passed)
            if not bad:
                continue
            print(f"\nCALL {c.path.name}: outcome {c.outcome}, said {c.said}/{len(c.replies)}, passed {c.passed}")
            for t, line in c.repeats:
                print(f"   repeat at turn {t}: {line}")
            for t, line, tok in c.scrambled:
                print(f"   scrambled at turn {t} ({tok}): {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
