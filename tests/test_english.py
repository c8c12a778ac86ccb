"""A second language end to end: English personas and scenarios, judged by the English rule pack.

The English personas (``personas/*_en.yaml``) are the Chinese state machines with English lines;
their ``kind`` keeps the contract's ``persona`` (angry | evasive | hardship | lost_contact) in
``run --json``. Good English calls succeed; English insults, threats and disclosures are caught
and end or spoil the call exactly as in Chinese.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT

from simulator.analyzer import analyze
from simulator.scenario import Catalog
from simulator.session import Session, read_amounts, read_deadline
from simulator.yamlsrc import load

EN = {  # scenario id -> (kind, success outcome)
    "angry_en_card_reminder": ("angry", "promise_to_pay"),
    "evasive_en_card_next_week": ("evasive", "promise_to_pay"),
    "hardship_en_job_loss": ("hardship", "promise_to_pay"),
    "lost_contact_en_mother": ("lost_contact", "message_left"),
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.discover()


def _test_call(sid: str, name: str) -> list[str]:
    data = load(ROOT / "scenarios" / f"{sid}.tests.yaml").data
    test = next(t for t in data["tests"] if t["name"] == name)
    return [r if isinstance(r, str) else r["say"] for r in test["replies"]]


def test_every_persona_kind_has_an_english_scenario(catalog: Catalog) -> None:
    english = [sc for sc in catalog.scenarios.values() if sc.spec.lang == "en"]
    assert {sc.persona().kind for sc in english} == {"angry", "evasive", "hardship", "lost_contact"}
    for sc in english:
        assert sc.persona().spec.lang == "en", sc.id
        assert len(sc.tests()) >= 2, sc.id


@pytest.mark.parametrize("sid", sorted(EN))
def test_run_json_good_english_call(cli, tmp_path: Path, sid: str) -> None:  # type: ignore[no-untyped-def]
    kind, outcome = EN[sid]
    replies = tmp_path / "replies.txt"
    replies.write_text("\n".join(_test_call(sid, "textbook")) + "\n", encoding="utf-8")
    r = cli("run", sid, "--replies", str(replies), "--seed", "3", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert set(data) == {"scenario", "persona", "seed", "turns", "outcome", "summary"}
    assert data["persona"] == kind                      # the contract's persona, not the file id
    assert data["outcome"] == outcome and data["summary"]["passed"] is True
    assert data["summary"]["red_lines"] == []
    assert all(t["score"]["red_lines"] == [] for t in data["turns"] if t["trainee"])
    # the readable transcript speaks English too
    text = cli("run", sid, "--replies", str(replies), "--seed", "3").stdout
    # the other side is labelled with who speaks: the debtor, or a third party by relation (mother)
    other = "Debtor: " if kind != "lost_contact" else "Linda Brooks (mother): "
    assert "[1] Collector: " in text and other in text and "Passed (passed: true)" in text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text), "Chinese words in an English transcript"


@pytest.mark.parametrize("sid, replies, rule, outcome", [
    ("angry_en_card_reminder", ["Hello, is this Mr. John Miller?", "You stupid deadbeat, pay up."], "abuse", "hung_up"),
    ("angry_en_card_reminder", ["Hello, is this Mr. John Miller?", "Pay today or you'll regret it."], "threat", "complaint"),
    ("hardship_en_job_loss", ["Hello, is this Ms. Emily Chen?", "We'll tell your boss and your neighbors about this."],
     "privacy_exposure", "complaint"),
    ("evasive_en_card_next_week", ["Hello, is this Ms. Karen Lopez?", "This is Officer Brown from the police department."],
     "impersonation", "complaint"),
    ("lost_contact_en_mother", ["Hello, is Daniel Brooks there?", "He has an unpaid loan with us and missed his payments."],
     "third_party_disclosure", "complaint"),
])
def test_english_red_lines_end_or_spoil_the_call(catalog: Catalog, sid: str, replies: list[str], rule: str,
                                                 outcome: str) -> None:
    s = Session.replay(catalog.get(sid), 0, replies, finish=True)
    assert [r["rule"] for r in s.red_lines] and {r["rule"] for r in s.red_lines} == {rule}
    assert all(r["turn"] == 2 for r in s.red_lines)
    assert s.outcome == outcome and s.summary()["passed"] is False


@pytest.mark.parametrize("sid", sorted(EN))
def test_saying_only_the_english_hints_succeeds(catalog: Catalog, sid: str) -> None:
    """The English model lines (each state's ``hint``) are lawful and get the call to its goal."""
    s = Session(catalog.get(sid), seed=0)
    s.start()
    while not s.ended and s.turn < 12:
        hint = s.hint()
        assert hint and "{" not in hint, (sid, s.state)
        s.reply(hint)
    s.finish()
    assert s.red_lines == [] and s.outcome == EN[sid][1], (sid, s.outcome, s.path)


def test_english_summary_and_placeholders(catalog: Catalog) -> None:
    s = Session.replay(catalog.get("hardship_en_job_loss"), 0, _test_call("hardship_en_job_loss", "textbook"))
    summary = s.summary()
    assert summary["step_labels"]["fixed_commitment"] == "Pin the promise to a concrete amount and date"
    # typed: the amount and the date are values, rendered in the scenario's language
    assert summary["commitment"] == {"amount": 600, "amount_text": "$600", "deadline": "the 10th of next month",
                                     "confirmed": True, "agreed": True, "deadline_in_days": 25,
                                     "deadline_value": {"type": "day_of_month", "day": 10, "week": 1, "role": "payment"}}
    lines = " ".join(t.debtor or "" for t in s.turns)
    assert "$600 by the 10th of next month" in lines and "元" not in lines


@pytest.mark.parametrize("text, features, signals, red", [
    ("Hello, this is Alex Wang from Northbridge Bank, employee ID A1. Am I speaking with Mr. John Miller?",
     {"greeting", "self_identification", "identity_check", "honorific"}, set(), set()),
    ("I'm so sorry to hear that; it must be really hard. May I ask how you're managing?",
     {"empathy", "courtesy", "asks_situation"}, set(), set()),
    ("Please mind your language; we're equals here.", {"courtesy"}, {"sets_boundary"}, set()),
    ("You must pay the full amount today!!", set(), {"demands_full", "shouting"}, set()),
    ("It's your own fault, stop making excuses.", set(), {"blame", "command"}, set()),
    ("Late payments may be reported to the credit bureaus.", set(), {"lawful_consequence"}, set()),
    ("We will never tell your employer; this stays between you and us.", set(), {"reassurance"}, set()),
    ("Could you please ask him to call us back?", {"courtesy"}, {"asks_callback"}, set()),
    ("You can call our official customer service line to check my employee ID.", set(),
     {"official_verification"}, set()),
    ("Let me check your payment record; if you've already paid, send us the receipt.", set(),
     {"acknowledges_dispute"}, set()),
    ("Just to confirm: $500 by Friday through the app.", {"confirms_commitment", "specific_deadline",
                                                         "states_amount", "payment_channel"}, set(), set()),
    ("You worthless freeloader.", set(), set(), {"abuse"}),
    ("We know where you work, and we'll send someone round.", set(), set(), {"threat"}),
    ("The police will come and arrest you.", set(), set(), {"false_legal"}),
    ("Take out a payday loan and pay us.", set(), set(), {"induce_borrowing"}),
    ("Pay it to my personal PayPal.", set(), set(), {"personal_account"}),
    ("We would never send anyone to your house, and no one goes to jail for a debt.", set(), set(), set()),
])
def test_english_rule_pack(text: str, features: set[str], signals: set[str], red: set[str]) -> None:
    a = analyze(text, {"lang": "en", "identity_verified": True})
    assert features <= set(a.features), (text, a.features)
    assert signals <= set(a.signals), (text, a.signals)
    assert set(a.red_line_ids) == red, (text, a.red_line_ids)


def test_english_feedback_reads_as_english() -> None:
    a = analyze("You stupid deadbeat.", {"lang": "en"})
    assert a.feedback[0].startswith("Abuse “stupid deadbeat”: ")
    good = analyze("Hello Mr. Smith, thank you. Goodbye.", {"lang": "en"})
    assert good.feedback == ["Well done: respectful address, courtesy, greeting, polite close. Stay calm and "
                             "steer towards a concrete arrangement."]


def test_sums_and_dates_in_english_replies() -> None:
    assert read_amounts("We can split it into 6 payments of $700, starting Friday.") == [700]
    assert read_amounts("Could you pay 300 dollars?") == [300]
    assert read_amounts("So that's $1,500 by the 5th.") == [1500]
    assert read_deadline("by the 10th of next month") == "the 10th of next month"
    assert read_deadline("Can you pay by next Friday?") == "next Friday"
    assert read_deadline("Could you pay by March 25th?") == "March 25"  # rendered from the typed date
    assert read_deadline("I'm calling today about your card") is None
    # Chinese replies: the same numbers; a date is rendered from its typed value (the month kept)
    assert read_amounts("每期1500元左右,首期先还3000") == [1500, 3000]
    assert read_deadline("下个月5号之前能还上吗?") == "下个月5号"


def test_list_json_gives_the_persona_kind_and_its_file():
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "simulator", "list", "--json"], capture_output=True, text=True, check=True)
    rows = {r["id"]: r for r in json.loads(out.stdout)}
    en = rows["angry_en_card_reminder"]
    assert en["persona"] == "angry" and en["persona_file"] == "angry_en" and en["lang"] == "en"
    assert rows["angry_card_reminder"]["persona"] == "angry" == rows["angry_card_reminder"]["persona_file"]
