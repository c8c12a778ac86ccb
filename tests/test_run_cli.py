"""The session engine and ``run``: golden good calls succeed on every persona, bad calls are caught
with the right red lines at the right turns, the same seed and replies give the same JSON, and a
crashed call can be resumed from its replies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from golden_calls import BAD, GOOD
from simulator.cli import main
from simulator.scenario import Catalog
from simulator.session import Session, SessionOver, read_amounts, read_deadline

REPO = Path(__file__).resolve().parent.parent
SUCCESS = {"angry": "promise_to_pay", "evasive": "promise_to_pay", "hardship": "promise_to_pay",
           "lost_contact": "message_left"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.discover()


def _run(catalog: Catalog, sid: str, replies: list[str], seed: int = 0) -> Session:
    return Session.replay(catalog.get(sid), seed, replies, finish=True)


# -- golden calls ------------------------------------------------------------------------------------

def test_golden_calls_cover_every_persona_three_times(catalog):
    per: dict[str, int] = {}
    for sid, _, _ in GOOD:
        p = catalog.get(sid).spec.persona
        per[p] = per.get(p, 0) + 1
    assert set(per) == set(SUCCESS) and min(per.values()) >= 3, per


@pytest.mark.parametrize("seed", [0, 1, 7])
@pytest.mark.parametrize("sid, label, replies", GOOD, ids=[f"{s}-{l}" for s, l, _ in GOOD])
def test_good_call_succeeds(catalog, sid, label, replies, seed):
    s = _run(catalog, sid, replies, seed)
    summary = s.summary()
    assert summary["red_lines"] == [], summary["red_lines"]
    assert summary["passed"] is True
    assert s.outcome == SUCCESS[s.persona.id], (s.path, [t.debtor for t in s.turns])
    assert summary["steps"]["identified_self"]
    if s.outcome == "promise_to_pay":
        assert summary["steps"]["fixed_commitment"]
        assert summary["commitment"]["deadline"]


@pytest.mark.parametrize("sid, label, replies, expected, outcome", BAD, ids=[f"{s}-{l}" for s, l, *_ in BAD])
def test_bad_call_is_caught(catalog, sid, label, replies, expected, outcome):
    s = _run(catalog, sid, replies)
    got = {(r["rule"], r["turn"]) for r in s.summary()["red_lines"]}
    for item in expected:
        assert item in got, got
    assert s.summary()["passed"] is False
    if outcome is not None:
        assert s.outcome == outcome
    assert s.outcome not in ("promise_to_pay", "message_left")


def test_vague_pushing_loops_to_no_agreement(catalog):
    s = _run(catalog, "evasive_card_next_week", [
        "您好,我是华信银行信用卡中心的小刘,请问是陈磊先生吗?", "您的信用卡逾期了,请您尽快还款。",
        "请您尽快处理一下。", "希望您尽快还款。", "还是请您尽快还。", "尽快吧。", "尽快。", "尽快。"])
    assert s.outcome == "no_agreement" and s.ended_by == "stall"
    assert s.summary()["passed"] is True  # no red line, just no result


def test_pressure_shuts_a_hardship_debtor_down(catalog):
    s = _run(catalog, "hardship_card_job_loss", [
        "您好,我是华信银行信用卡中心的小王,请问是李娜女士吗?", "别找借口,赶紧还钱!", "赶紧给我还钱,别找借口!"])
    assert "shut_down" in s.path and s.outcome != "promise_to_pay"


def test_three_stop_rule_calms_an_angry_debtor(catalog):
    s = _run(catalog, "angry_consumer_loan_repeat_calls", [
        "您好,我是安盛消费金融的小陈,工号1029,请问是刘强先生吗?", "请您注意一下言辞。",
        "双方是平等的,请您文明沟通。"])
    assert s.path[:2] == ["venting", "cooling"]


def test_lost_contact_counterpart_is_third_party(catalog):
    s = Session(catalog.get("lost_contact_mother"), 0)
    s.start()
    assert s.context_dict()["counterpart"] == "third_party"
    assert s.context_dict()["third_party_informed"] is False
    g = Session(catalog.get("lost_contact_guarantor"), 0)
    assert g.context_dict()["third_party_informed"] is True


def test_identity_verified_after_the_debtor_confirms(catalog):
    s = Session(catalog.get("angry_card_reminder"), 0)
    s.start()
    assert s.context_dict()["identity_verified"] is False
    r = s.reply("您好,我是华信银行信用卡中心的客服李明,工号A0231,请问您是张伟先生本人吗?")
    assert r.context["identity_verified"] is False  # judged before the answer
    assert s.context_dict()["identity_verified"] is True
    ctx = s.context_dict()
    assert ctx["clock"] == "10:30" and ctx["calls_today"] == 1


# -- the session API the TUI uses ---------------------------------------------------------------------

def test_session_api(catalog):
    s = Session(catalog.get("hardship_card_investment_failure"), seed=3)
    first = s.start()
    assert isinstance(first, str) and first
    assert s.start() == first  # idempotent
    r = s.reply("您好,我是华信银行信用卡中心的客服小李,工号L2024,请问您是张丽女士本人吗?")
    assert r.turn == 1 and r.debtor and r.state in s.persona.states
    assert set(r.variables) == {"anger", "trust", "willingness", "patience"}
    assert all(0 <= v <= 100 for v in r.variables.values())
    assert any(f.kind == "reaction" and f.because for f in r.fired)
    d = r.to_dict()
    for key in ("trainee", "debtor", "state", "score", "variables", "fired", "previous_state"):
        assert key in d
    s.finish()
    with pytest.raises(SessionOver):
        s.reply("还在吗?")


def test_turn_zero_is_the_debtors_first_line(catalog):
    s = _run(catalog, "lost_contact_mother", ["您好,请问吴涛在吗?"])
    d = s.to_dict()
    assert d["turns"][0]["turn"] == 0 and d["turns"][0]["trainee"] == "" and d["turns"][0]["debtor"]


def test_replay_and_from_record_resume_identically(catalog):
    sid, _, replies = GOOD[0]
    full = _run(catalog, sid, replies, seed=5)
    half = Session.replay(catalog.get(sid), 5, replies[:3])
    resumed = Session.from_record(half.record(), catalog.get(sid))
    assert resumed.state == half.state and resumed.variables == half.variables
    for text in replies[3:]:
        if not resumed.ended:
            resumed.reply(text)
    resumed.finish()
    assert json.dumps(resumed.to_dict(), ensure_ascii=False) == json.dumps(full.to_dict(), ensure_ascii=False)
    again = Session.from_record(full.to_dict(), catalog.get(sid))
    assert again.to_dict()["turns"] == full.to_dict()["turns"]


def test_engine_imports_no_textual():
    code = ("import sys, simulator.session, simulator.scenario, simulator.persona; "
            "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(REPO)), cwd=REPO).stdout.strip()
    assert out == "False"


# -- the engine without the rule pack (a fake analyzer) ---------------------------------------------

@dataclass
class _FakeAnalysis:
    features: list[str]
    signals: list[str]
    red_lines: list[Any] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=lambda: {"politeness": 70, "clarity": 70, "solution": 70})
    feature_hits: dict[str, Any] = field(default_factory=dict)

    @property
    def red_line_ids(self) -> list[str]:
        return [r.rule for r in self.red_lines]

    def to_dict(self) -> dict[str, Any]:
        return {"scores": self.scores, "features": self.features, "red_lines": [], "feedback": [],
                "signals": self.signals}


@dataclass
class _FakeRedLine:
    rule: str
    evidence: str = "…"


def _fake(text: str, ctx: Any) -> _FakeAnalysis:
    """Replies are written as ids: 'identity_check empathy !abuse'."""
    words = text.split()
    from simulator.persona import FEATURE_IDS

    feats = [w for w in words if w in FEATURE_IDS]
    sigs = [w for w in words if not w.startswith("!") and w not in FEATURE_IDS]
    reds = [_FakeRedLine(w[1:]) for w in words if w.startswith("!")]
    return _FakeAnalysis(feats, sigs, reds)


def test_engine_with_fake_analyzer_reaches_promise(catalog):
    s = Session(catalog.get("angry_card_reminder"), 0, analyze=_fake)
    s.start()
    s.reply("self_identification identity_check courtesy honorific")
    s.reply("empathy courtesy")
    s.reply("asks_situation states_amount states_overdue")
    s.reply("installment 每月1000元")
    s.reply("specific_deadline 3月25日")
    assert s.state == "agreed"
    s.reply("confirms_commitment closing")
    assert s.outcome == "promise_to_pay" and s.ended_by == "debtor"
    assert s.summary()["steps"]["confirmed_commitment"]


def test_promise_needs_amount_and_date(catalog):
    s = Session(catalog.get("angry_card_reminder"), 0, analyze=_fake)
    s.start()
    s.reply("empathy calm")
    s.reply("empathy")
    s.reply("installment")
    assert "amount" not in s.facts
    s.finish()
    assert s.outcome != "promise_to_pay"


def test_fake_abuse_ends_in_hung_up_with_turn(catalog):
    s = Session(catalog.get("angry_card_reminder"), 0, analyze=_fake)
    s.start()
    s.reply("courtesy")
    r = s.reply("!abuse")
    assert r.ended and r.outcome == "hung_up"
    assert s.summary()["red_lines"] == [{"rule": "abuse", "turn": 2, "evidence": "…"}]
    assert any(f.kind == "transition" and f.name == "hang_up_on_abuse" for f in r.fired)


def test_fake_disclosure_to_third_party_ends_badly(catalog):
    s = Session(catalog.get("lost_contact_mother"), 0, analyze=_fake)
    s.start()
    r = s.reply("self_identification identity_check")
    r = s.reply("asks_callback !third_party_disclosure")
    assert r.outcome == "complaint" and s.summary()["passed"] is False


def test_message_left_needs_a_callback_request(catalog):
    s = Session(catalog.get("lost_contact_mother"), 0, analyze=_fake)
    s.start()
    s.reply("self_identification identity_check courtesy")
    s.reply("asks_callback courtesy")
    assert s.state == "will_pass_on"
    s.reply("closing courtesy")
    assert s.outcome == "message_left"


def test_reading_amounts_and_dates():
    assert read_amounts("每月还1000元,先还三千块,共3万") == [1000, 3000, 30000]
    assert read_amounts("每个月还1100,工号1234") == [1100]
    assert read_amounts("3月25日前") == []
    assert read_deadline("请在3月25日之前还款") == "3月25日"
    assert read_deadline("本周五下午") == "本周五"
    assert read_deadline("尽快还款") is None


# -- the command line -------------------------------------------------------------------------------

def _cli(*args: str, stdin: str | None = None, hashseed: str = "random") -> tuple[int, str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONHASHSEED=hashseed)
    p = subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True,
                       cwd=REPO, env=env, input=stdin, timeout=60)
    return p.returncode, p.stdout, p.stderr


def _write(tmp_path: Path, replies: list[str]) -> Path:
    f = tmp_path / "replies.txt"
    f.write_text("\n\n".join(replies) + "\n", encoding="utf-8")  # blank lines are skipped
    return f


def test_run_json_contract(tmp_path):
    sid, _, replies = GOOD[0]
    code, out, err = _cli("run", sid, "--replies", str(_write(tmp_path, replies)), "--seed", "7", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["scenario"] == sid and d["persona"] == "angry" and d["seed"] == 7
    assert d["outcome"] == "promise_to_pay"
    assert d["turns"][0]["trainee"] == ""
    assert len([t for t in d["turns"] if t["trainee"]]) == len(replies)
    for t in d["turns"][1:]:
        assert set(t["score"]["scores"]) == {"politeness", "clarity", "solution"}
        assert isinstance(t["score"]["features"], list) and isinstance(t["score"]["red_lines"], list)
    s = d["summary"]
    for key in ("politeness", "clarity", "solution", "overall"):
        assert 0 <= s[key] <= 100
    assert s["red_lines"] == [] and s["passed"] is True


def test_run_json_bad_call_has_red_line_turns(tmp_path):
    sid, _, replies, expected, _ = BAD[0]
    code, out, err = _cli("run", sid, "--replies", str(_write(tmp_path, replies)), "--json")
    assert code == 0
    d = json.loads(out)
    assert {(r["rule"], r["turn"]) for r in d["summary"]["red_lines"]} >= set(expected)
    assert d["summary"]["passed"] is False
    assert all(set(r) >= {"rule", "turn", "evidence"} for r in d["summary"]["red_lines"])


def test_run_is_deterministic_across_processes(tmp_path):
    sid, _, replies = GOOD[8]
    f = _write(tmp_path, replies)
    a = _cli("run", sid, "--replies", str(f), "--seed", "11", "--json", hashseed="1")
    b = _cli("run", sid, "--replies", str(f), "--seed", "11", "--json", hashseed="2")
    assert a[0] == 0 and a[1] == b[1]
    c = _cli("run", sid, "--replies", str(f), "--seed", "12", "--json")
    assert json.loads(c[1])["outcome"] == json.loads(a[1])["outcome"]


def test_same_seed_same_json_in_process(catalog):
    for sid, _, replies in GOOD[:4]:
        one = json.dumps(_run(catalog, sid, replies, 42).to_dict(), ensure_ascii=False, sort_keys=True)
        two = json.dumps(_run(catalog, sid, replies, 42).to_dict(), ensure_ascii=False, sort_keys=True)
        assert one == two


def test_run_transcript(tmp_path):
    sid, _, replies = GOOD[-1]
    code, out, err = _cli("run", sid, "--replies", str(_write(tmp_path, replies)))
    assert code == 0, err
    # a third-party call: the other side is labelled with who answered (担保人), not 债务人
    assert "催收员:" in out and "] 担保人" in out and "结果: message_left" in out and "passed: true" in out
    assert "债务人:" not in out


def test_run_from_stdin():
    code, out, err = _cli("run", "lost_contact_mother", "--replies", "-", "--json",
                          stdin="您好,我是安盛消费金融的客服小王,工号2231,请问吴涛先生在吗?\n")
    assert code == 0 and json.loads(out)["scenario"] == "lost_contact_mother"


@pytest.mark.parametrize("args, words", [
    (["run", "no_such_scenario", "--replies", "-"], "unknown scenario 'no_such_scenario'"),
    (["run", "angry_card_reminder", "--replies", "/no/such/file.txt"], "no such file"),
    (["run", "angry_card_reminder"], "--replies"),
    (["graph", "no_such_scenario"], "unknown scenario"),
    (["graph", "angry_card_reminder", "--format", "png"], "invalid choice"),
])
def test_usage_errors_exit_2(args, words, capsys):
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error:") and words in err
    assert "Traceback" not in err


def test_run_rejects_non_utf8_replies(tmp_path, capsys):
    f = tmp_path / "r.txt"
    f.write_bytes(b"caf\xe9\n")
    assert main(["run", "angry_card_reminder", "--replies", str(f)]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_graph_cli(capsys):
    assert main(["graph", "evasive_car_loan_scam_suspect"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("stateDiagram-v2") and "suspicious" in out
    assert main(["graph", "lost_contact_mother", "--format", "dot"]) == 0
    assert capsys.readouterr().out.startswith('digraph "lost_contact"')
