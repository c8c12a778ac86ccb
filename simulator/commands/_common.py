"""Helpers shared by the scenario commands (run, list, validate, graph)."""

from __future__ import annotations

import argparse


def add_path_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--path", action="append", default=[], metavar="DIR",
                   help="also look for scenarios and personas in DIR (repeatable; wins over bundled ones)")
