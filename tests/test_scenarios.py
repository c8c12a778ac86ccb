"""Scenarios: the bundled set, discovery and priority, the case file, and the broken-YAML corpus
through the command line (a clear path:line:col, exit 1 or 2, never a traceback)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.scenario import PRODUCTS, Catalog, bundled_root

BROKEN = Path(__file__).parent / "data" / "broken_yaml"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.discover()


def test_at_least_twelve_three_per_persona_rising_difficulty(catalog):
    by_persona: dict[str, list[int]] = {}
    for sc in catalog.scenarios.values():
        if sc.origin == "bundled" and sc.spec.lang == "zh":   # the Chinese set; English: test_english.py
            by_persona.setdefault(sc.spec.persona, []).append(sc.spec.difficulty)
    assert sum(len(v) for v in by_persona.values()) >= 12
    assert set(by_persona) == {"angry", "evasive", "hardship", "lost_contact"}
    for persona, levels in by_persona.items():
        assert len(levels) >= 3, persona
        assert {1, 2, 3} <= set(levels), f"{persona}: difficulties {levels}"


def test_products_vary(catalog):
    products = {sc.case.product for sc in catalog.scenarios.values()}
    assert {"credit_card", "consumer_loan", "business_loan"} <= products
    assert products <= set(PRODUCTS)


def test_ms_zhang_seed_case(catalog):
    sc = catalog.get("hardship_card_investment_failure")
    assert sc.spec.persona == "hardship"
    assert sc.case.amount == 30000 and sc.case.overdue_days == 90 and sc.case.honorific == "女士"
    assert sc.case.debtor_name.startswith("张") and "投资" in sc.case.reason


def test_lost_contact_scenarios_have_a_third_party(catalog):
    for sc in catalog.scenarios.values():
        if sc.spec.persona == "lost_contact":
            assert not sc.case.answerer.is_debtor
    assert any(sc.case.answerer.informed for sc in catalog.scenarios.values())  # the guarantor


def test_every_bundled_file_validates(catalog):
    assert catalog.validate_all() == []


def test_validate_cli_everything_is_clean(capsys):
    assert main(["validate"]) == 0


def test_list_json_contract(capsys):
    assert main(["list", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert len(items) >= 12
    for item in items:
        for key in ("id", "title", "persona", "difficulty", "lang", "case"):
            assert key in item
        for key in ("debtor_name", "honorific", "creditor", "amount", "overdue_days"):
            assert key in item["case"]
        assert item["case"]["honorific"] in ("先生", "女士")


def test_list_plain(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "angry_card_reminder" in out and "lost_contact_guarantor" in out


def test_path_dir_wins_over_bundled(tmp_path, capsys):
    src = (bundled_root() / "scenarios" / "angry_card_reminder.yaml").read_text(encoding="utf-8")
    (tmp_path / "mine.yaml").write_text(src.replace("title: 信用卡逾期45天", "title: 我的版本"), encoding="utf-8")
    (tmp_path / "extra.yaml").write_text(src.replace("id: angry_card_reminder", "id: my_extra"), encoding="utf-8")
    assert main(["list", "--json", "--path", str(tmp_path)]) == 0
    items = {i["id"]: i for i in json.loads(capsys.readouterr().out)}
    assert items["angry_card_reminder"]["title"].startswith("我的版本")
    assert items["angry_card_reminder"]["source"] == "path"
    assert "my_extra" in items


def test_local_scenarios_folder_is_searched(tmp_path, monkeypatch, capsys):
    (tmp_path / "scenarios").mkdir()
    src = (bundled_root() / "scenarios" / "evasive_card_next_week.yaml").read_text(encoding="utf-8")
    (tmp_path / "scenarios" / "x.yaml").write_text(src.replace("id: evasive_card_next_week", "id: local_one"),
                                                   encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["list", "--json"]) == 0
    ids = {i["id"]: i["source"] for i in json.loads(capsys.readouterr().out)}
    assert ids["local_one"] == "local"


def test_path_must_be_a_directory(capsys, tmp_path):
    assert main(["list", "--path", str(tmp_path / "nope")]) == 2
    assert capsys.readouterr().err.startswith("error: --path")


def test_overrides_change_the_persona(catalog):
    sc = catalog.get("angry_business_loan_complaint")
    p = sc.persona()
    assert p.initial_variables()["anger"] == 95 and p.spec.stall_turns == 3
    assert "disputes" in catalog.get("evasive_online_loan_already_paid").persona().spec.flags


def test_override_of_unknown_state_is_reported(tmp_path):
    src = (bundled_root() / "scenarios" / "angry_card_reminder.yaml").read_text(encoding="utf-8")
    f = tmp_path / "s.yaml"
    f.write_text(src + "  lines:\n    nirvana: [\"嗯。\"]\n", encoding="utf-8")
    code, out, err = _cli("validate", str(f))
    assert code == 1
    assert f"{f}:" in out and "has no state 'nirvana'" in out


# -- the broken-YAML corpus, through the real command line ---------------------------------------------

def _cli(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    p = subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True,
                       cwd=cwd or REPO, env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


CORPUS = [
    ("syntax_error.yaml", "YAML syntax error"),
    ("wrong_type.yaml", "difficulty: Input should be a valid integer"),
    ("unknown_persona.yaml", "unknown persona 'grumpy'"),
    ("dangling_target.yaml", "unknown state 'nowhere' (dangling transition target)"),
    ("unreachable_state.yaml", "unreachable from the initial state"),
    ("dead_end.yaml", "dead end"),
    ("bad_names.yaml", "collides with an attribute"),
    ("duplicate_key.yaml", "duplicate key 'difficulty'"),
    ("non_utf8.yaml", "not UTF-8"),
    ("empty.yaml", "the file is empty"),
]


@pytest.mark.parametrize("name, words", CORPUS)
def test_broken_file_gives_a_located_finding(name, words):
    path = BROKEN / name
    code, out, err = _cli("validate", str(path))
    assert code in (1, 2)
    assert "Traceback" not in out + err
    lines = [ln for ln in (out + err).splitlines() if words in ln]
    assert lines, out + err
    loc = lines[0].split(": ")[0].removeprefix("error: ")
    p, line, col = loc.rsplit(":", 2)
    assert p == str(path) and int(line) >= 1 and int(col) >= 1


def test_duplicate_scenario_id():
    code, out, err = _cli("validate", str(BROKEN / "duplicate_id"))
    assert code == 1 and "Traceback" not in err
    assert "duplicate scenario id 'twin'" in out
    assert ":1:5:" in out


def test_ten_megabyte_file(tmp_path):
    big = tmp_path / "huge.yaml"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("id: huge\ntitle: 很大\nnotes: |\n")
        line = "  " + "催收" * 50 + "\n"
        while fh.tell() < 10 * 1024 * 1024:
            fh.write(line)
    code, out, err = _cli("validate", str(big))
    assert code in (1, 2) and "Traceback" not in out + err
    assert f"{big}:1:1:" in out and "limit" in out


def test_a_broken_file_in_path_does_not_break_list(tmp_path):
    shutil.copy(BROKEN / "syntax_error.yaml", tmp_path / "bad.yaml")
    code, out, err = _cli("list", "--path", str(tmp_path))
    assert code == 0 and "angry_card_reminder" in out
    assert "syntax_error.yaml" not in err or "bad.yaml" in err
    assert "warning:" in err and "Traceback" not in err


def test_validate_whole_corpus_folder():
    code, out, err = _cli("validate", str(BROKEN))
    assert code == 1 and "Traceback" not in err
    assert len(out.splitlines()) >= len(CORPUS)


def test_validate_missing_file():
    code, out, err = _cli("validate", "no/such/file.yaml")
    assert code in (1, 2) and "no such file" in out + err and "Traceback" not in err


def test_find_respects_priority_and_reports_unknown(tmp_path):
    src = (bundled_root() / "scenarios" / "angry_card_reminder.yaml").read_text(encoding="utf-8")
    (tmp_path / "renamed.yaml").write_text(src.replace("title: 信用卡逾期45天", "title: 改过的"), encoding="utf-8")
    sc = Catalog.find("angry_card_reminder", [tmp_path])
    assert sc.spec.title.startswith("改过的") and sc.origin == "path"
    assert Catalog.find("angry_card_reminder").origin == "bundled"
    from simulator.errors import UserError
    with pytest.raises(UserError, match="unknown scenario 'nope'; known: "):
        Catalog.find("nope")
