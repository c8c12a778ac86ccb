"""The exam's pass rules, one by one, on recorded calls (pure: no engine, no store)."""

import pytest

from simulator.certify.judge import judge

RULES = {"overall": 65, "dimensions": {"politeness": 60, "clarity": 60, "solution": 50},
         "min_call_overall": 50, "min_successful_calls": 3}


def call(scenario="s1", p=80, c=80, s=80, outcome="promise_to_pay", red=(), duration=None, limit=None):
    overall = round((p + c + s) / 3)
    return {"scenario": scenario, "seed": 1, "outcome": outcome, "turns": [],
            "summary": {"politeness": p, "clarity": c, "solution": s, "overall": overall,
                        "red_lines": [dict(r) for r in red], "passed": not red},
            "duration_s": duration, "time_limit_s": limit}


def perfect(n=4):
    return [call(f"s{i}") for i in range(n)]


def test_a_good_attempt_passes():
    v = judge(RULES, perfect(), 4)
    assert v.passed and v.reasons == []
    assert v.scores == {"politeness": 80.0, "clarity": 80.0, "solution": 80.0, "overall": 80.0}
    assert v.successful_calls == 4


def test_a_red_line_fails_an_otherwise_perfect_attempt():
    calls = [call(f"s{i}", 100, 100, 100) for i in range(4)]
    calls[2]["summary"]["red_lines"] = [{"rule": "abuse", "turn": 3, "evidence": "老赖"}]
    v = judge(RULES, calls, 4)
    assert not v.passed
    assert v.reasons == ["red line abuse in s2 turn 3: 「老赖」"]
    assert v.scores["overall"] == 100.0
    assert v.red_lines == [{"call": 2, "scenario": "s2", "turn": 3, "rule": "abuse", "evidence": "老赖"}]


@pytest.mark.parametrize("dim", ["politeness", "clarity", "solution"])
def test_each_dimension_minimum_is_a_mean_over_calls(dim):
    low = {"p": 80, "c": 80, "s": 80}
    key = dim[0]
    # mean exactly at the minimum passes; one point below fails
    minimum = RULES["dimensions"][dim]
    at = [call(f"s{i}", **{**low, key: minimum}) for i in range(4)]
    assert judge(RULES, at, 4).passed
    below = [call(f"s{i}", **{**low, key: minimum}) for i in range(3)] + [call("s3", **{**low, key: minimum - 4})]
    v = judge(RULES, below, 4)
    assert not v.passed
    assert v.reasons == [f"{dim} {minimum - 1:g} < {minimum}"]


def test_overall_pass_mark():
    rules = dict(RULES, dimensions={}, min_call_overall=None)
    calls = [call(f"s{i}", 64, 64, 64) for i in range(4)]
    v = judge(rules, calls, 4)
    assert v.reasons == ["overall 64 < 65"]
    assert judge(rules, [call(f"s{i}", 65, 65, 65) for i in range(4)], 4).passed


def test_every_call_must_reach_min_call_overall():
    rules = {"overall": 0, "min_call_overall": 50}
    calls = perfect(3) + [call("weak", 50, 45, 40)]
    v = judge(rules, calls, 4)
    assert v.reasons == ["weak: overall 45 < 50"]


def test_min_successful_calls():
    rules = {"overall": 0, "min_successful_calls": 3}
    calls = perfect(2) + [call("a", outcome="no_agreement"), call("b", outcome="hung_up")]
    v = judge(rules, calls, 4)
    assert v.reasons == ["successful calls 2 < 3 (promise_to_pay or message_left)"]
    calls[2]["outcome"] = "message_left"
    assert judge(rules, calls, 4).passed


def test_time_limit_applies_when_the_call_was_timed():
    rules = {"overall": 0}
    assert judge(rules, [call("a", duration=None, limit=60)], 1).passed
    assert judge(rules, [call("a", duration=60, limit=60)], 1).passed
    v = judge(rules, [call("a", duration=61.5, limit=60)], 1)
    assert v.reasons == ["a: took 61.5 s > time limit 60 s"]


def test_missing_calls_never_pass():
    v = judge({"overall": 0}, perfect(2), 4)
    assert not v.passed and v.reasons == ["only 2 of 4 calls completed"]
    v = judge(RULES, [], 4)
    assert not v.passed
    assert v.scores["overall"] is None
    assert "overall - < 65" in v.reasons


def test_reasons_are_listed_in_a_stable_order():
    calls = [call("a", 30, 30, 30, outcome="hung_up", red=[{"rule": "threat", "turn": 2, "evidence": "小心点"}])]
    v = judge(RULES, calls, 2)
    assert v.reasons == [
        "red line threat in a turn 2: 「小心点」", "only 1 of 2 calls completed",
        "politeness 30 < 60", "clarity 30 < 60", "solution 30 < 50", "overall 30 < 65",
        "a: overall 30 < 50", "successful calls 0 < 3 (promise_to_pay or message_left)",
    ]
