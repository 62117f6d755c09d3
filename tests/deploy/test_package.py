"""package: a deploy folder or zip that runs its handler with nothing else on the path."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from deploy_projects import build_wheel, function_config, run_package, write_json, write_text

MAIN = """\
    import tinylib
    from shared.text import shout


    def handler(event, context):
        context.close_with_success()
        return {"shout": shout(event["word"]), "lib": tinylib.answer(), "lib_at": tinylib.__file__}
"""


@pytest.fixture
def project(tmp_path) -> Path:
    """One event function needing a local wheel and shared code the predeploy script copies."""
    root = tmp_path / "project"
    write_json(root / "catalyst.json", {"functions": {
        "targets": ["job"], "source": "functions", "ignore": ["README.md", "tests"],
        "scripts": {"predeploy": "python functions/_common/copy_shared.py"}}})
    folder = root / "functions" / "job"
    write_json(folder / "catalyst-config.json", function_config("job", "event"))
    write_text(folder / "main.py", MAIN)
    write_text(folder / "requirements.txt", "tinylib==1.0\n")
    write_text(folder / "README.md", "not deployed\n")
    write_text(folder / "tests" / "test_job.py", "import pytest\n")
    write_text(root / "functions" / "_common" / "shared" / "__init__.py", "")
    write_text(root / "functions" / "_common" / "shared" / "text.py",
               "def shout(word):\n    return word.upper() + '!'\n")
    write_text(root / "functions" / "_common" / "copy_shared.py", """\
        import shutil
        from pathlib import Path

        functions = Path(__file__).resolve().parent.parent
        shutil.rmtree(functions / "job" / "shared", ignore_errors=True)
        shutil.copytree(functions / "_common" / "shared", functions / "job" / "shared")
    """)
    return root


@pytest.fixture
def wheels(tmp_path) -> Path:
    folder = tmp_path / "wheels"
    build_wheel(folder, "tinylib", "1.0", {"tinylib/__init__.py": "def answer():\n    return 42\n"})
    return folder


@pytest.mark.slow
def test_package_writes_a_folder_that_runs_alone(project, wheels, tmp_path):
    out = tmp_path / "out"
    result = run_package(project, "--out", out, "--no-index", "--find-links", wheels)

    assert result.exit_code == 0, result.output
    assert re.fullmatch(rf"job: {re.escape(str(out / 'job'))} \(\d+(\.\d)? (B|KB), \d+ files\)\n",
                        result.stdout)
    assert "ran predeploy script: python functions/_common/copy_shared.py" in result.stderr
    package = out / "job"
    assert sorted(p.name for p in package.iterdir() if not p.name.endswith(".dist-info")) == [
        "catalyst-config.json", "main.py", "requirements.txt", "shared", "tinylib"]

    output = run_alone(package, tmp_path / "venv", """\
        import json, main
        class Context:
            def close_with_success(self):
                pass
        print(json.dumps(main.handler({"word": "hi"}, Context())))
    """)
    assert output == {"shout": "HI!", "lib": 42,
                      "lib_at": str(package / "tinylib" / "__init__.py")}


def run_alone(package: Path, venv: Path, script: str) -> dict:
    """Runs `script` in a fresh virtualenv with no site packages and only `package` on the path."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   capture_output=True, timeout=60)
    python = venv / "bin" / "python"
    empty = venv / "cwd"
    empty.mkdir()
    env = {"PYTHONPATH": str(package), "PATH": os.defpath, "PYTHONNOUSERSITE": "1"}
    done = subprocess.run([str(python), "-c", textwrap.dedent(script)], cwd=empty, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_zip_holds_the_folder_at_its_root(project, wheels, tmp_path):
    out = tmp_path / "out"
    result = run_package(project, "--out", out, "--zip", "--no-index", "--find-links", wheels,
                         "job")

    assert result.exit_code == 0, result.output
    archive_path = out / "job.zip"
    assert result.stdout.startswith(f"job: {archive_path} (")
    with zipfile.ZipFile(archive_path) as archive:
        names = set(archive.namelist())
    assert {"catalyst-config.json", "main.py", "requirements.txt", "shared/__init__.py",
            "shared/text.py", "tinylib/__init__.py"} <= names
    assert not any(name.startswith(("README.md", "tests/")) for name in names)
    assert not (out / "job").exists()


def test_no_deps_install_copies_only_the_code(project, tmp_path):
    out = tmp_path / "out"
    result = run_package(project, "--out", out, "--no-deps-install", "--skip-predeploy",
                         "--force")

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "job").iterdir()) == [
        "catalyst-config.json", "main.py", "requirements.txt"]
    assert "ERROR functions/job/main.py: import shared: shared exists only outside" in \
        result.stderr


def test_doctor_errors_stop_the_package(project, tmp_path):
    write_text(project / "functions" / "job" / "main.py", "def handler(event):\n    pass\n")
    result = run_package(project, "--out", tmp_path / "out", "--no-deps-install")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == [
        "ERROR functions/job/main.py: handler: takes 1 argument, but an event function is "
        "called as handler(event, context). Change it to `def handler(event, context):`.",
        "Error: doctor found errors; fix them, or pass --force",
    ]
    assert not (tmp_path / "out" / "job").exists()


def test_pip_failure_names_the_function(project, wheels, tmp_path):
    write_text(project / "functions" / "job" / "requirements.txt", "tinylib==2.0\n")
    result = run_package(project, "--out", tmp_path / "out", "--no-index", "--find-links", wheels)

    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: pip could not install the requirements of job: ")
    assert "tinylib==2.0" in last


def test_manylinux_refuses_a_wheel_for_another_platform(project, tmp_path):
    wheels = tmp_path / "wheels"
    build_wheel(wheels, "tinylib", "1.0", {"tinylib/__init__.py": ""},
                tag="cp311-cp311-macosx_11_0_arm64")
    result = run_package(project, "--out", tmp_path / "out", "--manylinux", "--no-index",
                         "--find-links", wheels)

    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(
        "Error: pip could not install the requirements of job: ")


def test_unknown_function_is_a_usage_error(project, tmp_path):
    result = run_package(project, "--out", tmp_path / "out", "--skip-predeploy", "nope")
    assert result.exit_code == 2
    assert "nope: not a function of this project (job)" in result.stderr
