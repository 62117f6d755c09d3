"""`catalyst-local doctor`: checks a project as Catalyst would see it at deploy.

It reads files and parses code with `ast`; it never imports the user's code. Each problem is one
finding saying where it is and how to fix it. Only the wheel check reaches for a package index,
through pip, and `--offline` skips it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalyst_local.deploy import (
    config_checks,
    dependency_checks,
    entry_checks,
    jsonfile,
    wheel_checks,
)
from catalyst_local.deploy.findings import ERROR, WARNING, Finding, Report
from catalyst_local.deploy.pip import PipSource
from catalyst_local.deploy.target import ProjectFiles, Target
from catalyst_local.project import ConfigError, load_project

logger = logging.getLogger("catalyst_local.deploy")


@dataclass(frozen=True)
class DoctorOptions:
    offline: bool = False
    pip_source: PipSource = field(default_factory=PipSource)
    pip_timeout: float = 120.0
    functions: tuple[str, ...] = ()  # only these targets; all when empty


def diagnose(root: Path | str, options: DoctorOptions | None = None) -> list[Finding]:
    """Every finding for the project at `root`, in file order."""
    options = options or DoctorOptions()
    report = Report(Path(root).resolve())
    project = _read_project(report)
    if project is None:
        return report.findings
    for name in project.targets:
        if options.functions and name not in options.functions:
            continue
        _check_function(report, project, name, options)
    _check_as_server_would(report)
    return report.findings


def _read_project(report: Report) -> ProjectFiles | None:
    file = report.root / "catalyst.json"
    config, problem = jsonfile.read_object(file)
    if config is None:
        fix = ("Run doctor in the project folder, or pass --project."
               if problem == jsonfile.MISSING else "Fix the JSON.")
        report.add(ERROR, file, "(file)", problem, fix)
        return None
    functions = config.get("functions", {})
    if not isinstance(functions, dict):
        report.add(ERROR, file, "functions", "must be an object",
                   "Write it as {\"targets\": [...], \"source\": \"functions\"}.")
        return None

    source_key, source = "functions.source", functions.get("source")
    if source is None and "folder_path" in functions:
        source_key, source = "functions.folder_path", functions["folder_path"]
        report.add(WARNING, file, source_key, "is ignored by the Catalyst CLI",
                   "Rename it to functions.source.")
    source_dir = (report.root / (source if isinstance(source, str) and source else "functions"))
    source_dir = source_dir.resolve()
    if not source_dir.is_relative_to(report.root):
        report.add(ERROR, file, source_key, "points outside the project folder",
                   "Use a folder inside the project, such as \"functions\".")
        return None

    project = ProjectFiles(root=report.root, config_path=file, source_dir=source_dir,
                           ignore=_strings(report, file, functions, "ignore"),
                           scripts=_scripts(report, file, functions))
    for target in _strings(report, file, functions, "targets"):
        if "/" in target or "\\" in target or target in ("", ".", ".."):
            report.add(ERROR, file, "functions.targets",
                       f"'{target}' is not a folder name", "Remove the path separators.")
        elif not (source_dir / target).is_dir():
            report.add(ERROR, file, "functions.targets",
                       f"'{target}' has no folder at {report.relative(source_dir / target)}",
                       f"Create the folder, or remove '{target}' from functions.targets.")
        else:
            project.targets.append(target)
    if not functions.get("targets"):
        report.add(WARNING, file, "functions.targets", "names no functions",
                   "List the function folders to deploy.")
    return project


def _strings(report: Report, file: Path, functions: dict[str, Any], key: str) -> list[str]:
    value = functions.get(key, [])
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    report.add(ERROR, file, f"functions.{key}", "must be a list of strings",
               "Write it as [\"...\", \"...\"].")
    return []


def _scripts(report: Report, file: Path, functions: dict[str, Any]) -> dict[str, str]:
    scripts = functions.get("scripts", {})
    if isinstance(scripts, dict):
        return {hook: command for hook, command in scripts.items() if isinstance(command, str)}
    report.add(ERROR, file, "functions.scripts", "must be an object of hook names to commands",
               "Write it as {\"predeploy\": \"...\"}.")
    return {}


def _check_function(report: Report, project: ProjectFiles, name: str,
                    options: DoctorOptions) -> None:
    folder = project.source_dir / name
    target = Target(name=name, folder=folder, config_path=folder / "catalyst-config.json")
    if not config_checks.read_config(report, target):
        return
    config_checks.check_deployment(report, target)
    entry_checks.check_execution(report, target)
    entry_checks.check_ignore(report, target, project.config_path, project.ignore)
    entry_checks.check_handler(report, target)
    dependency_checks.check_dependencies(report, project, target)
    if not options.offline:
        logger.info("Checking wheels for function %s", name)
        wheel_checks.check_wheels(report, target, options.pip_source, options.pip_timeout)


def _check_as_server_would(report: Report) -> None:
    """Anything else `catalyst-local serve` refuses, such as a broken Event Listener rule."""
    try:
        load_project(report.root)
    except ConfigError as error:
        file = report.relative(error.file)
        if not any(f.file == file and f.key == error.key for f in report.findings):
            report.add(ERROR, error.file, error.key, error.rule,
                       "catalyst-local serve refuses the project until it is fixed.")
