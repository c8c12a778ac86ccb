"""The certification commands as trainers and graders script them: exit codes, JSON, one-line errors."""

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from certify_support import FOUNDATION, KEY, env_cli, good_lines, replies_dir
from conftest import ROOT


@pytest.fixture
def db(tmp_path):
    return tmp_path / "results.sqlite3"


def test_grade_passes_stores_and_prints_the_contract_json(tmp_path, db):
    proc = env_cli("grade", "foundation", "--replies", str(replies_dir(tmp_path)), "--trainee", "t-1", "--json", db=db)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {"exam", "trainee", "attempt", "calls", "passed", "reasons", "signature"} <= set(out)
    assert out["exam"] == "foundation" and out["trainee"] == "t-1" and out["attempt"] == 1
    assert out["passed"] is True and out["reasons"] == [] and len(out["signature"]) == 64
    assert [c["scenario"] for c in out["calls"]] == FOUNDATION
    call = out["calls"][0]
    assert call["outcome"] == "promise_to_pay"
    assert {"politeness", "clarity", "solution", "overall", "red_lines", "passed"} <= set(call["summary"])
    assert proc.stderr == ""
    proc = env_cli("verify", db=db)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "checked 1 attempts" in proc.stdout and "all verified" in proc.stdout


def test_grade_fails_with_exit_1_and_reasons(tmp_path, db):
    lines = good_lines("angry_card_reminder")
    lines[1] = "你这个老赖,欠钱不还还有脸发火?"
    folder = replies_dir(tmp_path, {"angry_card_reminder": lines})
    proc = env_cli("grade", "foundation", "--replies", str(folder), "--trainee", "t-2", db=db)
    assert proc.returncode == 1, proc.stderr
    assert "FAILED" in proc.stdout and "red line abuse in angry_card_reminder turn 2" in proc.stdout
    out = json.loads(env_cli("grade", "foundation", "--replies", str(folder), "--trainee", "t-2", "--json",
                             db=db).stdout)
    assert out["passed"] is False and out["attempt"] == 2 and out["reasons"][0].startswith("red line abuse")


def test_grade_without_a_key_scores_but_says_nothing_was_stored(tmp_path, db):
    proc = env_cli("grade", "foundation", "--replies", str(replies_dir(tmp_path)), "--trainee", "t-3", "--json",
                   db=db, key=None)
    assert proc.returncode == 0
    out = json.loads(proc.stdout)
    assert out["passed"] is True and out["signature"] is None and out["attempt"] is None and out["stored"] is False
    assert proc.stderr.strip() == ("warning: not stored or signed (COLLECTOR_SIM_KEY is not set): "
                                   "a practice result, not a certification")
    assert not db.exists()


def test_the_attempt_limit_on_the_command_line(tmp_path, db):
    # an exam of the centre's own: certified only from the folder $COLLECTOR_SIM_OFFICIAL names
    official = tmp_path / "centre"
    (official / "exams").mkdir(parents=True)
    text = (ROOT / "exams" / "foundation.yaml").read_text(encoding="utf-8")
    (official / "exams" / "once.yaml").write_text(
        text.replace("id: foundation", "id: once").replace("attempts: 3", "attempts: 1"), encoding="utf-8")
    folder = replies_dir(tmp_path)
    args = ("grade", "once", "--replies", str(folder), "--trainee", "t-4")
    assert env_cli(*args, db=db, official=official).returncode == 0
    proc = env_cli(*args, db=db, official=official)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("error: trainee 't-4' has used 1 of 1 attempts at exam 'once' "
                                   "(incomplete attempts count); no further attempt is allowed")


def test_report_formats(tmp_path, db):
    folder = replies_dir(tmp_path)
    assert env_cli("grade", "foundation", "--replies", str(folder), "--trainee", "t-5", db=db).returncode == 0
    html = tmp_path / "r.html"
    proc = env_cli("report", "--trainee", "t-5", "-o", str(html), db=db)
    assert proc.returncode == 0, proc.stderr
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "合规催收培训认证证书" in page and "signature verified" in page
    proc = env_cli("report", "--exam", "foundation", "--format", "csv", db=db)
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [(r["trainee"], r["status"], r["attempt"]) for r in rows] == [("t-5", "passed", "1")]
    data = json.loads(env_cli("report", "--exam", "foundation", "--format", "json", db=db).stdout)
    assert data["summary"]["passed"] == 1 and data["report"] == "exam"


def test_verify_lists_tampered_records_and_exits_1(tmp_path, db):
    import sqlite3

    folder = replies_dir(tmp_path)
    for t in ("t-6", "t-7"):
        assert env_cli("grade", "foundation", "--replies", str(folder), "--trainee", t, db=db).returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE attempts SET overall = 99 WHERE trainee = 't-7'")
    proc = env_cli("verify", db=db)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == ("attempt foundation/t-7/1 (row 2): edited: column overall is 99.0 but the signed record "
                        "says 75.8") or lines[0].startswith("attempt foundation/t-7/1 (row 2): edited: column overall")
    assert lines[-1].endswith("1 failed verification")
    assert json.loads(env_cli("verify", "--json", "--no-rescore", db=db).stdout)["failed"] == 1


@pytest.mark.parametrize("args, key, message", [
    (["grade", "nope", "--replies", "{dir}", "--trainee", "t"], KEY, "error: unknown exam 'nope'; known: advanced, foundation"),
    (["grade", "foundation", "--replies", "{tmp}/none", "--trainee", "t"], KEY, "error: --replies {tmp}/none: not a directory"),
    (["grade", "foundation", "--replies", "{empty}", "--trainee", "t"], KEY, "error: --replies {empty}: missing angry_card_reminder.txt"),
    (["grade", "foundation", "--replies", "{dir}", "--trainee", " "], KEY, "error: --trainee: give the trainee's id"),
    (["grade", "foundation", "--replies", "{dir}"], KEY, "error: the following arguments are required: --trainee"),
    (["grade", "foundation", "--replies", "{dir}", "--trainee", "t", "--db", "{tmp}/no/such/dir/x.db"], KEY,
     "error: --db {tmp}/no/such/dir/x.db: the directory {tmp}/no/such/dir does not exist"),
    (["grade", "foundation", "--replies", "{dir}", "--trainee", "t", "--db", "nosuchdriver://x"], KEY,
     "error: --db nosuchdriver://x: not a usable database URL"),
    (["grade", "foundation", "--replies", "{dir}", "--trainee", "t"], "short", "error: $COLLECTOR_SIM_KEY: the signing key is 5 bytes"),
    (["verify"], None, "error: verify needs the signing key"),
    (["verify", "--db", "{tmp}/missing.db"], KEY, "error: no results store at {tmp}/missing.db"),
    (["report", "--trainee", "t", "--db", "{tmp}/missing.db"], KEY, "error: no results store at {tmp}/missing.db"),
    (["report", "--trainee", "t", "--exam", "foundation"], KEY, "error: argument --exam: not allowed with argument --trainee"),
    (["report"], KEY, "error: one of the arguments --trainee --exam is required"),
    (["report", "--trainee", "nobody", "--db", "{db}"], KEY, "error: no attempts for trainee 'nobody'"),
    (["report", "--trainee", "t", "--format", "pdf"], KEY, "error: argument --format: invalid choice: 'pdf'"),
])
def test_errors_are_one_line_and_exit_2(tmp_path, args, key, message):
    folder = replies_dir(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    db = tmp_path / "store.sqlite3"
    from simulator.certify.store import Store

    Store.open(str(db)).close()
    fill = {"dir": str(folder), "tmp": str(tmp_path), "empty": str(empty), "db": str(db)}
    proc = env_cli(*[a.format(**fill) for a in args], db=tmp_path / "default.sqlite3", key=key)
    assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message.format(**fill)), (args, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_bad_replies_files_cost_no_attempt(tmp_path, db):
    folder = replies_dir(tmp_path)
    (folder / "lost_contact_mother.txt").write_bytes(b"\xff\xfe bad")
    proc = env_cli("grade", "foundation", "--replies", str(folder), "--trainee", "t-8", db=db)
    assert proc.returncode == 2 and proc.stderr.strip().endswith("lost_contact_mother.txt: not UTF-8 text")
    (folder / "lost_contact_mother.txt").write_text("\n\n", encoding="utf-8")
    proc = env_cli("grade", "foundation", "--replies", str(folder), "--trainee", "t-8", db=db)
    assert proc.returncode == 2 and "no replies" in proc.stderr
    assert not db.exists()
