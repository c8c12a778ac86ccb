"""A debtor who listens (issue 10, the engine): typed values, answers per act, no repeats, memory,
negotiation against capacity, moods, relations and endings.

The mechanism is tested on a small persona written here (so content changes in the bundled
personas do not move these tests); a few tests check the bundled set behaves the same way."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.analyzer import analyze
from simulator.analyzer.values import number, render_amount_spoken, render_date
from simulator.scenario import Catalog
from simulator.session import Session

ROOT = Path(__file__).resolve().parent.parent

PERSONA = """\
id: listener
title: 测试用的倾听型债务人
kind: angry
lang: zh
speaks_first: true
variables: {anger: 40, trust: 40, willingness: 40, patience: 80}
per_turn: {patience: -2}
stall_turns: 6
max_turns: 30
initial: talking
reactions:
  - when: ["any:identity_check,asks_for_debtor"]
    effects: [verify_identity]
  - when: [filler]
    effects: ["add:patience:-10"]
  - when: [tone]
    effects: ["add:anger:15", "add:trust:-10"]
  - when: [empathy]
    unless: [pressure]
    effects: ["add:anger:-10"]
answers:
  identity_check:
    - text: "是我。你哪位?"
      unless: ["knows:org"]
    - text: "是我,什么事?"
      when: ["knows:org"]
  asks_situation:
    - "{reason}。"
    - "就是{reason},没别的。"
  asks_capacity:
    - "一个月最多{capacity_monthly}。"
  proposes_plan:
    - text: "{deadline}前{plan_amount},行。"
      when: [offer_fits]
    - text: "{plan_amount}太多,{counter_deadline}前最多{counter_amount}。"
      when: [offer_over]
    - text: "{deadline}太早,最早{counter_deadline}。"
      when: [offer_too_soon]
      unless: [offer_over]
  contradicts_staff_id:
    - "你刚才不是说工号{staff_id}吗?"
  filler:
    - "嗯什么?"
    - "你倒是说话啊。"
  sarcasm:
    - "你少阴阳怪气!"
  confirms_commitment:
    - "对,{deadline}前{plan_amount}。"
  asks_to_pay:
    - "凭什么要我还?"
  again:
    - "我刚才说了:{said}"
relations:
  guarantor:
    answers:
      asks_to_pay: ["我只是担保人,这钱真要我来还吗?"]
    lines:
      talking: ["我是{ta}的担保人,你说吧。"]
states:
  talking:
    hint: "您好,我是{creditor}的小王,请问是{name}{honorific}本人吗?"
    lines:
      - "喂?"
      - "说吧。"
      - text: "一提还钱就说这个,{plan_amount}怎么了?"
        when: ["done:amount"]
  agreed:
    negotiating: true
    end_outcome: promise_to_pay
    lines: ["行,就这么定。"]
  promise:
    terminal: true
    outcome: promise_to_pay
    lines: ["好,再见。"]
  hung_up:
    terminal: true
    outcome: hung_up
    lines: ["挂了!"]
transitions:
  - trigger: storm_off
    source: "*"
    dest: hung_up
    when: [any_red_line]
  - trigger: strike_deal
    source: talking
    dest: agreed
    when: [offer_fits, convinced]
  - trigger: say_goodbye
    source: agreed
    dest: promise
    when: [closing]
  - trigger: say_goodbye
    source: agreed
    dest: promise
    when: ["turns_in_state_gte:1"]
"""

SCENARIO = """\
id: {id}
title: 测试
persona: listener
difficulty: 1
case:
  debtor_name: 张伟
  honorific: 先生
  creditor: 华信银行信用卡中心
  product: credit_card
  amount: 12850
  overdue_days: 45
  reason: 上个月公司拖欠工资
  capacity: {{lump_sum: 3000, monthly: 1200, earliest_days: 3, convinced_by: [asks_situation]}}
  answerer: {answerer}
"""


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    d = tmp_path_factory.mktemp("listen")
    (d / "personas").mkdir()
    (d / "scenarios").mkdir()
    (d / "personas" / "listener.yaml").write_text(PERSONA, encoding="utf-8")
    third = PERSONA.replace("id: listener\n", "id: listener_tp\nchecklist: third_party\n")
    (d / "personas" / "listener_tp.yaml").write_text(third, encoding="utf-8")
    (d / "scenarios" / "listen_self.yaml").write_text(
        SCENARIO.format(id="listen_self", answerer="{relation: 本人}"), encoding="utf-8")
    (d / "scenarios" / "listen_guarantor.yaml").write_text(
        SCENARIO.format(id="listen_guarantor", answerer="{relation: 担保人, informed: true}").replace(
            "persona: listener", "persona: listener_tp"), encoding="utf-8")
    catalog = Catalog.discover([str(d)])
    assert not catalog.validate_all()
    return catalog


def _call(cat: Catalog, replies: list[str], sid: str = "listen_self", seed: int = 0) -> Session:
    return Session.replay(cat.get(sid), seed, replies)


# -- typed values ------------------------------------------------------------------------------

def test_values_are_typed_with_roles() -> None:
    a = analyze("本月30号前先还20000元,剩下的每月1500元")
    kinds = [(v.kind, v.amount, v.per, v.role, v.type, v.day) for v in a.values]
    assert ("date", None, None, "payment", "day_of_month", 30) in kinds
    assert ("amount", 20000, None, "payment", None, None) in kinds
    assert ("amount", 1500, "month", "payment", None, None) in kinds
    assert "values" in a.to_dict()
    threat = analyze("再不还,明天就去你单位闹")
    assert [v.role for v in threat.values if v.kind == "date"] == ["threat"]
    assert [v.role for v in analyze("您已经逾期95天,欠款186000元").values] == ["debt"]
    assert analyze("千万不要转给任何个人账户").values == []
    assert number("三千五") == 3500 and number("两万") == 20000 and number("千万") is None
    ident = {v.kind: v.ident for v in analyze("我是华信银行信用卡中心的客服专员李明,工号A0231").values}
    assert ident == {"org": "华信银行信用卡中心", "caller_name": "李明", "staff_id": "A0231"}


def test_dates_render_from_their_fields() -> None:
    (fri,) = [v for v in analyze("下周五之前还").values if v.kind == "date"]
    assert render_date(fri, "zh") == "下周五" and render_date(fri, "en") == "next Friday"
    (md,) = [v for v in analyze("明天下午5点前").values if v.kind == "date"]
    assert render_date(md, "zh") == "明天下午5点"
    assert render_amount_spoken(2000) == "两千块" and render_amount_spoken(2000, "en") == "$2,000"


# -- answers, no repeats, placeholders ---------------------------------------------------------

def test_the_debtor_answers_the_act_first(cat: Catalog) -> None:
    s = _call(cat, ["请问是张伟先生本人吗?"])
    assert s.turns[-1].debtor == "是我。你哪位?" and s.turns[-1].answered == ["identity_check"]
    s = _call(cat, ["您好,我是华信银行信用卡中心的李明,工号A0231,请问是张伟先生本人吗?"])
    assert s.turns[-1].debtor == "是我,什么事?"          # told who calls: does not ask again
    s = _call(cat, ["请问最近是遇到什么困难了吗?"])
    assert "上个月公司拖欠工资" in (s.turns[-1].debtor or "")


def test_no_line_twice_until_the_pool_is_spent_then_i_said(cat: Catalog) -> None:
    s = _call(cat, ["嗯", "嗯", "嗯"])
    lines = [t.debtor for t in s.turns[1:]]
    assert lines[0] != lines[1] and set(lines[:2]) == {"嗯什么?", "你倒是说话啊。"}
    assert lines[2] is not None and lines[2].startswith("我刚才说了:")
    assert len(set(lines)) == len(lines)


def test_a_line_with_an_unfilled_placeholder_is_never_said(cat: Catalog) -> None:
    for seed in range(8):
        s = _call(cat, ["您说吧。", "我在听。", "您继续。"], seed=seed)
        for t in s.turns:
            assert t.debtor and "{" not in t.debtor and "怎么了?" not in t.debtor  # no plan: no {plan_amount}


# -- negotiation -------------------------------------------------------------------------------

def test_an_offer_over_capacity_gets_a_counter_built_from_typed_values(cat: Catalog) -> None:
    s = _call(cat, ["请问是遇到什么困难了吗?", "今天还12850元可以吗?"])
    line = s.turns[-1].debtor or ""
    assert s.state == "talking" and line == "12850元太多,本周四前最多3000元。"
    s2 = Session.replay(cat.get("listen_self"), 0, ["请问是遇到什么困难了吗?", "今天还12850元可以吗?", "好的"])
    assert s2.state == "agreed"                           # 「好的」 takes the debtor's own counter
    assert s2.commitment()["amount"] == 3000 and s2.commitment()["deadline"] == "本周四"


def test_a_promise_needs_a_concrete_offer_within_capacity_and_what_convinces(cat: Catalog) -> None:
    s = _call(cat, ["每月还1200元,下周一前还第一期,可以吗?"])
    assert s.state == "talking"                           # not convinced: nobody asked why
    s = _call(cat, ["请问是遇到什么困难了吗?", "每月还1200元,下周一前还第一期,可以吗?"])
    assert s.state == "agreed" and s.turns[-1].debtor == "下周一前1200元,行。行,就这么定。"  # answer, then the new state
    s = _call(cat, ["请问是遇到什么困难了吗?", "明天先还1000元可以吗?"])
    assert s.state == "talking" and s.turns[-1].debtor == "明天太早,最早本周四。"


def test_the_debtor_stays_for_the_confirmation_and_the_goodbye(cat: Catalog) -> None:
    s = _call(cat, ["请问是遇到什么困难了吗?", "每月还1200元,下周一前还第一期,可以吗?",
                    "跟您确认一下:下周一前通过官方APP还1200元。"])
    assert not s.ended and s.turns[-1].debtor == "对,下周一前1200元。"
    s.reply("感谢您的配合,再见。")
    assert s.ended and s.outcome == "promise_to_pay" and s.summary()["steps"]["closed_politely"]
    assert s.summary()["commitment"]["confirmed"]


# -- memory, moods, relations, the machine -----------------------------------------------------

def test_a_contradicted_staff_id_is_noticed(cat: Catalog) -> None:
    s = _call(cat, ["我是华信银行的李明,工号A0231。", "我工号是B7777。"])
    assert "contradicts_staff_id" in s.turns[-1].acts and s.turns[-1].debtor == "你刚才不是说工号B7777吗?" or \
        s.turns[-1].debtor == "你刚才不是说工号A0231吗?"
    assert s.memory.staff_id == "B7777" and s.memory.caller_name == "李明"


def test_filler_costs_patience_and_rudeness_angers(cat: Catalog) -> None:
    s = _call(cat, ["嗯"])
    assert s.variables["patience"] == 80 - 2 - 10 and s.variables["anger"] == 40
    s = _call(cat, ["呵呵,你可真行"])
    assert s.variables["anger"] == 55 and s.turns[-1].debtor == "你少阴阳怪气!"


def test_third_parties_answer_by_relation(cat: Catalog) -> None:
    g = Session(cat.get("listen_guarantor"), 0)
    assert g.start() == "我是他的担保人,你说吧。"
    assert g.reply("您能不能先帮他还上?").debtor == "我只是担保人,这钱真要我来还吗?"
    s = _call(cat, ["您能不能先帮他还上?"])
    assert s.turns[-1].debtor == "凭什么要我还?"


def test_one_trigger_fires_the_first_transition_that_holds(cat: Catalog) -> None:
    s = Session(cat.get("listen_self"), 0)
    assert list(s.machine.events) == ["hear"]
    s.start()
    s.reply("请问是遇到什么困难了吗?")
    r = s.reply("每月还1200元,下周一前还第一期,可以吗?")
    moves = [f for f in r.fired if f.kind == "transition"]
    assert [(f.name, f.source, f.dest) for f in moves] == [("strike_deal", "talking", "agreed")]


# -- the bundled set and the command line ------------------------------------------------------

def test_today_and_the_debt_total_do_not_make_a_promise() -> None:
    """The issue's case: 「今天」 plus the debt total must not make a 95-days-overdue business owner
    promise 186,000 today."""
    sc = Catalog.discover().get("angry_business_loan_complaint")
    s = Session.replay(sc, 0, ["王总您好,我是恒通银行普惠金融部的赵磊,工号H2096,请问您是王建国先生本人吗?",
                               "王先生,我理解您的心情,生意上压力大。",
                               "您的经营贷欠款186000元,今天能还清吗?"])
    assert s.state not in ("agreed", "promise") and s.outcome is None
    assert "186000元" not in (s.turns[-1].debtor or "").replace("今天", "") or "还清" not in (s.turns[-1].debtor or "")


def test_run_json_carries_the_typed_commitment(tmp_path: Path) -> None:
    replies = tmp_path / "r.txt"
    replies.write_text("\n".join([
        "张先生您好,我是华信银行信用卡中心的客服专员李明,工号A0231,请问您是张伟先生本人吗?",
        "您的信用卡欠款12850元,已经逾期45天了。请问是遇到什么困难了吗?",
        "我理解您的难处。那每月还1200元,本周五前还第一期,可以吗?",
        "好的,跟您确认一下:本周五前通过官方APP还1200元。",
        "感谢您的配合,再见。"]) + "\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "simulator", "run", "angry_card_reminder", "--replies", str(replies),
                          "--json"], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    data = json.loads(out)
    commitment = data["summary"].get("commitment")
    assert commitment and commitment["amount"] == 1200 and commitment["deadline"] == "本周五"
    assert commitment["deadline_value"]["type"] == "weekday" and data["summary"]["unsaid"] >= 0
    assert all("values" in t["score"] for t in data["turns"] if t["score"])
    assert all(isinstance(t["acts"], list) for t in data["turns"])


def test_the_hint_key_takes_a_state_in_the_way_from_the_persona() -> None:
    """coach.py knows no state names: a state whose author wrote hint_why comes before the checklist."""
    from simulator.tui.coach import hint

    sc = Catalog.discover().get("evasive_car_loan_scam_suspect")
    s = Session(sc, 0)
    s.start()
    s.reply("您好,我是安行汽车金融的客服专员李明,工号A0231,请问您是孙浩先生本人吗?")
    s.machine.set_state("suspicious", s.model)
    st = s.persona.states["suspicious"].spec
    h = hint(s)
    # the persona's line for that state, less the sentences that redo a step already done (the intro)
    assert st.hint_why and h.why == st.hint_why and h.line and h.line in s.hint() and h.step is None
    s.machine.set_state("negotiating", s.model)
    assert hint(s).why != st.hint_why
