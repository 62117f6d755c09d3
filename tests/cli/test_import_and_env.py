"""`import`, `demo` and `env` against the repo's own project under a real server."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalyst_local.cli import main
from catalyst_local.sample_data import lead_rows, write_leads
from tests.integration.test_main_job import REPO, copy_project, expected_outcome
from tests.serving import ServeProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("import")
    with ServeProcess(copy_project(root / "project"), root / "data") as running:
        yield running


def invoke(server: ServeProcess, *args: str):
    return CliRunner().invoke(main, [*args, "--project", str(server.project_dir), "--data-dir",
                                     str(server.data_dir)])


def test_import_of_the_sample_reports_the_refused_rows_and_exits_1(server: ServeProcess):
    result = invoke(server, "import", str(REPO / "samples" / "leads.csv"), "--module", "Leads")
    landed, refused = expected_outcome(list(lead_rows(40, with_errors=True)))
    assert result.exit_code == 1, result.output
    assert f"total: {len(landed)} added, 0 updated, {len(refused)} skipped, 0 failed" \
        in result.output
    for row, code in refused.items():
        assert f"row {row}: skipped {code}" in result.output


def test_import_of_a_clean_file_exits_0(server: ServeProcess, tmp_path: Path):
    text = io.StringIO()
    write_leads(text, 25)
    clean = tmp_path / "clean.csv"
    clean.write_text(text.getvalue().replace("@example.com", "@clean.example.com"))
    result = invoke(server, "import", str(clean), "--module", "Leads")
    assert result.exit_code == 0, result.output
    assert "total: 25 added, 0 updated, 0 skipped, 0 failed" in result.output


def test_import_refusals_name_the_field(server: ServeProcess, tmp_path: Path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = invoke(server, "import", str(empty), "--module", "Leads")
    assert result.exit_code == 1
    assert "the service answered 400: 'file' cannot be empty." in result.output

    calls = invoke(server, "import", str(REPO / "samples" / "leads.csv"), "--module", "Calls")
    assert calls.exit_code == 1
    assert "'module_name' Calls is not supported by bulk write." in calls.output


def test_import_usage_errors_exit_2(server: ServeProcess):
    result = invoke(server, "import", str(REPO / "samples" / "leads.csv"), "--module", "Leads",
                    "--mapping", "First Name")
    assert result.exit_code == 2
    assert "'First Name' must be HEADER=FIELD_API_NAME" in result.output


def test_import_without_a_server_says_how_to_start_one(tmp_path: Path):
    result = CliRunner().invoke(main, ["import", str(REPO / "samples" / "leads.csv"), "--module",
                                       "Leads", "--project", str(REPO), "--data-dir",
                                       str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "no catalyst-local server is running" in result.output
    assert "start one with `catalyst-local serve`" in result.output


def test_env_prints_what_the_sdk_reads_in_every_format(server: ServeProcess):
    credentials = json.loads((server.data_dir / "credentials.json").read_text())
    as_json = json.loads(invoke(server, "env", "--format", "json").output)
    assert as_json["X_ZOHO_CATALYST_CONSOLE_URL"] == server.url
    assert json.loads(as_json["CATALYST_OPTIONS"])["project_id"] == credentials["project_id"]
    assert json.loads(as_json["CATALYST_AUTH"]) == {"access_token": credentials["admin_token"]}

    shell = invoke(server, "env").output
    assert f"export X_ZOHO_CATALYST_CONSOLE_URL={server.url}" in shell.splitlines()
    dotenv = invoke(server, "env", "--format", "dotenv").output
    assert f'X_ZOHO_CATALYST_CONSOLE_URL="{server.url}"' in dotenv.splitlines()

    key = invoke(server, "env", "--get", "crm_bulk_job_service.CODELIB_SECRET_KEY")
    assert key.exit_code == 0 and len(key.output.strip()) >= 24
    wrong = invoke(server, "env", "--get", "crm_bulk_job_service")
    assert wrong.exit_code == 2
    assert "must be FUNCTION.VARIABLE" in wrong.output


@pytest.mark.slow
def test_demo_runs_the_main_job_and_says_what_landed():
    result = subprocess.run([sys.executable, "-m", "catalyst_local", "demo", "--project",
                             str(REPO)], capture_output=True, text=True, timeout=300)
    landed, refused = expected_outcome(list(lead_rows(40, with_errors=True)))
    assert result.returncode == 0, result.stderr
    assert f"The sandbox CRM now holds {len(landed)} Leads record(s)." in result.stdout
    assert re.search(rf"\b{len(landed)}\s+0\s+{len(refused)}\s+0\b", result.stdout)
