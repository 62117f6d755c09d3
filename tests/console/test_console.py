"""Every console page in headless Chromium against a real server, and the Replay button."""

from __future__ import annotations

import io
import json
import zipfile

import httpx
import pytest

from catalyst_local.baas.credentials import Credentials
from catalyst_local.project import Project
from catalyst_local.runtime import Runtime
from catalyst_local.settings import Settings
from catalyst_local.zoho.sandbox import ZohoSandbox
from tests.admin.served import ENV, event_in_state, new_events, served_project, wait_for
from tests.console.browser import DevToolsPage, chromium_path, dump_dom

CONSOLE = "/_catalyst_local/console"
LEADS = "Last_Name,Company\nLovelace,Analytical Engines\n<b>Hopper</b>,Navy\n"


def sandbox_importer(data_dir) -> tuple[dict[str, str], str]:
    """The sandbox's OAuth client and refresh token, read from the server's data directory."""
    project = Project(root=data_dir, name="reader", functions={}, folders=[], segments=[],
                      rules=[])
    credentials = Credentials("1", "1", "x", "Development", "1000.a.b", "1000.c.d")
    sandbox = ZohoSandbox(Runtime(project=project, settings=Settings(), data_dir=data_dir,
                                  credentials=credentials))
    try:
        return sandbox.client("com"), sandbox.refresh_token("com")
    finally:
        sandbox.close()


def import_leads(http: httpx.Client, server) -> str:
    """Runs one bulk write job through the sandbox's Zoho API, as an importer would."""
    client, refresh_token = sandbox_importer(server.data_dir)
    zoho = f"{server.url}/zoho/com"
    token = http.post(f"{zoho}/accounts/oauth/v2/token",
                      data={"grant_type": "refresh_token", "refresh_token": refresh_token,
                            **client}).json()["access_token"]
    auth = {"Authorization": f"Zoho-oauthtoken {token}"}
    org = http.get(f"{server.url}/zoho/_sandbox").json()["orgs"][0]["zgid"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("leads.csv", LEADS)
    uploaded = http.post(f"{zoho}/upload/crm/v8/upload",
                         headers={**auth, "feature": "bulk-write", "X-CRM-ORG": org},
                         files={"file": ("leads.zip", archive.getvalue(), "application/zip")})
    file_id = uploaded.json()["details"]["file_id"]
    created = http.post(f"{zoho}/api/crm/bulk/v8/write", headers=auth, json={
        "operation": "insert",
        "resource": [{"type": "data", "module": {"api_name": "Leads"}, "file_id": file_id}]})
    job_id = created.json()["details"]["id"]
    http.post(f"{server.url}/zoho/_sandbox/jobs/advance").raise_for_status()
    return job_id


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chromium_path()
    with served_project(tmp_path_factory.mktemp("console")) as running, \
            httpx.Client(timeout=30, trust_env=False) as http:
        admin = f"{running.url}/_catalyst_local"
        http.put(f"{admin}/cache/key", json={"segment": "Sessions", "key": "user<1>",
                                            "value": "likes <script>tea</script>"})
        http.put(f"{admin}/cache/key", json={"segment": "Sessions", "key": "will-fail",
                                            "value": "fail"})
        http.post(f"{admin}/filestore/file", params={"folder": "Reports", "name": "q1 & q2.csv"},
                  content=b"a,b\n")
        job_id = import_leads(http, running)
        record = {"s": "submitted", "m": "Leads", "o": "insert", "g": "1", "n": 2,
                  "b": [[2, 60, "zfile-1", job_id, "j"]]}
        http.put(f"{admin}/cache/key", json={"key": "CRM_BULK_JOB_PROGRESS_777",
                                            "value": json.dumps(record)})
        wait_for(lambda: all(event["state"] in ("delivered", "failed")
                             for event in new_events(running, set())), "deliveries to settle")
        running.job_id = job_id
        yield running


def page(server, path: str) -> str:
    return dump_dom(f"{server.url}{CONSOLE}{path}")


def test_overview(server):
    dom = page(server, "")
    assert "<title>Overview · catalyst-local</title>" in dom
    assert f"served at {server.url}" in dom
    assert '<a href="/_catalyst_local/console/functions#on_change">on_change</a>' in dom
    assert "<td>Sessions</td>" in dom and "<td>Reports</td>" in dom
    assert "<td>failed</td><td>1</td>" in dom


def test_functions_page_masks_env_values(server):
    dom = page(server, "/functions")
    assert '<h2 id="on_change">on_change (event): ready</h2>' in dom
    assert "<td>API_KEY</td><td>********</td>" in dom
    assert f"<td>TOKEN_URL</td><td>{ENV['TOKEN_URL']}</td>" in dom
    assert ENV["API_KEY"] not in dom and ENV["DB_PASSWORD"] not in dom
    assert "Cache Put will-fail" in dom
    assert "<td>530</td>" in dom


def test_filestore_page_links_downloads(server):
    dom = page(server, "/filestore")
    assert '<table data-folder="Reports">' in dom
    assert ">q1 &amp; q2.csv</a>" in dom
    href = dom.split('<a href="/_catalyst_local/filestore/file?')[1].split('"')[0]
    answer = httpx.get(f"{server.url}/_catalyst_local/filestore/file?"
                       + href.replace("&amp;", "&"))
    assert answer.content == b"a,b\n"


def test_cache_page_escapes_keys_and_values(server):
    dom = page(server, "/cache")
    assert "<td>user&lt;1&gt;</td>" in dom
    assert "<code>likes &lt;script&gt;tea&lt;/script&gt;</code>" in dom
    assert "<script>" not in dom
    assert "<td>47 h 59 min</td>" in dom or "<td>48 h 0 min</td>" in dom


def test_events_page_shows_rules_and_attempts(server):
    dom = page(server, "/events")
    assert "<td>SessionPut</td><td>Cache</td><td>Sessions</td><td>Put</td><td>on_change</td>" in dom
    assert "(series 1)" in dom and ": 530, " in dom
    # Three events (two Cache Puts on Sessions, one upload to Reports), all settled.
    assert dom.count('<button type="submit">Replay</button>') == 3


def test_imports_page_shows_batches_and_job_states(server):
    dom = page(server, "/imports")
    assert "<h2>Import 777</h2>" in dom
    assert f"<td>zfile-1</td><td>submitted</td><td>{server.job_id}</td><td>COMPLETED</td>" in dom
    assert f"<td>{server.job_id}</td><td>COMPLETED</td><td>insert</td><td>Leads</td>" in dom


def test_zoho_page_shows_module_records(server):
    dom = page(server, "/zoho?module=Leads")
    assert "<h2>Leads: 2 record(s)</h2>" in dom
    assert "<td>Lovelace</td>" in dom and "<td>&lt;b&gt;Hopper&lt;/b&gt;</td>" in dom
    assert ">Leads (2)</a>" in dom


def test_an_unknown_module_is_404(server):
    answer = httpx.get(f"{server.url}{CONSOLE}/zoho", params={"module": "Nope"})
    assert answer.status_code == 404
    assert "No module named Nope." in answer.text


def test_the_replay_button_redelivers_the_event(server):
    failed = next(event for event in new_events(server, set()) if event["state"] == "failed")
    browser = DevToolsPage()
    try:
        browser.send("Page.navigate", url=f"{server.url}{CONSOLE}/events")
        selector = f'form[data-event="{failed["id"]}"] button'
        browser.wait_for(f"!!document.querySelector('{selector}')", "the Replay button")
        browser.evaluate(f"document.querySelector('{selector}').click()")
        notice = browser.wait_for("document.querySelector('.notice') && "
                                  "document.querySelector('.notice').textContent",
                                  "the page after the replay")
        assert notice == f"Event {failed['id']} queued again"
        assert browser.evaluate("location.pathname") == f"{CONSOLE}/events"
    finally:
        browser.close()
    again = event_in_state(server, failed["id"], "failed", attempts=2)
    assert [attempt["series"] for attempt in again["attempts"]] == [1, 2]
