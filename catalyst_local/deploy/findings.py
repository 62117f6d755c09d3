"""What doctor reports: one finding per problem, each saying where it is and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ERROR = "ERROR"
WARNING = "WARNING"


@dataclass(frozen=True)
class Finding:
    level: str  # ERROR blocks a working deploy; WARNING deploys but is likely wrong
    file: str  # relative to the project folder, with forward slashes
    key: str  # the JSON key, requirement, import or "(file)" the finding is about
    what: str  # the problem, without a final full stop
    fix: str  # what to do, as a sentence
    function: str | None = None  # the function target it belongs to, if any

    def line(self) -> str:
        return f"{self.level} {self.file}: {self.key}: {self.what}. {self.fix}"


def has_errors(findings: list[Finding]) -> bool:
    return any(finding.level == ERROR for finding in findings)


def summary(findings: list[Finding]) -> str:
    errors = sum(finding.level == ERROR for finding in findings)
    warnings = len(findings) - errors
    if not findings:
        return "doctor: no problems found"
    return f"doctor: {_count(errors, 'error')}, {_count(warnings, 'warning')}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


class Report:
    """Collects findings, naming files relative to the project folder."""

    def __init__(self, root: Path):
        self.root = root
        self.findings: list[Finding] = []

    def add(self, level: str, path: Path | str, key: str, what: str, fix: str,
            function: str | None = None) -> None:
        self.findings.append(Finding(level, self.relative(path), key, what, fix, function))

    def relative(self, path: Path | str) -> str:
        path = Path(path)
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()
