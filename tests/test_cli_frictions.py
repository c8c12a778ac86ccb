"""Small command-line frictions a trainee or trainer noticed (issue 13), each pinned."""

from conftest import run_cli


def test_score_refuses_an_empty_reply():
    for text in ("", "   "):
        proc = run_cli("score", text)
        assert proc.returncode == 2
        assert proc.stdout == ""
        assert proc.stderr.startswith("error: nothing to score: TEXT is empty")
        assert "Traceback" not in proc.stderr


def test_validate_prints_its_ok_line_on_stdout():
    proc = run_cli("validate", "personas/angry.yaml")
    assert proc.returncode == 0
    assert proc.stdout.startswith("ok: 1 file(s) checked")
    assert proc.stderr == ""


def test_graph_dot_carries_the_state_descriptions_mermaid_has():
    mermaid = run_cli("graph", "angry_card_reminder").stdout
    dot = run_cli("graph", "angry_card_reminder", "--format", "dot").stdout
    # every description Mermaid shows is also in the dot labels
    for desc in ("发泄怒气", "情绪缓和", "promise_to_pay"):
        assert desc in mermaid and desc in dot
    assert 'venting [label="venting\\n发泄怒气' in dot


def test_collector_sim_home_moves_the_results_store_too(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import ROOT

    env = {k: v for k, v in os.environ.items() if k != "COLLECTOR_SIM_DB"}
    env.update(COLLECTOR_SIM_HOME=str(tmp_path / "home"), COLLECTOR_SIM_KEY="5a" * 32)
    proc = subprocess.run([sys.executable, "-m", "simulator", "grade", "foundation", "--replies",
                           str(ROOT / "examples" / "calls"), "--trainee", "T-home"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode in (0, 1), proc.stderr
    assert (tmp_path / "home" / "results.sqlite3").is_file()
    assert str(tmp_path / "home" / "results.sqlite3") in proc.stdout + proc.stderr
