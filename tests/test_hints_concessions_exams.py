"""Four authoring and certification features, domain only (no UI):

- per-state coaching hints in persona YAML (``hint:``, ``overrides.hints``) and ``Session.hint()``;
- the case file's ``concessions`` (what the trainee may offer), in ``list --json`` and the scaffold;
- a call ended by a time limit says so (``Session.finish(reason="time_limit")``, ``ExamRun.record``);
- ``validate`` checks exam files too, with path:line:col findings and the contract's exit codes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from certify_support import KEY, good_lines
from simulator.analyzer import CallContext, analyze
from simulator.certify.attempt import ExamRun
from simulator.certify.calls import CallEngine
from simulator.certify.exam import ExamCatalog
from simulator.certify.signing import SigningKey, canonical
from simulator.certify.store import Store
from simulator.certify.verify import verify_store
from simulator.cli import main
from simulator.errors import LoadError, UserError
from simulator.persona import PLACEHOLDERS, load_persona
from simulator.scaffold import scenario_yaml
from simulator.scenario import Catalog, bundled_root, check_files
from simulator.session import ENDED_BY, FINISH_REASONS, Session

ROOT = bundled_root()
DATA = Path(__file__).parent / "data"
BROKEN = DATA / "broken_yaml"
TINY = BROKEN / "personas" / "tiny.yaml"
PERSONAS = ["angry", "evasive", "hardship", "lost_contact"]
SIGNING = SigningKey(KEY.encode())


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.discover()


def _bundled(catalog: Catalog):
    return sorted((sc for sc in catalog.scenarios.values() if sc.origin == "bundled"), key=lambda sc: sc.id)


def _findings(path: Path) -> list[str]:
    with pytest.raises(LoadError) as exc:
        load_persona(str(path))
    return [str(f) for f in exc.value.findings]


# -- 1. hints -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("pid", PERSONAS)
def test_every_talking_state_of_the_bundled_personas_has_a_hint(pid):
    persona = load_persona(str(ROOT / "personas" / f"{pid}.yaml"))
    for name, st in persona.states.items():
        if st.spec.terminal:
            assert st.spec.hint is None, name
        else:
            assert st.spec.hint and len(st.spec.hint) >= 15, f"{pid}.{name} has no hint"


def test_hint_is_in_the_persona_schema_with_a_description():
    schema = json.loads((ROOT / "schemas" / "persona.schema.json").read_text(encoding="utf-8"))
    hint = schema["definitions"]["StateSpec"]["properties"]["hint"]
    assert "话术" in hint["description"] and "placeholders" in hint["description"]
    assert "{surname}" in hint["description"]
    scen = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"))
    assert "hints" in scen["definitions"]["Overrides"]["properties"]


def test_a_hint_with_an_unknown_placeholder_is_a_located_finding(tmp_path):
    bad = tmp_path / "tiny.yaml"
    src = TINY.read_text(encoding="utf-8")
    bad.write_text(src.replace('    lines: ["喂?"]\n', '    lines: ["喂?"]\n    hint: "您好,{nickname}"\n'),
                   encoding="utf-8")
    got = _findings(bad)
    assert f"{bad}:8:11: unknown placeholder {{nickname}} in a hint; use one of " + \
        ", ".join("{" + p + "}" for p in PLACEHOLDERS) in got, got


def test_a_hint_on_a_terminal_state_is_a_finding(tmp_path):
    bad = tmp_path / "tiny.yaml"
    src = TINY.read_text(encoding="utf-8")
    bad.write_text(src.replace('    lines: ["好。"]\n', '    lines: ["好。"]\n    hint: "再见。"\n'), encoding="utf-8")
    got = _findings(bad)
    assert any(f.startswith(f"{bad}:12:11: states.done.hint: a terminal state's hint is never shown") for f in got), got


def test_an_empty_hint_is_refused_by_the_schema(tmp_path):
    bad = tmp_path / "tiny.yaml"
    bad.write_text(TINY.read_text(encoding="utf-8").replace('    lines: ["喂?"]\n', '    lines: ["喂?"]\n    hint: ""\n'),
                   encoding="utf-8")
    assert any(":8:11: states.start.hint:" in f for f in _findings(bad))


def test_session_hint_is_the_state_hint_filled_from_the_case(catalog):
    s = Session(catalog.get("angry_card_reminder"), seed=1)
    assert s.state == "venting"
    h = s.hint()
    assert h is not None and "{" not in h
    assert "华信银行信用卡中心" in h and "张伟先生" in h and "理解您的心情" in h
    s.start()
    s.finish()
    assert s.hint() is None  # the call is over


def test_a_state_without_hint_gives_none(tmp_path):
    folder = tmp_path / "p"
    (folder / "personas").mkdir(parents=True)
    shutil.copy(TINY, folder / "personas" / "tiny.yaml")
    (folder / "tiny_case.yaml").write_text(
        "id: tiny_case\ntitle: 小\npersona: tiny\ndifficulty: 1\n"
        "case: {debtor_name: 张伟, honorific: 先生, creditor: 华信银行, product: credit_card, amount: 100, overdue_days: 3}\n",
        encoding="utf-8")
    sc = Catalog.discover([folder]).get("tiny_case")
    assert Session(sc).hint() is None


def test_overrides_hints_replace_a_state_hint_for_one_scenario(catalog):
    guarantor = catalog.get("lost_contact_guarantor")
    mother = catalog.get("lost_contact_mother")
    g = guarantor.persona().states["asking_why"].spec.hint
    m = mother.persona().states["asking_why"].spec.hint
    assert g != m and "担保人" in g and "{amount}" in g and "{amount}" not in m
    # the other states keep the persona's hint, and the base persona is not changed
    assert guarantor.persona().states["wary"].spec.hint == mother.persona().states["wary"].spec.hint
    base = load_persona(str(ROOT / "personas" / "lost_contact.yaml"))
    assert base.states["asking_why"].spec.hint == m


def test_overrides_hints_are_checked(tmp_path):
    src = (ROOT / "scenarios" / "lost_contact_guarantor.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "lost_contact_guarantor.yaml"
    bad.write_text(src.replace("    asking_why: ", "    nowhere: \"您好\"\n    message_left: \"再见\"\n"
                                                   "    asking_why: \"{nickname}\"\n    will_pass_on: ")
                   , encoding="utf-8")
    findings, _ = check_files([bad])
    got = [str(f) for f in findings]
    assert any(f.startswith(f"{bad}:") and "overrides.hints: persona 'lost_contact' has no state 'nowhere'" in f
               for f in got), got
    assert any("overrides.hints.message_left: a terminal state's hint is never shown" in f for f in got), got
    assert any("unknown placeholder {nickname} in a hint" in f for f in got), got


def _context(session: Session, state: str) -> CallContext:
    ctx = session.context_dict()
    if session.scenario.case.answerer.hands_over is not None:  # a state's hint is shown once the debtor is on
        ctx.update(counterpart="debtor", third_party_informed=False)
    ctx["identity_verified"] = session.persona.spec.initial != state  # the opening line comes first
    return CallContext.model_validate(ctx)


def test_every_hint_is_lawful_in_every_bundled_scenario(catalog):
    """A model line must never be a red line: each state's hint, filled in for each scenario,
    analysed in that scenario's context (a third party is not told of the debt, …)."""
    for sc in _bundled(catalog):
        s = Session(sc, seed=0)
        for name, st in s.persona.states.items():
            if st.spec.hint is None:
                continue
            text = s._format(st.spec.hint)
            assert "{" not in text, (sc.id, name, text)
            a = analyze(text, _context(s, name))
            assert a.red_lines == [], (sc.id, name, text, [r.rule for r in a.red_lines])
            if s.persona.spec.checklist == "third_party" and not sc.case.answerer.informed:
                assert not {"states_amount", "states_overdue"} & set(a.features), (sc.id, name, text)


HINT_FEATURES = {  # what the model line of a state must do (the seeds' advice for that moment)
    ("angry", "venting"): {"empathy", "self_identification", "identity_check"},
    ("angry", "cooling"): {"states_amount", "asks_situation", "installment"},
    ("angry", "agreed"): {"confirms_commitment", "payment_channel", "closing"},
    ("evasive", "suspicious"): {"self_identification", "payment_channel"},
    ("evasive", "stalling"): {"specific_deadline", "states_amount"},
    ("hardship", "explaining"): {"empathy", "asks_situation", "installment"},
    ("hardship", "shut_down"): {"empathy", "asks_situation"},
    ("lost_contact", "answering"): {"self_identification"},
}
HINT_SIGNALS = {
    ("angry", "cooling"): set(),
    ("evasive", "suspicious"): {"official_verification"},
    ("evasive", "disputing"): {"acknowledges_dispute"},
    ("evasive", "stalling"): {"lawful_consequence"},
    ("lost_contact", "asking_why"): {"asks_callback"},
    ("lost_contact", "refusing"): {"asks_callback"},
    ("lost_contact", "wary"): {"official_verification", "asks_callback"},
}


def test_hints_do_what_the_state_calls_for(catalog):
    by_persona = {sc.spec.persona: sc for sc in _bundled(catalog) if not sc.spec.overrides or not sc.spec.overrides.hints}
    for (pid, state), wanted in {**HINT_FEATURES, **{k: set() for k in HINT_SIGNALS if k not in HINT_FEATURES}}.items():
        sc = by_persona[pid]
        s = Session(sc, seed=0)
        if state == "agreed":  # the confirmation repeats what was agreed
            s.plan_amount_text, s.deadline_text = "1100元", "3月25日前"
        a = analyze(s._format(s.persona.states[state].spec.hint), _context(s, state))
        assert wanted <= set(a.features), (pid, state, sorted(wanted - set(a.features)))
        assert HINT_SIGNALS.get((pid, state), set()) <= set(a.signals), (pid, state, a.signals)


@pytest.mark.parametrize("sid", [
    "angry_card_reminder", "angry_business_loan_complaint", "angry_consumer_loan_repeat_calls",
    "evasive_card_next_week", "evasive_car_loan_scam_suspect", "evasive_online_loan_already_paid",
    "hardship_card_job_loss", "hardship_card_investment_failure", "hardship_business_loan_illness",
    "lost_contact_mother", "lost_contact_colleague", "lost_contact_guarantor", "lost_contact_roommate_estranged",
])
def test_saying_only_the_hints_succeeds_without_a_red_line(catalog, sid):
    """A trainee who says nothing but the hint, turn after turn, gets the call to its goal."""
    s = Session(catalog.get(sid), seed=0)
    s.start()
    while not s.ended and s.turn < 12:
        hint = s.hint()
        assert hint, f"{sid}: no hint in state {s.state}"
        s.reply(hint)
    s.finish()
    assert s.red_lines == []
    assert s.outcome in ("promise_to_pay", "message_left"), (sid, s.outcome, s.path)
    assert s.summary()["overall"] >= 65, s.summary()


# -- 2. concessions ------------------------------------------------------------------------------------

def test_every_bundled_scenario_says_what_may_be_offered(catalog):
    scenarios = _bundled(catalog)
    assert len([sc for sc in scenarios if sc.spec.lang == "zh"]) == 17   # and the English set (test_english.py)
    for sc in scenarios:
        items = sc.case.concessions
        assert 2 <= len(items) <= 6 and all(isinstance(x, str) and x.strip() for x in items), sc.id
        for item in items:  # a concession is something lawful to offer, never a red line
            a = analyze(item, CallContext(lang=sc.spec.lang))
            assert a.red_lines == [], (sc.id, item)


def test_concessions_fit_the_persona(catalog):
    for sc in _bundled(catalog):
        text = " ".join(sc.case.concessions)
        if sc.spec.persona == "hardship":  # 有意愿无能力: instalments and a reduction
            assert "期" in text and "减免" in text, sc.id
        if sc.spec.persona == "lost_contact" and not sc.case.answerer.informed:
            assert "不得透露" in text and "仅限与本人" in text, sc.id
        if sc.spec.persona == "lost_contact" and sc.case.answerer.informed:  # a guarantor or a relative who knows
            assert "担保人" in text or "知情" in text, sc.id


def test_good_test_calls_stay_within_the_instalment_limit(catalog):
    """A good call offers no more instalments than the case allows (最多分 N 期)."""
    import re

    for sc in _bundled(catalog):
        limits = [int(n) for c in sc.case.concessions for n in re.findall(r"(?:最多分|最长)\s*(\d+)\s*期", c)]
        if not limits:
            continue
        for bt in sc.tests():
            for reply in bt.test.texts():
                for n in re.findall(r"分\s*(\d+)\s*期", reply):
                    assert int(n) <= max(limits), (sc.id, bt.test.name, reply)


def test_concessions_are_optional_and_typed(tmp_path):
    src = (ROOT / "scenarios" / "angry_card_reminder.yaml").read_text(encoding="utf-8")
    start, end = src.index("  concessions:"), src.index("overrides:")
    plain = tmp_path / "plain.yaml"
    plain.write_text((src[:start] + src[end:]).replace("id: angry_card_reminder", "id: plain"), encoding="utf-8")
    assert check_files([plain])[0] == []
    bad = tmp_path / "bad.yaml"
    bad.write_text(src.replace("id: angry_card_reminder", "id: bad").replace('    - "可先还一部分', '    - ""\n    - "可先还一部分'),
                   encoding="utf-8")
    got = [str(f) for f in check_files([bad])[0]]
    line = next(i for i, ln in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1) if ln == '    - ""')
    assert any(f.startswith(f"{bad}:{line}:7: case.concessions.1:") for f in got), got


def test_list_json_carries_concessions(capsys):
    assert main(["list", "--json"]) == 0
    items = {i["id"]: i for i in json.loads(capsys.readouterr().out)}
    assert items["angry_card_reminder"]["case"]["concessions"][0] == "最多分 12 期还款(每期约 1100 元)"
    assert all(isinstance(i["case"]["concessions"], list) and i["case"]["concessions"] for i in items.values())


def test_concessions_are_in_the_scenario_schema():
    schema = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"))
    prop = schema["definitions"]["Case"]["properties"]["concessions"]
    assert prop["type"] == "array" and "授权" in prop["description"] and "authorised" in prop["description"]


@pytest.mark.parametrize("pid", PERSONAS)
def test_the_scaffold_writes_concessions_and_a_hint_example(pid, tmp_path):
    persona = load_persona(str(ROOT / "personas" / f"{pid}.yaml"))
    text = scenario_yaml(persona, f"new_{pid}")
    assert "  concessions:\n    - " in text and "授权方案" in text and "authorised to offer" in text
    assert "#   hints:" in text
    path = tmp_path / f"new_{pid}.yaml"
    path.write_text(text, encoding="utf-8")
    assert check_files([path])[0] == []
    import yaml

    assert len(yaml.safe_load(text)["case"]["concessions"]) >= 2


# -- 3. a time limit ends the call ---------------------------------------------------------------------

def test_finish_records_the_reason(catalog):
    sc = catalog.get("hardship_card_job_loss")
    lines = good_lines("hardship_card_job_loss")[:3]
    by_trainee = Session.replay(sc, 13, lines, finish=True)
    timed = Session.replay(sc, 13, lines)
    assert timed.finish(reason="time_limit") == by_trainee.outcome
    assert by_trainee.ended_by == "trainee" and timed.ended_by == "time_limit"
    assert timed.summary()["ended_by"] == "time_limit" and timed.to_dict()["summary"]["ended_by"] == "time_limit"
    assert Session.replay(sc, 13, lines, finish=True).finish() == by_trainee.outcome  # default unchanged
    with pytest.raises(ValueError, match="finish\\(reason='debtor'\\)"):
        Session.replay(sc, 13, lines).finish(reason="debtor")
    assert set(FINISH_REASONS) <= set(ENDED_BY) and {"debtor", "stall", "max_turns", "trainee"} <= set(ENDED_BY)


def test_an_ended_call_keeps_how_it_ended(catalog):
    s = Session.replay(catalog.get("angry_card_reminder"), 7, good_lines("angry_card_reminder"))
    assert s.ended and s.ended_by == "debtor"
    s.finish(reason="time_limit")
    assert s.ended_by == "debtor"


def test_from_record_resumes_a_timed_out_call(catalog):
    sc = catalog.get("hardship_card_job_loss")
    lines = good_lines("hardship_card_job_loss")[:2]
    rec = {**Session.replay(sc, 13, lines).record(), "ended_by": "time_limit"}
    again = Session.from_record(rec, sc)
    assert again.ended and again.ended_by == "time_limit"
    assert Session.from_record({**rec, "ended_by": "trainee"}, sc).ended_by == "trainee"
    assert not Session.from_record({k: v for k, v in rec.items() if k != "ended_by"}, sc).ended


@pytest.fixture
def store(tmp_path):
    s = Store.open(str(tmp_path / "results.sqlite3"))
    yield s
    s.close()


def test_the_exam_record_says_the_time_limit_ended_a_call(store):
    engine = CallEngine()
    exam = ExamCatalog.discover().get("foundation")
    run = ExamRun.begin(exam, "t-time", engine=engine, store=store, key=SIGNING)
    with run:
        calls = run.pending()
        # call 1: the UI's clock ran out; the session says so itself
        s = run.session(calls[0])
        s.start()
        for text in good_lines(calls[0].scenario)[:2]:
            s.reply(text)
        s.finish(reason="time_limit")
        run.record(s.to_dict(), duration_s=600.0)
        # call 2: the caller says so (a session finished the old way)
        s = run.session(calls[1])
        s.start()
        s.reply(good_lines(calls[1].scenario)[0])
        s.finish()
        run.record(s.to_dict(), duration_s=600.0, ended_by="time_limit")
        # calls 3 and 4 as grade plays them: ended by the debtor, or the replies ran out
        run.play(calls[2], good_lines(calls[2].scenario))
        run.play(calls[3], good_lines(calls[3].scenario)[:1])
        result = run.finish()
    ended = [c["ended_by"] for c in result.record["calls"]]
    assert ended == ["time_limit", "time_limit", "debtor", "trainee"]
    assert [c["summary"]["ended_by"] for c in result.record["calls"]] == ended
    assert [c["ended_by"] for c in result.to_dict()["calls"]] == ended
    stored = json.loads(store.attempts(trainee="t-time", with_record=True)[0].record)
    assert [c["ended_by"] for c in stored["calls"]] == ended
    assert SIGNING.check(canonical(stored), result.signature)
    assert verify_store(store, SIGNING, engine).problems == []


def test_record_refuses_an_unknown_reason():
    engine = CallEngine()
    exam = ExamCatalog.discover().get("foundation")
    run = ExamRun.begin(exam, "t-bad", engine=engine, store=None, key=None)
    call = run.pending()[0]
    result = engine.run_call(call.scenario, call.seed, good_lines(call.scenario))
    with pytest.raises(UserError, match="ended_by 'clock'"):
        run.record(result, ended_by="clock")
    assert run.calls == []


# -- 4. validate checks exams ------------------------------------------------------------------------

def test_validate_without_path_checks_the_bundled_exams(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    n_exams = len(ExamCatalog.discover().files)
    assert n_exams >= 2
    assert f"ok: {len(Catalog.discover().files) + n_exams} file(s) checked" in out


def test_validate_an_exam_file(capsys):
    assert main(["validate", str(ROOT / "exams" / "foundation.yaml")]) == 0
    assert "ok: 1 file(s) checked" in capsys.readouterr().out


def test_validate_points_at_the_broken_exams(capsys):
    bad_types = BROKEN / "exams" / "bad_types.yaml"
    unknown = BROKEN / "exams" / "unknown_scenario.yaml"
    assert main(["validate", str(bad_types), str(unknown)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"{bad_types}:4:11: attempts: Input should be a valid integer, unable to parse string as an integer" in out
    assert any(line.startswith(f"{unknown}:9:16: calls.1.scenario: unknown scenario 'no_such_scenario'")
               for line in out), out
    assert len(out) == 2  # an exam is not mistaken for a broken scenario


def test_validate_a_folder_includes_its_exams(capsys):
    assert main(["validate", str(BROKEN)]) == 1
    out = capsys.readouterr().out
    assert f"{BROKEN / 'exams' / 'bad_types.yaml'}:4:11:" in out


def test_validate_an_exam_outside_an_exams_folder_and_with_path(tmp_path, capsys):
    exam = tmp_path / "mine.yaml"
    exam.write_text("id: mine\ntitle: 我的考试\npass:\n  overall: 160\ncalls:\n  - {scenario: angry_card_reminder, seed: 1}\n",
                    encoding="utf-8")
    assert main(["validate", str(exam)]) == 1
    assert f"{exam}:4:12: pass.overall: Input should be less than or equal to 100" in capsys.readouterr().out
    # no PATH, the folder as --path: found and checked like `collector-sim exams` does
    assert main(["validate", "--path", str(tmp_path)]) == 1
    assert f"{exam}:4:12: pass.overall" in capsys.readouterr().out


def test_validate_an_exam_against_scenarios_beside_it(tmp_path, capsys):
    (tmp_path / "exams").mkdir()
    (tmp_path / "scenarios").mkdir()
    src = (ROOT / "scenarios" / "angry_card_reminder.yaml").read_text(encoding="utf-8")
    (tmp_path / "scenarios" / "my_angry.yaml").write_text(src.replace("id: angry_card_reminder", "id: my_angry"),
                                                          encoding="utf-8")
    exam = tmp_path / "exams" / "mine.yaml"
    exam.write_text("id: mine\ntitle: 我的考试\npass: {overall: 60}\ncalls:\n  - {scenario: my_angry, seed: 1}\n",
                    encoding="utf-8")
    assert main(["validate", str(exam)]) == 0, capsys.readouterr().out


def test_validate_unreadable_input_is_exit_2_with_one_line(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "no_such_exam.yaml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {tmp_path / 'no_such_exam.yaml'}: no such file or directory"]
    if os.geteuid() != 0:  # root reads everything
        locked = tmp_path / "locked.yaml"
        locked.write_text("id: x\n", encoding="utf-8")
        locked.chmod(0)
        assert main(["validate", str(locked)]) == 2
        assert capsys.readouterr().err.startswith(f"error: {locked}: cannot read")


def test_validate_cli_in_a_subprocess(cli):
    proc = cli("validate", str(BROKEN / "exams" / "bad_types.yaml"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    loc = proc.stdout.splitlines()[0].split(": ")[0]
    path, line, col = loc.rsplit(":", 2)
    assert (path, line, col) == (str(BROKEN / "exams" / "bad_types.yaml"), "4", "11")
    proc = cli("validate", "no/such/exam.yaml")
    assert proc.returncode == 2 and proc.stderr == "error: no/such/exam.yaml: no such file or directory\n"
