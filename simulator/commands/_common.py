"""Helpers shared by the commands."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

from ..errors import UserError
from ..text import reply_problem

#: the most a replies file (``run``, ``grade``) may hold: hundreds of calls' worth of capped replies
MAX_INPUT_BYTES = 16 * 1024 * 1024


def open_input(source: str) -> BinaryIO:
    """FILE opened for reading as bytes: a regular file or a pipe (``<(…)``), not a device or a
    folder; unreadable input is a UserError."""
    try:
        fh = open(source, "rb")  # noqa: SIM115 - the caller closes it
    except FileNotFoundError:
        raise UserError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{source}: is a directory") from None
    except OSError as exc:
        raise UserError(f"{source}: cannot read: {exc.strerror or exc}") from None
    mode = os.fstat(fh.fileno()).st_mode
    if stat.S_ISDIR(mode):
        fh.close()
        raise UserError(f"{source}: is a directory")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        fh.close()
        raise UserError(f"{source}: is a device, not a file (use - for standard input)")
    return fh


def read_input_text(source: str, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """The whole text of FILE, or of standard input for "-", up to ``max_bytes``; unreadable or
    oversized input is a UserError."""
    if source == "-":
        raw = sys.stdin.buffer.read(max_bytes + 1)
    else:
        with open_input(source) as fh:
            try:
                raw = fh.read(max_bytes + 1)
            except OSError as exc:
                raise UserError(f"{source}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise UserError(f"{'stdin' if source == '-' else source}: more than {max_bytes:,} bytes; "
                        "that is not a replies file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{'stdin' if source == '-' else source}: not UTF-8 text") from None


def check_replies(replies: list[str], where: str) -> list[str]:
    """The replies, each within the reply cap; the first that is not is a UserError naming its line."""
    for number, text in enumerate(replies, 1):
        problem = reply_problem(text)
        if problem is not None:
            raise UserError(f"{where}: reply {number}: {problem}")
    return replies


def add_path_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--path", action="append", default=[], metavar="DIR",
                   help="also look for scenarios and personas in DIR (repeatable; wins over bundled ones)")
