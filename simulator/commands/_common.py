"""Helpers shared by the commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UserError


def read_input_text(source: str) -> str:
    """The whole text of FILE, or of standard input for "-"; unreadable input is a UserError."""
    if source == "-":
        return sys.stdin.read()
    try:
        raw = Path(source).read_bytes()
    except FileNotFoundError:
        raise UserError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{source}: is a directory") from None
    except OSError as exc:
        raise UserError(f"{source}: cannot read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{source}: not UTF-8 text") from None


def add_path_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--path", action="append", default=[], metavar="DIR",
                   help="also look for scenarios and personas in DIR (repeatable; wins over bundled ones)")
