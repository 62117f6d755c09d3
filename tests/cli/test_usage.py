"""Usage errors, and every verb with no server to talk to."""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner

from catalyst_local.cli import main

VERBS = [["status"], ["logs"], ["logs", "fn", "--follow"], ["cache", "list"],
         ["cache", "get", "k"], ["cache", "put", "k", "v"], ["files", "ls"],
         ["files", "get", "f", "--folder", "F"], ["files", "rm", "f", "--folder", "F"],
         ["events", "ls"], ["events", "replay", "1"], ["zoho", "records", "Leads"],
         ["reset", "--yes"]]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("verb", VERBS, ids=" ".join)
def test_every_verb_without_a_server_exits_1_saying_how_to_start_one(tmp_path, verb):
    result = run(*verb, "--data-dir", str(tmp_path))
    assert result.exit_code == 1
    assert result.output == (f"Error: no catalyst-local server is running with data directory "
                             f"{tmp_path.resolve()}; start one with `catalyst-local serve`\n")


def test_a_server_that_went_away_exits_1(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    (tmp_path / "server.json").write_text(json.dumps({"url": url, "pid": 1}))
    result = run("status", "--data-dir", str(tmp_path))
    assert result.exit_code == 1
    assert result.output == (f"Error: cannot reach the catalyst-local server at {url} "
                             "(ConnectError); is it still running? Start one with "
                             "`catalyst-local serve`\n")


@pytest.mark.parametrize(("args", "message"), [
    (["cache", "get"], "Missing argument 'KEY'."),
    (["cache", "put", "k"], "Missing argument 'VALUE'."),
    (["cache", "put", "k", "v", "--expiry-hours", "49"],
     "Invalid value for '--expiry-hours': 49 is not in the range 1<=x<=48."),
    (["files", "get", "x"], "Missing option '--folder'."),
    (["files", "put", "nowhere.txt", "--folder", "F"],
     "Invalid value for 'PATH': File 'nowhere.txt' does not exist."),
    (["events", "ls", "--state", "done"],
     "Invalid value for '--state': 'done' is not one of 'pending', 'delivering', 'delivered', "
     "'failed'."),
    (["events", "replay"], "Missing argument 'ID'."),
    (["zoho", "records", "Leads", "--limit", "0"],
     "Invalid value for '--limit': 0 is not in the range x>=1."),
    (["cache", "drop"], "No such command 'drop'."),
])
def test_usage_errors_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: {message}"


@pytest.mark.parametrize("verb", [["status"], ["logs"], ["cache"], ["cache", "put"],
                                  ["files", "get"], ["events", "replay"], ["zoho", "records"],
                                  ["reset"]], ids=" ".join)
def test_every_verb_has_help(verb):
    result = run(*verb, "--help")
    assert result.exit_code == 0
    assert result.output.startswith("Usage: ")


def test_reset_asks_first_and_stops_on_no(tmp_path):
    (tmp_path / "server.json").write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": 1}))
    result = CliRunner().invoke(main, ["reset", "--data-dir", str(tmp_path)], input="n\n")
    assert result.exit_code == 1
    assert result.output == ("Delete all data of the server at http://127.0.0.1:9? [y/N]: n\n"
                             "Aborted!\n")
