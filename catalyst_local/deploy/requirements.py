"""Reads a function's `requirements.txt` the way pip does, far enough to check it.

Only requirement lines matter here: options (`--index-url`, `-c`, ...) are skipped and `-r`
includes are followed. A line is pinned when it names exactly one version with `==` or `===`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$")
_PIN = re.compile(r"^={2,3}\s*[A-Za-z0-9][A-Za-z0-9.+!_-]*$")


@dataclass(frozen=True)
class Requirement:
    name: str  # as written
    specifier: str  # the version part as written, without markers; "" when there is none
    text: str  # the whole requirement as pip would take it on the command line
    file: Path
    line: int

    @property
    def key(self) -> str:
        return normalize(self.name)

    @property
    def pinned(self) -> bool:
        return bool(_PIN.match(self.specifier)) and "*" not in self.specifier

    @property
    def pinned_version(self) -> str | None:
        return self.specifier.lstrip("=").strip() if self.pinned else None


@dataclass(frozen=True)
class BadLine:
    file: Path
    line: int
    text: str


def normalize(name: str) -> str:
    """A distribution name as package indexes compare it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_requirements(path: Path) -> tuple[list[Requirement], list[BadLine]]:
    requirements: list[Requirement] = []
    bad: list[BadLine] = []
    _read(path, requirements, bad, seen=set())
    return requirements, bad


def _read(path: Path, requirements: list[Requirement], bad: list[BadLine],
          seen: set[Path]) -> None:
    path = path.resolve()
    if path in seen:
        return
    seen.add(path)
    for number, text in _logical_lines(path.read_text(encoding="utf-8")):
        if text.startswith("-"):
            option, _, value = text.partition(" ")
            if option in ("-r", "--requirement") and value.strip():
                included = path.parent / value.strip()
                if included.is_file():
                    _read(included, requirements, bad, seen)
                else:
                    bad.append(BadLine(path, number, text))
            continue
        parsed = _parse(text, path, number)
        if parsed is None:
            bad.append(BadLine(path, number, text))
        else:
            requirements.append(parsed)


def _logical_lines(content: str) -> list[tuple[int, str]]:
    """Lines with comments removed and backslash continuations joined, numbered from 1."""
    lines: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(content.splitlines(), start=1):
        text = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not pending:
            start = number
        if text.endswith("\\"):
            pending += text[:-1] + " "
            continue
        text = (pending + text).strip()
        pending = ""
        if text:
            lines.append((start, text))
    return lines


def _parse(text: str, path: Path, number: int) -> Requirement | None:
    requirement, _, _marker = text.partition(";")
    match = _NAME.match(requirement)
    if match is None:
        return None
    name, _extras, rest = match.groups()
    rest = rest.strip()
    if rest and not rest.startswith(("=", "<", ">", "!", "~", "@", "(")):
        return None
    specifier = rest.strip("()").strip()
    return Requirement(name=name, specifier=specifier, text=text.strip(), file=path, line=number)
