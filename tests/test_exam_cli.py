"""`collector-sim exam`: the TUI exam refuses to start without what certification needs."""


def test_exam_needs_a_signing_key(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("COLLECTOR_SIM_KEY", raising=False)
    monkeypatch.delenv("COLLECTOR_SIM_KEY_FILE", raising=False)
    env_free = cli("exam", "foundation", "--trainee", "t1", "--db", str(tmp_path / "r.db"))
    assert env_free.returncode == 2
    assert env_free.stderr.strip().splitlines() == [
        "error: an exam attempt is stored and signed: set COLLECTOR_SIM_KEY (or COLLECTOR_SIM_KEY_FILE); "
        "to practise without certifying, use 'collector-sim play --exam'"]


def test_unknown_exam_is_a_usage_error(cli):
    proc = cli("exam", "no_such_exam", "--trainee", "t1")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: unknown exam 'no_such_exam'")
