"""Every everyday verb against a real server on a throwaway project."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
from click.testing import CliRunner

from catalyst_local.cli import main
from tests.admin.served import event_in_state, new_events, served_project, wait_for


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served_project(tmp_path_factory.mktemp("verbs")) as running:
        yield running


@pytest.fixture
def cli(server):
    def run(*args: str, input: str | None = None):
        return CliRunner().invoke(main, [*args, "--data-dir", str(server.data_dir)], input=input)

    return run


def put_and_settle(server, cli, key: str, value: str, state: str = "delivered") -> dict:
    seen = {event["id"] for event in new_events(server, set())}
    assert cli("cache", "put", key, value, "--segment", "Sessions").exit_code == 0
    (event,) = new_events(server, seen)
    return event_in_state(server, event["id"], state)


def test_status_shows_the_server_functions_events_segments_and_folders(server, cli):
    result = cli("status")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == f"Server {server.url} serving project demo"
    assert lines[3:5] == ["FUNCTION   TYPE   STATE  RESTARTS", "on_change  event  ready  0"]
    assert lines[6].startswith("Events: ")
    assert "SEGMENT   KEYS" in lines and "FOLDER   FILES" in lines


def test_status_json(server, cli):
    state = json.loads(cli("status", "--json").output)
    assert state["url"] == server.url
    assert [s["name"] for s in state["segments"]] == ["Default", "Sessions"]
    assert [f["name"] for f in state["folders"]] == ["Reports"]


def test_cache_put_get_and_list(server, cli):
    result = cli("cache", "put", "greeting", "hi there", "--segment", "Sessions",
                 "--expiry-hours", "3")
    assert (result.exit_code, result.output) == (0, "Put greeting in segment Sessions, "
                                                    "expires in 3 h\n")
    got = cli("cache", "get", "greeting", "--segment", "Sessions")
    assert (got.exit_code, got.output) == (0, "hi there\n")
    listed = cli("cache", "list", "--segment", "Sessions")
    row = next(line for line in listed.output.splitlines() if line.startswith("greeting"))
    assert row.split()[1:] == ["2", "h", "59", "min", "hi", "there"] or \
        row.split()[1:] == ["3", "h", "00", "min", "hi", "there"]
    as_json = json.loads(cli("cache", "list", "--segment", "Sessions", "--json").output)
    assert {item["key"] for item in as_json} >= {"greeting"}


def test_cache_put_reads_stdin_for_dash(server, cli):
    assert cli("cache", "put", "from-stdin", "-", input="piped").exit_code == 0
    assert cli("cache", "get", "from-stdin").output == "piped\n"


def test_a_missing_key_exits_1(cli):
    result = cli("cache", "get", "nope")
    assert (result.exit_code, result.output) == (1, "Error: No key 'nope' in segment Default\n")


def test_an_unknown_segment_is_a_usage_error_with_a_suggestion(cli):
    result = cli("cache", "list", "--segment", "Sesions")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: Invalid value for '--segment': No segment "
                                              "named 'Sesions'; did you mean 'Sessions'?")


def test_files_put_ls_get_rm(server, cli, tmp_path):
    source = tmp_path / "report.csv"
    source.write_bytes(b"a,b\n1,2\n")
    put = cli("files", "put", str(source), "--folder", "Reports")
    assert put.exit_code == 0
    assert put.output.startswith("Uploaded report.csv (8 bytes) as file ")
    file_id = put.output.split()[-1]

    listed = cli("files", "ls", "--folder", "Reports").output.splitlines()
    assert listed[0].split() == ["ID", "NAME", "BYTES", "UPLOADED"]
    assert any(line.split()[:3] == [file_id, "report.csv", "8"] for line in listed[1:])
    folders = cli("files", "ls").output.splitlines()
    assert folders[1].split()[0] == "Reports"

    target = tmp_path / "copy.csv"
    got = cli("files", "get", "report.csv", "--folder", "Reports", "-o", str(target))
    assert got.exit_code == 0
    assert target.read_bytes() == b"a,b\n1,2\n"
    to_stdout = cli("files", "get", file_id, "--folder", "Reports", "-o", "-")
    assert to_stdout.stdout_bytes == b"a,b\n1,2\n"

    removed = cli("files", "rm", file_id, "--folder", "Reports")
    assert (removed.exit_code, removed.output) == (0, f"Deleted report.csv (file {file_id})\n")
    again = cli("files", "rm", file_id, "--folder", "Reports")
    assert (again.exit_code, again.output) == (1, f"Error: No file '{file_id}' in folder "
                                                  "Reports\n")


def test_an_unknown_folder_is_a_usage_error_with_a_suggestion(cli):
    result = cli("files", "ls", "--folder", "Report")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: Invalid value for '--folder': No folder "
                                              "named 'Report'; did you mean 'Reports'?")


def test_events_ls_and_replay(server, cli):
    failed = put_and_settle(server, cli, "will-fail", "fail", state="failed")
    listed = cli("events", "ls", "--state", "failed")
    row = next(line for line in listed.output.splitlines() if line.startswith(failed["id"]))
    assert row.split()[2:8] == ["SessionPut", "on_change", "Cache", "Put", "Sessions", "failed"]
    assert row.split()[8:] == ["1", "status", "530"]

    replayed = cli("events", "replay", failed["id"])
    assert (replayed.exit_code, replayed.output) == (
        0, f"Event {failed['id']} queued again for function on_change (series 2)\n")
    again = event_in_state(server, failed["id"], "failed", attempts=2)
    assert [attempt["series"] for attempt in again["attempts"]] == [1, 2]
    as_json = json.loads(cli("events", "ls", "--json").output)
    assert failed["id"] in {event["id"] for event in as_json}


def test_replaying_an_unknown_event_exits_1(cli):
    result = cli("events", "replay", "123")
    assert (result.exit_code, result.output) == (1, "Error: No event with id 123\n")


def test_logs_of_a_function(server, cli):
    put_and_settle(server, cli, "logged-key", "v")
    wait_for(lambda: "Cache Put logged-key" in cli("logs", "on_change").output, "the log line")
    result = cli("logs", "on_change")
    line = next(line for line in result.output.splitlines() if "Cache Put logged-key" in line)
    assert line.split()[1:] == ["INFO", "Cache", "Put", "logged-key"]
    every = cli("logs")
    assert any(line.split()[2:] == ["on_change", "Cache", "Put", "logged-key"]
               for line in every.output.splitlines())


def test_logs_of_an_unknown_function_is_a_usage_error(cli):
    result = cli("logs", "on_chnge")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: Invalid value for 'FUNCTION': No function "
                                              "named 'on_chnge'; did you mean 'on_change'?")


def test_logs_follow_prints_new_lines_until_stopped(server):
    follower = subprocess.Popen(
        [sys.executable, "-m", "catalyst_local", "logs", "on_change", "--follow",
         "--max-seconds", "3", "--data-dir", str(server.data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        httpx.put(f"{server.url}/_catalyst_local/cache/key",
                  json={"segment": "Sessions", "key": "followed-key", "value": "v"})
        out, err = follower.communicate(timeout=30)
    finally:
        follower.kill()
    assert follower.returncode == 0, err
    assert [line.split()[2:] for line in out.splitlines()].count(
        ["Cache", "Put", "followed-key"]) == 1


def test_zoho_records(cli):
    result = cli("zoho", "records", "Leads", "--limit", "5")
    assert (result.exit_code, result.output) == (0, "No Leads records.\n")
    assert json.loads(cli("zoho", "records", "Leads", "--json").output) == {
        "module": "Leads", "total": 0, "records": []}


def test_an_unknown_module_is_a_usage_error(cli):
    result = cli("zoho", "records", "Lead")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: Invalid value for 'MODULE': No module "
                                              "named 'Lead'; did you mean 'Leads'?")


def test_reset_asks_then_wipes(server, cli):
    cli("cache", "put", "wipe-me", "v")
    declined = cli("reset", input="n\n")
    assert declined.exit_code == 1
    assert cli("cache", "get", "wipe-me").output == "v\n"

    wait_for(lambda: all(e["state"] in ("delivered", "failed") for e in new_events(server, set())),
             "deliveries to settle")
    accepted = cli("reset", input="y\n")
    assert accepted.exit_code == 0
    assert accepted.output.splitlines()[-1].startswith("Reset: ")
    assert cli("cache", "get", "wipe-me").exit_code == 1
    state = json.loads(cli("status", "--json").output)
    assert sum(state["events"].values()) == 0
    assert cli("reset", "--yes").output == ("Reset: 0 keys, 0 files, 0 events and 0 bulk write "
                                            "jobs removed\n")
