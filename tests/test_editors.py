"""`collector-sim schema --editor …`: every editor maps the same four schemas onto the same files."""

from __future__ import annotations

import fnmatch
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from simulator.cli import main
from simulator.editors import MAPPINGS
from simulator.yamlsrc import load

ROOT = Path(__file__).resolve().parent.parent


def _schema_for(rel: str) -> list[str]:
    """The schema files whose globs take this file (VS Code / yamlls semantics: "!" excludes)."""
    hits = []
    for name, globs in MAPPINGS.items():
        inc = [g for g in globs if not g.startswith("!")]
        exc = [g[1:] for g in globs if g.startswith("!")]
        if any(fnmatch.fnmatch(rel, g) for g in inc) and not any(fnmatch.fnmatch(rel, g) for g in exc):
            hits.append(name)
    return hits


def test_every_bundled_file_has_exactly_one_schema_and_passes_it():
    files = [p for d in ("personas", "scenarios", "exams") for p in sorted((ROOT / d).glob("*.yaml"))]
    assert len(files) > 30
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        names = _schema_for(rel)
        assert len(names) == 1, f"{rel} is mapped to {names}"
        schema = json.loads((ROOT / "schemas" / names[0]).read_text(encoding="utf-8"))
        jsonschema.validate(load(str(path)).data, schema)


def test_vscode_settings_merge_and_map_all_four(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "settings.json").write_text('{"editor.tabSize": 2}', encoding="utf-8")
    assert main(["schema", "--editor", "vscode"]) == 0
    settings = json.loads((tmp_path / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["editor.tabSize"] == 2
    assert set(settings["yaml.schemas"]) == {f"./schemas/{n}" for n in MAPPINGS}
    assert settings["yaml.schemas"]["./schemas/tests.schema.json"] == "scenarios/*.tests.yaml"
    for name in MAPPINGS:
        assert (tmp_path / "schemas" / name).is_file()


def test_vscode_refuses_to_clobber_a_settings_file_it_cannot_read(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "settings.json").write_text("{ // a comment\n}", encoding="utf-8")
    assert main(["schema", "--editor", "vscode"]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert (tmp_path / ".vscode" / "settings.json").read_text(encoding="utf-8") == "{ // a comment\n}"


@pytest.mark.parametrize("editor,path", [("neovim", ".nvim.lua"), ("jetbrains", ".idea/jsonSchemas.xml")])
def test_neovim_and_jetbrains_settings_name_all_four(tmp_path, monkeypatch, capsys, editor, path):
    monkeypatch.chdir(tmp_path)
    assert main(["schema", "--editor", editor, "--out", "schemas"]) == 0
    text = (tmp_path / path).read_text(encoding="utf-8")
    for name, globs in MAPPINGS.items():
        assert name in text
        for g in globs:
            if editor == "neovim" or not g.startswith("!"):
                assert g in text
    if editor == "jetbrains":
        root = ET.fromstring(text)
        assert len(root.findall(".//SchemaInfo")) == 4


def test_the_checkouts_vscode_settings_are_the_generated_ones():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert set(settings["yaml.schemas"]) == {f"./schemas/{n}" for n in MAPPINGS}
