"""Editor settings that map the JSON Schema files onto a trainer's work folder.

One table (``MAPPINGS``) says which schema checks which files; each editor's writer turns it into
that editor's own settings file, so VS Code, Neovim and JetBrains IDEs check the same files
against the same schemas:

- ``vscode``: ``.vscode/settings.json`` (``yaml.schemas``, Red Hat's YAML extension), merged into
  an existing file's other settings;
- ``neovim``: ``.nvim.lua`` (read when ``exrc`` is on; configures ``yamlls``);
- ``jetbrains``: ``.idea/jsonSchemas.xml`` (Settings › JSON Schema Mappings).
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import quoteattr

from .errors import UserError

#: schema file -> the files it checks (a leading "!" excludes; VS Code and yamlls understand it)
MAPPINGS: dict[str, list[str]] = {
    "persona.schema.json": ["personas/*.yaml"],
    "scenario.schema.json": ["scenarios/*.yaml", "!scenarios/*.tests.yaml"],
    "tests.schema.json": ["scenarios/*.tests.yaml"],
    "exam.schema.json": ["exams/*.yaml"],
}
EDITORS = ("vscode", "neovim", "jetbrains")


def _rel(schema_dir: Path, folder: Path, name: str) -> str:
    try:
        rel = (schema_dir.resolve() / name).relative_to(folder.resolve())
    except ValueError:  # schemas outside the work folder: an absolute path still works
        return (schema_dir.resolve() / name).as_posix()
    return "./" + PurePosixPath(rel.as_posix()).as_posix()


def vscode(folder: Path, schema_dir: Path) -> Path:
    path = folder / ".vscode" / "settings.json"
    settings: dict = {}
    if path.exists():
        try:
            settings = json.loads(path.read_text(encoding="utf-8") or "{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UserError(f"{path}: not plain JSON ({exc}); add the yaml.schemas entries by hand") from None
        if not isinstance(settings, dict):
            raise UserError(f"{path}: expected a JSON object")
    schemas = settings.get("yaml.schemas") if isinstance(settings.get("yaml.schemas"), dict) else {}
    for name, globs in MAPPINGS.items():
        schemas[_rel(schema_dir, folder, name)] = globs if len(globs) > 1 else globs[0]
    settings["yaml.schemas"] = schemas
    settings.setdefault("yaml.validate", True)
    settings.setdefault("yaml.completion", True)
    settings.setdefault("yaml.hover", True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def neovim(folder: Path, schema_dir: Path) -> Path:
    path = folder / ".nvim.lua"
    rows = []
    for name, globs in MAPPINGS.items():
        items = ", ".join(json.dumps(g) for g in globs)
        rows.append(f'      [{json.dumps(_rel(schema_dir, folder, name))}] = {{ {items} }},')
    body = "\n".join(rows)
    path.write_text(
        "-- collector-sim: YAML schemas for this work folder (written by `collector-sim schema --editor neovim`).\n"
        "-- Neovim reads this file when 'exrc' is on (:set exrc, then :trust it). Needs yaml-language-server.\n"
        "local settings = {\n  yaml = {\n    validate = true,\n    completion = true,\n    hover = true,\n"
        f"    schemas = {{\n{body}\n    }},\n  }},\n}}\n"
        "if vim.lsp.config then\n  vim.lsp.config('yamlls', { settings = settings })\n  vim.lsp.enable('yamlls')\n"
        "else\n  require('lspconfig').yamlls.setup({ settings = settings })\nend\n", encoding="utf-8")
    return path


def jetbrains(folder: Path, schema_dir: Path) -> Path:
    path = folder / ".idea" / "jsonSchemas.xml"
    entries = []
    for name, globs in MAPPINGS.items():
        title = f"collector-sim {name.split('.')[0]}"
        items = "".join(
            "\n                  <Item>\n"
            '                    <option name="pattern" value="true" />\n'
            f"                    <option name=\"path\" value={quoteattr(g)} />\n"
            '                    <option name="mappingKind" value="Pattern" />\n'
            "                  </Item>" for g in globs if not g.startswith("!"))
        rel = _rel(schema_dir, folder, name).removeprefix("./")
        entries.append(
            f"        <entry key={quoteattr(title)}>\n          <value>\n            <SchemaInfo>\n"
            f"              <option name=\"name\" value={quoteattr(title)} />\n"
            f"              <option name=\"relativePathToSchema\" value={quoteattr(rel)} />\n"
            '              <option name="schemaVersion" value="JSON Schema version 7" />\n'
            "              <option name=\"patterns\">\n                <list>"
            f"{items}\n                </list>\n              </option>\n"
            "            </SchemaInfo>\n          </value>\n        </entry>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<project version="4">\n'
        '  <component name="JsonSchemaMappingsProjectConfiguration">\n    <state>\n      <map>\n'
        + "\n".join(entries) + "\n      </map>\n    </state>\n  </component>\n</project>\n", encoding="utf-8")
    return path


WRITERS = {"vscode": vscode, "neovim": neovim, "jetbrains": jetbrains}


def write_settings(editor: str, folder: Path, schema_dir: Path) -> Path:
    return WRITERS[editor](folder, schema_dir)
