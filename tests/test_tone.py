"""Tone below the red line, features that mean what they say, calibrated scores and one coaching
point per reply (issue 11, points 3–6)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.analyzer import CallContext, analyze
from simulator.evaluation import auc, evaluate

ROOT = Path(__file__).resolve().parent.parent
DEBTOR = CallContext(identity_verified=True)
THIRD = CallContext(counterpart="third_party", identity_verified=False)
COURTESY_NAG = "麻烦您"


@pytest.mark.parametrize("text, kind", [
    ("你火什么火?欠钱不还你还有理了?", "contempt"),
    ("你还好意思跟我哭穷?", "sarcasm"),
    ("我每天打几百个电话,没空听你诉苦", "impatience"),
    ("您还好意思跟我说没钱?", "sarcasm"),                     # polite form, still rude
    ("哭什么哭,哭能把钱哭出来吗?", "contempt"),
    ("你现在知道急了?借的时候怎么不想想?", "blame"),
    ("那是你自己的事,跟我没关系。", "dismissive"),
    ("少废话,今天把钱打过来。", "command"),
    ("对对对,全世界就你最惨。", "sarcasm"),
    ("您到底还不还?给句痛快话。", "impatience"),
    ("就你这种态度,谁愿意帮你?", "contempt"),
])
def test_rudeness_below_a_red_line_is_a_tone_finding(text, kind):
    a = analyze(text, DEBTOR)
    assert not a.red_lines, a.red_lines
    kinds = [f.kind for f in a.tone]
    assert kind in kinds, kinds
    assert kind in a.signals                     # the personas react to the same id
    f = next(f for f in a.tone if f.kind == kind)
    assert text[f.start:f.end] == f.evidence and f.message and f.suggestion
    assert a.scores["politeness"] <= 35
    assert f"「{a.tone[0].evidence}」" in a.feedback[0] and "→" in a.feedback[0]
    assert len(a.feedback) == 1


@pytest.mark.parametrize("text", [
    "您别着急,我们不会怪您,慢慢说。",
    "您刚才说“别废话”,我理解您现在很烦。",               # quoted
    "我们每天电话比较多,所以想跟您约个方便的时间。",
    "我长话短说,不耽误您太多时间。",
    "哈哈,您误会了,我们只是提醒一下。",
    "有什么变化您提前给我打电话就行。",
    "请您今天下午五点前还款,可以通过手机银行操作。",
])
def test_courteous_and_plain_replies_have_no_tone_finding(text):
    assert analyze(text, DEBTOR).tone == []


def test_the_score_json_carries_tone_findings():
    out = analyze("你还好意思跟我哭穷?", DEBTOR).to_dict("x")
    [finding] = [f for f in out["tone"] if f["kind"] == "sarcasm"]
    assert set(finding) >= {"kind", "start", "end", "evidence", "message", "suggestion"}
    assert analyze("您好", DEBTOR).to_dict()["tone"] == []


def test_the_score_command_prints_tone():
    proc = subprocess.run([sys.executable, "-m", "simulator", "score", "你火什么火?"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["tone"][0]["kind"] == "contempt"


# -- features: only what the reply really does --------------------------------------------------
@pytest.mark.parametrize("text, absent", [
    ("延期?想都别想。", "deferral"),
    ("你这态度还想让我帮你申请分期?", "installment"),
    ("减免?你本金都不想还还谈什么减免?", "fee_reduction"),
    ("分期乐那边的钱你还了吗?", "installment"),
    ("我是嘉禾分期的客服小黄,工号2231。", "installment"),
    ("明天法院就来人了。", "specific_deadline"),
    ("这笔钱2月8号就该还了。", "specific_deadline"),
    ("我周五再给您打电话确认。", "specific_deadline"),
    ("今晚不还,明早我们就去你家看看。", "specific_deadline"),
    ("你是听不懂中国话吗?", "identity_check"),
    ("你为什么不还钱?是不是觉得我们好欺负?", "asks_situation"),
    ("我不管你有什么困难。", "asks_situation"),
])
def test_refused_sarcastic_or_misplaced_words_are_no_feature(text, absent):
    assert absent not in analyze(text, DEBTOR).features


@pytest.mark.parametrize("text, present", [
    ("李娜是吧?我这边是华信银行的。", "identity_check"),
    ("王建国吗?", "identity_check"),
    ("张先生对吧?打扰您一下。", "identity_check"),
    ("确认一下,您是尾号1234这张卡的持卡人吗?", "identity_check"),
    ("您都欠了三个月了。", "states_overdue"),
    ("那就本周五前还3000元,我这边登记了。", "confirms_commitment"),
    ("好,我记一下:25号前还2000元。", "confirms_commitment"),
    ("你先把最低还款还上。", "partial_payment"),
    ("您现在除了我们这笔,还有别的平台的借款吗?", "asks_situation"),
    ("今天必须把钱打过来。", "specific_deadline"),
])
def test_colloquial_forms_count(text, present):
    assert present in analyze(text, DEBTOR).features


# -- scores ----------------------------------------------------------------------------------------
def test_a_courteous_reply_scores_high_without_every_courtesy_word():
    assert analyze("您的信用卡目前欠款12850元,已经逾期45天。", DEBTOR).scores["politeness"] >= 80
    assert analyze("请问您是张伟先生本人吗?", DEBTOR).scores["politeness"] >= 90
    plain = analyze("你的借款已经逾期二十天,欠款4600元。", DEBTOR).scores["politeness"]
    rude = analyze("你的借款已经逾期二十天,你自己心里没数吗?还好意思拖?", DEBTOR).scores["politeness"]
    assert rude < plain <= 65


def test_tone_is_rated_on_its_own_a_polite_off_hours_call_stays_polite():
    late = analyze("您好,打扰了,想提醒您一下本月账单。", CallContext(clock="23:30"))
    assert late.red_line_ids == ["off_hours"] and late.scores["politeness"] >= 80
    menace = analyze("你再不还,小心你家里人出门的时候。", DEBTOR)
    assert "threat" in menace.red_line_ids and menace.scores["politeness"] <= 15


def test_politeness_auc_is_the_share_of_pairs_ranked_right():
    assert auc([80, 60], [30, 30]) == 1.0
    assert auc([30], [30]) == 0.5
    assert auc([], [1]) is None
    items = [{"id": str(i), "text": t, "context": {}, "red_lines": [], "tone": tone}
             for i, (t, tone) in enumerate([("您好,打扰您了。", "polite"), ("你欠了4600元。", "neutral"),
                                            ("你火什么火?", "rude"), ("少废话。", "rude")])]
    report = evaluate(items)
    assert report.auc("neutral") == 1.0 and report.auc("polite") == 1.0
    assert report.to_dict()["politeness_auc"]["counts"] == {"polite": 1, "neutral": 1, "rude": 2}
    assert "polite vs rude" in report.render()


# -- coaching: one point, the most important ---------------------------------------------------
def test_no_courtesy_nag_on_a_courteous_reply():
    for text in ("请问是什么原因没能按时还款呢?", "您的情况我理解,我们一起想办法。",
                 "您好,我是华信银行的小李,工号8021,请问是张伟先生本人吗?"):
        a = analyze(text, DEBTOR)
        assert len(a.feedback) == 1 and COURTESY_NAG not in a.feedback[0], a.feedback


def test_coaching_order_red_line_then_tone_then_step_then_polish():
    both = analyze("你个老赖,还好意思哭穷?", DEBTOR)
    assert both.feedback[0].startswith("辱骂")
    tone = analyze("你还好意思哭穷?先还3000吧,尽快。", DEBTOR)
    assert tone.feedback[0].startswith("讽刺挖苦")
    step = analyze("您这笔欠款12850元,逾期45天了。", CallContext(identity_verified=False))
    assert "本人" in step.feedback[0]
    vague = analyze("你尽快还一下吧。", DEBTOR)
    assert "具体" in vague.feedback[0]
    polish = analyze("你的情况我知道了。", DEBTOR)
    assert "「您」" in polish.feedback[0]


def test_a_third_party_is_never_steered_towards_paying():
    for text in ("您好,请问吴涛先生在吗?", "麻烦您转告他回个电话,谢谢。", "好的,那我们过两天再联系他。"):
        a = analyze(text, THIRD)
        assert len(a.feedback) == 1
        assert not any(w in a.feedback[0] for w in ("还款安排", "具体时间点", "分期", "方案")), a.feedback
