"""`catalyst-local package`: the folder or zip `catalyst deploy` would upload for each function.

It mirrors the deploy steps: run the project's `predeploy` script once (it copies shared code into
the function folders), copy each function folder minus `functions.ignore`, and install
`requirements.txt` into the folder root with `pip install --target`, where the runtime's
`sys.path` finds it. The result imports and runs with nothing else on the path.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from catalyst_local.deploy import jsonfile, layout, stacks
from catalyst_local.deploy.pip import PipSource, platform_args, run_pip
from catalyst_local.project import Function, Project

logger = logging.getLogger("catalyst_local.deploy")

SCRIPT_TIMEOUT_S = 300
INSTALL_TIMEOUT_S = 900


class PackageError(Exception):
    """A package could not be built; the message says which step failed and why."""


@dataclass(frozen=True)
class PackageOptions:
    out_dir: Path
    as_zip: bool = False
    manylinux: bool = False  # install Catalyst's platform wheels instead of this machine's
    install_dependencies: bool = True
    pip_source: PipSource = field(default_factory=PipSource)


@dataclass(frozen=True)
class Packaged:
    function: str
    path: Path
    size: int  # bytes: of the zip, or of every file in the folder
    files: int


def run_predeploy(project: Project) -> str | None:
    """Runs `functions.scripts.predeploy` from the project folder, as `catalyst deploy` does.

    `python` in the script means this interpreter: its folder goes first on PATH.
    Returns the script run, or None when the project has none.
    """
    script = project.scripts.get("predeploy")
    if not isinstance(script, str) or not script.strip():
        return None
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                                  os.environ.get("PATH", "")])}
    logger.info("Running predeploy script %s", script)
    try:
        completed = subprocess.run(script, shell=True, cwd=project.root, env=env,
                                   capture_output=True, text=True, timeout=SCRIPT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise PackageError(f"the predeploy script ({script}) did not finish within "
                           f"{SCRIPT_TIMEOUT_S} s") from None
    if completed.returncode != 0:
        last = (completed.stderr.strip() or completed.stdout.strip()).splitlines()[-1:]
        detail = f": {last[0]}" if last else ""
        raise PackageError(f"the predeploy script ({script}) exited "
                           f"{completed.returncode}{detail}")
    return script


def ignore_patterns(project: Project) -> list[str]:
    config, _ = jsonfile.read_object(project.root / "catalyst.json")
    functions = (config or {}).get("functions", {})
    patterns = functions.get("ignore", []) if isinstance(functions, dict) else []
    return [pattern for pattern in patterns if isinstance(pattern, str)]


def package_function(project: Project, function: Function, options: PackageOptions) -> Packaged:
    """Builds one function's deploy folder (or zip) under `options.out_dir`."""
    out_dir = options.out_dir.resolve()
    if out_dir.is_relative_to(function.directory.resolve()):
        raise PackageError(f"--out {out_dir} is inside the function folder of {function.name}; "
                           "choose a folder outside it")
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / f".{function.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        _copy_function(function, ignore_patterns(project), staging)
        if options.install_dependencies and (staging / "requirements.txt").is_file():
            _install_requirements(function, staging, options)
        return _finish(function, staging, out_dir, options.as_zip)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _copy_function(function: Function, patterns: list[str], staging: Path) -> None:
    for path in layout.deployed_files(function.directory, patterns):
        relative = path.relative_to(function.directory)
        if "__pycache__" in relative.parts:
            continue  # bytecode of this machine's interpreter is no use in the cloud
        destination = staging / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)


def _install_requirements(function: Function, staging: Path, options: PackageOptions) -> None:
    arguments = ["install", "--target", str(staging), "--no-compile", "--no-warn-script-location",
                 "-r", str(staging / "requirements.txt"), *options.pip_source.args()]
    if options.manylinux:
        version = stacks.python_version(function.stack)
        if version is None:
            raise PackageError(f"{function.name} has no Python stack to pick wheels for")
        arguments += ["--only-binary=:all:", *platform_args(version)]
    logger.info("Installing requirements of function %s", function.name)
    result = run_pip(arguments, INSTALL_TIMEOUT_S)
    if not result.ok:
        raise PackageError(f"pip could not install the requirements of {function.name}: "
                           f"{result.message}")


def _finish(function: Function, staging: Path, out_dir: Path, as_zip: bool) -> Packaged:
    files = [path for path in sorted(staging.rglob("*")) if path.is_file()]
    size = sum(path.stat().st_size for path in files)
    if as_zip:
        final = out_dir / f"{function.name}.zip"
        partial = out_dir / f".{function.name}.zip.partial"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                archive.write(path, path.relative_to(staging).as_posix())
        partial.replace(final)
        return Packaged(function.name, final, final.stat().st_size, len(files))
    final = out_dir / function.name
    if final.is_dir() and not final.is_symlink():
        shutil.rmtree(final)
    elif final.exists() or final.is_symlink():
        final.unlink()
    staging.rename(final)
    return Packaged(function.name, final, size, len(files))
