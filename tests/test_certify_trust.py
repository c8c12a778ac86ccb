"""Certification you can trust (issue 12): exams bound to the official definitions, a complete
verify (malformed records, deletions, replays, copies, one snapshot, evidence in every finding),
many graders on a new store, and trainee identity hygiene.

Store tests run on SQLite and, when a server can be had, on PostgreSQL (see certify_support).
"""

import csv
import io
import json
import multiprocessing
import shutil
import threading

import pytest
import sqlalchemy as sa

from certify_support import KEY, ROOT, db_url, env_cli, good_lines, postgres, replies_dir  # noqa: F401
from simulator.certify.attempt import ExamRun, check_trainee
from simulator.certify.calls import CallEngine
from simulator.certify.exam import ExamCatalog
from simulator.certify.report import build_report, render
from simulator.certify.signing import SigningKey, canonical, key_from_env
from simulator.certify.store import Store, T
from simulator.certify.verify import verify_store
from simulator.errors import UserError

SIGNING = SigningKey(KEY.encode())
SCENARIOS = ("angry_card_reminder", "evasive_card_next_week", "hardship_card_job_loss", "lost_contact_mother")


@pytest.fixture(scope="module")
def engine():
    return CallEngine(official_only=True)


@pytest.fixture(scope="module")
def foundation():
    return ExamCatalog.discover(official_only=True).get("foundation")


@pytest.fixture
def store(db_url):
    s = Store.open(db_url, key=SIGNING)
    yield s
    s.close()


def answers():
    return {sc: good_lines(sc) for sc in SCENARIOS}


def sit(exam, engine, store, trainee="t-001"):
    run = ExamRun.begin(exam, trainee, engine=engine, store=store, key=SIGNING)
    with run:
        for call in run.pending():
            run.play(call, answers()[call.scenario])
        return run.finish()


def problems(store, engine=None, rescore=False):
    return verify_store(store, SIGNING, engine, rescore=rescore).problems


# -- 1. exams bound to official definitions ------------------------------------------------------

def _lenient(text):
    """The foundation exam's calls with pass marks anyone meets and 99 attempts."""
    calls = text[text.index("\ncalls:") + 1:]
    return ("id: foundation\ntitle: 合规催收基础认证\nlang: zh\nattempts: 99\n"
            "pass: {overall: 1, dimensions: {politeness: 1, clarity: 1, solution: 1}}\n" + calls)


def _one_liners(tmp_path):
    return replies_dir(tmp_path, {sc: ["喂"] for sc in SCENARIOS}, name="lazy")


def test_a_lenient_exam_in_the_working_folder_does_not_certify(tmp_path):
    work = tmp_path / "work"
    (work / "exams").mkdir(parents=True)
    (work / "exams" / "foundation.yaml").write_text(
        _lenient((ROOT / "exams" / "foundation.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    db = tmp_path / "r.sqlite3"
    lazy = _one_liners(tmp_path)
    proc = env_cli("grade", "foundation", "--replies", str(lazy), "--trainee", "t1", db=db, cwd=work)
    assert proc.returncode == 2 and proc.stdout == ""
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("error: cannot certify with definitions from outside the official set: exam foundation "
                           f"from {work / 'exams' / 'foundation.yaml'}") and line.endswith("use --practice")
    assert not db.exists()  # nothing stored, no attempt used
    # practice is allowed, and says so
    proc = env_cli("grade", "foundation", "--replies", str(lazy), "--trainee", "t1", "--practice", "--json",
                   db=db, cwd=work)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["passed"] is True and out["stored"] is False and out["signature"] is None
    assert out["official"] is False and out["unofficial"] == [f"exam foundation from {work / 'exams' / 'foundation.yaml'}"]
    assert "note: practice with unofficial definitions: exam foundation from" in proc.stderr
    text = env_cli("grade", "foundation", "--replies", str(lazy), "--trainee", "t1", "--practice", db=db, cwd=work)
    assert text.stdout.splitlines()[0].endswith("· 练习(非正式定义)")   # the exam is in Chinese: so is its report
    assert not db.exists()
    # the TUI exam refuses it before anything starts
    proc = env_cli("exam", "foundation", "--trainee", "t1", db=db, cwd=work)
    assert proc.returncode == 2 and "outside the official set" in proc.stderr and "play --exam" in proc.stderr


@pytest.mark.parametrize("kind", ["scenarios", "personas", "--path"])
def test_shadowed_scenarios_and_personas_do_not_certify(tmp_path, kind):
    work = tmp_path / "work"
    extra = []
    if kind == "--path":
        folder = tmp_path / "mine"
        folder.mkdir()
        shutil.copy(ROOT / "scenarios" / "angry_card_reminder.yaml", folder / "angry_card_reminder.yaml")
        extra = ["--path", str(folder)]
        shadow = f"scenario angry_card_reminder from {folder / 'angry_card_reminder.yaml'}"
        work.mkdir()
    else:
        (work / kind).mkdir(parents=True)
        name = "angry_card_reminder.yaml" if kind == "scenarios" else "angry.yaml"
        shutil.copy(ROOT / kind / name, work / kind / name)
        shadow = (f"scenario angry_card_reminder from {work / kind / name}" if kind == "scenarios"
                  else f"persona angry from {work / kind / name}")
    db = tmp_path / "r.sqlite3"
    proc = env_cli("grade", "foundation", "--replies", str(replies_dir(tmp_path)), "--trainee", "t1", *extra,
                   db=db, cwd=work)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert shadow in proc.stderr and "Traceback" not in proc.stderr and not db.exists()


def test_the_api_refuses_an_unofficial_exam_too(tmp_path, store):
    folder = tmp_path / "exams"
    folder.mkdir()
    (folder / "foundation.yaml").write_text(
        _lenient((ROOT / "exams" / "foundation.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    exam = ExamCatalog.discover([tmp_path]).get("foundation")
    loose = CallEngine([tmp_path])
    assert loose.unofficial(exam) == [f"exam foundation from {folder / 'foundation.yaml'}"]
    with pytest.raises(UserError, match="cannot certify with definitions from outside the official set"):
        ExamRun.begin(exam, "t1", engine=loose, store=store, key=SIGNING)
    assert store.count() == 0


def _centre(tmp_path):
    """A centre's official folder: its own copy of the foundation exam, one scenario and one persona."""
    centre = tmp_path / "centre"
    for kind in ("exams", "scenarios", "personas"):
        (centre / kind).mkdir(parents=True)
    shutil.copy(ROOT / "exams" / "foundation.yaml", centre / "exams" / "foundation.yaml")
    shutil.copy(ROOT / "scenarios" / "angry_card_reminder.yaml", centre / "scenarios" / "angry_card_reminder.yaml")
    shutil.copy(ROOT / "personas" / "angry.yaml", centre / "personas" / "angry.yaml")
    return centre


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_centre_set_certifies_is_recorded_and_verify_names_what_changed(tmp_path):
    centre = _centre(tmp_path)
    db = tmp_path / "r.sqlite3"
    proc = env_cli("grade", "foundation", "--replies", str(replies_dir(tmp_path)), "--trainee", "t1", db=db,
                   official=centre)
    assert proc.returncode == 0, proc.stderr
    with Store.open(str(db)) as s:
        record = json.loads(s.attempts(with_record=True)[0].record)
    assert record["engine"]["definitions"]["set"] == "centre"
    assert record["engine"]["definitions"]["dir"] == str(centre.resolve())
    assert record["engine"]["definitions"]["scenarios"]["angry_card_reminder"]["case"]["amount"] == 12850.0
    assert record["store"] and record["format"] == "collector-sim.attempt/2"
    ok = env_cli("verify", db=db, official=centre)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # edits that leave every score as it was: the pass mark, the case amount, a debtor line
    mark = record["exam"]["pass"]["overall"]      # whatever the bundled pass mark is today
    _edit(centre / "exams" / "foundation.yaml", f"overall: {mark}", f"overall: {mark + 1}")
    _edit(centre / "scenarios" / "angry_card_reminder.yaml", "amount: 12850", "amount: 22850")
    persona = centre / "personas" / "angry.yaml"
    first_line = _first_debtor_line(record)
    _edit(persona, first_line, first_line + "喂喂")
    proc = env_cli("verify", "--json", db=db, official=centre)
    assert proc.returncode == 1
    found = {(p["kind"], p["field"]): p for p in json.loads(proc.stdout)["problems"]}
    exam = found[("definitions", "exam.pass.overall")]
    assert (exam["stored"], exam["recomputed"]) == (mark, mark + 1)
    assert exam["message"] == f"exam foundation changed since the attempt: pass.overall: {mark} → {mark + 1}"
    case = found[("definitions", "scenario angry_card_reminder case.amount")]
    assert (case["stored"], case["recomputed"]) == (12850.0, 22850.0)
    assert found[("definitions", "persona angry")]["message"].startswith("persona angry changed since the attempt")
    [debtor] = [p for (k, f), p in found.items() if k == "rescore"]
    assert "debtor line" in debtor["message"] and debtor["recomputed"].endswith("喂喂")
    # the other set: verify says the attempt was judged elsewhere
    proc = env_cli("verify", "--no-rescore", db=db)
    assert "judged against the centre's" in proc.stdout and "the official set now is the bundled" in proc.stdout


def _first_debtor_line(record):
    for call in record["calls"]:
        if call["scenario"] == "angry_card_reminder":
            return next(t["debtor"] for t in call["turns"] if t["debtor"])
    raise AssertionError("no debtor line")


def test_verify_refuses_path(tmp_path):
    proc = env_cli("verify", "--path", str(tmp_path), db=tmp_path / "x.db")
    assert proc.returncode == 2 and proc.stderr.startswith("error: verify --path: attempts are checked against "
                                                           "the official definitions only")


# -- 2. a complete verify ---------------------------------------------------------------------------

def _resign(store, row_id, record_text):
    """Put a record text in place, signed with the key (an edit by someone who holds it, or a bug)."""
    with store.engine.begin() as conn:
        conn.execute(T["attempts"].update().where(T["attempts"].c.id == row_id).values(
            record=record_text, signature=SIGNING.sign(record_text)))


def _without(path):
    def edit(rec):
        *parents, last = path
        node = rec
        for p in parents:
            node = node[p]
        del node[last]
        return rec
    return edit


def _set(path, value):
    def edit(rec):
        *parents, last = path
        node = rec
        for p in parents:
            node = node[p]
        node[last] = value
        return rec
    return edit


MALFORMED = {
    "list": (lambda rec: [], "record", "is list [], not an object"),
    "null": (lambda rec: None, "record", "is NoneType null, not an object"),
    "number": (lambda rec: 5, "record", "is int 5, not an object"),
    "empty object": (lambda rec: {}, "format", "field required"),
    "no exam.pass": (_without(("exam", "pass")), "exam.pass", "field required"),
    "exam null": (_set(("exam",), None), "exam", "input should be a valid dictionary"),
    "calls not a list": (_set(("calls",), "x"), "calls", "input should be a valid list"),
    "trainee a number": (_set(("trainee",), 7), "trainee", "input should be a valid string"),
    "unknown status": (_set(("status",), "certified"), "status", "input should be 'incomplete', 'passed' or 'failed'"),
    "red lines null": (_set(("result", "red_lines"), None), "result.red_lines", "input should be a valid list"),
    "seed a string": (_set(("calls", 0, "seed"), "7"), "calls.0.seed", "input should be a valid integer"),
    "no exam calls": (_set(("exam", "calls"), []), "exam.calls", "list should have at least 1 item"),
    "summary null": (_set(("calls", 1, "summary"), None), "calls.1.summary", "input should be a valid dictionary"),
    "attempt a float": (_set(("attempt",), 1.5), "attempt", "input should be a valid integer"),
}


def test_every_malformed_record_is_reported_and_the_rest_still_checked(store, engine, foundation):
    for i in range(len(MALFORMED) + 2):
        sit(foundation, engine, store, trainee=f"t-{i:02d}")
    rows = store.attempts(with_record=True)
    for row, (name, (edit, fld, what)) in zip(rows, MALFORMED.items()):
        _resign(store, row.id, canonical(edit(json.loads(row.record))))
    _resign(store, rows[-2].id, "{not json")  # and one that is no JSON at all
    report = verify_store(store, SIGNING, engine, rescore=True)
    assert report.checked == len(rows)
    by_row = {}
    for p in report.problems:
        by_row.setdefault(p.attempt_id, []).append(p)
    assert rows[-1].id not in by_row  # the good one, still checked: nothing to say
    for row, (name, (edit, fld, what)) in zip(rows, MALFORMED.items()):
        found = [(p.field, p.message) for p in by_row[row.id] if p.kind == "malformed"]
        assert any(f == fld and what in m for f, m in found), (name, found)
    assert [p.message for p in by_row[rows[-2].id] if p.kind == "malformed"][0].startswith("the record is not JSON")
    # a malformed record is also not what the ledger wrote
    assert all(any(p.kind == "ledger" and p.field == "record_hash" for p in by_row[r.id]) for r in rows[:-1])


def test_malformed_records_on_the_command_line_never_a_traceback(tmp_path):
    db = tmp_path / "r.sqlite3"
    folder = replies_dir(tmp_path)
    for t in ("t-1", "t-2", "t-3"):
        assert env_cli("grade", "foundation", "--replies", str(folder), "--trainee", t, db=db).returncode == 0
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE attempts SET record = '[]' WHERE trainee = 't-1'")
        conn.execute("UPDATE attempts SET record = 'null' WHERE trainee = 't-2'")
    proc = env_cli("verify", db=db)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert any("foundation/t-1/1 (row 1): malformed: record field record: is list [], not an object" in x
               for x in lines)
    assert any("foundation/t-2/1 (row 2): malformed: record field record: is NoneType null" in x for x in lines)
    assert not any("t-3" in x for x in lines[:-1])
    assert lines[-1].startswith("checked 3 attempts") and lines[-1].endswith("2 failed verification")


def test_deleting_a_trainees_latest_attempt_is_caught(store, engine, foundation):
    sit(foundation, engine, store, trainee="t-1")
    sit(foundation, engine, store, trainee="t-1")
    latest = store.attempts(trainee="t-1")[-1]
    with store.engine.begin() as conn:
        conn.execute(T["attempts"].delete().where(T["attempts"].c.id == latest.id))
    [p] = problems(store)
    assert (p.kind, p.exam, p.trainee, p.attempt, p.field, p.recomputed) == (
        "missing", "foundation", "t-1", 2, "attempt", "passed")
    assert p.message.startswith("deleted: the ledger last wrote this attempt as passed at ")
    # deleting its ledger entries too breaks the chain against the signed head
    with store.engine.begin() as conn:
        conn.execute(T["ledger"].delete().where(T["ledger"].c.attempt_no == 2))
    found = problems(store)
    assert found and all(p.kind == "ledger" for p in found)
    assert any(p.field == "store_head.seq" and "entries were deleted" in p.message for p in found)


def test_the_ledger_head_cannot_be_rewritten_or_reset(store, engine, foundation):
    sit(foundation, engine, store, trainee="t-1")
    with store.engine.begin() as conn:
        conn.execute(T["head"].update().values(seq=1))
    [p] = problems(store)
    assert p.kind == "ledger" and p.field == "store_head" and "does not match its signature" in p.message
    with pytest.raises(UserError, match="refusing to write on top of it"):
        sit(foundation, engine, store, trainee="t-2")
    with store.engine.begin() as conn:  # a reset to "never signed", ledger emptied
        conn.execute(T["ledger"].delete())
        conn.execute(T["head"].update().values(seq=0, link="0" * 64, signature=None, key_id=None))
    found = problems(store)
    assert any(p.field == "store_head.signature" and "reset" in p.message for p in found)
    assert any(p.kind == "ledger" and p.message.startswith("not in the store's ledger") for p in found)
    with pytest.raises(UserError, match="ledger head was reset"):
        sit(foundation, engine, store, trainee="t-3")


def test_an_older_version_put_back_is_caught(store, engine, foundation):
    run = ExamRun.begin(foundation, "t-1", engine=engine, store=store, key=SIGNING)
    first = run.next_call()
    run.play(first, answers()[first.scenario])
    early = store.attempts(with_record=True)[0]
    for call in run.pending():
        run.play(call, answers()[call.scenario])
    run.finish()
    with store.engine.begin() as conn:  # the signed record after call 1, with its own columns
        conn.execute(T["attempts"].update().values(record=early.record, signature=early.signature,
                                                   status="incomplete", calls_done=1, finished_at=None))
    found = [p for p in problems(store) if p.kind == "ledger"]
    assert len(found) == 1 and found[0].message.startswith("an older version of the record was put back: version 2 "
                                                           "of 6 written; the last (entry 6) was passed")


def test_a_record_copied_from_another_store_with_the_same_key_is_caught(db_url, tmp_path, engine, foundation):
    with Store.open(str(tmp_path / "other.sqlite3"), key=SIGNING) as other:
        sit(foundation, engine, other, trainee="t-9")
        row = other.attempts(with_record=True)[0]
        other_id = other.store_id
    with Store.open(db_url, key=SIGNING) as store:
        sit(foundation, engine, store, trainee="t-1")
        record = json.loads(row.record)
        store.import_records([(record, row.record, row.signature)])  # even through the API
        with store.engine.begin() as conn:  # or straight into the table
            record2 = dict(record, trainee="t-8")
            text2 = canonical(record2)
            conn.execute(T["attempts"].insert().values(
                **{k: v for k, v in row.columns.items() if k not in ("id", "signature", "trainee")},
                trainee="t-8", record=text2, signature=SIGNING.sign(text2)))
        found = problems(store)
    copied = [p for p in found if p.kind == "copied"]
    assert {p.trainee for p in copied} == {"t-9", "t-8"}
    assert all(p.stored == other_id and p.recomputed != other_id for p in copied)
    assert any(p.trainee == "t-8" and p.kind == "ledger" and "never wrote it" in p.message for p in found)


def test_verify_during_grading_sees_one_snapshot(store, engine, foundation):
    """A grader writes between verify's reads: verify must see the store before or after, never a mix."""
    run = ExamRun.begin(foundation, "t-1", engine=engine, store=store, key=SIGNING)
    first = run.next_call()
    run.play(first, answers()[first.scenario])
    writer = Store.open(store.url, key=SIGNING)
    run.store = writer
    second = run.next_call()
    started: list[threading.Thread] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            run.play(second, answers()[second.scenario])
        except BaseException as exc:  # reported below
            errors.append(exc)

    def after(conn, cursor, statement, *args):
        if "FROM attempts" in statement and not started:
            t = threading.Thread(target=write)
            t.start()
            started.append(t)
            if store.engine.dialect.name == "postgresql":
                t.join()  # committed before verify reads the call rows

    sa.event.listen(store.engine, "after_cursor_execute", after)
    try:
        report = verify_store(store, SIGNING, None, rescore=False)
    finally:
        sa.event.remove(store.engine, "after_cursor_execute", after)
    started[0].join()
    writer.close()
    assert errors == [] and report.problems == []
    assert store.attempts()[0].calls_done == 2 and problems(store) == []


def test_a_changed_red_line_says_what_changed(store, engine, foundation):
    lines = good_lines("hardship_card_job_loss")
    lines[-1] += "你这个老赖。"
    run = ExamRun.begin(foundation, "t-1", engine=engine, store=store, key=SIGNING)
    with run:
        for call in run.pending():
            run.play(call, lines if call.scenario == "hardship_card_job_loss" else answers()[call.scenario])
        run.finish()

    class Reworded:
        """The engine after a rule change that quotes other evidence for the same red line at the same turn."""
        version = engine.version

        def run_call(self, scenario, seed, replies):
            out = engine.run_call(scenario, seed, replies)
            reds = [dict(r, evidence="老赖。") for r in out["summary"]["red_lines"]]
            out["summary"] = dict(out["summary"], red_lines=reds)
            return out

        def content_hashes(self, ids, lang):
            return engine.content_hashes(ids, lang)

    [p] = verify_store(store, SIGNING, Reworded()).problems
    assert p.kind == "rescore" and p.field == "calls.hardship_card_job_loss.red_lines"
    assert p.stored == "abuse@6「老赖」" and p.recomputed == "abuse@6「老赖。」"
    assert "red lines abuse@6「老赖」 → abuse@6「老赖。」" in p.message


def test_every_finding_has_evidence(store, engine, foundation):
    sit(foundation, engine, store, trainee="t-1")
    with store.engine.begin() as conn:
        conn.execute(T["attempts"].update().values(overall=99.0))
        conn.execute(T["calls"].update().where(T["calls"].c.position == 2).values(outcome="hung_up"))
    found = problems(store)
    assert [(p.field, p.stored, p.recomputed) for p in found] == [
        ("attempts.overall", 99.0, found[0].recomputed), ("attempt_calls.row 2 outcome", "hung_up", "promise_to_pay")]
    assert found[0].recomputed != 99.0
    assert all(set(p.to_dict()) >= {"field", "stored", "recomputed"} for p in found)


# -- 3. many graders on a new store ---------------------------------------------------------------

def _grader(url, trainee, barrier, results):
    try:
        barrier.wait(timeout=120)
        with Store.open(url, key=SIGNING) as s:
            res = sit(_GRADER["exam"], _GRADER["engine"], s, trainee=trainee)
        results.put((trainee, res.status))
    except BaseException as exc:  # every failure is the test's evidence
        results.put((trainee, f"{exc.__class__.__name__}: {exc}"))


_GRADER: dict = {}


def test_sixteen_graders_on_a_new_store(db_url, engine, foundation):
    _GRADER.update(exam=foundation, engine=engine)
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(16), ctx.Queue()
    procs = [ctx.Process(target=_grader, args=(db_url, f"g-{i:02d}", barrier, results)) for i in range(16)]
    for p in procs:
        p.start()
    got = sorted(results.get(timeout=600) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert got == [(f"g-{i:02d}", "passed") for i in range(16)]
    with Store.open(db_url, key=SIGNING) as s:
        report = verify_store(s, SIGNING, None, rescore=False)
        assert report.problems == [] and report.checked == 16 and report.ledger_entries == 16 * 6
        assert s.schema_version() == 2


# -- 4. identity hygiene ----------------------------------------------------------------------------

def test_trainee_ids_are_canonical():
    assert check_trainee("T1") == check_trainee("t1") == check_trainee("Ｔ１") == check_trainee(" T1 ") == "t1"
    assert check_trainee("学员  001") == "学员 001" and check_trainee("ZHANG-San") == "zhang-san"
    for bad in ("T1\u200b", "\u202eT1", "T\u20661", "\ufeffT1", "T\x001", "T1\u2028"):
        with pytest.raises(UserError, match="invisible, direction or control characters"):
            check_trainee(bad)
    with pytest.raises(UserError, match="give the trainee's id"):
        check_trainee("\u3000")


def test_look_alike_ids_share_one_attempt_budget(tmp_path):
    db = tmp_path / "r.sqlite3"
    folder = replies_dir(tmp_path)
    attempts = []
    for who in ("T1", "t1", "Ｔ1"):
        proc = env_cli("grade", "foundation", "--replies", str(folder), "--trainee", who, "--json", db=db)
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout)
        attempts.append((out["trainee"], out["attempt"]))
    assert attempts == [("t1", 1), ("t1", 2), ("t1", 3)]
    proc = env_cli("grade", "foundation", "--replies", str(folder), "--trainee", "T1\u200b", db=db)
    assert proc.returncode == 2 and "U+200B" in proc.stderr
    proc = env_cli("grade", "foundation", "--replies", str(folder), "--trainee", "ｔ1", db=db)
    assert proc.returncode == 2 and "has used 3 of 3 attempts" in proc.stderr
    rows = list(csv.DictReader(io.StringIO(env_cli("report", "--trainee", "Ｔ1", "--format", "csv", db=db).stdout)))
    assert [r["attempt"] for r in rows] == ["1", "2", "3"]


def test_a_legacy_non_canonical_id_is_flagged(store, engine, foundation):
    sit(foundation, engine, store, trainee="t1")
    row = store.attempts(with_record=True)[0]
    rec = json.loads(row.record)
    rec["trainee"] = "T1"
    text = canonical(rec)
    with store.engine.begin() as conn:
        conn.execute(T["attempts"].update().values(trainee="T1", record=text, signature=SIGNING.sign(text)))
    found = [p for p in problems(store) if p.kind == "identity"]
    assert [(p.field, p.stored, p.recomputed) for p in found] == [("trainee", "T1", "t1")]


def test_csv_cells_that_would_be_formulas_are_neutralised(store, engine, foundation):
    sit(foundation, engine, store, trainee='=HYPERLINK("http://x","y")')
    sit(foundation, engine, store, trainee="@sum(a1)")
    sit(foundation, engine, store, trainee="-1+2")
    sit(foundation, engine, store, trainee="+cmd")
    data = build_report(store, exam_id="foundation")
    rows = list(csv.DictReader(io.StringIO(render(data, "csv"))))
    assert sorted(r["trainee"] for r in rows) == sorted(
        ["'+cmd", "'-1+2", "'=hyperlink(\"http://x\",\"y\")", "'@sum(a1)"])
    assert all(r["overall"][0].isdigit() for r in rows)  # numbers untouched


def test_the_key_is_stripped_like_the_key_file(tmp_path):
    plain = key_from_env({"COLLECTOR_SIM_KEY": KEY})
    assert key_from_env({"COLLECTOR_SIM_KEY": KEY + "\n"}).key_id == plain.key_id
    assert key_from_env({"COLLECTOR_SIM_KEY": f"  {KEY}\r\n"}).key_id == plain.key_id
    f = tmp_path / "key"
    f.write_text(KEY + "\n", encoding="utf-8")
    assert key_from_env({"COLLECTOR_SIM_KEY_FILE": str(f)}).key_id == plain.key_id
    with pytest.raises(UserError, match="the signing key is 0 bytes"):
        key_from_env({"COLLECTOR_SIM_KEY": " \n"})


def test_an_unknown_profile_is_refused(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    text = (ROOT / "scenarios" / "angry_card_reminder.yaml").read_text(encoding="utf-8")
    (folder / "nope.yaml").write_text(text.replace("id: angry_card_reminder", "id: nope_profile")
                                      + "profile: nope\n", encoding="utf-8")
    proc = env_cli("validate", str(folder / "nope.yaml"))
    assert proc.returncode == 1
    assert "profile: unknown profile 'nope' for the 'zh' rule pack (known: cba2026, seeds)" in proc.stdout
    (folder / "nope.yaml").write_text(text.replace("id: angry_card_reminder", "id: nope_profile")
                                      + "profile: cba2026\n", encoding="utf-8")
    assert env_cli("validate", str(folder / "nope.yaml")).returncode == 0



def test_score_refuses_an_unknown_profile_in_its_context(tmp_path):
    proc = env_cli("score", "--context", '{"profile": "nope"}', "您好")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == ("error: --context: context.profile: Value error, unknown profile 'nope' for the 'zh' "
                           "rule pack (known: cba2026, seeds)\n")
    assert env_cli("score", "--context", '{"profile": "regf", "lang": "en"}', "Hello").returncode == 0
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"id": 1, "text": "您好", "context": {"profile": "nope"}}\n{"id": 2, "text": "您好"}\n',
                     encoding="utf-8")
    lines = env_cli("score", "--jsonl", str(batch)).stdout.splitlines()
    first, second = (json.loads(line) for line in lines)
    assert "unknown profile 'nope'" in first["error"] and "scores" in second

def test_a_store_from_before_the_ledger_is_adopted_on_the_next_write(db_url, tmp_path, engine, foundation):
    from simulator.certify.store import SCHEMA, _migrate_v1, derive

    with Store.open(str(tmp_path / "scratch.sqlite3"), key=SIGNING) as scratch:
        sit(foundation, engine, scratch, trainee="old-1")
        rec = json.loads(scratch.attempts(with_record=True)[0].record)
    rec["format"] = "collector-sim.attempt/1"  # as collector-sim wrote it before the ledger
    del rec["store"]
    del rec["engine"]["definitions"]
    text = canonical(rec)
    from simulator.certify.store import resolve_url

    eng = sa.create_engine(resolve_url(db_url)[0])
    with eng.begin() as conn:  # a version-1 store holding it
        _migrate_v1(conn)
        SCHEMA.create(conn)
        conn.execute(SCHEMA.insert().values(version=1, applied_at="2026-01-01", description="v1"))
        columns, calls, _ = derive(rec)
        aid = conn.execute(T["attempts"].insert().values(**columns, record=text, signature=SIGNING.sign(text))
                           ).inserted_primary_key[0]
        if calls:
            conn.execute(T["calls"].insert(), [dict(r, attempt_id=aid) for r in calls])
    eng.dispose()
    with Store.open(db_url, key=SIGNING) as store:
        assert store.schema_version() == 2 and store.store_id
        report = verify_store(store, SIGNING, None, rescore=False)
        assert report.problems == [] and report.notes == [
            ("1 attempts predate the store's ledger; they enter it with the next attempt graded (until then a "
             "deleted one cannot be told)")]
        sit(foundation, engine, store, trainee="new-1")
        report = verify_store(store, SIGNING, None, rescore=False)
        assert report.problems == [] and report.notes == [] and report.ledger_entries == 1 + 6
        with store.engine.begin() as conn:
            conn.execute(T["attempts"].delete().where(T["attempts"].c.trainee == "old-1"))
        [p] = problems(store)
        assert (p.kind, p.trainee, p.attempt) == ("missing", "old-1", 1)
