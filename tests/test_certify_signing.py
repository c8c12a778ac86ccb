"""Signing keys, canonical JSON, store URLs, and both bundled exams end to end (practice mode)."""

import pytest

from certify_support import good_lines
from simulator.certify.attempt import ExamRun
from simulator.certify.calls import CallEngine
from simulator.certify.exam import ExamCatalog
from simulator.certify.signing import SigningKey, canonical, key_from_env
from simulator.certify.store import resolve_url
from simulator.errors import UserError


def test_canonical_json_is_one_text_per_value():
    a = {"b": [1, 2.5, None], "a": "张伟", "c": {"y": True, "x": False}}
    b = {"c": {"x": False, "y": True}, "a": "张伟", "b": [1, 2.5, None]}
    assert canonical(a) == canonical(b) == '{"a":"张伟","b":[1,2.5,null],"c":{"x":false,"y":true}}'
    with pytest.raises(ValueError):
        canonical({"x": float("nan")})


def test_keys_from_the_environment_or_a_file(tmp_path):
    assert key_from_env({}) is None
    assert key_from_env({"COLLECTOR_SIM_KEY": ""}) is None
    k = key_from_env({"COLLECTOR_SIM_KEY": "x" * 32})
    assert k.secret == b"x" * 32 and len(k.key_id) == 16
    f = tmp_path / "key"
    f.write_text("y" * 40 + "\n")
    assert key_from_env({"COLLECTOR_SIM_KEY_FILE": str(f)}).secret == b"y" * 40
    with pytest.raises(UserError, match="at least 16"):
        key_from_env({"COLLECTOR_SIM_KEY": "short"})
    with pytest.raises(UserError, match="cannot read"):
        key_from_env({"COLLECTOR_SIM_KEY_FILE": str(tmp_path / "missing")})


def test_signatures_depend_on_every_byte_and_the_key():
    k1, k2 = SigningKey(b"k" * 32), SigningKey(b"j" * 32)
    text = canonical({"status": "passed"})
    sig = k1.sign(text)
    assert k1.check(text, sig)
    assert not k1.check(text.replace("passed", "failed"), sig)
    assert not k2.check(text, sig)
    assert not k1.check(text, None) and k1.key_id != k2.key_id


def test_store_urls(tmp_path, monkeypatch):
    monkeypatch.delenv("COLLECTOR_SIM_DB", raising=False)
    url, path = resolve_url(str(tmp_path / "r.db"))
    assert url == f"sqlite:///{tmp_path / 'r.db'}" and path == tmp_path / "r.db"
    assert resolve_url("postgresql://u:p@h/db")[0] == "postgresql+psycopg://u:p@h/db"
    assert resolve_url("postgresql+psycopg://h/db") == ("postgresql+psycopg://h/db", None)
    monkeypatch.setenv("COLLECTOR_SIM_DB", str(tmp_path / "env.db"))
    assert resolve_url(None)[1] == tmp_path / "env.db"
    monkeypatch.delenv("COLLECTOR_SIM_DB")
    url, path = resolve_url(None)
    assert path.name == "results.sqlite3" and "collector-sim" in str(path)


@pytest.mark.parametrize("exam_id", ["foundation", "advanced"])
def test_each_bundled_exam_is_passed_by_a_good_call_and_failed_by_a_red_line(exam_id):
    engine = CallEngine()
    exam = ExamCatalog.discover().get(exam_id)

    def attempt(change_last=""):
        run = ExamRun.begin(exam, "practice", engine=engine)
        for i, call in enumerate(run.pending()):
            lines = good_lines(call.scenario)
            if change_last and i == 1:
                lines[-1] += change_last
            run.play(call, lines)
        return run.finish()

    good = attempt()
    assert good.passed, good.verdict.reasons
    bad = attempt("不还钱我们就去你单位找你领导。")
    assert not bad.passed and bad.verdict.reasons[0].startswith("red line ")
