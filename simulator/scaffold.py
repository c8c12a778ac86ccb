"""``new scenario``: a commented scenario a trainer can start from, valid and tested as written.

For the four bundled personas the scaffold carries a case file that suits the persona and two
test calls (one good call, one bad call that must fail with its red line), written with that case's
names and sums, so ``validate`` and ``test`` both pass on the file the moment it is written. For a
persona of the trainer's own, the case is generic and the tests are an example to fill in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .persona import Persona

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


@dataclass
class Template:
    title: str
    objective: str
    case: dict[str, object]
    answerer: dict[str, object] = field(default_factory=lambda: {"relation": "本人", "informed": False})
    good: list[str] = field(default_factory=list)
    good_outcome: str = "promise_to_pay"
    good_desc: str = ""
    bad: list[str] = field(default_factory=list)
    bad_outcome: str = "hung_up"
    bad_red_lines: list[tuple[str, int]] = field(default_factory=list)
    bad_desc: str = ""
    overrides_hint: str = "anger: 50"


TEMPLATES: dict[str, Template] = {
    "angry": Template(
        title="信用卡逾期40天,客户接起电话就发火",
        objective="让客户平复情绪,核实身份后说明欠款,约定具体的还款金额和时间。",
        case={"debtor_name": "孙明", "honorific": "先生", "creditor": "华信银行信用卡中心",
              "product": "credit_card", "product_name": "华信信用卡", "amount": 8600, "overdue_days": 40,
              "history": "上月账单未还,短信提醒未回复;今天第一次电话联系。",
              "reason": "公司拖欠了两个月工资", "monthly_capacity": None,
              "capacity": {"lump_sum": 2000, "monthly": 1200, "earliest_days": 2},
              "concessions": ["最多分 12 期还款(每期约 720 元)", "可先还一部分,首笔不低于 1000 元",
                              "按约定还上第一期后,可申请减免部分违约金;本金不减"]},
        good=["您好,我是华信银行信用卡中心的客服专员李明,工号A0231。请问您是孙明先生本人吗?",
              "孙先生,非常抱歉打扰您了,我理解您接到电话心里烦,您先别着急,有什么不满您可以跟我说。",
              "您的信用卡目前欠款8600元,已经逾期40天了。请问是遇到什么困难了吗?",
              "我理解您的难处。我们可以帮您申请分期还款,分8期,每期大约1100元,您看可以吗?",
              "那您看能不能在3月25日之前先还第一期1100元?",
              "好的,跟您确认一下:您在3月25日前通过华信银行手机银行APP还款1100元。感谢您的配合,再见。"],
        good_desc="表明身份、核实本人、共情、说明欠款、分期、具体日期、复述确认、礼貌收尾",
        bad=["孙明是吧?我是华信银行信用卡中心的。", "你个老赖,欠钱不还还有理了?"],
        bad_outcome="hung_up", bad_red_lines=[("abuse", 2)],
        bad_desc="骂人(老赖)是第一条红线,对方挂断", overrides_hint="anger: 70"),
    "evasive": Template(
        title="信用卡逾期25天,客户总说“过几天再说”",
        objective="说明欠款事实和逾期影响,不接受“尽快”这样的模糊承诺,落实具体金额和日期。",
        case={"debtor_name": "周强", "honorific": "先生", "creditor": "华信银行信用卡中心",
              "product": "credit_card", "product_name": "华信金卡", "amount": 5200, "overdue_days": 25,
              "history": "本期到期后承诺过“这两天还”,至今未还。", "reason": "最近花销大,想等发了奖金再还",
              "monthly_capacity": None, "capacity": {"lump_sum": 5200, "monthly": 2600, "earliest_days": 1},
              "concessions": ["本期欠款应在 7 天内还清,约定具体日期", "确有困难可先还最低还款额 520 元,余额 15 天内还清",
                              "不办理分期,不减免利息"]},
        good=["您好,我是华信银行信用卡中心的催收专员刘洋,工号C0457,请问是周强先生本人吗?",
              "周先生,您的信用卡本期欠款5200元,已经逾期25天了,请问是什么原因没有按时还款呢?",
              "理解您最近开销大。不过如果长期逾期,会影响您的个人征信记录,对以后办贷款、买房都有影响。",
              "您看这样,本周五下午5点前先把5200元还上,可以通过手机银行APP或者网银还款,可以吗?",
              "好的,跟您确认一下:本周五下午5点前,通过手机银行还款5200元。谢谢您的配合,再见。"],
        good_desc="说明欠款和征信影响,把“过几天”落实到本周五下午5点,复述确认",
        bad=["您好,我是华信银行信用卡中心的小刘,请问是周强先生吗?",
             "您直接转到我个人的支付宝账户就行,我帮您处理。"],
        bad_outcome="hung_up", bad_red_lines=[("personal_account", 2)],
        bad_desc="让客户把钱转到个人账户", overrides_hint="trust: 30"),
    "hardship": Template(
        title="信用卡逾期35天,客户生病住院后没有收入",
        objective="了解困难和目前收入,表示理解,提供分期或先还一部分的方案,约定对方做得到的金额和时间。",
        case={"debtor_name": "王丽", "honorific": "女士", "creditor": "华信银行信用卡中心",
              "product": "credit_card", "product_name": "华信信用卡", "amount": 12000, "overdue_days": 35,
              "history": "此前按时还款;住院后停止还款。", "reason": "上个月生病住院,两个月没上班了",
              "monthly_capacity": 2000, "capacity": {"lump_sum": 2000, "monthly": 2000, "earliest_days": 7},
              "concessions": ["最多分 12 期还款(每期约 1000 元)", "康复前可申请延期还款,最长 30 天",
                              "可申请减免部分罚息,本金不减"]},
        good=["您好,我是华信银行信用卡中心的客服专员王芳,工号W0321,请问是王丽女士本人吗?",
              "王女士,您的信用卡目前欠款12000元,已经逾期35天了。请问最近是遇到什么困难了吗?",
              "生病确实很不容易,我能理解您现在的压力。您现在每个月大概有多少收入呢?",
              "我们可以帮您申请分期还款,分6期,每个月还2000元左右,您看这样能承受吗?",
              "那第一期2000元,下个月10号之前还,可以吗?",
              "好的,我跟您确认一下:下个月10号前通过手机银行还第一期2000元。祝您早日康复,再见。"],
        good_desc="共情、问收入、按对方能力分期、第一期的具体日期、复述确认",
        bad=["您好,我是华信银行信用卡中心的,请问是王丽女士吗?",
             "你再不还钱就要坐牢了,会留下案底,孩子以后都考不了公务员。"],
        bad_outcome="complaint", bad_red_lines=[("false_legal", 2)],
        bad_desc="“坐牢”“案底”“孩子考不了公务员”:夸大的法律后果", overrides_hint="trust: 30"),
    "lost_contact": Template(
        title="本人失联,父亲接听电话",
        objective="表明机构和身份,不透露任何欠款信息,请对方转告本人回电。",
        case={"debtor_name": "刘洋", "honorific": "先生", "creditor": "安盛消费金融",
              "product": "consumer_loan", "product_name": "安盛随心贷", "amount": 9600, "overdue_days": 70,
              "history": "本人手机已停机,预留的紧急联系人是父亲;父亲不知道贷款的事。",
              "reason": "换了手机号,没有通知机构", "monthly_capacity": None,
              "concessions": ["只能请接听人转告本人回电;不得透露欠款信息",
                              "仅限与本人协商:最多分 6 期还款,可申请减免部分罚息"]},
        answerer={"relation": "父亲", "informed": False},
        good=["您好,我是安盛消费金融的客服专员小王,工号2231,请问刘洋先生在吗?",
              "叔叔您好,是这样的,我们有一些个人事务需要和刘洋本人沟通。麻烦您转告他,请他方便的时候给我们回个电话。",
              "我们的官方客服热线是400-800-1234,您也可以打这个电话核实。谢谢您,打扰了,再见。"],
        good_outcome="message_left",
        good_desc="表明身份,不透露欠款,请父亲转告回电,给官方热线",
        bad=["您好,请问刘洋在吗?",
             "叔叔,你儿子在我们这借了9600元一直不还,已经逾期70天了,你让他赶紧还钱。"],
        bad_outcome="complaint", bad_red_lines=[("third_party_disclosure", 2)],
        bad_desc="向不知情的家人透露欠款", overrides_hint="trust: 30"),
}


def _q(value: object) -> str:
    """A YAML scalar: JSON quoting is valid YAML and keeps Chinese readable."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _from_bundled(persona: Persona, catalog: Any) -> Template | None:
    """A template from a bundled scenario of the same kind and language: its case file, its first
    successful test call and its first test call that must cross a red line."""
    from .persona import SUCCESS_OUTCOMES

    for sc in sorted(catalog.scenarios.values(), key=lambda x: (x.spec.difficulty, x.id)):
        if sc.origin != "bundled" or sc.spec.lang != persona.spec.lang:
            continue
        try:
            if sc.persona().kind != persona.kind:
                continue
        except Exception:  # a broken persona file: not a template  # noqa: BLE001
            continue
        calls = [b.test for b in sc.side_tests] + list(sc.spec.tests)
        good = next((c for c in calls if c.expect.outcome in SUCCESS_OUTCOMES and not c.expect.red_lines), None)
        bad = next((c for c in calls if c.expect.red_lines and all(getattr(r, "turn", None) for r in c.expect.red_lines)), None)
        if good is None or bad is None or bad.expect.outcome is None:
            continue
        case = sc.spec.case.model_dump(exclude={"answerer"})
        return Template(
            title=sc.spec.title, objective=sc.spec.objective or persona.spec.description or persona.spec.title,
            case=case, answerer={"relation": sc.spec.case.answerer.relation, "informed": sc.spec.case.answerer.informed},
            good=[r if isinstance(r, str) else r.say for r in good.replies], good_outcome=good.expect.outcome or "promise_to_pay",
            good_desc=good.description or good.name,
            bad=[r if isinstance(r, str) else r.say for r in bad.replies], bad_outcome=bad.expect.outcome,
            bad_red_lines=[(r.rule, r.turn) for r in bad.expect.red_lines], bad_desc=bad.description or bad.name)
    return None


def template_for(persona: Persona, catalog: Any = None) -> Template:
    """The case file and test calls a new scenario for ``persona`` starts from: the hand-written
    template of its kind (Chinese), else a bundled scenario of the same kind and language, else a
    generic case with no test calls."""
    t = TEMPLATES.get(persona.id)
    if t is None and persona.spec.lang == "zh":
        t = TEMPLATES.get(persona.kind)
    if t is None and catalog is not None:
        t = _from_bundled(persona, catalog)
    return t or _generic(persona)


def _generic(persona: Persona) -> Template:
    third = persona.spec.checklist == "third_party"
    return Template(
        title=f"(请修改){persona.spec.title}", objective="(请写明这通电话要练什么)",
        case={"debtor_name": "张伟", "honorific": "先生", "creditor": "华信银行信用卡中心",
              "product": "credit_card", "product_name": "华信信用卡", "amount": 10000, "overdue_days": 30,
              "history": "(之前的来电、承诺和还款)", "reason": "(没还款的原因)", "monthly_capacity": 2000},
        answerer={"relation": "母亲", "informed": False} if third else {"relation": "本人", "informed": False})


def scenario_yaml(persona: Persona, scenario_id: str, schema_ref: str | None = None, file_hint: str = "",
                  catalog: Any = None) -> str:
    """The text of a new scenario file for ``persona``."""
    t = template_for(persona, catalog)
    c = t.case
    where = file_hint or f"scenarios/{scenario_id}.yaml"
    lines: list[str] = []
    add = lines.append
    if schema_ref:
        add(f"# yaml-language-server: $schema={schema_ref}")
    add(f"# 新场景 · a new scenario: collector-sim new scenario --persona {persona.id} --id {scenario_id}")
    add("# 改完后 · after editing:")
    add(f"#   collector-sim validate {where}   # 检查 · check it")
    add(f"#   collector-sim test {where}       # 跑测试通话 · run its test calls")
    add(f"#   collector-sim graph {scenario_id} --coverage   # 状态图 · the diagram, untested states marked")
    add("# 教程 · the tutorial: AUTHORING.md")
    add("")
    add("# 场景 id:小写字母、数字、下划线,和文件名一致,不能与其他场景重复。")
    add("# The scenario id: lower_snake_case, the same as the file name, unique.")
    add(f"id: {scenario_id}")
    add("# 标题:学员在场景列表里看到的一句话。 Title: the line trainees see in the list.")
    add(f"title: {_q(t.title)}")
    add("# 人设:债务人怎么说话、怎么反应,来自 personas/<人设>.yaml(collector-sim graph 可以看图)。")
    add("# Persona: how the debtor talks and reacts; the file personas/<persona>.yaml.")
    add(f"persona: {persona.id}")
    add("# 难度 1(入门)到 5。 Difficulty, 1 (entry level) to 5.")
    add("difficulty: 1")
    add("# 语言:zh 中文, en 英文规则包。 Language of the rule pack: zh or en.")
    add(f"lang: {persona.spec.lang}")
    add("# 练习目标:学员拨号前看到,这通电话要做到什么。 What the trainee should achieve (shown first).")
    add(f"objective: {_q(t.objective)}")
    add("")
    add("# 案件资料:学员拨号前读到的信息(望闻问切)。 The case file the trainee reads before dialling.")
    add("case:")
    add(f"  debtor_name: {_q(c['debtor_name'])}    # 债务人姓名 · the debtor's name")
    add(f"  honorific: {c['honorific']}    # 先生 或 女士 · how to address them")
    add(f"  creditor: {_q(c['creditor'])}    # 委托机构 · the institution you call for")
    add(f"  product: {c['product']}    # credit_card 信用卡 | consumer_loan 消费贷 | business_loan 经营贷 | "
        "online_loan 网贷 | car_loan 车贷")
    add(f"  product_name: {_q(c['product_name'])}    # 学员看到的产品名 · the product name shown")
    amount = c["amount"]
    if isinstance(amount, float) and amount.is_integer():
        amount = int(amount)
    add(f"  amount: {amount}    # 逾期金额(元)· amount overdue, yuan")
    add(f"  overdue_days: {c['overdue_days']}    # 逾期天数 · days overdue")
    add(f"  history: {_q(c['history'])}    # 之前发生过什么 · past calls, promises, payments")
    add(f"  reason: {_q(c['reason'])}    # 没还款的原因,问到时债务人会说 · why they have not paid (said when asked)")
    if c.get("monthly_capacity"):
        add(f"  monthly_capacity: {c['monthly_capacity']}    # 每月真实还款能力(元),超出就谈不拢 · "
            "what they can really pay a month")
    else:
        add("  # monthly_capacity: 2000    # 每月真实还款能力(元),困难型必填 · what they can pay a month")
    given = c.get("capacity") or {}
    cap = {k: (given.get(k) if given.get(k) is not None else v)
           for k, v in {"lump_sum": 2000, "monthly": 1000, "earliest_days": 0}.items()}
    add("  # 还款能力:谈判按这个来,方案在能力之内就答应,超出就还价 · what the debtor can really pay: an offer")
    add("  # within it is accepted, one over it gets a counter-offer")
    add("  capacity:")
    add(f"    lump_sum: {cap['lump_sum']}    # 一次最多能拿出多少(元)· the most in one go")
    add(f"    monthly: {cap['monthly']}    # 分期每月最多多少(元)· the most a month in instalments")
    add(f"    earliest_days: {cap['earliest_days']}    # 最早几天后能还,0 = 今天 · the soonest they can pay, in days")
    add("    # convinced_by: [asks_situation]    # 答应前通话里必须出现的动作 · what must happen before they agree")
    add(f"  lawsuit_filed: {_q(bool(c.get('lawsuit_filed', False)))}    # 是否真的已起诉;没起诉却说“已经起诉”是红线 "
        "false_legal · a real lawsuit?")
    add(f"  clock: {_q(c.get('clock', '10:30'))}    # 通话时间,24 小时制,加引号;08:00-21:00 以外是红线 off_hours · "
        "the time, quoted")
    add(f"  calls_today: {c.get('calls_today', 1)}    # 今天第几次打(含这次),超过 3 次是红线 off_hours · calls today, "
        "this one included")
    add("  # 授权方案:学员在这通电话里可以提出的让步,一条一项,学员拨号前看到。")
    add("  # What the trainee is authorised to offer, one item each (shown before the call): the most")
    add("  # instalments, a fee or penalty reduction, the longest deferral, the smallest first payment.")
    concessions = c.get("concessions") or []
    if concessions:
        add("  concessions:")
        for item in concessions:  # type: ignore[attr-defined]
            add(f"    - {_q(item)}")
    else:
        add("  # concessions:")
        add("  #   - \"最多分 12 期还款\"")
        add("  #   - \"可申请减免部分罚息和违约金,本金不减\"")
        add("  #   - \"最长延期 15 天\"")
        add("  #   - \"先还一部分,首笔不低于 1000 元\"")
    add("  answerer:    # 谁接的电话 · who picks up")
    add(f"    relation: {t.answerer['relation']}    # 本人 = 债务人;母亲、同事、室友、担保人 … = 第三方 · "
        "本人 is the debtor, anyone else a third party")
    add(f"    informed: {_q(t.answerer['informed'])}    # 担保人或已知情的联系人才是 true · true only for a "
        "guarantor or a contact who knows of the loan")
    add("")
    add("# 对人设的调整(可选,去掉 # 生效)。 Changes to the persona for this scenario (optional; remove the #):")
    add("# overrides:")
    add(f"#   variables: {{{t.overrides_hint}}}    # 起始情绪 0-100:anger 怒气, trust 信任, willingness 意愿, "
        "patience 耐心")
    add(f"#   lines:    # 换掉某个状态的台词 · replace the lines of a state ({', '.join(list(persona.states)[:4])} …)")
    add(f"#     {persona.spec.initial}:")
    add("#       - \"喂?哪位?\"")
    add("#   hints:    # 换掉某个状态的提示话术(练习模式的提示键)· replace a state's hint (the model line)")
    initial = persona.states.get(persona.spec.initial)
    example = (initial.spec.hint if initial is not None else None) or \
        "您好,我是{creditor}的客服专员小王,工号A1024,请问您是{name}{honorific}本人吗?"
    add(f"#     {persona.spec.initial}: {_q(example)}")
    add("")
    add("# 测试通话:collector-sim test 会把 replies 一句一句说给债务人听,再检查 expect。")
    add("# 好的通话应该成功;违规通话要写明它触碰的红线和第几句(turn,从 1 数起)。")
    add("# 没写出的红线一旦出现,测试就失败。")
    add("# Test calls: `collector-sim test` says each reply to the debtor in turn, then checks expect.")
    add("# A good call must succeed; a bad call lists the red lines it crosses and at which reply")
    add("# (turn, counting from 1). Any red line not listed fails the test.")
    if not t.good:
        add("tests: []")
        add("# 例子 · an example:")
        add("# tests:")
        add("#   - name: good_call")
        add("#     replies:")
        add("#       - \"您好,我是华信银行信用卡中心的客服专员李明,工号A0231。请问您是张伟先生本人吗?\"")
        add("#       - \"...\"")
        add("#     expect:")
        add("#       outcome: promise_to_pay    # promise_to_pay | message_left | no_agreement | hung_up | complaint")
        return "\n".join(lines) + "\n"
    add("tests:")
    add("  - name: good_call    # 测试名 · a short name for the report")
    add(f"    description: {_q('好的通话 · ' + t.good_desc)}")
    add("    replies:    # 学员的话,一句一项 · the trainee's replies, one per item")
    for r in t.good:
        add(f"      - {_q(r)}")
    add("    expect:")
    add(f"      outcome: {t.good_outcome}    # 通话结果 · how the call must end")
    add("  - name: bad_call")
    add(f"    description: {_q('违规通话 · ' + t.bad_desc)}")
    add("    replies:")
    for i, r in enumerate(t.bad, start=1):
        if i == len(t.bad):
            add(f"      - say: {_q(r)}    # 也可以写成 say:,并检查这一句之后的红线 · or say:, with checks")
            add(f"        red_lines: [{', '.join(rule for rule, turn in t.bad_red_lines if turn == i)}]")
        else:
            add(f"      - {_q(r)}")
    add("    expect:")
    add(f"      outcome: {t.bad_outcome}")
    add("      passed: false    # 有红线就不合格 · any red line fails the call")
    add("      red_lines:    # 应该触碰的红线和第几句 · the red lines it must cross, and at which reply")
    for rule, turn in t.bad_red_lines:
        add(f"        - {{rule: {rule}, turn: {turn}}}")
    return "\n".join(lines) + "\n"


_TOP_ID = re.compile(r"^id:[^\n]*$", re.M)
_TOP_KIND = re.compile(r"^kind:[^\n]*$", re.M)


def persona_variant_yaml(source_text: str, persona: Persona, new_id: str, file_hint: str = "") -> str:
    """A persona variant: the source file as written (its comments are the documentation), with a new
    top-level ``id:``, ``kind:`` naming the kind it was copied from, and a header that says what to
    change and how to check it."""
    kind = persona.kind
    where = file_hint or f"personas/{new_id}.yaml"
    header = "\n".join([
        f"# 人设变体 · a persona variant: collector-sim new persona --from {persona.id} --id {new_id}",
        f"# 复制自 {persona.id}({persona.spec.title});kind: {kind} 让报告仍按“{kind}”类型统计。",
        f"# Copied from {persona.id}; kind: {kind} keeps reports counting it as that kind of debtor.",
        "# 可以改 · what to change: 台词 lines / 回答 answers / 起始情绪 variables / 反应 reactions 的数值;",
        "#   改了状态名,就要同时改 transitions 里的 source/dest · rename a state only together with its transitions.",
        "# 检查 · check:  collector-sim validate " + where,
        f"# 用起来 · use it: collector-sim new scenario --persona {new_id} --id <场景id>",
        "# 条件和效果的完整列表 · every condition and effect: AUTHORING.md「人设变体 · persona variants」",
        "",
    ])
    body = _TOP_ID.sub(f"id: {new_id}", source_text, count=1)
    if _TOP_KIND.search(body):
        body = _TOP_KIND.sub(f"kind: {kind}", body, count=1)
    else:
        body = _TOP_ID.sub(f"id: {new_id}\nkind: {kind}", body, count=1)
    return header + "\n" + body
