"""Rule packs are data: loaded with a schema, broken ones fail loudly with path:line:col."""

import shutil
import time
from pathlib import Path

import pytest

from simulator.analyzer import CallContext, get_pack, load_pack
from simulator.analyzer.engine import Analyzer
from simulator.errors import LoadError

PACK = Path(__file__).resolve().parent.parent / "simulator" / "rules" / "zh"


@pytest.fixture
def pack_copy(tmp_path):
    target = tmp_path / "zh"
    shutil.copytree(PACK, target)
    return target


def add_rule(folder: Path, body: str) -> Path:
    path = folder / "extra.yaml"
    path.write_text("rules:\n" + body, encoding="utf-8")
    return path


def test_every_rule_names_its_source_and_red_lines_say_why_and_how():
    pack = get_pack("zh")
    assert len(pack.rules) > 30
    for cr in pack.rules:
        assert cr.rule.source, cr.rule.id
        if cr.kind == "red_line":
            assert cr.rule.message and cr.rule.suggestion, cr.rule.id


def test_adding_a_phrase_is_editing_yaml(pack_copy):
    add_rule(pack_copy, "  - id: abuse.local_slang\n    red_line: abuse\n    patterns: ['瓜娃子']\n"
                        "    message: 侮辱性方言\n    suggestion: 文明用语\n    source: 培训组\n")
    result = Analyzer(load_pack(pack_copy)).analyze("你个瓜娃子", CallContext())
    assert result.red_line_ids == ["abuse"]


def test_a_pattern_re2_cannot_run_is_reported_with_its_position(pack_copy):
    path = add_rule(pack_copy, "  - id: abuse.lookbehind\n    red_line: abuse\n    patterns:\n"
                               "      - '(?<!不)骗子'\n    message: m\n    suggestion: s\n    source: x\n")
    with pytest.raises(LoadError) as exc:
        load_pack(pack_copy)
    [finding] = exc.value.findings
    assert (finding.path, finding.line, finding.col) == (str(path), 5, 9)
    assert "not valid RE2" in finding.message


def test_unknown_ids_and_missing_fields_are_reported(pack_copy):
    path = add_rule(pack_copy, "  - id: nonsense.rule\n    red_line: shouting_loudly\n    patterns: [x]\n")
    with pytest.raises(LoadError) as exc:
        load_pack(pack_copy)
    text = str(exc.value)
    assert f"{path}:2:5" in text
    assert "unknown red line 'shouting_loudly'" in text


def test_yaml_syntax_errors_carry_line_and_column(pack_copy):
    path = pack_copy / "extra.yaml"
    path.write_text("rules:\n  - id: a.b\n    patterns: [unclosed\n", encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        load_pack(pack_copy)
    assert str(exc.value).startswith(f"{path}:4:1: YAML syntax error")


def test_a_trainer_written_pathological_pattern_stays_linear(pack_copy):
    add_rule(pack_copy, "  - id: abuse.pathological\n    red_line: abuse\n    patterns: ['(a+)+b', '(x|x)*y']\n"
                        "    message: m\n    suggestion: s\n    source: x\n")
    analyzer = Analyzer(load_pack(pack_copy))
    text = "a" * 50_000 + "x" * 50_000
    started = time.perf_counter()
    result = analyzer.analyze(text, CallContext())
    assert result.red_lines == []
    # no catastrophic backtracking: RE2 is linear; a backtracking engine would never finish
    assert time.perf_counter() - started < 30


def test_a_pattern_valid_only_when_joined_to_its_neighbour_is_still_reported(pack_copy):
    # '老赖)|(?:无赖' is no pattern on its own, though joined with the next one it would parse
    path = add_rule(pack_copy, "  - id: abuse.unbalanced\n    red_line: abuse\n    patterns:\n"
                               "      - '人渣'\n      - '老赖)|(?:无赖'\n      - '败类'\n"
                               "    message: m\n    suggestion: s\n    source: x\n")
    with pytest.raises(LoadError) as exc:
        load_pack(pack_copy)
    [finding] = exc.value.findings
    assert (finding.path, finding.line) == (str(path), 6) and "not valid RE2" in finding.message


def test_a_tone_kind_must_be_a_signal_some_rule_emits(pack_copy):
    pack_yaml = pack_copy / "pack.yaml"
    text = pack_yaml.read_text(encoding="utf-8")
    pack_yaml.write_text(text.replace("    contempt: {name: \"轻蔑\"}", "    scorn: {name: \"轻蔑\"}"), encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        load_pack(pack_copy)
    assert "tone kind 'scorn' is no signal of any rule" in str(exc.value)
    assert "'contempt' is not one of the tone kinds" in str(exc.value)
