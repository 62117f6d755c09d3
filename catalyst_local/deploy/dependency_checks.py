"""Doctor's checks that a function's imports will resolve in Catalyst.

In the cloud a function sees the standard library, the packages the runtime itself loads (Flask,
requests), its own folder, and what `requirements.txt` installs into that folder. Anything else,
such as shared code that lives beside the function folder, is missing after deploy.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

from catalyst_local.deploy import environment, layout, source
from catalyst_local.deploy.findings import ERROR, WARNING, Report
from catalyst_local.deploy.ignore import matching_pattern
from catalyst_local.deploy.requirements import Requirement, normalize, read_requirements
from catalyst_local.deploy.target import ProjectFiles, Target

SDK_MODULE, SDK_DIST, SDK_VERSION = "zcatalyst_sdk", "zcatalyst-sdk", "1.4.0"


def check_dependencies(report: Report, project: ProjectFiles, target: Target) -> None:
    requirements_file = target.folder / "requirements.txt"
    requirements = _check_requirements(report, target, requirements_file)
    uses = _imports(report, project, target)

    listed = {requirement.key for requirement in requirements}
    closure = environment.dependency_closure(listed)
    provided = set().union(*(environment.modules_of(key) for key in listed))
    in_folder = layout.root_modules(target.folder)
    seen: set[str] = set()
    for use in uses:
        if use.module in seen:
            continue
        seen.add(use.module)
        if use.module == SDK_MODULE:
            if normalize(SDK_DIST) not in listed:
                where = f"{report.relative(use.file)} line {use.line}"
                report.add(ERROR, requirements_file, SDK_DIST,
                           f"is not listed, but the code imports {SDK_MODULE} ({where})",
                           f"Add {SDK_DIST}=={_version_hint(SDK_DIST, SDK_VERSION)}.",
                           target.name)
            continue
        if (use.module in environment.STDLIB_MODULES or use.module in environment.RUNTIME_MODULES
                or use.module in provided or normalize(use.module) in listed):
            continue
        if use.module in in_folder:
            _check_not_ignored(report, project, target, use)
            continue
        _report_unresolved(report, project, target, use, closure)
    _check_vendored_copies(report, project, target, in_folder)


def _check_requirements(report: Report, target: Target, file: Path) -> list[Requirement]:
    if not file.is_file():
        report.add(WARNING, file, "(file)",
                   "is missing; Catalyst installs a function's dependencies from it",
                   f"Create it with {SDK_DIST}=={SDK_VERSION} and the function's other "
                   "dependencies, each pinned with ==.", target.name)
        return []
    requirements, bad_lines = read_requirements(file)
    for bad in bad_lines:
        report.add(WARNING, bad.file, f"line {bad.line}", "cannot be read as a requirement",
                   "Write it as name==version.", target.name)
    for requirement in requirements:
        pinned_by_runtime = environment.RUNTIME_PINS.get(requirement.key)
        if pinned_by_runtime and requirement.pinned_version != pinned_by_runtime:
            report.add(WARNING, requirement.file, requirement.name,
                       f"has no effect: the runtime loads {requirement.name} {pinned_by_runtime} "
                       "before the function's code",
                       f"Remove it, or pin {requirement.key}=={pinned_by_runtime}.", target.name)
        elif requirement.specifier.startswith("@"):
            report.add(WARNING, requirement.file, requirement.name,
                       "is installed from a URL, not a pinned version",
                       f"Pin a released version: {requirement.key}==<version>.", target.name)
        elif not requirement.pinned:
            shown = f"'{requirement.specifier}'" if requirement.specifier else "no version"
            report.add(WARNING, requirement.file, requirement.name,
                       f"is not pinned to one version ({shown}); each deploy installs the "
                       "newest match",
                       f"Pin it: {requirement.key}=={_version_hint(requirement.key)}.",
                       target.name)
    return requirements


def _imports(report: Report, project: ProjectFiles, target: Target) -> list[source.ImportUse]:
    uses: list[source.ImportUse] = []
    for path in layout.own_python_files(target.folder, project.ignore):
        try:
            tree = source.parse(path)
        except SyntaxError as exc:
            if path != target.main:  # the handler check reports the entry file's own
                report.add(ERROR, path, f"line {exc.lineno}", f"does not parse ({exc.msg})",
                           "Fix the syntax error.", target.name)
            continue
        uses += source.absolute_imports(tree, path)
    return uses


def _check_not_ignored(report: Report, project: ProjectFiles, target: Target,
                       use: source.ImportUse) -> None:
    pattern = matching_pattern(use.module, project.ignore) or matching_pattern(
        f"{use.module}.py", project.ignore)
    if pattern is not None:
        report.add(ERROR, use.file, f"import {use.module}",
                   f"functions.ignore pattern '{pattern}' leaves it out of the deploy zip",
                   "Narrow or remove the pattern.", target.name)


def _report_unresolved(report: Report, project: ProjectFiles, target: Target,
                       use: source.ImportUse, closure: set[str]) -> None:
    key = f"import {use.module}"
    shared = _shared_location(project, target, use.module)
    if shared is not None:
        script = project.vendoring_script()
        fix = (f"Run the project's predeploy script ({script}), which copies shared code into "
               "each function folder." if script else
               f"Copy it into {report.relative(target.folder)}, or add a "
               "functions.scripts.predeploy script that does.")
        report.add(ERROR, use.file, key,
                   f"{use.module} exists only outside the function folder "
                   f"({report.relative(shared)}), so the deploy zip leaves it out",
                   fix, target.name)
        return
    dists = environment.distributions_by_module().get(use.module, ())
    if dists and not closure.intersection(dists):
        dist = dists[0]
        report.add(ERROR, use.file, key,
                   f"comes from the distribution {dist}, which requirements.txt does not list",
                   f"Add {dist}=={_version_hint(dist)} to requirements.txt.", target.name)
    elif not dists:
        report.add(WARNING, use.file, key,
                   "resolves to no standard library module, no file in the function folder "
                   "and no requirement doctor can map",
                   "Add the distribution that provides it to requirements.txt; if it is listed "
                   "already, install the requirements here so doctor can see their import names.",
                   target.name)


def _shared_location(project: ProjectFiles, target: Target, module: str) -> Path | None:
    """Where the project keeps `module` outside the function folder, if anywhere."""
    for folder in _shared_folders(project, target):
        for candidate in (folder / module, folder / f"{module}.py"):
            if candidate.exists():
                return candidate
    return None


def _shared_folders(project: ProjectFiles, target: Target) -> list[Path]:
    """Folders beside the functions (like functions/_common), the source folder, the root, and
    last the other function folders."""
    others = [project.source_dir / name for name in project.targets if name != target.name]
    beside = []
    if project.source_dir.is_dir():
        beside = sorted(entry for entry in project.source_dir.iterdir()
                        if entry.is_dir() and entry.name not in project.targets)
    return [*beside, project.source_dir, project.root, *others]


def _check_vendored_copies(report: Report, project: ProjectFiles, target: Target,
                           in_folder: set[str]) -> None:
    """A package copied in from shared code should match its source, or the deploy ships stale
    code (the predeploy script refreshes it, but only when it runs)."""
    if not project.source_dir.is_dir():
        return
    for entry in sorted(project.source_dir.iterdir()):
        if not entry.is_dir() or entry.name in project.targets:
            continue
        for name in sorted(in_folder):
            shared, copy = entry / name, target.folder / name
            if shared.is_dir() and copy.is_dir() and not _same_tree(shared, copy):
                script = project.vendoring_script() or "the script that copies it"
                report.add(WARNING, copy, "(folder)", f"differs from {report.relative(shared)}",
                           f"Run {script} to refresh the copy.", target.name)


def _same_tree(left: Path, right: Path) -> bool:
    compared = filecmp.dircmp(left, right, ignore=["__pycache__"])
    left_only = [name for name in compared.left_only if not name.endswith(".pyc")]
    right_only = [name for name in compared.right_only if not name.endswith(".pyc")]
    if left_only or right_only or compared.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, compared.common_files, shallow=False)
    return not mismatch and not errors and all(
        _same_tree(left / sub, right / sub) for sub in compared.common_dirs)


def _version_hint(dist: str, fallback: str = "<version>") -> str:
    return environment.installed_version(dist) or fallback
