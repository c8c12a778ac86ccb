"""Hostile replies (issue 12 points 6 and 7, "Input"): ``score --jsonl`` streams its input and turns
every bad line into an error record; replies are capped where they enter (score, run, grade)."""

from __future__ import annotations

import json

from conftest import run_cli

from simulator.commands import score as score_cmd
from simulator.text import MAX_REPLY_CHARS, plain, reply_problem


def _records(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_every_bad_line_is_an_error_record_and_the_batch_goes_on(tmp_path):
    lines = [
        '{"id": 1, "text": "您好,我是华信银行的客服"}',
        '{"id": "s", "text": "\\ud800 坏"}',                       # a lone surrogate
        '{"id": ' + "9" * 5000 + ', "text": "hi"}',                # a 5,000-digit id
        "[" * 30000 + "]" * 30000,                                 # nested past the parser's stack
        '{"id": 2, "text": "' + "好" * (MAX_REPLY_CHARS + 1) + '"}',
        '{"id": "\\udc80", "text": "您好"}',                        # an id that cannot be echoed
        '{"id": {"a": 1}, "text": "您好"}',
        "[1, 2]",
        '{"id": 3, "text": 5}',
    ]
    path = tmp_path / "bad.jsonl"
    with open(path, "wb") as fh:
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))
        fh.write(b"\xff\xfe not utf-8\n")
        fh.write(b"x" * 300_000 + b"\n")                            # a line past the line cap
        fh.write('{"id": 9, "text": "您好"}\n'.encode("utf-8"))
    proc = run_cli("score", "--jsonl", str(path))
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2
    out = _records(proc.stdout)
    assert [r.get("line") for r in out] == [None, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, None]
    assert out[0]["id"] == 1 and "scores" in out[0]
    assert out[-1]["id"] == 9 and "scores" in out[-1]
    errors = {r["line"]: r["error"] for r in out if "error" in r}
    assert "lone surrogate" in errors[2]
    assert "4300 digits" in errors[3] or "digits" in errors[3]
    assert "nested too deeply" in errors[4]
    assert f"at most {MAX_REPLY_CHARS:,} characters" in errors[5] and out[4]["id"] == 2
    assert "'id' must be" in errors[6] and "'id' must be" in errors[7]
    assert errors[8] == "expected a JSON object"
    assert errors[10].startswith("not UTF-8") and "longer than" in errors[11]
    assert len(proc.stderr.strip().splitlines()) == 10
    assert all(line.startswith(f"error: {path}:") for line in proc.stderr.strip().splitlines())


def test_stdin_gets_the_same_records(tmp_path):
    text = '{"id": 1, "text": "您好"}\n\n{"id": "x", "text": "\\ud800"}\n' + "[" * 30000 + "\n"
    proc = run_cli("score", "--jsonl", "-", stdin=text)
    assert "Traceback" not in proc.stderr and proc.returncode == 2
    out = _records(proc.stdout)
    assert [r.get("line") for r in out] == [None, 3, 4]


def test_blank_lines_are_streamed_with_their_numbers(tmp_path):
    """Lines are read a block at a time: blank lines are skipped, numbers stay true, a line split
    across blocks is whole."""
    path = tmp_path / "sparse.jsonl"
    block = score_cmd.BLOCK
    with open(path, "wb") as fh:
        fh.write(b"\xef\xbb\xbf" + b"\n" * (block - 10))
        fh.write('{"id": "a", "text": "您好,请问是张先生吗"}\n'.encode("utf-8"))   # crosses the first block
        fh.write(b"  \n\t\n" * 1000)
        fh.write('{"id": "b", "text": "您好"}'.encode("utf-8"))                # no final newline
    with open(path, "rb") as fh:
        got = list(score_cmd._lines(fh))
    assert [n for n, _ in got] == [block - 9, block - 9 + 2001]
    assert json.loads(got[0][1])["id"] == "a" and json.loads(got[1][1])["id"] == "b"


def test_an_endless_line_is_reported_once_without_being_kept(tmp_path):
    path = tmp_path / "long.jsonl"
    with open(path, "wb") as fh:
        fh.write(b"y" * (3 * score_cmd.BLOCK) + b"\n" + b'{"id": 1, "text": "hi"}\n')
    with open(path, "rb") as fh:
        got = list(score_cmd._lines(fh))
    assert [n for n, _ in got] == [1, 2]
    assert len(got[0][1]) == score_cmd.MAX_LINE_BYTES + 1


def test_devices_are_refused_for_jsonl_and_replies():
    for args in (["score", "--jsonl", "/dev/zero"], ["run", "angry_card_reminder", "--replies", "/dev/zero"]):
        proc = run_cli(*args)
        assert proc.returncode == 2 and "is a device" in proc.stderr and "Traceback" not in proc.stderr


def test_score_text_is_capped_with_a_clear_error():
    proc = run_cli("score", "好" * (MAX_REPLY_CHARS + 1))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == f"error: TEXT: a reply is at most {MAX_REPLY_CHARS:,} characters; this one has 2,001\n"
    assert run_cli("score", "好" * MAX_REPLY_CHARS).returncode == 0


def test_run_caps_replies_and_names_the_reply(tmp_path):
    replies = tmp_path / "r.txt"
    replies.write_text("您好\n\n" + "好" * (MAX_REPLY_CHARS + 5) + "\n", encoding="utf-8")
    proc = run_cli("run", "angry_card_reminder", "--replies", str(replies))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"error: {replies}: reply 2: a reply is at most 2,000 characters")


def test_run_shows_control_characters_in_replies_as_nothing(tmp_path):
    replies = tmp_path / "r.txt"
    replies.write_text("您好\x1b]0;pwned\x07,我是华信银行的客服\n", encoding="utf-8")
    proc = run_cli("run", "angry_card_reminder", "--replies", str(replies))
    assert proc.returncode == 0 and "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    assert "您好]0;pwned,我是华信银行的客服" in proc.stdout


def test_grade_caps_replies_before_an_attempt_is_used(tmp_path):
    folder = tmp_path / "replies"
    folder.mkdir()
    exam = run_cli("exams", "--json")
    calls = json.loads(exam.stdout)[0]["scenarios"]
    for sid in calls:
        (folder / f"{sid}.txt").write_text("您好\n", encoding="utf-8")
    (folder / f"{calls[-1]}.txt").write_text("您好\n" + "好" * 2500 + "\n", encoding="utf-8")
    proc = run_cli("grade", json.loads(exam.stdout)[0]["id"], "--replies", str(folder), "--trainee", "t1",
                   "--practice")
    assert proc.returncode == 2 and "reply 2: a reply is at most 2,000 characters" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_plain_and_reply_problem():
    assert plain("a\x1b[31mb\x9b\u202ec\td\ne") == "a[31mbc\td\ne"
    assert reply_problem("好" * MAX_REPLY_CHARS) is None
    assert "lone surrogate" in (reply_problem("a\udc80") or "")
