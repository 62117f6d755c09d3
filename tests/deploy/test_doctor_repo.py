"""doctor on this repository's own project, copied so the checkout is never touched."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_projects import run_doctor

REPO = Path(__file__).resolve().parents[2]
SCRIPT = "python functions/_common/vendor.py"


@pytest.fixture
def repo_copy(tmp_path) -> Path:
    if not (REPO / "functions" / "_common" / "vendor.py").is_file():
        pytest.skip("the repository has no functions/_common/vendor.py")
    shutil.copy(REPO / "catalyst.json", tmp_path / "catalyst.json")
    shutil.copytree(REPO / "functions", tmp_path / "functions",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*.tmp"))
    for folder in (tmp_path / "functions").iterdir():
        if not folder.name.startswith("_"):
            shutil.rmtree(folder / "crm_import", ignore_errors=True)
    return tmp_path


def test_unvendored_functions_are_told_to_run_the_predeploy_script(repo_copy):
    result = run_doctor(repo_copy, "--offline")
    errors = [line for line in result.stdout.splitlines() if line.startswith("ERROR")]
    assert errors == [
        f"ERROR functions/{name}/main.py: import crm_import: crm_import exists only outside the "
        "function folder (functions/_common/crm_import), so the deploy zip leaves it out. Run "
        f"the project's predeploy script ({SCRIPT}), which copies shared code into each "
        "function folder."
        for name in ("crm_bulk_job_service", "crm_bulk_job_initiator")
    ]
    assert result.exit_code == 1


def test_the_vendored_project_has_no_errors(repo_copy):
    subprocess.run([sys.executable, "functions/_common/vendor.py"], cwd=repo_copy, check=True,
                   capture_output=True, timeout=60)
    result = run_doctor(repo_copy, "--offline")
    assert [line for line in result.stdout.splitlines() if line.startswith("ERROR")] == []
    assert result.exit_code == 0
