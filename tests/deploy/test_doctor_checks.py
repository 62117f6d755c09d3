"""doctor on projects broken one way each: the exact finding, and the exit code."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest
from deploy_projects import good_project, run_doctor, write_json, write_text

API = "functions/api"
API_CONFIG = f"{API}/catalyst-config.json"
LISTENER_CONFIG = "functions/listener/catalyst-config.json"
SUPPORTED = "python_3_10, python_3_11, python_3_12, python_3_13"
CONSOLE = ("Set the real value in the Catalyst console after deploy; each deploy overwrites it "
           "with the value in catalyst-config.json.")


def edit_json(path: Path, change: Callable[[dict], None]) -> None:
    value = json.loads(path.read_text())
    change(value)
    write_json(path, value)


def deployment(root: Path, function: str = "api", **values) -> None:
    edit_json(root / "functions" / function / "catalyst-config.json",
              lambda config: config["deployment"].update(values))


def api_main(root: Path, code: str) -> None:
    write_text(root / API / "main.py", code)


def test_a_correct_project_passes(tmp_path):
    result = run_doctor(good_project(tmp_path), "--offline")
    assert result.exit_code == 0
    assert result.stdout == "doctor: no problems found\n"


CASES = {
    "stack spelt python39": (
        lambda root: deployment(root, stack="python39"), 1,
        [f"ERROR {API_CONFIG}: deployment.stack: 'python39' is not a Catalyst stack name. "
         f"Write it as 'python_3_9', or better move to one of {SUPPORTED}."]),
    "stack spelt python3.12": (
        lambda root: deployment(root, stack="python3.12"), 1,
        [f"ERROR {API_CONFIG}: deployment.stack: 'python3.12' is not a Catalyst stack name. "
         "Write it as 'python_3_12'."]),
    "stack of another language": (
        lambda root: deployment(root, stack="node18"), 1,
        [f"ERROR {API_CONFIG}: deployment.stack: 'node18' is not a Python stack. "
         f"Use one of {SUPPORTED}."]),
    "end-of-life stack": (
        lambda root: deployment(root, stack="python_3_9"), 0,
        [f"WARNING {API_CONFIG}: deployment.stack: python_3_9 is end of life; Catalyst may warn "
         f"about or refuse deploys on it. Move to one of {SUPPORTED}."]),
    "unknown type": (
        lambda root: deployment(root, type="http"), 1,
        [f"ERROR {API_CONFIG}: deployment.type: 'http' is not a Catalyst function type. Use "
         "advancedio or event (or one of basicio, cron, job, integration, browser_logic)."]),
    "legacy applogic type": (
        lambda root: deployment(root, type="applogic"), 0,
        [f"WARNING {API_CONFIG}: deployment.type: 'applogic' is the legacy name of advancedio. "
         "Write 'advancedio'."]),
    "type catalyst-local does not run": (
        lambda root: deployment(root, "listener", type="cron"), 0,
        [f"WARNING {LISTENER_CONFIG}: deployment.type: 'cron' functions deploy, but "
         "catalyst-local does not run them, and doctor does not check their handler's "
         "arguments. Test it in Catalyst, or use advancedio or event."]),
    "missing handler": (
        lambda root: api_main(root, "def handle(request):\n    return 'x'\n"), 1,
        [f"ERROR {API}/main.py: handler: is not defined at the top level of the module. "
         "Define `def handler(request):`."]),
    "handler nested in a class": (
        lambda root: api_main(root, "class A:\n    def handler(self, request):\n        pass\n"),
        1,
        [f"ERROR {API}/main.py: handler: is not defined at the top level of the module. "
         "Define `def handler(request):`."]),
    "advancedio handler with two arguments": (
        lambda root: api_main(root, "def handler(request, context):\n    return 'x'\n"), 1,
        [f"ERROR {API}/main.py: handler: takes 2 arguments, but an advancedio function is "
         "called as handler(request). Change it to `def handler(request):`."]),
    "event handler with one argument": (
        lambda root: write_text(root / "functions/listener/main.py",
                                "def handler(event):\n    pass\n"), 1,
        ["ERROR functions/listener/main.py: handler: takes 1 argument, but an event function "
         "is called as handler(event, context). Change it to `def handler(event, context):`."]),
    "handler with a keyword-only argument": (
        lambda root: api_main(root, "def handler(request, *, user):\n    return 'x'\n"), 1,
        [f"ERROR {API}/main.py: handler: has a keyword-only argument without a default, but an "
         "advancedio function is called as handler(request). Change it to "
         "`def handler(request):`."]),
    "async handler": (
        lambda root: api_main(root, "async def handler(request):\n    return 'x'\n"), 1,
        [f"ERROR {API}/main.py: handler: is async, but the runtime calls it without awaiting, "
         "so its body never runs. Make it a plain `def handler(request):`."]),
    "main that does not parse": (
        lambda root: api_main(root, "def handler(request)\n    return 'x'\n"), 1,
        [f"ERROR {API}/main.py: line 1: does not parse (expected ':'). Fix the syntax error."]),
    "missing main file": (
        lambda root: (root / API / "main.py").rename(root / API / "app.py"), 1,
        [f"ERROR {API_CONFIG}: execution.main: 'main.py' does not exist in {API}. Create it, "
         "or point execution.main at the entry file."]),
    "missing execution": (
        lambda root: edit_json(root / API_CONFIG, lambda config: config.pop("execution")), 1,
        [f"ERROR {API_CONFIG}: execution: is missing; the Catalyst runtime refuses a function "
         "without it. Add \"execution\": {\"main\": \"main.py\"}."]),
    "unpinned requirement": (
        lambda root: write_text(root / API / "requirements.txt", "zcatalyst-sdk>=1.0\n"), 0,
        [f"WARNING {API}/requirements.txt: zcatalyst-sdk: is not pinned to one version "
         "('>=1.0'); each deploy installs the newest match. Pin it: zcatalyst-sdk==1.4.0."]),
    "requirement without a version": (
        lambda root: write_text(root / API / "requirements.txt", "zcatalyst_sdk\n"), 0,
        [f"WARNING {API}/requirements.txt: zcatalyst_sdk: is not pinned to one version (no "
         "version); each deploy installs the newest match. Pin it: zcatalyst-sdk==1.4.0."]),
    "missing requirements.txt": (
        lambda root: (root / API / "requirements.txt").unlink(), 1,
        [f"WARNING {API}/requirements.txt: (file): is missing; Catalyst installs a function's "
         "dependencies from it. Create it with zcatalyst-sdk==1.4.0 and the function's other "
         "dependencies, each pinned with ==.",
         f"ERROR {API}/requirements.txt: zcatalyst-sdk: is not listed, but the code imports "
         f"zcatalyst_sdk ({API}/main.py line 2). Add zcatalyst-sdk==1.4.0."]),
    "sdk imported but not listed": (
        lambda root: write_text(root / API / "requirements.txt", "# empty\n"), 1,
        [f"ERROR {API}/requirements.txt: zcatalyst-sdk: is not listed, but the code imports "
         f"zcatalyst_sdk ({API}/main.py line 2). Add zcatalyst-sdk==1.4.0."]),
    "flask pinned against the runtime": (
        lambda root: write_text(root / API / "requirements.txt",
                                "zcatalyst-sdk==1.4.0\nFlask==3.0.0\n"), 0,
        [f"WARNING {API}/requirements.txt: Flask: has no effect: the runtime loads Flask 2.3.3 "
         "before the function's code. Remove it, or pin flask==2.3.3."]),
    "installed module not in requirements": (
        lambda root: write_text(root / API / "helpers.py", "import diskcache\n"), 1,
        [f"ERROR {API}/helpers.py: import diskcache: comes from the distribution diskcache, "
         "which requirements.txt does not list. Add diskcache=="
         f"{metadata.version('diskcache')} to requirements.txt."]),
    "module nobody provides": (
        lambda root: write_text(root / API / "helpers.py", "from nowhere_at_all import x\n"), 0,
        [f"WARNING {API}/helpers.py: import nowhere_at_all: resolves to no standard library "
         "module, no file in the function folder and no requirement doctor can map. Add the "
         "distribution that provides it to requirements.txt; if it is listed already, install "
         "the requirements here so doctor can see their import names."]),
    "shared code not vendored": (
        lambda root: [path.unlink() for path in (root / "functions/listener/shared").iterdir()]
        and (root / "functions/listener/shared").rmdir(), 1,
        ["ERROR functions/listener/main.py: import shared: shared exists only outside the "
         "function folder (functions/_common/shared), so the deploy zip leaves it out. Run the "
         "project's predeploy script (python functions/_common/copy_shared.py), which copies "
         "shared code into each function folder."]),
    "vendored copy out of date": (
        lambda root: write_text(root / "functions/_common/shared/text.py",
                                "def shout(data):\n    return str(data)\n"), 0,
        ["WARNING functions/listener/shared: (folder): differs from functions/_common/shared. "
         "Run python functions/_common/copy_shared.py to refresh the copy."]),
    "IS_LOCAL set": (
        lambda root: deployment(root, env_variables={"X_ZOHO_CATALYST_IS_LOCAL": "true"}), 1,
        [f"ERROR {API_CONFIG}: deployment.env_variables.X_ZOHO_CATALYST_IS_LOCAL: turns on the "
         "runtime's local mode and makes the SDK force https. Remove it: Catalyst sets what "
         "the runtime needs."]),
    "placeholder secrets": (
        lambda root: deployment(root, env_variables={
            "CLIENT_ID": "Your Client Id", "CLIENT_SECRET": "Your Client Secret",
            "REFRESH_TOKEN": "Your Refresh Token", "CODELIB_SECRET_KEY": "CODELIB_FAKE_KEY",
            "ORG": "", "REGION": "eu"}), 0,
        [f"WARNING {API_CONFIG}: deployment.env_variables.CLIENT_ID: still holds the "
         f"placeholder 'Your Client Id'. {CONSOLE}",
         f"WARNING {API_CONFIG}: deployment.env_variables.CLIENT_SECRET: still holds the "
         f"placeholder 'Your Client Secret'. {CONSOLE}",
         f"WARNING {API_CONFIG}: deployment.env_variables.REFRESH_TOKEN: still holds the "
         f"placeholder 'Your Refresh Token'. {CONSOLE}",
         f"WARNING {API_CONFIG}: deployment.env_variables.CODELIB_SECRET_KEY: still holds the "
         f"placeholder 'CODELIB_FAKE_KEY'. {CONSOLE}",
         f"WARNING {API_CONFIG}: deployment.env_variables.ORG: is empty. {CONSOLE}"]),
    "ignore drops the entry file": (
        lambda root: edit_json(root / "catalyst.json",
                               lambda config: config["functions"].update(ignore=["*.py"])), 1,
        ["ERROR catalyst.json: functions.ignore: '*.py' leaves main.py, its entry file, out of "
         "api's deploy zip. Narrow or remove the pattern.",
         "ERROR catalyst.json: functions.ignore: '*.py' leaves main.py, its entry file, out of "
         "listener's deploy zip. Narrow or remove the pattern."]),
    "ignore drops a sibling module": (
        lambda root: edit_json(root / "catalyst.json",
                               lambda config: config["functions"].update(ignore=["helpers.py"])),
        1,
        [f"ERROR {API}/main.py: import helpers: functions.ignore pattern 'helpers.py' leaves it "
         "out of the deploy zip. Narrow or remove the pattern."]),
    "target without a folder": (
        lambda root: edit_json(root / "catalyst.json", lambda config: config["functions"][
            "targets"].append("gone")), 1,
        ["ERROR catalyst.json: functions.targets: 'gone' has no folder at functions/gone. "
         "Create the folder, or remove 'gone' from functions.targets."]),
    "catalyst.json not JSON": (
        lambda root: write_text(root / "catalyst.json", "{\"functions\": {,}}\n"), 1,
        ["ERROR catalyst.json: (file): is not valid JSON (Expecting property name enclosed in "
         "double quotes at line 1). Fix the JSON."]),
    "catalyst-config.json missing": (
        lambda root: (root / API_CONFIG).unlink(), 1,
        [f"ERROR {API_CONFIG}: (file): the file does not exist. Create it with deployment.name, "
         "deployment.stack, deployment.type and execution.main."]),
    "event rule naming an unknown function": (
        lambda root: edit_json(root / "catalyst.json", lambda config: config.update(
            catalyst_local={"components": {
                "Cache": [{"type": "segment", "name": "Jobs"}],
                "EventListener": [{"name": "OnPut", "source": "Cache", "entities": ["Jobs"],
                                   "actions": ["Put"], "targets": ["nobody"]}]}})), 1,
        ["ERROR catalyst.json: catalyst_local.components.EventListener[0].targets: 'nobody' is "
         "not one of functions.targets. catalyst-local serve refuses the project until it is "
         "fixed."]),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_doctor_flags_the_problem(tmp_path, case):
    breaking, exit_code, expected = CASES[case]
    root = good_project(tmp_path)
    breaking(root)

    result = run_doctor(root, "--offline")

    lines = result.stdout.splitlines()
    assert lines[:-1] == expected
    errors = sum(line.startswith("ERROR ") for line in expected)
    warnings = len(expected) - errors
    assert lines[-1] == f"doctor: {plural(errors, 'error')}, {plural(warnings, 'warning')}"
    assert result.exit_code == exit_code


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def test_missing_catalyst_json(tmp_path):
    result = run_doctor(tmp_path, "--offline")
    assert result.stdout.splitlines() == [
        "ERROR catalyst.json: (file): the file does not exist. Run doctor in the project "
        "folder, or pass --project.",
        "doctor: 1 error, 0 warnings",
    ]
    assert result.exit_code == 1


def test_usage_error_exits_2(tmp_path):
    result = run_doctor(tmp_path, "--no-such-option")
    assert result.exit_code == 2


def test_what_runs_in_the_cloud_is_not_flagged(tmp_path):
    root = good_project(tmp_path)
    api_main(root, """\
        from typing import TYPE_CHECKING

        from impl import handler

        if TYPE_CHECKING:
            import only_for_type_checkers
    """)
    write_text(root / API / "impl.py", """\
        import zcatalyst_sdk
        import requests


        def handler(request, *extra, verbose=False):
            return zcatalyst_sdk, requests
    """)
    write_text(root / API / "requirements.txt", "-r base.txt\n")
    write_text(root / API / "base.txt", "zcatalyst-sdk==1.4.0 \\\n  ; python_version >= '3.9'\n")
    write_text(root / "functions/listener/main.py",
               "def handler(event, context, retries=3):\n    pass\n")

    result = run_doctor(root, "--offline")

    assert result.stdout == "doctor: no problems found\n"
    assert result.exit_code == 0
