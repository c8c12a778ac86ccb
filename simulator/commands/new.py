"""``collector-sim new scenario``: a valid, commented scenario to start from."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import UserError
from ._common import add_path_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="start a new scenario or persona variant from a commented template", description=(
        "Write a new file to start from. 'new scenario --persona P --id ID' writes DIR/ID.yaml "
        "(default DIR: ./scenarios): a case file that suits the persona, comments in Chinese and English "
        "on every field, and two test calls; 'validate' and 'test' pass on it as written. "
        "'new persona --from KIND --id ID' writes a commented copy of a persona to change (./personas)."))
    kinds = p.add_subparsers(dest="kind", metavar="KIND", parser_class=type(p))
    kinds.required = True
    s = kinds.add_parser("scenario", help="a new scenario file", description=(
        "Write DIR/ID.yaml for persona P. Refuses to overwrite a file or to reuse a scenario id."))
    s.add_argument("--persona", required=True, metavar="P", help="the persona id (angry, evasive, hardship, lost_contact, …)")
    s.add_argument("--id", required=True, metavar="ID", help="the new scenario's id: lower_snake_case")
    s.add_argument("--out", default="scenarios", metavar="DIR", help="where to write it (default: scenarios)")
    add_path_option(s)
    s.set_defaults(func=run)
    v = kinds.add_parser("persona", help="a persona variant: a commented copy of a persona to change", description=(
        "Write DIR/ID.yaml (default DIR: ./personas): a copy of persona KIND with its comments, a new id, "
        "and kind: set so reports still say which kind of debtor it is. Change its lines, answers and "
        "numbers; 'validate' passes on it as written. Refuses to overwrite a file or to reuse a persona id."))
    v.add_argument("--from", dest="source", required=True, metavar="KIND",
                   help="the persona to copy (angry, evasive, hardship, lost_contact, angry_en, …)")
    v.add_argument("--id", required=True, metavar="ID", help="the new persona's id: lower_snake_case")
    v.add_argument("--out", default="personas", metavar="DIR", help="where to write it (default: personas)")
    add_path_option(v)
    v.set_defaults(func=run_persona)


def _schema_ref(out: Path) -> str | None:
    """A relative path from the new file to scenario.schema.json, if one is near."""
    for base in (out, out.parent, Path.cwd()):
        candidate = base / "schemas" / "scenario.schema.json"
        if candidate.is_file():
            return Path(os.path.relpath(candidate.resolve(), out.resolve())).as_posix()
    return None


def _new_target(args: argparse.Namespace, example: str) -> tuple[Path, Path]:
    """``--out``/``--id`` checked the same way for every kind of new file: the folder and the file."""
    from ..scaffold import ID_PATTERN

    if not ID_PATTERN.match(args.id):
        raise UserError(f"--id {args.id!r}: an id is lower_snake_case, 2-64 characters: a letter first, then "
                        f"letters, digits or _ (e.g. {example})")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {args.out}: not a directory")
    target = out / f"{args.id}.yaml"
    if target.exists():
        raise UserError(f"{target} already exists; not overwriting it (choose another --id, or another --out)")
    return out, target


def run(args: argparse.Namespace) -> int:
    from ..scaffold import scenario_yaml
    from ..scenario import Catalog, check_files

    sid = args.id
    out, target = _new_target(args, "hardship_medical_bills")
    cat = Catalog.discover(args.path)
    path = cat.persona_path(args.persona)
    if path is None:
        known = ", ".join(sorted(cat.persona_paths)) or "none found"
        raise UserError(f"--persona {args.persona!r}: unknown persona (known: {known})")
    persona, findings = cat.persona(path)
    if persona is None or findings:
        raise UserError(f"--persona {args.persona!r}: {path} has problems; run 'collector-sim validate {path}'")
    if sid in cat.scenarios:
        raise UserError(f"--id {sid!r} is already taken by {cat.scenarios[sid].path}; choose another id")
    ref = _schema_ref(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8") as fh:  # "x": never overwrite, even in a race
            fh.write(scenario_yaml(persona, sid, ref, target.as_posix(), cat))
    except FileExistsError:
        raise UserError(f"{target} already exists; not overwriting it") from None
    except OSError as exc:
        raise UserError(f"{target}: cannot write: {exc.strerror}") from None
    problems, _ = check_files([target], args.path)
    for f in problems:  # pragma: no cover - the templates are tested to validate
        print(str(f))
    print(f"wrote {target}")
    print(f"next: edit it, then 'collector-sim validate {target}' and 'collector-sim test {target}'",
          file=sys.stderr)
    if ref is None:
        print("tip: run 'collector-sim schema' once for completion and checking in your editor (AUTHORING.md)",
              file=sys.stderr)
    return 1 if problems else 0


def _write_new(target: Path, text: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8") as fh:  # "x": never overwrite, even in a race
            fh.write(text)
    except FileExistsError:
        raise UserError(f"{target} already exists; not overwriting it") from None
    except OSError as exc:
        raise UserError(f"{target}: cannot write: {exc.strerror}") from None


def run_persona(args: argparse.Namespace) -> int:
    from ..scaffold import persona_variant_yaml
    from ..scenario import Catalog, check_files

    pid = args.id
    _, target = _new_target(args, "angry_restaurant_owner")
    cat = Catalog.discover(args.path)
    if pid in cat.persona_paths:
        raise UserError(f"--id {pid!r} is already taken by {cat.persona_paths[pid]}; choose another id")
    path = cat.persona_path(args.source)
    if path is None:
        known = ", ".join(sorted(cat.persona_paths)) or "none found"
        raise UserError(f"--from {args.source!r}: unknown persona (known: {known})")
    persona, findings = cat.persona(path)
    if persona is None or findings:
        raise UserError(f"--from {args.source!r}: {path} has problems; run 'collector-sim validate {path}'")
    text = persona_variant_yaml(Path(path).read_text(encoding="utf-8"), persona, pid, target.as_posix())
    _write_new(target, text)
    problems, _ = check_files([target], args.path)
    for f in problems:  # pragma: no cover - the copy of a valid persona is valid
        print(str(f))
    print(f"wrote {target}")
    print(f"next: change its lines and numbers, then 'collector-sim validate {target}'; use it in a scenario "
          f"with 'collector-sim new scenario --persona {pid} --id …' (AUTHORING.md: persona variants)", file=sys.stderr)
    return 1 if problems else 0
