"""Each function, once vendored, imports and runs with only its own folder on the path."""

import filecmp
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
NAMES = ("crm_bulk_job_service", "crm_bulk_job_initiator")


@pytest.fixture
def functions_copy(tmp_path) -> Path:
    target = tmp_path / "functions"
    shutil.copytree(FUNCTIONS, target, ignore=shutil.ignore_patterns("crm_import", "__pycache__"))
    shutil.copytree(FUNCTIONS / "_common" / "crm_import", target / "_common" / "crm_import",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return target


def vendor(functions_dir: Path) -> str:
    """Runs the copy's own script, as the project's preserve hook does; returns what it says."""
    return subprocess.run(
        [sys.executable, str(functions_dir / "_common" / "vendor.py")],
        cwd=functions_dir.parent, check=True, capture_output=True, text=True, timeout=60,
    ).stdout


def same_tree(a: Path, b: Path) -> bool:
    compared = filecmp.dircmp(a, b, ignore=["__pycache__"])
    if compared.left_only or compared.right_only or compared.diff_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, compared.common_files, shallow=False)
    return not mismatch and not errors and all(
        same_tree(a / sub, b / sub) for sub in compared.common_dirs)


def test_vendor_copies_and_replaces_stale_copies(functions_copy):
    vendor(functions_copy)
    source = functions_copy / "_common" / "crm_import"
    for name in NAMES:
        assert same_tree(source, functions_copy / name / "crm_import")

    (functions_copy / NAMES[0] / "crm_import" / "stale.py").write_text("x = 1\n")
    (source / "split.py").write_text("# changed\n")
    (source / "sniff.py").unlink()
    vendor(functions_copy)
    for name in NAMES:
        copy = functions_copy / name / "crm_import"
        assert same_tree(source, copy)
        assert not (copy / "stale.py").exists() and not (copy / "sniff.py").exists()


def test_vendor_leaves_an_unchanged_copy_untouched(functions_copy):
    vendor(functions_copy)
    copy = functions_copy / NAMES[0] / "crm_import"
    before = {path: path.stat().st_mtime_ns for path in copy.rglob("*.py")}
    assert vendor(functions_copy).count("(up to date)") == len(NAMES)
    assert {path: path.stat().st_mtime_ns for path in copy.rglob("*.py")} == before


def run_alone(folder: Path, script: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "CLIENT_"))}
    env["PYTHONPATH"] = str(folder)
    env["PYTHONNOUSERSITE"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], cwd=folder, env=env,
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


PREAMBLE = """
    import json, sys
    import main, crm_import
    assert crm_import.__file__.startswith({folder!r}), crm_import.__file__
    assert not any(p.endswith("_common") for p in sys.path)
"""


def test_the_service_runs_alone(functions_copy):
    vendor(functions_copy)
    folder = functions_copy / "crm_bulk_job_service"
    result = run_alone(folder, PREAMBLE.format(folder=str(folder)) + """
    from flask import Flask, request
    with Flask("alone").test_request_context("/job", method="POST"):
        response = main.handler(request)
    print(json.dumps({"status": response.status_code, "body": response.get_json()}))
    """)
    assert result == {"status": 401, "body": {
        "status": "failure",
        "message": "You don't have permission to perform this operation. "
                   "Kindly contact your administrator for more details.",
    }}


def test_the_initiator_runs_alone(functions_copy):
    vendor(functions_copy)
    folder = functions_copy / "crm_bulk_job_initiator"
    result = run_alone(folder, PREAMBLE.format(folder=str(folder)) + """
    class Context:
        closed = []
        def close_with_success(self): self.closed.append("success")
        def close_with_failure(self): self.closed.append("failure")
    context = Context()
    main.handler({"data": {"cache_name": "OTHER_KEY", "cache_value": "x"}}, context)
    print(json.dumps({"closed": context.closed}))
    """)
    assert result == {"closed": ["success"]}


def test_function_configs_match_the_platform():
    for name, kind in zip(NAMES, ("advancedio", "event"), strict=True):
        config = json.loads((FUNCTIONS / name / "catalyst-config.json").read_text())
        assert config["deployment"]["name"] == name
        assert config["deployment"]["stack"] == "python_3_11"
        assert config["deployment"]["type"] == kind
        assert config["execution"]["main"] == "main.py"
        env = config["deployment"]["env_variables"]
        assert env["REFRESH_TOKEN_URL"] == "https://accounts.zoho.com/oauth/v2/token"
        assert ("CODELIB_SECRET_KEY" in env) == (kind == "advancedio")
        requirements = (FUNCTIONS / name / "requirements.txt").read_text().split()
        assert requirements[0] == "zcatalyst-sdk==1.4.0"
        assert requirements[1].startswith("httpx==")
