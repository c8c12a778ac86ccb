"""Exam files: schema with path:line:col findings, discovery, and `collector-sim exams`."""

import json
import textwrap

import pytest

from simulator.certify.exam import ExamCatalog, ExamFile, load_exam
from simulator.errors import LoadError
from simulator.scenario import Catalog

GOOD = textwrap.dedent("""\
    id: mini
    title: 小测验
    attempts: 2
    pass:
      overall: 60
      dimensions: {clarity: 50}
    calls:
      - {scenario: angry_card_reminder, seed: 1}
      - {scenario: lost_contact_mother, seed: 2}
""")


def write(tmp_path, text, name="mini.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def findings(path):
    with pytest.raises(LoadError) as info:
        load_exam(path)
    return [str(f) for f in info.value.findings]


def test_a_valid_exam_loads(tmp_path):
    exam = load_exam(write(tmp_path, GOOD))
    assert exam.id == "mini" and [c.scenario for c in exam.spec.calls] == ["angry_card_reminder", "lost_contact_mother"]
    assert exam.spec.pass_rules.overall == 60 and exam.spec.attempts == 2
    assert len(exam.text_hash) == 64


@pytest.mark.parametrize("bad, expected", [
    (GOOD.replace("overall: 60", "overall: 160"), "mini.yaml:5:12: pass.overall: Input should be less than or equal to 100"),
    (GOOD.replace("attempts: 2", "attempts: zero"), "mini.yaml:3:11: attempts: Input should be a valid integer"),
    (GOOD.replace("{clarity: 50}", "{clarity: 50, charm: 10}"), "mini.yaml:6:36: pass.dimensions.charm.[key]: Input should be 'politeness', 'clarity' or 'solution'"),
    (GOOD.replace("seed: 1}", "seed: -1}"), "mini.yaml:8:43: calls.0.seed: Input should be greater than or equal to 0"),
    (GOOD.replace("  overall: 60\n", "  overall: 60\n  red_line_fails: false\n"), "mini.yaml:6:19: pass.red_line_fails"),
    (GOOD.replace("title: 小测验\n", ""), "mini.yaml:1:1: title: required field is missing"),
    (GOOD + "extra: 1\n", "mini.yaml:10:8: extra: unknown field"),
    (GOOD.replace("calls:\n", "calls: [\n"), "mini.yaml:8:3: YAML syntax error"),
    (GOOD.replace("  overall: 60\n", "  overall: 60\n  min_successful_calls: 3\n"),
     "mini.yaml:6:25: pass.min_successful_calls: 3 is more than the exam's 2 calls"),
])
def test_schema_errors_point_at_the_place(tmp_path, bad, expected):
    got = findings(write(tmp_path, bad))
    assert any(f.startswith(str(tmp_path / expected)) or expected in f for f in got), got


def test_cross_checks_unknown_and_repeated_scenarios(tmp_path):
    text = GOOD.replace("lost_contact_mother, seed: 2", "no_such_scenario, seed: 2") + \
        "  - {scenario: angry_card_reminder, seed: 3}\n"
    write(tmp_path, text)
    cat = ExamCatalog.discover([tmp_path], cwd=tmp_path)
    got = [str(f) for f in cat.check(Catalog.discover())]
    assert any(":9:16: calls.1.scenario: unknown scenario 'no_such_scenario'" in f for f in got), got
    assert any(":10:16: calls.2.scenario: 'angry_card_reminder' is already call 0" in f for f in got), got


def test_discovery_order_path_then_local_then_bundled(tmp_path):
    local = tmp_path / "cwd" / "exams"
    local.mkdir(parents=True)
    write(local, GOOD.replace("title: 小测验", "title: local foundation").replace("id: mini", "id: foundation"),
          "foundation.yaml")
    extra = tmp_path / "extra"
    extra.mkdir()
    write(extra, GOOD.replace("title: 小测验", "title: from path").replace("id: mini", "id: foundation"),
          "f.yaml")
    write(extra, "id: some_scenario\npersona: angry\n", "scenario.yaml")  # not an exam: ignored
    assert ExamCatalog.discover([], cwd=tmp_path).get("foundation").origin == "bundled"
    assert ExamCatalog.discover([], cwd=tmp_path / "cwd").get("foundation").spec.title == "local foundation"
    cat = ExamCatalog.discover([extra], cwd=tmp_path / "cwd")
    assert cat.get("foundation").spec.title == "from path"
    assert cat.findings == []


def test_bundled_exams_are_valid_and_cover_every_persona():
    exams = ExamCatalog.discover()
    scenarios = Catalog.discover()
    assert exams.check(scenarios) == []
    assert {"foundation", "advanced"} <= set(exams.exams)
    for eid in ("foundation", "advanced"):
        personas = {scenarios.get(c.scenario).spec.persona for c in exams.get(eid).spec.calls}
        assert personas == {"angry", "evasive", "hardship", "lost_contact"}, eid


def test_exam_json_schema_is_available():
    schema = ExamFile.model_json_schema(by_alias=True)
    assert "pass" in schema["properties"] and "calls" in schema["required"]


def test_exams_command_lists_and_checks(cli, tmp_path):
    proc = cli("exams", "--json")
    assert proc.returncode == 0, proc.stderr
    items = {e["id"]: e for e in json.loads(proc.stdout)}
    f = items["foundation"]
    assert f["scenarios"] == ["angry_card_reminder", "evasive_card_next_week", "hardship_card_job_loss",
                              "lost_contact_mother"]
    assert f["pass"]["overall"] == 72 and f["pass"]["red_line_fails"] is True
    text = cli("exams").stdout
    assert "foundation  合规催收基础认证" in text and "no red line" in text
    write(tmp_path, GOOD.replace("overall: 60", "overall: lots"), "broken.yaml")
    proc = cli("exams", "--path", str(tmp_path))
    assert proc.returncode == 1
    assert f"{tmp_path / 'broken.yaml'}:5:12: pass.overall: Input should be a valid integer" in proc.stderr
