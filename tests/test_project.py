"""Reading a Catalyst project: every broken rule names the file, the key and the rule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from catalyst_local.project import ConfigError, load_project
from catalyst_local.settings import Settings
from tests.projects import write_function, write_project

HANDLER = "def handler(request):\n    return 'ok'\n"
EVENT_HANDLER = "def handler(event, context):\n    context.close_with_success()\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = write_project(tmp_path, ["api", "worker"], folders=["Docs"], segments=["Orders"],
                         rules=[{"name": "OnPut", "source": "Cache", "entities": ["Orders"],
                                 "actions": ["Put"], "targets": ["worker"]}])
    write_function(root, "api", "advancedio", HANDLER, env={"GREETING": "hello"})
    write_function(root, "worker", "event", EVENT_HANDLER)
    return root


def edit(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_a_valid_project_loads_with_its_components(project: Path):
    loaded = load_project(project)
    assert list(loaded.functions) == ["api", "worker"]
    assert loaded.functions["api"].type == "advancedio"
    assert loaded.functions["api"].env_variables == {"GREETING": "hello"}
    assert loaded.folders == ["Docs"] and loaded.segments == ["Orders"]
    assert loaded.rules[0].targets == ("worker",)


def rule(data: dict) -> dict:
    return data["catalyst_local"]["components"]["EventListener"][0]


def api_config(data: dict) -> dict:
    return data["deployment"]


BROKEN = [
    ("catalyst.json", lambda d: d["functions"].update(targets=["../api"]), "functions.targets",
     "'../api' must be a folder name, with no path separators"),
    ("catalyst.json", lambda d: d["functions"].update(source="../elsewhere"),
     "functions.source", "must stay inside the project folder"),
    ("catalyst.json", lambda d: rule(d).update(source="Datastore"),
     "catalyst_local.components.EventListener[0].source",
     "'Datastore' is not emulated; use one of Cache, Filestore"),
    ("catalyst.json", lambda d: rule(d).update(actions=["Delete"]),
     "catalyst_local.components.EventListener[0].actions", "Cache emits only Put, not 'Delete'"),
    ("catalyst.json", lambda d: rule(d).update(entities=["Carts"]),
     "catalyst_local.components.EventListener[0].entities", "'Carts' is not a declared segment"),
    ("catalyst.json", lambda d: rule(d).update(targets=["api"]),
     "catalyst_local.components.EventListener[0].targets",
     "'api' is an Advanced I/O function; rules target event functions"),
    ("catalyst.json", lambda d: d["catalyst_local"]["components"]["Cache"].append(
        {"type": "segment", "name": "Orders"}),
     "catalyst_local.components.Cache[1].name", "'Orders' is declared twice"),
    ("catalyst.json", lambda d: d["catalyst_local"]["components"].update(Datastore=[]),
     "catalyst_local.components.Datastore", "is not emulated; use Filestore, Cache, EventListener"),
    ("functions/api/catalyst-config.json", lambda d: api_config(d).update(stack="python39"),
     "deployment.stack", "'python39' is not a Python stack; use one of python_3_9, python_3_10, "
     "python_3_11, python_3_12, python_3_13"),
    ("functions/api/catalyst-config.json", lambda d: api_config(d).update(type="cron"),
     "deployment.type", "'cron' functions are not hosted by catalyst-local "
     "(only advancedio and event are)"),
    ("functions/api/catalyst-config.json", lambda d: d["execution"].update(main="app.py"),
     "execution.main", "'app.py' does not exist in {folder}"),
    ("functions/api/catalyst-config.json", lambda d: d.pop("execution"),
     "execution", "must be an object (the Catalyst runtime refuses a function without it)"),
]


@pytest.mark.parametrize(("file", "change", "key", "rule_text"), BROKEN,
                         ids=[case[2] + ":" + case[3][:20] for case in BROKEN])
def test_each_broken_rule_is_named(project: Path, file: str, change, key: str, rule_text: str):
    edit(project / file, change)
    with pytest.raises(ConfigError) as raised:
        load_project(project)
    error = raised.value
    assert Path(error.file) == project / file
    assert error.key == key
    assert error.rule == rule_text.format(folder=project / "functions" / "api")


def test_invalid_json_names_the_line(project: Path):
    (project / "catalyst.json").write_text('{"functions": {"targets": [}')
    with pytest.raises(ConfigError) as raised:
        load_project(project)
    assert raised.value.key == "(file)"
    assert raised.value.rule.startswith("is not valid JSON (") and "line 1" in raised.value.rule


def test_local_env_values_lay_over_the_config_and_are_checked(project: Path):
    (project / "catalyst-local.env.json").write_text(json.dumps({"api": {"GREETING": "hi"}}))
    assert load_project(project).local_env == {"api": {"GREETING": "hi"}}

    (project / "catalyst-local.env.json").write_text(json.dumps({"ap": {"GREETING": "hi"}}))
    with pytest.raises(ConfigError) as raised:
        load_project(project)
    assert (raised.value.key, raised.value.rule) == ("ap", "is not one of functions.targets")


def test_serve_refuses_to_start_and_says_why(project: Path, tmp_path: Path):
    edit(project / "functions/api/catalyst-config.json", lambda d: api_config(d).update(
        stack="node16"))
    result = subprocess.run(
        [sys.executable, "-m", "catalyst_local", "serve", "--project", str(project), "--port", "0",
         "--data-dir", str(tmp_path / "data")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    config = project / "functions" / "api" / "catalyst-config.json"
    assert result.stderr.strip().endswith(
        f"Error: {config}: deployment.stack: 'node16' is not a Python stack; use one of "
        "python_3_9, python_3_10, python_3_11, python_3_12, python_3_13")


@pytest.mark.parametrize(("overrides", "key", "rule_text"), [
    ({"event_retries": -1}, "event_retries", "must not be negative"),
    ({"advancedio_timeout_ms": 0}, "advancedio_timeout_ms", "must be positive"),
    ({"event_retries": "5"}, "event_retries", "must be of type int"),
    ({"retries": 5}, "retries", "is not a known setting"),
])
def test_settings_are_checked(tmp_path: Path, overrides: dict, key: str, rule_text: str):
    with pytest.raises(ConfigError) as raised:
        Settings.from_project(overrides, tmp_path / "catalyst.json")
    assert (raised.value.key, raised.value.rule) == (f"catalyst_local.settings.{key}", rule_text)
