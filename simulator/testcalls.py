"""Scenario test calls: run them, compare with what they expect, say where a call went astray.

A test call (a scenario's ``tests:`` or a ``<id>.tests.yaml`` beside it) is a list of trainee
replies and what must happen: the outcome, optionally the path of states, the state after a given
reply, and the red lines with their turns. Red lines are always checked: one that the test does
not list fails it, so a good-call test fails the moment a reply crosses a line.

The runner drives the same ``Session`` as ``run`` and the app; the report names the first turn
where the call left the expected road, so a trainer sees which reply (or which persona rule) to
look at. Coverage (which states any test visits) is computed from the same runs for ``graph``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .scenario import BoundTest, ExpectedRedLine, Scenario
from .session import Session, TurnResult


@dataclass
class Problem:
    """One way a test call differs from what it expects."""

    what: str                 # state | path | red_line | unexpected_red_line | outcome | passed | ended
    expected: str
    got: str
    turn: int | None = None   # the reply where it shows (None: the call as a whole)
    note: str = ""

    def __str__(self) -> str:
        where = f"turn {self.turn}: " if self.turn is not None else ""
        label = {"state": "state", "path": "path", "red_line": "red line", "unexpected_red_line": "red line",
                 "outcome": "outcome", "passed": "passed", "ended": "call ended"}.get(self.what, self.what)
        text = f"{where}{label}: expected {self.expected}, got {self.got}"
        return text + (f" ({self.note})" if self.note else "")

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "turn": self.turn, "expected": self.expected, "got": self.got, "note": self.note}


@dataclass
class TestResult:
    """The run of one test call."""

    __test__ = False  # not a pytest test class

    scenario: Scenario
    bound: BoundTest
    session: Session
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def name(self) -> str:
        return f"{self.scenario.id}::{self.bound.test.name}"

    @property
    def diverged_at(self) -> int | None:
        turns = [p.turn for p in self.problems if p.turn is not None]
        return min(turns) if turns else None

    def turn(self, n: int) -> TurnResult | None:
        for t in self.session.turns:
            if t.turn == n:
                return t
        return None

    def visited(self) -> list[str]:
        return list(self.session.path)

    def unused_replies(self) -> int:
        return len(self.bound.test.replies) - sum(1 for t in self.session.turns if t.turn > 0)

    def to_dict(self) -> dict[str, Any]:
        s = self.session
        return {
            "scenario": self.scenario.id, "test": self.bound.test.name, "file": self.bound.path,
            "line": self.bound.line, "ok": self.ok, "outcome": s.outcome, "ended_by": s.ended_by,
            "path": path_with_turns(s), "red_lines": [dict(r) for r in s.red_lines],
            "diverged_at": self.diverged_at, "unused_replies": self.unused_replies(),
            "problems": [p.to_dict() for p in self.problems],
        }


def path_with_turns(session: Session) -> list[dict[str, Any]]:
    """The states the debtor went through, each with the reply that led there (0: the start)."""
    out = [{"state": session.persona.spec.initial, "turn": 0}]
    for t in session.turns:
        if t.turn > 0 and t.state != t.previous_state:
            out.append({"state": t.state, "turn": t.turn})
    return out


def run_test(scenario: Scenario, bound: BoundTest) -> TestResult:
    """Play the test call through a fresh session and compare."""
    test = bound.test
    session = Session.replay(scenario, test.seed, test.texts(), finish=True)
    result = TestResult(scenario, bound, session)
    result.problems = _compare(result)
    return result


def _ended_note(session: Session) -> str:
    last = session.turns[-1] if session.turns else None
    if session.ended_by == "debtor" and last is not None:
        return f"the debtor ended the call at turn {last.turn} ({session.outcome})"
    if session.ended_by in ("stall", "max_turns") and last is not None:
        return f"the call ended at turn {last.turn}: {'no progress' if session.ended_by == 'stall' else 'too long'}"
    st = session.persona.states[session.state].spec
    ends = st.end_outcome or "no_agreement"
    return (f"the replies ran out in state {session.state}, where hanging up ends the call as {ends}"
            + ("" if ends == session.outcome else f", held to {session.outcome}: a promise needs an amount and a "
               "date, a message needs a call-back request and nothing disclosed"))


def _compare(r: TestResult) -> list[Problem]:
    test, session = r.bound.test, r.session
    out: list[Problem] = []
    last_turn = max((t.turn for t in session.turns), default=0)
    # the state after given replies
    for i, reply in enumerate(test.replies, start=1):
        if isinstance(reply, str):
            continue
        t = r.turn(i)
        if t is None:
            if reply.state is not None or reply.red_lines:
                out.append(Problem("ended", f"reply {i} to be said", f"the call over after turn {last_turn}", i,
                                   _ended_note(session)))
            continue
        if reply.state is not None and t.state != reply.state:
            out.append(Problem("state", reply.state, t.state, i, _move_note(t)))
    # the path
    if test.expect.path is not None:
        got = path_with_turns(session)
        names = [p["state"] for p in got]
        want = list(test.expect.path)
        if names != want:
            k = next((j for j, (a, b) in enumerate(zip(want, names)) if a != b), min(len(want), len(names)))
            turn = got[k]["turn"] if k < len(got) else None
            out.append(Problem("path", " → ".join(want), " → ".join(names), turn,
                               f"first difference at step {k + 1}: expected "
                               f"{want[k] if k < len(want) else '(end)'}, got {names[k] if k < len(names) else '(end)'}"))
    # red lines: every expected one must occur, nothing else may
    expected: list[ExpectedRedLine] = []
    for item in test.expect.red_lines:
        expected.append(ExpectedRedLine(rule=item) if isinstance(item, str) else item)
    for i, reply in enumerate(test.replies, start=1):
        if not isinstance(reply, str) and reply.red_lines:
            expected += [ExpectedRedLine(rule=rule, turn=i) for rule in reply.red_lines]
    evidence: dict[tuple[str, int], str] = {}
    for x in session.red_lines:  # one entry per (rule, turn): a reply may cross a line at several spans
        evidence.setdefault((x["rule"], x["turn"]), x["evidence"])
    matched: set[tuple[str, int]] = set()
    for e in expected:
        hits = [k for k in evidence if k[0] == e.rule and (e.turn is None or k[1] == e.turn)]
        if hits:
            matched.update(hits)
            continue
        same_rule = sorted(t for rule, t in evidence if rule == e.rule)
        got = f"{e.rule} at turn {', '.join(map(str, same_rule))}" if same_rule else "none"
        at_turn = sorted(rule for rule, t in evidence if t == e.turn) if e.turn is not None else []
        if at_turn and not same_rule:
            got += f" (turn {e.turn} crossed {', '.join(at_turn)})"
        if e.turn is not None and e.turn > last_turn:
            got += f"; {_ended_note(session)}"
        out.append(Problem("red_line", e.rule + (f" at turn {e.turn}" if e.turn else ""), got, e.turn))
    for (rule, turn), ev in evidence.items():
        if (rule, turn) not in matched:
            out.append(Problem("unexpected_red_line", "no red line", f"{rule} 「{ev}」", turn,
                               "list it under expect.red_lines if this is a bad-call test"))
    # the outcome and the verdict
    if test.expect.outcome is not None and session.outcome != test.expect.outcome:
        out.append(Problem("outcome", test.expect.outcome, str(session.outcome), None, _ended_note(session)))
    passed = not session.red_lines
    if test.expect.passed is not None and passed != test.expect.passed:
        out.append(Problem("passed", str(test.expect.passed).lower(), str(passed).lower()))
    return sorted(out, key=lambda p: (p.turn is None, p.turn or 0))


def _move_note(t: TurnResult) -> str:
    moves = [f for f in t.fired if f.kind in ("transition", "engine")]
    if not moves:
        return f"no transition fired; the debtor stayed in {t.state}"
    f = moves[-1]
    if f.kind == "engine":
        return f.reason or f.name
    return f"{f.name}: {f.source} → {f.dest} because {' & '.join(f.because) or 'always'}"


def run_all(items: list[tuple[Scenario, list[BoundTest]]], keyword: str | None = None) -> list[TestResult]:
    out = []
    for scenario, tests in items:
        for bound in tests:
            if keyword and keyword not in f"{scenario.id}::{bound.test.name}":
                continue
            out.append(run_test(scenario, bound))
    return out


@dataclass
class Coverage:
    """Which of a persona's states and transitions the tests of a scenario reach."""

    scenario: str
    tests: int
    states: dict[str, list[str]]        # state -> names of the tests that visit it
    transitions: dict[int, list[str]]   # transition index -> tests that fire it

    @property
    def untested(self) -> list[str]:
        return [s for s, who in self.states.items() if not who]

    @property
    def untested_transitions(self) -> list[int]:
        return [i for i, who in self.transitions.items() if not who]

    def note(self) -> str:
        visited = len(self.states) - len(self.untested)
        fired = len(self.transitions) - len(self.untested_transitions)
        head = (f"coverage: {visited}/{len(self.states)} states and {fired}/{len(self.transitions)} transitions "
                f"visited by {self.tests} test call(s) of {self.scenario}")
        if not self.tests:
            head += " (no tests yet: add some under tests:, see AUTHORING.md)"
        if self.untested:
            head += f"; untested states: {', '.join(self.untested)}"
        return head


def coverage(scenario: Scenario, results: list[TestResult] | None = None) -> Coverage:
    """Run (or reuse) the scenario's tests and see which states and transitions they reach."""
    if results is None:
        results = [run_test(scenario, b) for b in scenario.tests()]
    persona = scenario.persona()
    states: dict[str, list[str]] = {name: [] for name in persona.states}
    transitions: dict[int, list[str]] = {t.index: [] for t in persona.transitions}
    for r in results:
        name = r.bound.test.name
        for s in dict.fromkeys(r.visited()):
            if s in states and name not in states[s]:
                states[s].append(name)
        for turn in r.session.turns:
            for f in turn.fired:
                if f.kind != "transition":
                    continue
                if f.index in transitions and name not in transitions[f.index]:
                    transitions[f.index].append(name)
    return Coverage(scenario.id, len(results), states, transitions)
