"""Frames, shared lexicons, rewrites, soft clause breaks and address cues: the machinery that lets
red lines be caught by meaning (who × does what × to whom or where × under what condition)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from simulator.analyzer import CallContext, analyze, load_pack
from simulator.analyzer.engine import Analyzer, _disjoint
from simulator.analyzer.normalize import Rewriter, normalize
from simulator.analyzer.rulepack import frame_pattern
from simulator.errors import LoadError

PACK = Path(__file__).resolve().parent.parent / "simulator" / "rules" / "zh"


@pytest.fixture
def pack_copy(tmp_path):
    target = tmp_path / "zh"
    shutil.copytree(PACK, target)
    return target


def test_a_frame_is_slots_joined_by_bounded_gaps():
    rx = frame_pattern("{me}? {go} … {place}", "[^,]", "[^。]", 6, 20)
    # the optional leading slot carries its gap: a match never starts on a bare gap
    assert rx == "(?:(?:{me})[^,]{0,6}?)?(?:{go})[^。]{0,20}?(?:{place})"
    assert frame_pattern("{a} + {b}", "[^,]", "[^。]", 6, 20) == "(?:{a})(?:{b})"
    assert frame_pattern("{a} {b}?", "x", "y", 3, 9) == "(?:{a})(?:x{0,3}?(?:{b}))?"


def test_a_trainer_adds_a_frame_and_a_lexicon_as_data(pack_copy):
    (pack_copy / "extra.yaml").write_text(
        "lexicon:\n"
        "  pets: [猫, 狗, 宠物]\n"
        "rules:\n"
        "  - id: threat.pets\n"
        "    red_line: threat\n"
        "    frames: ['{unpaid} … {whose} + (?:家)? + {pets} … (?:就没了|活不成)']\n"
        "    message: 以宠物安危相威胁\n    suggestion: 只谈还款\n    source: 培训组\n",
        encoding="utf-8")
    analyzer = Analyzer(load_pack(pack_copy))
    assert not analyze("再不还,你家狗可就没了").red_lines  # the bundled pack does not know it
    hit = analyzer.analyze("再不还,你家狗可就没了", CallContext())
    assert [r.check for r in hit.red_lines] == ["threat.pets"]
    assert hit.red_lines[0].evidence == "再不还,你家狗可就没了"
    assert not analyzer.analyze("你家狗真可爱", CallContext()).red_lines


def test_a_lexicon_defined_twice_or_a_rule_without_patterns_is_reported(pack_copy):
    (pack_copy / "extra.yaml").write_text(
        "lexicon:\n  family: [爸]\nrules:\n  - id: threat.empty\n    red_line: threat\n"
        "    message: m\n    suggestion: s\n    source: x\n", encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        load_pack(pack_copy)
    text = str(exc.value)
    assert "patterns or frames" in text


def test_a_lexicon_clash_is_reported(pack_copy):
    (pack_copy / "extra.yaml").write_text("lexicon:\n  harm: [完蛋]\n", encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        load_pack(pack_copy)
    assert "'harm' is defined twice" in str(exc.value)


@pytest.mark.parametrize("text,red_line", [
    # if you do not pay → a consequence that is not a lawful one, classified by kind
    ("月底前钱不到位,你那一家老小可就别想安生了", "threat"),
    ("再拖着不还,我们就派人去你爸妈家等你", "threat"),
    ("钱不到账的话,你的欠款截图我就发到抖音上", "privacy_exposure"),
    ("再不处理,我们就让你们单位同事都知道", "privacy_exposure"),
    ("今天不还就让警察把你带走", "false_legal"),
    ("不还的话先把你家的车拖走抵账", "false_legal"),
    ("这钱你姐也有义务替你还", "false_legal"),
])
def test_conditional_consequences_by_kind(text, red_line):
    assert red_line in analyze(text).red_line_ids, (text, analyze(text).red_lines)


@pytest.mark.parametrize("text", [
    "如果月底还不上,会产生罚息,也会影响您的征信。",
    "要是一直不处理,我们可能会通过法律途径解决。",
    "不还的话我们可以先帮您申请分期。",
    "您可以和家里人商量一下怎么安排。",
])
def test_lawful_consequences_are_not_red_lines(text):
    assert analyze(text).red_line_ids == []


def test_rewrites_keep_offsets_into_what_was_written():
    rw = Rewriter({"zfb": "支付宝", "屋企": "家里", "dk": "贷款"})
    n = normalize("转 zfb 或者去dk平台", rewriter=rw)
    assert "支付宝" in n.text and "贷款平台" in n.text
    k = n.text.index("支付宝")
    assert n.original[slice(*n.span(k, k + 3))] == "zfb"
    k = n.text.index("贷款")
    assert n.original[slice(*n.span(k, k + 4))] == "dk平台"
    assert "zfbx" in normalize("zfbx", rewriter=rw).text  # a Latin key only as a whole word


def test_a_space_between_words_ends_a_clause_and_one_inside_a_word_does_not():
    n = normalize("系统在升级 您直接转我支付宝")
    assert n.text == "系统在升级您直接转我支付宝" and n.breaks == (5,)
    assert normalize("骗 子 你 是").breaks == ()


def test_unpunctuated_speech_does_not_lend_an_exception_across_a_space():
    text = "系统最近在升级 扣款老失败 官方渠道暂时不行 您直接转我支付宝 我帮您入账"
    assert "personal_account" in analyze(text).red_line_ids
    assert "payment_channel" not in analyze(text).features


@pytest.mark.parametrize("text,rule", [
    ("唔還錢嘅話,差佬會嚟拉人", "false_legal"),
    ("你仲唔还,我哋就去你屋企楼下等你", "threat"),
    ("钱 直 接 打 到 我 个 人 卡 上", "personal_account"),
    ("去dk平台搞点出来先还上", "induce_borrowing"),
    ("我係 court 派嚟嘅 lawyer", "impersonation"),
])
def test_spelling_never_saves_a_violation(text, rule):
    assert rule in analyze(text).red_line_ids, (text, analyze(text).red_lines)


@pytest.mark.parametrize("text", [
    "这汤真他妈好喝,下次还来",
    "素质低的人哪里都有",
    "那个小偷最后被拘留了",
])
def test_words_not_said_to_the_listener_are_not_red_lines(text):
    assert analyze(text).red_line_ids == []


@pytest.mark.parametrize("text", ["你他妈到底还不还钱", "你素质太低了", "再不还就等着被拘留吧"])
def test_the_same_words_said_to_the_listener_are(text):
    assert analyze(text).red_line_ids


def test_findings_of_one_red_line_never_overlap():
    assert _disjoint([(0, 4), (10, 14)], [(2, 6), (5, 9), (12, 13), (14, 20)]) == [(5, 9), (14, 20)]
    result = analyze("老赖," * 2000)
    spans = sorted((r.start, r.end) for r in result.red_lines)
    assert len(spans) == 2000 and all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
