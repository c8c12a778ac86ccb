"""The trainer's workflow: scenario test calls (``test``), JSON Schema for editors (``schema``),
scaffolding (``new scenario``) and the untested-state marks in ``graph``."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

from simulator.cli import main
from simulator.persona import CONDITIONS, EFFECTS, compile_condition, compile_effect
from simulator.scenario import Catalog
from simulator.schemas import build
from simulator.testcalls import coverage, run_test

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "tests" / "data" / "broken_yaml" / "personas" / "tiny.yaml"
GOOD_ENDS = {"promise_to_pay", "message_left"}
BAD_ENDS = {"hung_up", "complaint", "no_agreement"}

GOOD_CALL = [
    "您好,我是华信银行信用卡中心的客服专员李明,工号A0231。请问您是张伟先生本人吗?",
    "张先生,非常抱歉打扰您了,我理解您接到电话心里烦,您先别着急,有什么不满您可以跟我说。",
    "您的信用卡目前欠款12850元,已经逾期45天了。请问是遇到什么困难了吗?",
    "我理解您的难处。我们可以帮您申请分期还款,比如分12期,每期大约1100元,您看可以吗?",
    "那您看能不能在3月25日之前先还第一期1100元?",
    "好的,跟您确认一下:您在3月25日前通过华信银行手机银行APP还款1100元。感谢您的配合,祝您生活愉快,再见。",
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.discover()


def _tests_file(folder: Path, body: dict) -> Path:
    path = folder / "scenarios" / f"{body['scenario']}.tests.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# -- test: the bundled scenarios carry passing good and bad calls --------------------------------

def test_every_bundled_scenario_has_a_good_and_a_bad_call_and_they_pass(catalog):
    bundled = [sc for sc in catalog.scenarios.values() if sc.origin == "bundled"]
    assert len(bundled) >= 12
    for sc in bundled:
        results = [run_test(sc, b) for b in sc.tests()]
        assert all(r.ok for r in results), [(r.name, [str(p) for p in r.problems]) for r in results if not r.ok]
        good = [r for r in results if r.bound.test.expect.outcome in GOOD_ENDS and not r.session.red_lines]
        bad = [r for r in results if r.bound.test.expect.outcome in BAD_ENDS and r.bound.test.expect.red_lines]
        assert good, f"{sc.id}: no good-call test"
        assert bad, f"{sc.id}: no bad-call test expected to fail the call with its red lines"
        for r in bad:
            assert r.session.summary()["passed"] is False
            assert all(isinstance(e, str) or e.turn for e in r.bound.test.expect.red_lines)


def test_cli_runs_all_bundled_tests(capsys):
    assert main(["test"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and "PASS angry_card_reminder::textbook" in out
    assert re.search(r"^\d+ passed, 0 failed", out, re.M)


def test_cli_json_and_filter(capsys):
    assert main(["test", "--json", "-k", "lost_contact_mother::"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["failed"] == 0 and data["passed"] >= 2
    assert {r["scenario"] for r in data["results"]} == {"lost_contact_mother"}
    first = data["results"][0]
    assert first["path"][0] == {"state": "answering", "turn": 0}
    assert first["outcome"] in GOOD_ENDS and first["problems"] == []


def test_a_scenario_file_path_runs_its_side_tests(capsys):
    assert main(["test", str(REPO / "scenarios" / "hardship_card_job_loss.yaml")]) == 0
    out = capsys.readouterr().out
    assert "hardship_card_job_loss::textbook" in out and "hardship_card_job_loss::false_legal" in out
    assert "angry_card_reminder" not in out


# -- test: failures say which turn diverged, expected against got -------------------------------

def test_failure_reports_the_turn_expected_and_got(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _tests_file(tmp_path, {"scenario": "angry_card_reminder", "tests": [
        {"name": "wrong_state", "replies": [GOOD_CALL[0], {"say": GOOD_CALL[1], "state": "negotiating"}, GOOD_CALL[2]],
         "expect": {"outcome": "promise_to_pay"}},
        {"name": "good_path", "replies": GOOD_CALL,
         "expect": {"outcome": "promise_to_pay", "path": ["venting", "cooling", "negotiating", "agreed", "promise"]}},
    ]})
    code = main(["test", "scenarios/angry_card_reminder.tests.yaml"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL angry_card_reminder::wrong_state" in out and "PASS angry_card_reminder::good_path" in out
    assert "turn 2: state: expected negotiating, got cooling" in out
    assert "outcome: expected promise_to_pay, got no_agreement" in out
    assert "scenarios/angry_card_reminder.tests.yaml:" in out  # where the test is written
    assert "[2] 催收员:" in out  # the diverging turn's transcript
    assert "1 passed, 1 failed" in out


def test_unexpected_red_line_fails_a_good_call(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _tests_file(tmp_path, {"scenario": "angry_card_reminder", "tests": [
        {"name": "sneaky_insult", "replies": [GOOD_CALL[0], "你个老赖,欠钱不还还有理了?"],
         "expect": {"outcome": "hung_up"}},
        {"name": "wrong_turn", "replies": [GOOD_CALL[0], "你个老赖,欠钱不还还有理了?"],
         "expect": {"outcome": "hung_up", "red_lines": [{"rule": "abuse", "turn": 1}]}},
    ]})
    assert main(["test", "--json", "scenarios"]) == 1
    data = json.loads(capsys.readouterr().out)
    by = {r["test"]: r for r in data["results"]}
    p = by["sneaky_insult"]["problems"]
    assert [x["what"] for x in p] == ["unexpected_red_line"] and p[0]["turn"] == 2 and "abuse" in p[0]["got"]
    assert by["sneaky_insult"]["diverged_at"] == 2
    kinds = {x["what"] for x in by["wrong_turn"]["problems"]}
    assert kinds == {"red_line", "unexpected_red_line"}


def test_path_divergence_names_the_step(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _tests_file(tmp_path, {"scenario": "angry_card_reminder", "tests": [
        {"name": "skips_cooling", "replies": GOOD_CALL,
         "expect": {"outcome": "promise_to_pay", "path": ["venting", "negotiating", "agreed", "promise"]}},
    ]})
    assert main(["test", "scenarios"]) == 1
    out = capsys.readouterr().out
    assert "turn 2: path: expected venting → negotiating" in out and "expected negotiating, got cooling" in out


def test_bad_input_exit_codes(tmp_path, capsys):
    assert main(["test", str(tmp_path / "nope.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err
    broken = tmp_path / "x.tests.yaml"
    broken.write_text("scenario: angry_card_reminder\ntests:\n  - name: a\n    replies: []\n", encoding="utf-8")
    assert main(["test", str(broken)]) == 2
    assert "replies" in capsys.readouterr().err


def test_validate_checks_tests(tmp_path, capsys):
    f = _tests_file(tmp_path, {"scenario": "angry_card_reminder", "tests": [
        {"name": "t", "replies": [{"say": "您好", "state": "calm"}], "expect": {"path": ["venting", "nirvana"]}}]})
    assert main(["validate", str(f)]) == 1
    out = capsys.readouterr().out
    assert "has no state 'calm'" in out and "has no state 'nirvana'" in out
    g = _tests_file(tmp_path, {"scenario": "no_such_scenario", "tests": [{"name": "t", "replies": ["您好"]}]})
    assert main(["validate", str(g)]) == 1
    assert "unknown scenario 'no_such_scenario'" in capsys.readouterr().out


# -- schema -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def schemas(tmp_path_factory) -> dict[str, Draft7Validator]:
    out = tmp_path_factory.mktemp("schemas")
    assert main(["schema", "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"persona.schema.json", "scenario.schema.json", "exam.schema.json", "tests.schema.json"} <= names
    validators = {}
    for p in out.iterdir():
        schema = json.loads(p.read_text(encoding="utf-8"))
        Draft7Validator.check_schema(schema)
        assert schema["$schema"].startswith("http://json-schema.org/draft-07") and schema["title"]
        validators[p.name] = Draft7Validator(schema)
    return validators


def _errors(v: Draft7Validator, data) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:120]}" for e in v.iter_errors(data)]


@pytest.mark.parametrize("folder, schema", [("personas", "persona.schema.json"), ("scenarios", "scenario.schema.json"),
                                            ("exams", "exam.schema.json")])
def test_every_bundled_file_validates_against_the_written_schema(schemas, folder, schema):
    files = sorted((REPO / folder).glob("*.yaml"))
    assert files
    for f in files:
        kind = "tests.schema.json" if f.name.endswith(".tests.yaml") else schema
        assert _errors(schemas[kind], yaml.safe_load(f.read_text(encoding="utf-8"))) == [], f


def test_schema_catches_what_a_trainer_mistypes(schemas):
    persona = yaml.safe_load((REPO / "personas" / "hardship.yaml").read_text(encoding="utf-8"))
    v = schemas["persona.schema.json"]
    bad = json.loads(json.dumps(persona))
    bad["reactions"][0]["when"] = ["has:empaty"]          # a typo in an id
    bad["reactions"][0]["effects"] = ["add:angr:10"]      # a typo in a variable
    bad["states"]["worried"]["termnal"] = True            # a typo in a key
    bad["variables"]["mood"] = 3                          # not a variable
    errors = _errors(v, bad)
    assert len(errors) >= 4, errors
    scenario = yaml.safe_load((REPO / "scenarios" / "angry_card_reminder.yaml").read_text(encoding="utf-8"))
    scenario["case"]["product"] = "mortgage"
    scenario["case"]["clock"] = "25:00"
    assert len(_errors(schemas["scenario.schema.json"], scenario)) == 2


def test_schema_descriptions_help_in_an_editor():
    s = build()["scenario.schema.json"]
    case = s["definitions"]["Case"]["properties"]
    assert "逾期" in case["overdue_days"]["description"] and "days overdue" in case["overdue_days"]["description"]
    p = build()["persona.schema.json"]
    cond = p["definitions"]["Condition"]
    assert "has:empathy" in cond["anyOf"][1]["enum"] and "always" in cond["anyOf"][0]["enum"]
    assert all("$ref" not in node or len(node) == 1 for node in _nodes(p)), "draft-07: no siblings beside $ref"


def _nodes(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _nodes(v)
    elif isinstance(node, list):
        for v in node:
            yield from _nodes(v)


SAMPLE_ARG = {"id": "empathy", "id,id,…": "empathy,calm", "fact": "amount", "variable": "anger", "0-100": "50",
              "n": "2", "case_flag": "informed", "name": "asked_twice", "-100..100": "-10",
              "item": "staff_id", "kind": "guarantor", "state": "venting"}


def test_condition_and_effect_enums_match_the_engine():
    p = build()["persona.schema.json"]["definitions"]
    cond, effect = Draft7Validator(p["Condition"]), Draft7Validator(p["Effect"])
    for value in p["Condition"]["anyOf"][0]["enum"] + p["Condition"]["anyOf"][1]["enum"]:
        compile_condition(value)  # every value the editor offers is one the engine accepts
    for name, (args, _) in CONDITIONS.items():  # and every form the engine knows, the schema accepts
        text = ":".join([name] + [SAMPLE_ARG[a] for a in args])
        compile_condition(text)
        assert not list(cond.iter_errors(text)), text
    for name, (args, _) in EFFECTS.items():
        text = ":".join([name] + [SAMPLE_ARG[a] for a in args])
        compile_effect(text)
        assert not list(effect.iter_errors(text)), text
    for wrong in ("has:empaty", "var_gte:mood:5", "var_lte:anger:101", "chance:", "has: empathy"):
        assert list(cond.iter_errors(wrong)), wrong
    for wrong in ("add:angr:1", "set:trust:-5", "explode"):
        assert list(effect.iter_errors(wrong)), wrong


def test_committed_schemas_are_up_to_date():
    for name, schema in build().items():
        committed = REPO / "schemas" / name
        assert committed.is_file(), f"run: collector-sim schema  (missing {committed})"
        assert json.loads(committed.read_text(encoding="utf-8")) == schema, f"run: collector-sim schema ({name})"


# -- new scenario -------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["angry", "evasive", "hardship", "lost_contact"])
def test_new_scenario_validates_and_its_tests_pass(tmp_path, monkeypatch, capsys, schemas, persona):
    monkeypatch.chdir(tmp_path)
    assert main(["schema"]) == 0
    sid = f"my_{persona}_case"
    assert main(["new", "scenario", "--persona", persona, "--id", sid]) == 0
    path = tmp_path / "scenarios" / f"{sid}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/scenario.schema.json")
    assert "债务人姓名" in text and "the debtor's name" in text  # commented in Chinese and English
    capsys.readouterr()
    assert main(["validate", str(path)]) == 0
    assert main(["test", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 passed, 0 failed" in out
    assert _errors(schemas["scenario.schema.json"], yaml.safe_load(text)) == []
    assert main(["list", "--json"]) == 0
    assert sid in {item["id"] for item in json.loads(capsys.readouterr().out)}


def test_new_refuses_to_overwrite_and_checks_the_id(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "scenario", "--persona", "hardship", "--id", "mine"]) == 0
    target = tmp_path / "scenarios" / "mine.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "# my edits\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["new", "scenario", "--persona", "angry", "--id", "mine"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "already exists" in err
    assert target.read_text(encoding="utf-8").endswith("# my edits\n")
    for bad_id in ("Mine", "1st", "has-dash", "x"):
        assert main(["new", "scenario", "--persona", "angry", "--id", bad_id]) == 2
        assert "lower_snake_case" in capsys.readouterr().err
    assert main(["new", "scenario", "--persona", "angry", "--id", "angry_card_reminder"]) == 2
    assert "already taken" in capsys.readouterr().err
    assert main(["new", "scenario", "--persona", "nobody", "--id", "fine_id"]) == 2
    assert "'nobody': unknown persona" in capsys.readouterr().err
    assert main(["new", "scenario", "--id", "fine_id"]) == 2
    assert "--persona" in capsys.readouterr().err


def test_new_with_a_trainers_own_persona(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "personas").mkdir()
    shutil.copy(TINY, tmp_path / "personas" / "tiny.yaml")
    assert main(["new", "scenario", "--persona", "tiny", "--id", "tiny_case", "--out", "work"]) == 0
    path = tmp_path / "work" / "tiny_case.yaml"
    assert main(["validate", str(path)]) == 0
    assert "# tests:" in path.read_text(encoding="utf-8")  # an example to fill in


# -- graph: untested states ---------------------------------------------------------------------

def test_graph_marks_states_no_test_visits(catalog, capsys):
    sc = catalog.get("hardship_card_job_loss")
    cov = coverage(sc)
    visited = {s for r in (run_test(sc, b) for b in sc.tests()) for s in r.visited()}
    assert set(cov.untested) == set(sc.persona().states) - visited and cov.untested
    assert main(["graph", "hardship_card_job_loss", "--coverage"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert out.startswith("stateDiagram-v2")
    assert "classDef untested" in out
    marked = re.search(r"^    class (\S+) untested$", out, re.M).group(1).split(",")
    assert set(marked) == set(cov.untested)
    for state in visited:
        assert state not in marked
    assert "%% coverage:" in out and "未测试" in out
    assert "coverage:" in captured.err and "✗" in captured.err and "transitions no test fires" in captured.err


def test_graph_without_tests_marks_everything_and_no_tests_flag(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "scenario", "--persona", "tiny", "--id", "bare", "--path", str(TINY.parent.parent)]) == 0
    capsys.readouterr()
    assert main(["graph", "bare", "--path", str(TINY.parent.parent)]) == 0
    out = capsys.readouterr().out
    assert "class start,done untested" in out and "no tests yet" in out
    assert main(["graph", "angry_card_reminder", "--no-tests"]) == 0
    assert "untested" not in capsys.readouterr().out
    assert main(["graph", "lost_contact_mother", "--format", "dot"]) == 0
    dot = capsys.readouterr().out
    assert dot.startswith('digraph "lost_contact"') and "⚠ 未测试 untested" in dot and "dashed" in dot


# -- mistakes a trainer makes get a message that says how to fix them ---------------------------

def test_plain_hints_for_yaml_traps(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "scenario", "--persona", "hardship", "--id", "traps"]) == 0
    path = tmp_path / "scenarios" / "traps.yaml"
    text = path.read_text(encoding="utf-8").replace('clock: "10:30"', "clock: 10:30")
    path.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(path)]) == 0  # an unquoted 10:30 (YAML 1.1 reads 630) is taken back
    assert Catalog.discover().get("traps").case.clock == "10:30"
    text = text.replace('      - "那第一期2000元,下个月10号之前还,可以吗?"', "      - 那第一期: 2000元,下个月10号之前还")
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "read as 'key: value'" in out and "double quotes" in out
    persona = (REPO / "personas" / "hardship.yaml").read_text(encoding="utf-8")
    (tmp_path / "personas").mkdir()
    bad = tmp_path / "personas" / "hardship.yaml"
    bad.write_text(persona.replace('  - when: ["has:empathy"]', "  - when:\n      - has: empathy"), encoding="utf-8")
    assert main(["validate", str(bad)]) == 1
    assert 'no space after the colon: "has:empathy"' in capsys.readouterr().out


# -- persona variants: new persona --from, then a scenario with a real case file and passing tests ------

def test_new_persona_variant_then_new_scenario_validate_and_test_pass(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "persona", "--from", "evasive", "--id", "evasive_abroad"]) == 0
    text = (tmp_path / "personas" / "evasive_abroad.yaml").read_text(encoding="utf-8")
    assert "\nid: evasive_abroad\nkind: evasive\n" in text and text.startswith("# 人设变体")
    assert "evasive" in text.split("\n", 2)[1]
    assert main(["validate", "personas/evasive_abroad.yaml"]) == 0
    assert main(["new", "scenario", "--persona", "evasive_abroad", "--id", "abroad_card_debt"]) == 0
    scen = (tmp_path / "scenarios" / "abroad_card_debt.yaml").read_text(encoding="utf-8")
    assert "请修改" not in scen and "tests: []" not in scen and "persona: evasive_abroad" in scen
    capsys.readouterr()
    assert main(["test", "scenarios/abroad_card_debt.yaml"]) == 0
    assert "2 passed, 0 failed" in capsys.readouterr().out


def test_new_scenario_for_an_english_persona_gets_an_english_case_and_tests(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "scenario", "--persona", "hardship_en", "--id", "en_case"]) == 0
    scen = (tmp_path / "scenarios" / "en_case.yaml").read_text(encoding="utf-8")
    assert "lang: en" in scen and "请修改" not in scen
    capsys.readouterr()
    assert main(["test", "scenarios/en_case.yaml"]) == 0


def test_new_persona_refuses_unknown_source_taken_id_and_overwrite(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "persona", "--from", "nope", "--id", "x_one"]) == 2
    assert "unknown persona" in capsys.readouterr().err
    assert main(["new", "persona", "--from", "angry", "--id", "hardship"]) == 2
    assert "already taken" in capsys.readouterr().err
    assert main(["new", "persona", "--from", "angry", "--id", "Bad-Id"]) == 2
    assert main(["new", "persona", "--from", "angry", "--id", "angry_two"]) == 0
    assert main(["new", "persona", "--from", "angry", "--id", "angry_two"]) == 2
    assert "not overwriting" in capsys.readouterr().err
