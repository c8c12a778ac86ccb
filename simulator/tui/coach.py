"""Words the app shows around a call: labels, the case file's stage, and the hint key's model lines.

Plain Python (no Textual). Personas carry no model lines, so a hint is built from what the call
still lacks: the first step of the persona's checklist not yet done, phrased as a lawful model line
(话术, after the seeds) filled in from the case file, with a state-specific line first when the
debtor is upset, suspicious or disputing. A red line in the last reply always comes first: its
rule pack suggestion is the lawful way to say it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OUTCOME_LABELS = {
    "promise_to_pay": "达成还款承诺",
    "message_left": "留言成功",
    "no_agreement": "未达成约定",
    "hung_up": "对方挂断",
    "complaint": "对方投诉",
}
OUTCOME_GOOD = {"promise_to_pay", "message_left"}
ENDED_BY_LABELS = {
    "debtor": "对方结束通话",
    "trainee": "你结束了通话",
    "stall": "对话原地打转,对方结束通话",
    "max_turns": "通话过长",
    "time_limit": "超过时限",
}
DIMENSIONS = (("politeness", "礼貌"), ("clarity", "清晰"), ("solution", "方案"))
MOOD = (("anger", "怒气"), ("trust", "信任"), ("willingness", "意愿"), ("patience", "耐心"))
PERSONA_LABELS = {"angry": "愤怒型", "evasive": "逃避型", "hardship": "困难型", "lost_contact": "失联"}
PRODUCT_LABELS = {
    "credit_card": "信用卡", "consumer_loan": "消费贷", "business_loan": "经营贷",
    "online_loan": "网贷", "car_loan": "车贷",
}


def stage(overdue_days: int) -> str:
    """The collection stage of a case (seeds 002/003: 1–5 days, 6–10 days, M1/M2/M3 buckets)."""
    if overdue_days <= 5:
        return "M1 早期 · 温和提醒"
    if overdue_days <= 10:
        return "M1 · 加强催告"
    if overdue_days <= 30:
        return "M1"
    if overdue_days <= 60:
        return "M2 · 中期"
    if overdue_days <= 90:
        return "M3 · 后期"
    return "M3+ · 后期"


def stars(difficulty: int) -> str:
    return "★" * difficulty + "☆" * max(0, 5 - difficulty)


def names(lang: str = "zh") -> tuple[dict[str, str], dict[str, str]]:
    """Red-line and feature display names from the rule pack."""
    try:
        from ..analyzer import get_pack

        pack = get_pack(lang).pack
        return dict(pack.red_line_names), dict(pack.feature_names)
    except Exception:  # pragma: no cover - a broken pack still leaves the ids
        return {}, {}


@dataclass(frozen=True)
class Hint:
    step: str | None     # the checklist step it works on (None: a state or red-line hint)
    why: str             # what to do, in a few words
    line: str            # a model line (话术)


def _round(x: float, to: int = 100) -> int:
    return max(to, int(round(x / to)) * to)


def hint(session: Any) -> Hint:
    """The model line for where the call is now."""
    case = session.scenario.case
    name = f"{case.surname}{case.honorific}"
    org = case.creditor
    product = case.product_name or PRODUCT_LABELS.get(case.product, "贷款")
    last = session.turns[-1] if session.turns else None
    if last is not None and last.analysis is not None and last.analysis.red_lines:
        r = last.analysis.red_lines[0]
        return Hint(None, f"上一句触碰红线:{r.message}", r.suggestion)

    steps = session.steps()
    state = session.state
    v = session.variables
    third = session.persona.spec.checklist == "third_party"

    if not third:
        if state == "venting" or v.get("anger", 0) >= 60:
            return Hint(None, "先让对方发泄,表示理解,再回到还款", f"{name},我理解您的心情,给您添麻烦了,您先别着急,有什么不满您可以跟我说。")
        if state in ("suspicious", "wary"):
            return Hint(None, "对方怀疑是诈骗:给出工号和官方核实渠道",
                        f"您的谨慎是对的。您可以拨打{org}官方客服热线核实我的工号,还款只通过官方APP或对公账户,"
                        "我们不会让您转账到任何个人账户。")
        if state == "disputing":
            return Hint(None, "对方说已经还过:先核实记录,再说明依据",
                        "好的,我马上帮您核实一下还款记录,您也可以在官方APP里查看还款明细。")
        if state == "shut_down":
            return Hint(None, "对方封闭了:停止施压,先共情、问情况",
                        f"{name},我不是来逼您的,您的难处我理解。方便说说现在的情况吗?我们一起想办法。")

    if third:
        who = case.answerer.relation
        ta = "她" if case.honorific == "女士" else "他"
        informed = case.answerer.informed
        order = [
            ("identified_self", "开场:表明机构和身份,找本人(不提欠款)",
             f"您好,我是{org}的客服专员小王,工号A1024,请问{case.debtor_name}在吗?"),
            ("asked_for_debtor", "询问要找的人是否在",
             f"您好,我是{org}的客服专员小王,工号A1024,请问{case.debtor_name}在吗?"),
            ("asked_callback", "请对方转告回电,不透露欠款" if not informed else "可以说明情况,请对方督促本人回电",
             (f"麻烦您转告{case.debtor_name},方便时回电{org}官方客服热线,有重要事情需要本人处理,谢谢您。"
              if not informed else
              f"您是{case.debtor_name}贷款的{who},{ta}目前欠款{case.amount_text}、逾期{case.overdue_days}天,"
              f"麻烦您转告本人尽快回电{org}官方客服热线,谢谢您。")),
            ("closed_politely", "礼貌结束通话", "打扰您了,谢谢您,再见。"),
        ]
        if state == "wary":
            return Hint(None, "对方起了戒心:给出工号和官方核实渠道,不提欠款",
                        f"您的谨慎是对的。您可以拨打{org}官方客服热线核实我的工号,我们只是想请{case.debtor_name}回个电话。")
        if state == "refusing":
            return Hint(None, "对方不想管:尊重对方,可以请对方提供其他联系方式",
                        f"理解,不好意思打扰您了。如果您方便的话,能否告诉我{case.debtor_name}现在的联系方式?不方便也没关系。")
    else:
        per = _round(case.amount / 6)
        deadline = session.deadline_text or "下个月10号之前"
        amount = session.plan_amount_text or f"{per}元"
        order = [
            ("identified_self", "开场:表明机构和本人身份(姓名、工号),再核实对方是不是本人",
             f"您好,我是{org}的客服专员小王,工号A1024,请问您是{case.debtor_name}{case.honorific}本人吗?"),
            ("verified_before_disclosing", "先核实对方是不是本人,再谈欠款",
             f"您好,我是{org}的客服专员小王,工号A1024,请问您是{case.debtor_name}{case.honorific}本人吗?"),
            ("stated_facts", "说明金额和逾期天数",
             f"{name},您的{product}目前欠款{case.amount_text},已经逾期{case.overdue_days}天了。"),
            ("asked_situation", "询问未还款的原因和实际困难", "请问最近是遇到什么困难了吗?方便跟我说说吗?"),
            ("offered_solution", "提供分期、延期或先还一部分的方案",
             f"我们可以帮您申请分期还款,比如分6期,每期{per}元左右,或者先还一部分,您看可以吗?"),
            ("fixed_commitment", "把承诺落实到具体金额和具体时间点", f"那第一期{amount},您看{deadline}能还上吗?"),
            ("confirmed_commitment", "复述并确认还款承诺",
             f"好的,我跟您确认一下:{deadline}通过{org}官方APP或手机银行还款{amount}。"),
            ("closed_politely", "礼貌结束通话", "感谢您的配合,祝您生活顺利,再见。"),
        ]
    for step, why, line in order:
        if step in steps and not steps[step]:
            return Hint(step, why, line)
    return Hint(None, "该做的都做了:礼貌结束通话(Ctrl+E 挂断)", "感谢您的配合,祝您生活顺利,再见。")


def coaching_line(analysis: Any) -> str:
    """One coaching line for the last reply: a red line's lawful rewrite first, else the first tip."""
    if analysis is None:
        return ""
    if analysis.red_lines:
        r = analysis.red_lines[0]
        return f"换个合规的说法:{r.suggestion}"
    return analysis.feedback[0] if analysis.feedback else ""


def answerer_text(case: Any) -> str:
    a = case.answerer
    if a.is_debtor:
        return f"本人({case.debtor_name}{case.honorific})"
    who = f"{a.relation}{(' ' + a.name) if a.name else ''}"
    return f"{who}(第三方,{'知情' if a.informed else '不知情,不得透露欠款'})"


def case_rows(scenario: Any, persona_title: str | None = None) -> list[tuple[str, str]]:
    """The case file (望 before the call) as label/value rows, for the preview and the case-file screen."""
    s = scenario.spec
    c = s.case
    product = c.product_name or PRODUCT_LABELS.get(c.product, c.product)
    rows = [
        ("债务人", f"{c.debtor_name}{c.honorific}"),
        ("机构", c.creditor),
        ("产品", f"{product}({PRODUCT_LABELS.get(c.product, c.product)})"),
        ("欠款", c.amount_text),
        ("逾期", f"{c.overdue_days}天 · {stage(c.overdue_days)}"),
        ("历史", c.history or "—"),
        ("诉讼", "已起诉" if c.lawsuit_filed else "未起诉(不得声称已起诉)"),
        ("通话时间", f"{c.clock} · 今日第{c.calls_today}次"),
        ("接听人", answerer_text(c)),
    ]
    concessions = getattr(c, "concessions", None)
    if concessions:
        rows.append(("可用方案", str(concessions)))
    else:
        rows.append(("可用方案", "分期、延期、先还一部分、申请减免罚息;只走官方还款渠道"))
    if s.objective:
        rows.append(("目标", s.objective))
    rows.append(("人设", persona_title or PERSONA_LABELS.get(s.persona, s.persona)))
    rows.append(("难度", stars(s.difficulty)))
    return rows
