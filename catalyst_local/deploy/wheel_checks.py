"""Doctor's online check: every requirement has a wheel for the platform Catalyst runs on."""

from __future__ import annotations

import tempfile
from pathlib import Path

from catalyst_local.deploy import stacks
from catalyst_local.deploy.findings import ERROR, WARNING, Report
from catalyst_local.deploy.pip import PLATFORM, PipSource, download_wheels
from catalyst_local.deploy.requirements import read_requirements
from catalyst_local.deploy.target import Target


def check_wheels(report: Report, target: Target, pip_source: PipSource, timeout: float) -> None:
    """One `pip download` of the whole file; on failure, one per requirement to name the culprits.

    TODO: dependencies are not followed (`--no-deps`), so a dependency without a manylinux wheel
    shows up only at deploy.
    """
    file = target.folder / "requirements.txt"
    version = stacks.python_version(target.stack or "")
    if version is None or not file.is_file():
        return
    requirements, _ = read_requirements(file)
    if not requirements:
        return
    with tempfile.TemporaryDirectory(prefix="catalyst-local-wheels-") as scratch:
        whole = download_wheels(["-r", str(file)], version, Path(scratch), pip_source, timeout)
        if whole.ok:
            return
        if whole.timed_out:
            _report_timeout(report, target, file, whole.message)
            return
        culprits = 0
        for requirement in requirements:
            result = download_wheels([requirement.text], version, Path(scratch), pip_source,
                                     timeout)
            if result.timed_out:
                _report_timeout(report, target, file, result.message)
                return
            if not result.ok:
                culprits += 1
                report.add(ERROR, requirement.file, requirement.name,
                           f"has no {PLATFORM} wheel for Python {version} that pip can fetch "
                           f"(pip: {result.message})",
                           "Pick a version that publishes binary wheels for Linux x86_64, or "
                           "drop the dependency.", target.name)
        if not culprits:
            report.add(ERROR, file, "(file)", f"pip cannot download it (pip: {whole.message})",
                       "Fix the options in the file.", target.name)


def _report_timeout(report: Report, target: Target, file: Path, message: str) -> None:
    report.add(WARNING, file, "(file)", f"could not check the wheels: {message}",
               "Check the network, or run doctor with --offline.", target.name)
