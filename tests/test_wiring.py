"""What `serve` hands the functions: the sandbox by default, the developer's Zoho when asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalyst_local.app import open_runtime
from catalyst_local.project import load_project
from catalyst_local.serve import banner
from tests.integration.test_main_job import copy_project

REAL = {"CLIENT_ID": "1000.REALCLIENT", "CLIENT_SECRET": "real-secret-value",
        "REFRESH_TOKEN": "1000.real.refresh",
        "REFRESH_TOKEN_URL": "https://accounts.zoho.eu/oauth/v2/token"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def runtime_for(project: Path, tmp_path: Path):
    return open_runtime(load_project(project), tmp_path / "data", "http://127.0.0.1:3999")


def test_by_default_the_importers_call_the_sandbox(project: Path, tmp_path: Path):
    runtime = runtime_for(project, tmp_path)
    for name in ("crm_bulk_job_service", "crm_bulk_job_initiator"):
        env = runtime.env_for(name)
        assert env["REFRESH_TOKEN_URL"] == "http://127.0.0.1:3999/zoho/com/accounts/oauth/v2/token"
        assert env["ZOHO_API_DOMAIN"] == "http://127.0.0.1:3999/zoho/com/api"
        assert env["CLIENT_ID"] != "Your Client Id"
    secret = runtime.env_for("crm_bulk_job_service")["CODELIB_SECRET_KEY"]
    assert secret != "CODELIB_FAKE_KEY" and len(secret) >= 24
    assert "calls the embedded Zoho sandbox" in banner(runtime)


def test_local_values_point_them_at_real_zoho_with_no_sandbox_host_left(project: Path,
                                                                      tmp_path: Path):
    (project / "catalyst-local.env.json").write_text(json.dumps(
        {"crm_bulk_job_service": {**REAL, "CODELIB_SECRET_KEY": "k" * 32},
         "crm_bulk_job_initiator": REAL}))
    runtime = runtime_for(project, tmp_path)
    for name in ("crm_bulk_job_service", "crm_bulk_job_initiator"):
        env = runtime.env_for(name)
        assert {key: env[key] for key in REAL} == REAL
        assert "ZOHO_API_DOMAIN" not in env and "ZOHO_UPLOAD_URL" not in env
    text = banner(runtime)
    assert "calls Zoho at https://accounts.zoho.eu" in text
    assert "Import a CSV into Zoho CRM:" in text and "org_id=<your org id>" in text
    assert "real-secret-value" not in text and "k" * 32 not in text
