"""Puts the shared `crm_import` package (functions/_common) on the import path."""

import sys
from pathlib import Path

import pytest

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
if str(FUNCTIONS / "_common") not in sys.path:
    sys.path.insert(0, str(FUNCTIONS / "_common"))

from crm_import import catalyst_store, zoho_auth  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_process_state():
    zoho_auth.reset_process_state()
    catalyst_store.forget_ids()
    yield
    zoho_auth.reset_process_state()
    catalyst_store.forget_ids()
