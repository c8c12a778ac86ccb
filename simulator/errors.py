"""Errors a user can act on.

Every error that reaches the command line is one line: ``error: …`` (usage or unreadable
input, exit 2) or a list of ``path:line:col: message`` findings (exit 1 or 2).
"""

from __future__ import annotations

from dataclasses import dataclass


class UserError(Exception):
    """Bad input from the user: printed as one ``error: …`` line, exit code 2."""

    exit_code = 2


@dataclass(frozen=True)
class Finding:
    """One problem found in a file, pointing at the place to fix."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class LoadError(UserError):
    """A data file (rule pack, persona, scenario, exam) could not be loaded."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("; ".join(str(f) for f in findings))
