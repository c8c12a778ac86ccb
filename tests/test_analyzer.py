"""The analyzer on single replies: normalisation, negation, quotation, context, spans, scores."""

import pytest

from simulator.analyzer import analyze
from simulator.analyzer.normalize import normalize


def red(text, **ctx):
    return analyze(text, ctx).red_line_ids


def feats(text, **ctx):
    return analyze(text, ctx).features


# -- normalisation -----------------------------------------------------------------------
def test_normalisation_maps_back_to_original_offsets():
    n = normalize("欠債不還 騙 子，ＮＭＳＬ")
    assert n.text == "欠债不还骗子,nmsl"
    start = n.text.index("骗子")
    assert n.span(start, start + 2) == (5, 8)


@pytest.mark.parametrize("text, evidence", [
    ("你这个老赖", "老赖"),
    ("你這個老賴,欠債不還", "老賴"),          # traditional characters
    ("骗 子", "骗 子"),                       # space inside the word
    ("骗*子,赶紧还钱", "骗*子"),               # symbol inside the word
    ("你就是个ＳＢ", "ＳＢ"),                  # full width, upper case
    ("n m s l", "n m s l"),                  # pinyin abbreviation, spaced
])
def test_abuse_is_caught_through_disguises_with_its_span(text, evidence):
    result = analyze(text)
    [finding] = [r for r in result.red_lines if r.rule == "abuse"]
    assert text[finding.start:finding.end] == evidence == finding.evidence
    assert finding.message and finding.suggestion


# -- negation, reassurance, quotation, lawful consequences ------------------------------
@pytest.mark.parametrize("text", [
    "我们不会去您单位,也不会联系您的家人。",
    "这不是在吓唬您,只是提醒您逾期会影响信用记录。",
    "您是说对方骂了您?",
    "您刚才说我们是骗子,我能理解您的担心。",
    "如果有人冒充警察给您打电话,请您直接挂断。",
    "可能会通过法律途径解决。",
    "逾期会影响您的信用记录。",
    "若您在规定时间内仍未还款,我们将会采取法律手段进行追讨。",
    "千万不要去借高利贷,有困难我们可以一起商量。",
    "请不要转账到任何个人账户,请通过官方APP还款。",
    "逾期不会坐牢,但会影响征信。",
    "如果家里人愿意帮您周转一下也可以。",
])
def test_hard_negatives_are_not_red_lines(text):
    assert red(text) == []


def test_a_conditional_is_not_a_negation():
    assert red("你不还钱我就去你单位闹") == ["privacy_exposure"]
    assert red("你不还钱我们就找人去你家收拾你") == ["threat"]


def test_taunting_with_ni_shuo_is_still_abuse():
    assert "abuse" in red("你说你是不是老赖")


# -- context -----------------------------------------------------------------------------
def test_disclosure_depends_on_who_listens():
    text = "他在我们银行欠了两万块钱,已经逾期三个月了。"
    assert red(text) == []
    assert red(text, counterpart="third_party") == ["third_party_disclosure"]
    assert red(text, counterpart="third_party", third_party_informed=True) == []


def test_third_party_safe_wording():
    text = "您好,我是华信银行的工作人员,有些个人业务想和他本人联系,麻烦您转告他回个电话,谢谢。"
    assert red(text, counterpart="third_party") == []


def test_claiming_a_lawsuit_depends_on_the_case():
    text = "我们已经向法院起诉您了。"
    assert red(text) == ["false_legal"]
    assert red(text, lawsuit_filed=True) == []


@pytest.mark.parametrize("clock, calls, profile, expected", [
    ("08:00", 1, None, []), ("21:00", 1, None, []), ("07:59", 1, None, ["off_hours"]),
    ("21:01", 1, None, ["off_hours"]), ("10:00", 3, None, []), ("10:00", 4, None, ["off_hours"]),
    ("21:30", 1, "cba2026", []), ("22:01", 1, "cba2026", ["off_hours"]), ("10:00", 6, "cba2026", []),
    ("10:00", 7, "cba2026", ["off_hours"]),
])
def test_off_hours_from_the_clock_and_the_daily_count(clock, calls, profile, expected):
    result = analyze("您好", {"clock": clock, "calls_today": calls, "profile": profile})
    assert result.red_line_ids == expected
    for r in result.red_lines:
        assert r.start is None and r.end is None


# -- features ----------------------------------------------------------------------------
def test_negated_offers_are_not_features():
    assert "installment" not in feats("这笔不能分期。")
    assert "installment" not in feats("分期是不行的。")
    assert "installment" in feats("我们可以帮您申请分期,分12期还。")


def test_vague_time_is_not_a_deadline():
    assert "specific_deadline" not in feats("请您尽快还款。")
    assert "specific_deadline" in feats("请您在本周五下午5点前还款。")


def test_a_good_opening():
    result = analyze("您好,我是华信银行信用卡中心的催收专员小李,工号1024。请问您是张伟先生本人吗?")
    assert {"greeting", "honorific", "self_identification", "identity_check"} <= set(result.features)
    assert result.red_lines == []


def test_confirming_a_commitment():
    result = analyze("跟您确认一下,您是在本月20号前还款3000元,对吗?")
    assert {"confirms_commitment", "states_amount", "specific_deadline"} <= set(result.features)


# -- scores ------------------------------------------------------------------------------
def test_scores_reward_good_practice_and_a_red_line_caps_politeness():
    good = analyze("我理解您的难处。我们可以帮您申请分12期,每月还1000元,您看可以吗?")
    bad = analyze("您好,你这个老赖,赶紧还钱!")
    assert good.scores["solution"] > 50
    assert good.scores["politeness"] > bad.scores["politeness"]
    assert bad.scores["politeness"] == 0
    assert all(0 <= v <= 100 for v in good.scores.values())


def test_feedback_quotes_the_words_and_offers_a_lawful_way():
    result = analyze("你这个老赖")
    assert "「老赖」" in result.feedback[0]
    assert "→" in result.feedback[0]


def test_to_dict_has_the_contract_shape():
    out = analyze("你这个老赖").to_dict(id="x1")
    assert out["id"] == "x1"
    assert set(out) >= {"scores", "features", "red_lines", "feedback"}
    assert set(out["scores"]) == {"politeness", "clarity", "solution"}
    r = out["red_lines"][0]
    assert {"rule", "start", "end", "evidence", "message", "suggestion"} <= set(r)


def test_a_very_long_reply_is_scored():
    text = "您好,请问您是张伟先生吗?" * 7000 + "你这个老赖"
    assert len(text) > 90_000
    result = analyze(text)
    assert result.red_line_ids == ["abuse"]
    assert text[result.red_lines[0].start:result.red_lines[0].end] == "老赖"


# -- a second language is data, not code ---------------------------------------------------
def test_english_pack_uses_the_same_ids():
    bad = analyze("You deadbeat, pay up or we will tell your employer.", {"lang": "en"})
    assert bad.red_line_ids == ["abuse", "privacy_exposure"]
    assert analyze("We will never tell your employer.", {"lang": "en"}).red_lines == []
    good = analyze("Hello Mr. Smith, this is Alex from Huaxin Bank card centre. We could set up a payment "
                   "plan of $200 per month starting by Friday.", {"lang": "en"})
    assert {"greeting", "self_identification", "installment", "states_amount"} <= set(good.features)


def test_unknown_language_is_a_user_error():
    from simulator.errors import UserError

    with pytest.raises(UserError, match="no rule pack for language 'xx'"):
        analyze("hi", {"lang": "xx"})


# -- disowning in the next sentence, quotes after a question, dialect -----------------------
@pytest.mark.parametrize("text", [
    "有人说要去您单位找您?那是违规的,我们绝对不会这么做。",
    "那个业务员说要爆您通讯录?这种做法是违法的。",
    "您问什么?“再不还就弄死你”?我们从来不会说这样的话。",
    "我们公司没有“上门抓人”这一说,您放心。",
])
def test_words_disowned_or_echoed_are_not_red_lines(text):
    assert red(text) == []


def test_a_disowning_sentence_must_follow_directly():
    # the disowning sentence is about something else: the threat stands
    assert "threat" in red("你给我等着。今天天气不错。那是违规的。")


@pytest.mark.parametrize("text, rule", [
    ("我哋會將你嘅資料寄畀你公司。", "privacy_exposure"),        # Cantonese 畀 = 给
    ("我係差人,你唔還錢我就拉你返差館。", "false_legal"),         # Cantonese police
    ("唔够钱就去搵財仔借啦。", "induce_borrowing"),                  # 財仔: a finance company
    ("你屋企喺边度我哋都知,你自己睇住办。", "threat"),             # 睇住办 = 看着办
    ("we know where you live,识做啦。", "threat"),                  # English inside Chinese
    ("你个瓜娃子,钱都不还。", "abuse"),                              # Sichuanese insult
])
def test_dialect_and_mixed_language(text, rule):
    assert rule in red(text)


@pytest.mark.parametrize("text, rule", [
    ("转账到安全账户就没事了。", "personal_account"),
    ("我把收款码发给你,扫一下就行。", "personal_account"),
    ("我有个放贷的朋友,可以介绍给你。", "induce_borrowing"),
    ("去办个信用贷,先把这笔还了。", "induce_borrowing"),
    ("你再不接,我就打你通讯录。", "privacy_exposure"),
    ("你单位很快就会收到我们的催收函。", "privacy_exposure"),
    ("派出所那边让你明天过来一趟配合调查。", "false_legal"),
])
def test_paraphrases_of_the_red_lines(text, rule):
    assert rule in red(text)


@pytest.mark.parametrize("text", [
    "我来跟进您的案子,有什么问题随时找我。",       # 案子 as a file, not a lawsuit
    "千万别去借财仔,利滚利的。",                     # a warning, not an inducement
    "您放心,我们不会打您通讯录里的电话。",
    "呢个系私人户口,唔好转,只还到官方账户。",       # Cantonese warning
])
def test_lookalikes_are_not_red_lines(text):
    assert red(text) == []


def test_emoji_inside_a_word_or_a_cue_is_a_separator():
    [finding] = analyze("你这个骗😀子").red_lines
    assert finding.rule == "abuse" and finding.evidence.endswith("骗😀子")
    assert red("您😀说之前的催收员要去您单位闹?") == []     # 您说 is still reported speech
