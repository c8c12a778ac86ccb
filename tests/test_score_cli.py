"""`collector-sim score` as graders script it: JSON in, JSON out, errors as one line + exit 2."""

import json

from conftest import jsonl


def test_score_text_with_context(cli):
    proc = cli("score", "他欠了我们两万块", "--context", '{"counterpart": "third_party"}')
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [r["rule"] for r in out["red_lines"]] == ["third_party_disclosure"]
    assert out["red_lines"][0]["start"] == 0


def test_score_jsonl_keeps_order_and_ids_and_survives_a_bad_line(cli, tmp_path):
    lines = [json.dumps({"id": "a", "text": "您好,请问您是张伟先生本人吗?"}, ensure_ascii=False),
             "{not json",
             json.dumps({"id": 7, "text": "你这个老赖", "context": {"clock": "22:10"}}, ensure_ascii=False)]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = cli("score", "--jsonl", str(src))
    out = jsonl(proc.stdout)
    assert [o["id"] for o in out] == ["a", None, 7]
    assert "identity_check" in out[0]["features"]
    assert out[1]["line"] == 2 and "error" in out[1]
    assert sorted(r["rule"] for r in out[2]["red_lines"]) == ["abuse", "off_hours"]
    assert proc.stderr.strip() == f"error: {src}:2: not valid JSON: Expecting property name enclosed in double quotes at column 2"
    assert proc.returncode == 2


def test_score_jsonl_from_stdin(cli):
    proc = cli("score", "--jsonl", "-", stdin='{"id": "s", "text": "请您通过手机银行还款"}\n')
    assert proc.returncode == 0
    assert "payment_channel" in jsonl(proc.stdout)[0]["features"]


def test_errors_are_one_line_and_exit_2(cli, tmp_path):
    for args in (["score", "x", "--context", "{bad"],
                 ["score", "x", "--context", '{"clock": "25:99"}'],
                 ["score", "--jsonl", str(tmp_path / "missing.jsonl")],
                 ["score", "--no-such-option"],
                 ["no-such-command"],
                 ["score"]):
        proc = cli(*args)
        assert proc.returncode == 2, args
        assert proc.stdout == ""
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, proc.stderr)
        assert "Traceback" not in proc.stderr
