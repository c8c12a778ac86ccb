"""Hand-over calls (issue 14, item 1): a third party answers, then the debtor takes the phone.

The engine switches at the hand-over: who speaks, the checklist, the scoring context (third party →
debtor, identity to verify again) and the hints; a disclosure to the first speaker is a red line.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from conftest import run_cli
from simulator.scenario import Catalog
from simulator.session import Session
from simulator.steps import CHECKLISTS
from simulator.tui.coach import hint as coach_hint

WIFE = "hardship_business_loan_wife_hands_over"
MOTHER = "angry_consumer_loan_mother_hands_over"
GOOD_WIFE = [
    "您好,我是恒通银行普惠金融部的客户经理林涛,工号H1185。",
    "麻烦您请张建国先生本人接一下电话,谢谢您。",
    "您好,请问您是张建国先生本人吗?我是恒通银行普惠金融部的客户经理林涛,工号H1185。",
    "张先生,您的恒通小微经营贷目前逾期90天,欠款50000元。最近饭店生意怎么样?是遇到什么困难了吗?",
    "我能理解,生意不好确实不容易。您现在每个月大概能拿出多少钱来还款?",
    "那我们帮您申请分期,每个月还4000元,第一期下周一之前还,您看可以吗?",
    "好的,我跟您确认一下:下周一前通过手机银行还4000元,之后每月还4000元。谢谢您,再见。",
]
DEBTOR_STEPS = [s.id for s in CHECKLISTS["debtor"]]
THIRD_STEPS = [s.id for s in CHECKLISTS["third_party"]]


def _scenario(sid: str):
    return Catalog.discover().get(sid)


def _call(sid: str, replies: list[str], seed: int = 0) -> Session:
    s = Session(_scenario(sid), seed=seed)
    s.start()
    for text in replies:
        if s.ended:
            break
        s.reply(text)
    return s


def test_good_call_is_a_debtor_call_after_the_hand_over():
    s = _call(WIFE, GOOD_WIFE)
    assert s.outcome == "promise_to_pay" and not s.red_lines
    turns = s.turns
    assert [t.speaker for t in turns[:3]] == ["third_party", "third_party", "debtor"]
    assert all(t.speaker == "debtor" for t in turns[2:])
    assert turns[2].handover in _scenario(WIFE).case.answerer.hands_over.lines
    assert turns[1].handover is None and turns[3].handover is None
    # scored with the wife on the line, then the debtor, whose identity is not known yet
    assert [t.context["counterpart"] for t in turns[1:4]] == ["third_party", "third_party", "debtor"]
    assert turns[3].context["identity_verified"] is False
    assert turns[4].context["identity_verified"] is True
    summary = s.summary()
    assert list(summary["steps"]) == DEBTOR_STEPS and all(summary["steps"].values())
    assert summary["handover"]["turn"] == 2 and summary["handover"]["by"] == "妻子"
    assert summary["handover"]["steps_before"]["protected_privacy"] is True
    assert summary["solution"] >= 70


def test_the_debtor_must_hear_it_himself():
    """What the wife heard (who is calling, the question whether it is him) does not count for the
    debtor: after the hand-over, a call that goes straight to the debt misses identification and
    verification."""
    s = _call(WIFE, GOOD_WIFE[:2] + ["张先生,您的经营贷欠款50000元已经逾期90天了,准备什么时候还?"])
    s.finish()
    steps = s.summary()["steps"]
    assert list(steps) == DEBTOR_STEPS
    assert not steps["identified_self"] and not steps["verified_before_disclosing"]
    assert steps["stated_facts"]
    assert not s.red_lines  # said to the debtor: no disclosure


def test_telling_the_wife_is_caught():
    s = _call(WIFE, ["您好,我是恒通银行的。他的经营贷欠了我们50000元,已经逾期三个月了,您让他赶紧还钱。",
                     "请他本人接一下电话。"])
    s.finish()
    assert {r["rule"] for r in s.red_lines} == {"third_party_disclosure"}
    assert {r["turn"] for r in s.red_lines} == {1}
    assert s.summary()["passed"] is False
    assert s.summary()["handover"]["steps_before"]["protected_privacy"] is False


def test_a_call_that_never_reaches_the_debtor_is_judged_as_a_third_party_call():
    s = _call(WIFE, ["您好,我是恒通银行普惠金融部的客户经理林涛。", "那我晚点再打,再见。"])
    s.finish()
    assert s.handed_over_at is None and s.speaker == "third_party"
    assert list(s.summary()["steps"]) == THIRD_STEPS
    assert s.summary()["handover"]["turn"] is None


def test_asks_to_put_on_waits_for_the_request():
    # 「请问陈志强在吗?」 asks for him, but this mother only calls him when asked to put him on
    s = _call(MOTHER, ["您好,我是安信消费金融的客服专员赵磊,工号C2207。请问陈志强在吗?",
                       "请问您是陈志强本人吗?"])
    assert s.handed_over_at is None and s.turns[-1].speaker == "third_party"
    s.reply("麻烦您让他本人来接一下电话,谢谢您。")
    assert s.handed_over_at == 3 and s.turns[-1].speaker == "debtor"
    assert s.context_dict()["counterpart"] == "debtor" and s.context_dict()["identity_verified"] is False
    assert s.state == s.persona.spec.initial  # the persona starts when he takes the phone


def test_hints_switch_at_the_hand_over():
    s = Session(_scenario(MOTHER), seed=0)
    s.start()
    assert s.hint() is None                       # the persona's hints are the debtor's
    h = coach_hint(s)
    assert h.step == "asked_for_debtor" and "陈志强" in h.line
    s.reply("您好,我是安信消费金融的客服专员赵磊,工号C2207。")
    assert "接一下电话" in coach_hint(s).line     # F2: ask for him to come to the phone
    s.reply("麻烦您让他本人来接一下电话。")
    assert s.hint() == s._format(s.persona.states[s.state].spec.hint)
    assert coach_hint(s).line == s.hint()         # the angry debtor vents: the persona's own state hint


def _case_file(tmp_path: Path, answerer: dict, persona: str = "hardship") -> Path:
    data = yaml.safe_load((Path(__file__).resolve().parent.parent / "scenarios" / f"{WIFE}.yaml")
                          .read_text(encoding="utf-8"))
    data.update(id="my_handover", persona=persona)
    data["case"]["answerer"] = answerer
    path = tmp_path / "my_handover.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_turn_handover_needs_no_request(tmp_path):
    _case_file(tmp_path, {"relation": "丈夫", "hands_over": {"after": "turn 2"}}, persona="evasive")
    sc = Catalog.discover([tmp_path], cwd=tmp_path).get("my_handover")
    s = Session(sc, seed=3)
    assert s.start() == "喂,您好,哪位?"             # the locale's greeting
    s.reply("您好,请问张建国先生在吗?")               # asks for him: not yet, turn 2 is the moment
    assert s.handed_over_at is None and s.turns[-1].speaker == "third_party"
    s.reply("好的,我是恒通银行的客户经理。")
    assert s.handed_over_at == 2 and s.turns[-1].handover


def test_validate_explains_and_accepts_hands_over(tmp_path):
    bare = _case_file(tmp_path, {"relation": "妻子"})
    proc = run_cli("validate", str(bare))
    assert proc.returncode != 0 and "hands_over" in proc.stdout + proc.stderr
    ok = _case_file(tmp_path, {"relation": "妻子", "hands_over": {"after": "asks_to_put_on"}})
    proc = run_cli("validate", str(ok))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for answerer, persona, words in (
            ({"relation": "妻子", "hands_over": {}}, "lost_contact", "debtor persona"),
            ({"relation": "本人", "hands_over": {}}, "hardship", "relation to who answers first"),
            ({"relation": "妻子", "hands_over": {"after": 2}}, "hardship", "turn 2"),
            ({"relation": "妻子", "hands_over": {"after": "later"}}, "hardship", "asks_to_put_on")):
        proc = run_cli("validate", str(_case_file(tmp_path, answerer, persona)))
        out = proc.stdout + proc.stderr
        assert proc.returncode != 0 and words in out, (answerer, persona, out)
        assert "Traceback" not in out


def test_run_json_and_transcript_say_who_speaks(tmp_path):
    replies = tmp_path / "r.txt"
    replies.write_text("\n".join(GOOD_WIFE[:3]) + "\n", encoding="utf-8")
    proc = run_cli("run", WIFE, "--replies", str(replies), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [t["speaker"] for t in data["turns"]] == ["third_party", "third_party", "debtor", "debtor"]
    assert data["turns"][2]["handover"]["speaker"] == "third_party" and data["turns"][2]["handover"]["line"]
    assert data["turns"][1]["handover"] is None
    assert list(data["summary"]["steps"]) == DEBTOR_STEPS and data["summary"]["handover"]["turn"] == 2
    text = run_cli("run", WIFE, "--replies", str(replies)).stdout
    assert "[0] 妻子 李秀梅: 喂,您好,哪位?" in text and "[2] 债务人:" in text and "[1] 债务人:" not in text


def test_same_replies_same_call():
    a, b = _call(WIFE, GOOD_WIFE, seed=5), _call(WIFE, GOOD_WIFE, seed=5)
    assert a.to_dict() == b.to_dict()
