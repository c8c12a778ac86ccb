"""Free-form calls by another hand and probe calls: does the debtor listen? (issue 10, "Done when")

The calls in ``tests/data/calls/`` were written by a trainer who never saw the personas (style:
excellent, clumsy, cold, rude, off_script, subtle_violation; ``expect``: success, red_line_turns).
Each is played through the engine as ``run`` plays it. The probe calls (``tests/data/probes.yaml``)
ask every Chinese scenario's debtor one kind of thing at a time. The judging lives in
``bench/realism.py``, which prints the same figures.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import realism  # noqa: E402

from simulator.scenario import Catalog  # noqa: E402
from simulator.session import Session  # noqa: E402

PROBE_THRESHOLD = 0.95


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.discover()


@pytest.fixture(scope="module")
def calls(catalog: Catalog) -> list[realism.CallResult]:
    return [realism.run_call(catalog, path, data) for path, data in realism.load_calls()]


def _where(c: realism.CallResult) -> str:
    return f"{c.path.name} (outcome {c.outcome}, {c.said}/{len(c.replies)} replies said)"


def test_the_calls_cover_every_chinese_scenario_and_style(catalog: Catalog,
                                                          calls: list[realism.CallResult]) -> None:
    assert len(calls) >= 40
    zh = {sid for sid in catalog.scenarios if catalog.get(sid).spec.lang == "zh"}
    bundled_before = zh - {"lost_contact_spouse", "lost_contact_informed_sister",  # written after the calls
                           "hardship_business_loan_wife_hands_over", "angry_consumer_loan_mother_hands_over"}
    assert bundled_before <= {c.scenario for c in calls}
    styles = Counter(c.style for c in calls)
    for style in ("excellent", "clumsy", "cold", "rude", "off_script", "subtle_violation"):
        assert styles[style] >= 2, style


def test_no_debtor_line_is_repeated_word_for_word_within_a_call(calls: list[realism.CallResult]) -> None:
    bad = [f"{c.path.name} turn {t}: {line}" for c in calls for t, line in c.repeats]
    assert not bad, "\n".join(bad)


def test_every_excellent_call_succeeds_with_every_reply_said(calls: list[realism.CallResult]) -> None:
    excellent = [c for c in calls if c.style == "excellent"]
    assert len(excellent) >= 13
    bad = [_where(c) for c in excellent if not c.success]
    assert not bad, "\n".join(bad)


def _uncaught(calls: list[realism.CallResult]) -> list[realism.CallResult]:
    return [c for c in calls if c.red_line_turns and c.violation_reached and c.passed]


def test_every_reached_violation_fails_the_call(calls: list[realism.CallResult]) -> None:
    """The red line is the analyzer's to find (the personas cannot fail a call the analyzer
    passes): a veiled word to the workplace, a cash advance on another card, going over a
    colleague's head to HR, a team lead's Alipay, a car towed without a court, overdue "deemed" a
    crime — all caught by meaning (simulator/rules/zh/red_lines.yaml)."""
    violations = [c for c in calls if c.red_line_turns]
    assert len(violations) >= 9
    bad = [_where(c) + f", red line at {c.red_line_turns}" for c in _uncaught(calls)]
    assert not bad, "\n".join(bad)


def test_no_scrambled_debtor_line(calls: list[realism.CallResult]) -> None:
    bad = [f"{c.path.name} turn {t}: {tok!r} in {line}" for c in calls for t, line, tok in c.scrambled]
    assert not bad, "\n".join(bad)


@pytest.fixture(scope="module")
def probes(catalog: Catalog) -> list[realism.ProbeResult]:
    return realism.run_probes(catalog, realism.load_probes())


def _failed(results: list[realism.ProbeResult]) -> str:
    return "\n".join(f"{p.scenario} {p.kind}[{p.index}]: {p.why}" for p in results if not p.ok)


def test_probes_the_pack_hears_are_answered_as_the_persona_should(probes: list[realism.ProbeResult]) -> None:
    """The persona's share: of the probes the rule pack tagged with an act of their kind, 95 % are
    answered as the persona should (identity answered, the case's reason said, the capacity figure or
    a dodge, acceptance within capacity and a counter over it, never calmer on filler or rudeness, a
    「我刚才说了」 line on a repeated question)."""
    fig = realism.figures(probes, [])
    assert fig.probes_total >= 13 * 8 * 10
    assert fig.heard_total >= 0.75 * fig.probes_total
    heard = [p for p in probes if p.heard]
    assert fig.heard_rate >= PROBE_THRESHOLD, f"{fig.heard_rate:.1%}\n" + _failed(heard)


def test_probes_are_answered_as_the_persona_should(probes: list[realism.ProbeResult]) -> None:
    fig = realism.figures(probes, [])
    assert fig.probe_rate >= PROBE_THRESHOLD, f"{fig.probe_rate:.1%}\n" + _failed(probes)


# --- the judges themselves catch what they are for ------------------------------------------------

def _played(catalog: Catalog) -> Session:
    sc = catalog.get("angry_card_reminder")
    return Session.replay(sc, 0, ["您好,我是华信银行信用卡中心的李明,工号A0231,请问您是张伟先生本人吗?",
                                  "您的信用卡欠款12850元,本月25号前先还1000元可以吗?"])


def test_the_scramble_judge_catches_raw_matched_text(catalog: Catalog) -> None:
    sc = catalog.get("angry_card_reminder")
    s = _played(catalog)
    assert realism.scrambled_lines(sc, s.turns) == []
    s.turns[-1].debtor = "好,今天前款186000 逾,我记下了。"
    assert [tok for _, _, tok in realism.scrambled_lines(sc, s.turns)] == ["186000"]
    s.turns[-1].debtor = "行,{deadline}前{plan_amount}。"
    assert [tok for _, _, tok in realism.scrambled_lines(sc, s.turns)] == ["{deadline}"]
    s.turns[-1].debtor = "那我25号之前先还1000元。"
    assert realism.scrambled_lines(sc, s.turns) == []
    s.turns[-1].debtor = "那我26号之前先还1001元。"
    assert [tok for _, _, tok in realism.scrambled_lines(sc, s.turns)] == ["26", "1001"]


def test_the_repeat_judge_counts_word_for_word_repeats(catalog: Catalog) -> None:
    s = _played(catalog)
    assert realism.repeated_lines(s.turns) == []
    s.turns[2].debtor = s.turns[1].debtor
    assert realism.repeated_lines(s.turns) == [(2, s.turns[1].debtor)]
