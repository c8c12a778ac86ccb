"""A call's scores (simulator/analyzer/callscore.py): calibrated on textbook, clumsy and rude calls,
and in agreement with the replies' scores."""

import sys
from pathlib import Path
from statistics import mean

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibration_calls import CLUMSY, RUDE  # noqa: E402
from golden_calls import GOOD  # noqa: E402

from simulator.analyzer import CallContext, analyze  # noqa: E402
from simulator.analyzer.callscore import call_scores  # noqa: E402
from simulator.scenario import Catalog  # noqa: E402
from simulator.session import Session  # noqa: E402

DIMS = ("politeness", "clarity", "solution")
ALL_STEPS = {"identified_self": True, "verified_before_disclosing": True, "stated_facts": True,
             "asked_situation": True, "offered_solution": True, "fixed_commitment": True,
             "confirmed_commitment": True, "closed_politely": True}


@pytest.fixture(scope="module")
def scored():
    catalog = Catalog.discover()

    def run(calls):
        out = []
        for sid, _, replies in calls:
            s = Session.replay(catalog.get(sid), 7, replies, finish=True)
            out.append(call_scores([t.analysis for t in s.turns if t.analysis is not None], s.steps()))
        return out

    return {"textbook": run([c for c in GOOD if c[1] in ("textbook", "hard", "gentle", "warm", "three_stop",
                                                          "respectful", "protective", "brief")]),
            "clumsy": run(CLUMSY), "rude": run(RUDE)}


def test_textbook_calls_score_80_on_every_dimension(scored):
    for s in scored["textbook"]:
        assert min(s[d] for d in DIMS) >= 80, s


def test_clumsy_calls_land_between_50_and_70(scored):
    overall = [s["overall"] for s in scored["clumsy"]]
    assert 50 <= mean(overall) <= 70, overall
    assert max(overall) < 72                      # none passes the foundation exam's overall mark


def test_rude_calls_score_below_40_on_politeness(scored):
    for s in scored["rude"]:
        assert s["politeness"] < 40, s
    assert mean(s["overall"] for s in scored["rude"]) < mean(s["overall"] for s in scored["clumsy"])


def test_a_call_agrees_with_its_replies():
    good = [analyze(t, CallContext()) for t in ("您好,我是华信银行的小李,工号8021,请问是张伟先生本人吗?",
                                                "我理解您的难处,我们可以帮您申请分期,每月1000元。")]
    s = call_scores(good, ALL_STEPS)
    for d in DIMS:  # every step done: (1 − w) × mean + 100 w, never below the replies' mean
        assert s[d] >= round(mean(a.scores[d] for a in good)), (d, s)
    assert s["overall"] == round(sum(s[d] for d in DIMS) / 3)
    worse = good + [analyze("你还好意思哭穷?", CallContext())]
    assert call_scores(worse, ALL_STEPS)["politeness"] < s["politeness"]
    as_dicts = call_scores([a.to_dict() for a in good], ALL_STEPS)
    assert as_dicts == s                          # the JSON of a turn works as well as the analysis


def test_a_harsh_reply_weighs_more_than_a_plain_one():
    plain = analyze("你的借款逾期二十天了。", CallContext())
    harsh = analyze("你火什么火?", CallContext())
    s = call_scores([plain, plain, harsh], {"closed_politely": False})
    simple_mean = (2 * plain.scores["politeness"] + harsh.scores["politeness"]) / 3
    assert s["politeness"] < 0.9 * simple_mean


def test_no_replies_no_score():
    assert call_scores([], ALL_STEPS) == {"politeness": 0, "clarity": 0, "solution": 0, "overall": 0}
