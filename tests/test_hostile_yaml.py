"""Hostile YAML (issue 12 point 6): alias bombs, deep nesting, devices, FIFOs, huge numbers, loops.

Each file is refused with one ``path:line:col`` finding (or a one-line error), never a traceback,
a hang or gigabytes of memory; the subprocess timeout is only a safety net, not a measurement.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator import yamlsrc
from simulator.errors import LoadError

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=60)


def alias_bomb() -> str:
    """487 bytes in the issue; nine levels of nine aliases: 387 million strings if expanded."""
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    return text


def findings(text: str, name: str = "x.yaml") -> list[str]:
    with pytest.raises(LoadError) as exc:
        yamlsrc.parse(text, name)
    return [str(f) for f in exc.value.findings]


def test_an_alias_bomb_is_one_finding_where_it_crosses_the_cap():
    (found,) = findings(alias_bomb())
    assert found.startswith("x.yaml:")
    line = int(found.split(":")[1])
    assert 2 <= line <= 9 and "aliases count in full" in found


def test_nesting_deeper_than_the_cap_is_a_finding_not_a_recursion_error():
    for text in ("[" * 900 + "]" * 900, "a: " + "[" * 100_000, "{a: " * 5_000 + "}" * 5_000):
        (found,) = findings(text)
        assert f"nested more than {yamlsrc.MAX_DEPTH} levels deep" in found
        assert found.startswith(f"x.yaml:1:{yamlsrc.MAX_DEPTH + 1}") or found.startswith("x.yaml:1:")


def test_block_nesting_is_capped_too():
    text = "".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "v\n"
    (found,) = findings(text)
    assert f"x.yaml:{yamlsrc.MAX_DEPTH + 1}:" in found and "levels deep" in found


def test_an_alias_that_deepens_past_the_cap_is_caught():
    deep = "[" * 40 + "1" + "]" * 40
    (found,) = findings(f"a: &a {deep}\nb: " + "[" * 20 + "*a" + "]" * 20)
    assert "through an alias" in found


def test_an_alias_loop_and_an_undefined_alias_are_findings():
    assert "a loop" in findings("a: &a [1, *a]\n")[0]
    assert "undefined alias" in findings("a: *nope\n")[0]


def test_ordinary_aliases_still_work():
    doc = yamlsrc.parse("base: &b {x: 1, y: [1, 2]}\ncopy: *b\n", "ok.yaml")
    assert doc.data == {"base": {"x": 1, "y": [1, 2]}, "copy": {"x": 1, "y": [1, 2]}}
    assert doc.positions[("copy",)] == (1, 7)   # an alias's values point at the anchored text


def test_a_5000_digit_number_is_a_located_finding():
    (found,) = findings("a: 1\nid: " + "7" * 5000 + "\n")
    assert found.startswith("x.yaml:2:5: cannot read this value")


def test_several_documents_and_empty_files_are_findings():
    assert findings("a: 1\n---\nb: 2\n") == ["x.yaml:2:1: one YAML document per file, found several"]
    assert findings("# nothing\n")[0].endswith("the file is empty; expected a YAML mapping")


def test_strings_lose_control_characters_and_keep_markup_as_text():
    doc = yamlsrc.parse('title: "A\\e]0;pwned\\aB [/oops] \\u202eC\\tD\\nE\\x9bF"\n', "t.yaml")
    assert doc.data["title"] == "A]0;pwnedB [/oops] C\tD\nEF"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(LoadError) as exc:
        yamlsrc.load(fifo)
    assert "not a regular file" in str(exc.value)
    proc = cli("validate", str(fifo), cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith("error:") and "not a regular file" in proc.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_is_refused_at_once(tmp_path):
    with pytest.raises(LoadError) as exc:
        yamlsrc.load("/dev/zero")
    assert "not a regular file" in str(exc.value)
    proc = cli("validate", "/dev/zero", cwd=tmp_path)
    assert proc.returncode == 2 and "not a regular file" in proc.stderr and "Traceback" not in proc.stderr


def test_the_byte_cap_holds_when_the_size_reads_zero(tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    big.write_text("a: 1\n" + "#" * 300 + "\n")
    real_fstat = os.fstat

    class Zero:
        def __init__(self, st):
            self.st_mode, self.st_size = st.st_mode, 0

    monkeypatch.setattr(yamlsrc.os, "fstat", lambda fd: Zero(real_fstat(fd)))
    with pytest.raises(LoadError) as exc:
        yamlsrc.read_text(big, max_bytes=100)
    assert "more than 100 bytes" in str(exc.value)
    assert yamlsrc.read_text(big, max_bytes=1000).startswith("a: 1")


@pytest.mark.parametrize("command", [["list"], ["validate"], ["list", "--json"]])
def test_the_commands_survive_hostile_files_in_the_working_folder(tmp_path, command):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "bomb.yaml").write_text(alias_bomb())
    (tmp_path / "scenarios" / "deep.yaml").write_text("[" * 900 + "]" * 900)
    proc = cli(*command, cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    assert "bomb.yaml:" in proc.stderr + proc.stdout and "deep.yaml:1:" in proc.stderr + proc.stdout
    if command[0] == "list":
        assert proc.returncode == 0 and "angry_card_reminder" in proc.stdout
    else:
        assert proc.returncode == 1


def test_grade_and_exams_survive_a_bomb_in_exams(tmp_path):
    (tmp_path / "exams").mkdir()
    (tmp_path / "exams" / "bomb.yaml").write_text(alias_bomb())
    proc = cli("exams", cwd=tmp_path)
    assert "Traceback" not in proc.stderr and "bomb.yaml:" in proc.stdout + proc.stderr


def test_list_prints_no_control_characters_from_a_title(tmp_path):
    text = (ROOT / "scenarios" / "angry_card_reminder.yaml").read_text(encoding="utf-8")
    text = text.replace("id: angry_card_reminder", "id: osc_title").replace(
        "title: 信用卡逾期45天,客户一接电话就发火", 'title: "改名\\e]0;pwned\\a\\e[2J[/oops]"')
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "osc_title.yaml").write_text(text, encoding="utf-8")
    for args in (["list"], ["list", "--json"], ["run", "osc_title", "--replies", "-"]):
        proc = subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True,
                              cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, input="您好\n", timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
        assert "改名]0;pwned[2J[/oops]" in proc.stdout
