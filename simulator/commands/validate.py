"""``collector-sim validate``: check persona, scenario and exam YAML, findings as path:line:col."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path

from ..errors import Finding, UserError
from ._common import add_path_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario, persona and exam YAML", description=(
        "Check persona, scenario and exam files: schema, unknown persona, dangling or unreachable states, "
        "dead ends, unknown condition/effect names, missing lines, names that collide with the engine; "
        "exams: pass rules and calls naming scenarios that do not exist. "
        "Without PATH: everything found (bundled, ./scenarios, ./personas, ./exams, --path DIR). "
        "Exit 0 when clean, 1 with findings, 2 when a PATH cannot be read."))
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check")
    add_path_option(p)
    p.set_defaults(func=run)


def _readable(p: str) -> Path:
    """A PATH that exists and can be read; otherwise a one-line usage error (exit 2).

    Only folders and regular files: a FIFO would block the open and ``/dev/zero`` never ends."""
    path = Path(p)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise UserError(f"{p}: no such file or directory") from None
    except OSError as exc:
        raise UserError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        if not os.access(path, os.R_OK | os.X_OK):
            raise UserError(f"{p}: cannot read: permission denied")
        return path
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"{p}: not a regular file (a device, pipe or socket); expected a YAML file or a folder")
    try:
        os.close(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)))
    except OSError as exc:
        raise UserError(f"{p}: cannot read: {exc.strerror or exc}") from None
    return path


def _files(paths: list[Path]) -> list[Path]:
    """The YAML files named or held by the PATHs: a folder's own files and those in its
    ``scenarios/``, ``personas/`` and ``exams/`` folders."""
    from ..scenario import _yaml_files

    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            for folder in (p, p / "scenarios", p / "personas", p / "exams"):
                out += _yaml_files(folder)
        else:
            out.append(p)
    return list(dict.fromkeys(out))


def _check_paths(args: argparse.Namespace) -> tuple[list[Finding], int]:
    from ..certify.exam import check_exam, exam_search_dir, looks_like_exam
    from ..scenario import Catalog, check_files

    files = _files([_readable(p) for p in args.paths])
    exams = [f for f in files if looks_like_exam(f)]
    others = [f for f in files if f not in exams]
    findings: list[Finding] = []
    if others:
        findings += check_files(others, args.path)[0]
    catalogs: dict[Path, Catalog] = {}
    for f in exams:
        where = exam_search_dir(f)
        if where not in catalogs:
            catalogs[where] = Catalog.discover([*args.path, where])
        findings += check_exam(f, catalogs[where])[1]
    return findings, len(files)


def run(args: argparse.Namespace) -> int:
    from ..certify.exam import ExamCatalog
    from ..scenario import Catalog

    if args.paths:
        findings, count = _check_paths(args)
    else:
        cat = Catalog.discover(args.path)
        exams = ExamCatalog.discover(args.path)
        findings = cat.validate_all() + exams.check(cat)
        count = len(cat.files) + len(exams.files)
    findings = sorted(set(findings), key=lambda f: (f.path, f.line, f.col, f.message))
    for f in findings:
        print(str(f))
    if findings:
        print(f"{len(findings)} problem(s) in {len({f.path for f in findings})} of {count} file(s)", file=sys.stderr)
        return 1
    print(f"ok: {count} file(s) checked")
    return 0
