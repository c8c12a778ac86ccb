"""The results store: signed attempts, the attempt limit, incomplete attempts, tampering, verify.

Every test runs on SQLite, and on PostgreSQL when a server can be started (see certify_support).
"""

import json

import pytest
import sqlalchemy as sa

from certify_support import KEY, db_url, good_lines, postgres  # noqa: F401  (fixtures)
from simulator.certify.attempt import ExamRun
from simulator.certify.calls import CallEngine
from simulator.certify.exam import ExamCatalog
from simulator.certify.report import build_report, render
from simulator.certify.signing import SigningKey, canonical
from simulator.certify.store import LATEST, SCHEMA, AttemptLimitReached, Store, T
from simulator.certify.verify import verify_store
from simulator.errors import UserError

SIGNING = SigningKey(KEY.encode())
RED = "要是再拖,我们就打电话到你单位,让你同事都知道你欠钱不还。"


@pytest.fixture(scope="module")
def engine():
    return CallEngine()


@pytest.fixture(scope="module")
def foundation():
    return ExamCatalog.discover().get("foundation")


@pytest.fixture
def store(db_url):  # noqa: F811
    s = Store.open(db_url)
    yield s
    s.close()


def replies(**changes):
    out = {}
    for sc in ("angry_card_reminder", "evasive_card_next_week", "hardship_card_job_loss", "lost_contact_mother"):
        out[sc] = changes.get(sc) or good_lines(sc)
    return out


def sit(exam, engine, store, trainee="t-001", answers=None, key=SIGNING):
    answers = answers or replies()
    run = ExamRun.begin(exam, trainee, engine=engine, store=store, key=key)
    with run:
        for call in run.pending():
            run.play(call, answers[call.scenario])
        return run.finish()


def with_red_line():
    lines = good_lines("hardship_card_job_loss")
    lines[-1] += RED
    return replies(hardship_card_job_loss=lines)


def test_a_good_attempt_is_stored_signed_and_verifies(store, engine, foundation):
    result = sit(foundation, engine, store)
    assert result.passed and result.status == "passed" and result.attempt == 1
    assert result.verdict.reasons == []
    rows = store.attempts(with_record=True)
    assert len(rows) == 1
    row = rows[0]
    assert row.status == "passed" and row.signature == result.signature
    assert SIGNING.check(row.record, row.signature)
    record = json.loads(row.record)
    assert canonical(record) == row.record
    # what the issue asks each attempt to keep
    assert record["exam"]["id"] == "foundation" and record["trainee"] == "t-001" and record["attempt"] == 1
    assert record["started_at"] and record["finished_at"] and record["engine"]["version"]
    content = record["engine"]["content"]
    assert set(content["scenarios"]) == set(replies()) and set(content["personas"]) == {
        "angry", "evasive", "hardship", "lost_contact"}
    assert len(content["rule_pack"]["zh"]) == 64 and len(content["exam"]) == 64
    call = record["calls"][0]
    assert call["seed"] == 7 and call["turns"][1]["trainee"] == good_lines("angry_card_reminder")[0]
    assert call["turns"][1]["score"]["scores"]["politeness"] >= 0 and "overall" in call["summary"]
    assert record["result"]["passed"] is True and record["result"]["red_lines"] == []
    report = verify_store(store, SIGNING, engine)
    assert report.problems == [] and report.checked == 1 and report.rescored_calls == 4


def test_a_red_line_fails_an_otherwise_passing_attempt(store, engine, foundation):
    result = sit(foundation, engine, store, answers=with_red_line())
    assert result.status == "failed"
    assert result.verdict.reasons == ["red line privacy_exposure in hardship_card_job_loss turn 6: "
                                      "「单位,让你同事都知道你欠」"]
    assert result.verdict.scores["overall"] >= 65  # every score rule still met
    reds = store.children()[1]
    assert [(r["rule"], r["scenario"], r["turn"]) for rs in reds.values() for r in rs] == [
        ("privacy_exposure", "hardship_card_job_loss", 6)]


def test_the_attempt_limit(store, engine, foundation):
    exam = foundation
    exam.spec = exam.spec.model_copy(update={"attempts": 2})
    try:
        assert sit(exam, engine, store, answers=with_red_line()).attempt == 1
        assert sit(exam, engine, store).attempt == 2
        with pytest.raises(AttemptLimitReached, match="has used 2 of 2 attempts at exam 'foundation'"):
            ExamRun.begin(exam, "t-001", engine=engine, store=store, key=SIGNING)
        assert store.count() == 2
        # another trainee has their own attempts
        assert sit(exam, engine, store, trainee="t-002").attempt == 1
    finally:
        exam.spec = exam.spec.model_copy(update={"attempts": 3})


def test_incomplete_attempts_are_kept_count_and_never_pass(store, engine, foundation):
    answers = replies()
    # 1. the program fails mid-exam: the attempt is closed as incomplete, saying why
    run = ExamRun.begin(foundation, "t-009", engine=engine, store=store, key=SIGNING)
    with pytest.raises(RuntimeError):
        with run:
            first = run.next_call()
            run.play(first, answers[first.scenario])
            raise RuntimeError("power cut")
    # 2. a hard crash (the process dies): nothing closes it, it stays incomplete
    crashed = ExamRun.begin(foundation, "t-009", engine=engine, store=store, key=SIGNING)
    first = crashed.next_call()
    crashed.play(first, answers[first.scenario])
    del crashed
    rows = store.attempts(trainee="t-009", with_record=True)
    assert [(r.attempt_no, r.status, r.calls_done) for r in rows] == [(1, "incomplete", 1), (2, "incomplete", 1)]
    assert rows[0].note == "interrupted: RuntimeError: power cut" and rows[1].note is None
    for r in rows:
        rec = json.loads(r.record)
        assert rec["result"]["passed"] is None and rec["finished_at"] is None
        assert "only 1 of 4 calls completed" in rec["result"]["reasons"]
    # they count against the limit
    assert store.attempts_used("foundation", "t-009") == 2
    assert sit(foundation, engine, store, trainee="t-009").attempt == 3
    with pytest.raises(AttemptLimitReached):
        ExamRun.begin(foundation, "t-009", engine=engine, store=store, key=SIGNING)
    # verify accepts them (they are genuine) and lists them
    report = verify_store(store, SIGNING, engine)
    assert report.problems == []
    assert report.incomplete == ["foundation/t-009/1: interrupted: RuntimeError: power cut",
                                 "foundation/t-009/2: never finished"]
    # reports show them
    data = build_report(store, trainee="t-009")
    assert data["summary"] == {**data["summary"], "attempts": 3, "passed": 1, "incomplete": 2, "failed": 0}


def test_an_abandoned_attempt_cannot_be_finished_or_continued(engine, foundation, store):
    run = ExamRun.begin(foundation, "t-010", engine=engine, store=store, key=SIGNING)
    run.abandon("trainee closed the app")
    with pytest.raises(UserError, match="abandoned"):
        run.finish()
    with pytest.raises(UserError, match="closed"):
        c = foundation.spec.calls[0]
        run.play(c, good_lines(c.scenario))
    assert store.attempts(trainee="t-010")[0].note == "trainee closed the app"


def test_calls_must_come_in_exam_order_with_the_exam_seed(engine, foundation, store):
    run = ExamRun.begin(foundation, "t-011", engine=engine, store=store, key=SIGNING)
    wrong = engine.run_call("lost_contact_mother", 17, good_lines("lost_contact_mother"))
    with pytest.raises(UserError, match="expected call 1 to be angry_card_reminder with seed 7"):
        run.record(wrong)
    other_seed = engine.run_call("angry_card_reminder", 8, good_lines("angry_card_reminder"))
    with pytest.raises(UserError, match="seed 7"):
        run.record(other_seed)


def test_certifying_needs_a_key(engine, foundation, store):
    with pytest.raises(UserError, match="cannot certify without a signing key"):
        ExamRun.begin(foundation, "t-012", engine=engine, store=store, key=None)
    practice = ExamRun.begin(foundation, "t-012", engine=engine, store=None, key=None)
    for call in practice.pending():
        practice.play(call, replies()[call.scenario])
    result = practice.finish()
    assert result.passed and result.signature is None and result.attempt is None and not result.stored
    assert store.count() == 0


# -- tampering -------------------------------------------------------------------------------------

def _changed(value, column):
    if value is None:
        return {int: 1, float: 1.5}.get(column.type.python_type, "x")
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 10
    if isinstance(value, float):
        return value + 0.5
    text = str(value)
    return text[:-1] + ("0" if text[-1:] != "0" else "1")


def _problems_for(store, engine=None):
    report = verify_store(store, SIGNING, engine, rescore=engine is not None)
    return report.problems


def test_tampering_with_any_stored_field_is_detected(store, engine, foundation):
    sit(foundation, engine, store, trainee="t-020", answers=with_red_line())
    sit(foundation, engine, store, trainee="t-020")
    assert _problems_for(store) == []
    tables = [(T["attempts"], ["id"]), (T["calls"], ["attempt_id", "position"]),
              (T["red_lines"], ["attempt_id", "seq"])]
    checked = []
    with store.engine.connect() as conn:
        snapshot = {t.name: [dict(r) for r in conn.execute(sa.select(t)).mappings()] for t, _ in tables}
    for table, keys in tables:
        for row in snapshot[table.name]:
            where = sa.and_(*(table.c[k] == row[k] for k in keys))
            for col in table.c:
                if col.name in keys:
                    continue
                original = row[col.name]
                if col.name == "record":
                    rec = json.loads(original)
                    rec["result"]["scores"]["overall"] = 99.9
                    forged = canonical(rec)
                elif col.name == "signature":
                    forged = SIGNING.sign(original + " ")
                else:
                    forged = _changed(original, col)
                with store.engine.begin() as conn:
                    conn.execute(table.update().where(where).values({col.name: forged}))
                problems = _problems_for(store)
                assert problems, f"an edit to {table.name}.{col.name} went unnoticed"
                aid = row.get("attempt_id") or row["id"]
                assert {p.attempt_id for p in problems if p.kind != "missing"} == {aid}, problems
                with store.engine.begin() as conn:
                    conn.execute(table.update().where(where).values({col.name: original}))
                checked.append(f"{table.name}.{col.name}")
            assert _problems_for(store) == []
    assert "attempts.record" in checked and "attempt_red_lines.evidence" in checked and len(checked) > 25


def test_a_record_re_signed_with_another_key_is_reported(store, engine, foundation):
    sit(foundation, engine, store, trainee="t-021")
    row = store.attempts(with_record=True)[0]
    rec = json.loads(row.record)
    rec["status"] = "passed"
    other = SigningKey(b"another-key-of-somebody-else!!")
    with store.engine.begin() as conn:
        conn.execute(T["attempts"].update().values(signature=other.sign(canonical(rec))))
    problems = _problems_for(store)
    assert [p.kind for p in problems] == ["signature"]
    assert "the record or the signature was edited" in problems[0].message


def test_deleted_rows_are_reported(store, engine, foundation):
    sit(foundation, engine, store, trainee="t-022", answers=with_red_line())
    sit(foundation, engine, store, trainee="t-022")
    first = store.attempts()[0]
    with store.engine.begin() as conn:
        conn.execute(T["red_lines"].delete())
    assert [(p.message, p.field, p.stored, p.recomputed) for p in _problems_for(store)] == [
        ("attempt_red_lines rows: stored 0, the signed record says 1", "attempt_red_lines.rows", 0, 1)]
    with store.engine.begin() as conn:
        conn.execute(T["red_lines"].delete())
        conn.execute(T["calls"].delete().where(T["calls"].c.attempt_id == first.id))
        conn.execute(T["attempts"].delete().where(T["attempts"].c.id == first.id))
    problems = _problems_for(store)
    assert [(p.kind, p.attempt, p.recomputed) for p in problems] == [("missing", 1, "failed")]
    assert problems[0].message.startswith("deleted: the ledger last wrote this attempt as failed at ")


def test_verify_reports_attempts_that_would_now_score_differently(store, engine, foundation):
    sit(foundation, engine, store, trainee="t-030")

    class Stricter:
        """The engine after a rule change: the mother call now ends without a message left."""
        version = engine.version

        def run_call(self, scenario, seed, replies):
            out = engine.run_call(scenario, seed, replies)
            if scenario == "lost_contact_mother":
                out["summary"] = dict(out["summary"], overall=40)
                out["outcome"] = "no_agreement"
            return out

        def content_hashes(self, ids, lang):
            return engine.content_hashes(ids, lang)

    problems = _problems_for(store, Stricter())
    assert [str(p) for p in verify_store(store, SIGNING, Stricter(), jobs=2).problems] == [str(p) for p in problems]
    assert len(problems) == 1 and problems[0].kind == "rescore"
    assert problems[0].message.startswith("would now be failed (was passed); lost_contact_mother: "
                                          "outcome message_left → no_agreement, overall ")
    assert _problems_for(store, engine) == []


def test_schema_is_versioned_and_a_newer_store_is_refused(db_url):  # noqa: F811
    with Store.open(db_url) as s:
        assert s.schema_version() == LATEST
        assert s.migrate() == []  # nothing left to apply
        with s.engine.begin() as conn:
            conn.execute(SCHEMA.insert().values(version=LATEST + 1, applied_at="2099-01-01", description="future"))
    with pytest.raises(UserError, match=f"has schema version {LATEST + 1}; this collector-sim knows up to "
                                        f"{LATEST}: upgrade collector-sim"):
        Store.open(db_url)


def test_reports_from_the_store(store, engine, foundation):
    sit(foundation, engine, store, trainee="t-040", answers=with_red_line())
    sit(foundation, engine, store, trainee="t-040")
    sit(foundation, engine, store, trainee="t-041")
    data = build_report(store, trainee="t-040", key=SIGNING)
    assert data["summary"]["attempts"] == 2 and data["summary"]["passed"] == 1
    assert data["red_lines_by_rule"] == {"privacy_exposure": 1}
    assert data["exams"]["foundation"]["cohort"]["certified"] == 2
    assert data["exams"]["foundation"]["cohort"]["pass_rate"] == round(2 / 3, 3)
    [cert] = data["certificates"]
    assert cert["attempt"] == 2 and cert["signature_checked"] is True and len(cert["signature"]) == 64
    html = render(data, "html")
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") == 4
    assert "单位,让你同事都知道你欠" in html and cert["signature"] in html and "合规催收培训认证证书" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html
    rows = render(data, "csv").splitlines()
    assert rows[0].startswith("exam,trainee,attempt,status") and len(rows) == 3
    assert json.loads(render(data, "json"))["attempts"][0]["red_lines"][0]["rule"] == "privacy_exposure"
    exam = build_report(store, exam_id="foundation")
    assert exam["summary"]["trainees"] == 2 and exam["summary"]["attempts"] == 3
    assert {s["scenario"] for s in exam["scenarios"]} == set(replies())
    assert [t["attempt"] for t in exam["trend"]] == [1, 2]
    assert render(exam, "html").count("<svg") == 4
