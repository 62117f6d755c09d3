"""Reads a Catalyst project the way the Catalyst CLI does.

`catalyst.json` names the function folders (`functions.targets` under `functions.source`), and each
folder's `catalyst-config.json` says how to run it. The components a project needs (File Store
folders, Cache segments, Event Listener rules) live in the cloud console, not in these files, so
catalyst-local reads them from a `catalyst_local` key in `catalyst.json`, which the Catalyst CLI
ignores. Every problem found is a `ConfigError` naming the file, the key and the rule broken.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger("catalyst_local.server")

PYTHON_STACKS = ("python_3_9", "python_3_10", "python_3_11", "python_3_12", "python_3_13")
KNOWN_TYPES = ("basicio", "advancedio", "applogic", "event", "cron", "job", "integration",
               "browser_logic")
HOSTED_TYPES = ("advancedio", "event")
EVENT_SOURCES = {"Cache": ("Put",), "Filestore": ("Upload",)}
COMPONENT_KINDS = ("Filestore", "Cache", "EventListener")
LOCAL_ENV_FILE = "catalyst-local.env.json"


class ConfigError(Exception):
    """A project file breaks a rule; the server refuses to start."""

    def __init__(self, file: Path | str, key: str, rule: str):
        self.file, self.key, self.rule = str(file), key, rule
        super().__init__(f"{file}: {key}: {rule}")


@dataclass(frozen=True)
class Function:
    name: str
    type: str  # "advancedio" or "event"
    stack: str
    directory: Path
    main: str
    env_variables: dict[str, str]
    memory: int | None = None

    @property
    def entry_file(self) -> Path:
        return self.directory / self.main


@dataclass(frozen=True)
class Rule:
    name: str
    source: str  # "Cache" or "Filestore"
    entities: tuple[str, ...]  # segment or folder names
    actions: tuple[str, ...]
    targets: tuple[str, ...]  # event function names
    enabled: bool = True


@dataclass
class Project:
    root: Path
    name: str
    functions: dict[str, Function]
    folders: list[str]
    segments: list[str]
    rules: list[Rule]
    scripts: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    local_env: dict[str, dict[str, str]] = field(default_factory=dict)

    def env_for(self, function: Function) -> dict[str, str]:
        """The function's env variables, with the git-ignored local values laid over them."""
        return {**function.env_variables, **self.local_env.get(function.name, {})}


def _read_json(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "(file)", "the file does not exist") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(path, "(file)",
                          f"is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(value, dict):
        raise ConfigError(path, "(file)", "must hold a JSON object")
    return value


def _expect(value: Any, kind: type | tuple[type, ...], file: Path, key: str, what: str) -> Any:
    if not isinstance(value, kind):
        raise ConfigError(file, key, f"must be {what}")
    return value


def _string_list(value: Any, file: Path, key: str) -> tuple[str, ...]:
    items = _expect(value, list, file, key, "a list of strings")
    for item in items:
        _expect(item, str, file, key, "a list of strings")
    return tuple(items)


def load_project(root: Path | str) -> Project:
    root = Path(root).resolve()
    config_path = root / "catalyst.json"
    config = _read_json(config_path)

    functions_config = _expect(config.get("functions", {}), dict, config_path, "functions",
                               "an object")
    source_key = "functions.source"
    source = functions_config.get("source")
    if source is None and "folder_path" in functions_config:
        logger.warning("%s: functions.folder_path is read as functions.source; the Catalyst CLI "
                       "ignores it", config_path)
        source, source_key = functions_config["folder_path"], "functions.folder_path"
    source = _expect(source or "functions", str, config_path, source_key, "a folder name")
    source_dir = (root / source).resolve()
    if not source_dir.is_relative_to(root):
        raise ConfigError(config_path, source_key, "must stay inside the project folder")

    targets = _string_list(functions_config.get("targets", []), config_path, "functions.targets")
    functions: dict[str, Function] = {}
    for target in targets:
        if "/" in target or "\\" in target or target in ("", ".", ".."):
            raise ConfigError(config_path, "functions.targets",
                              f"'{target}' must be a folder name, with no path separators")
        function = _load_function(source_dir / target, target)
        functions[function.name] = function

    local = _expect(config.get("catalyst_local", {}), dict, config_path, "catalyst_local",
                    "an object")
    project_info = _expect(local.get("project", {}), dict, config_path, "catalyst_local.project",
                           "an object")
    name = _expect(project_info.get("name", root.name), str, config_path,
                   "catalyst_local.project.name", "a string")
    components = _expect(local.get("components", {}), dict, config_path,
                         "catalyst_local.components", "an object")
    for kind in components:
        if kind not in COMPONENT_KINDS:
            raise ConfigError(config_path, f"catalyst_local.components.{kind}",
                              f"is not emulated; use {', '.join(COMPONENT_KINDS)}")
    folders = _component_names(components, "Filestore", "folder", config_path)
    segments = _component_names(components, "Cache", "segment", config_path)
    rules = _load_rules(components, config_path, functions, folders, segments)

    scripts = functions_config.get("scripts", {})
    _expect(scripts, dict, config_path, "functions.scripts", "an object")
    settings = _expect(local.get("settings", {}), dict, config_path, "catalyst_local.settings",
                       "an object")

    return Project(root=root, name=name, functions=functions, folders=folders,
                   segments=segments, rules=rules, scripts=scripts, settings=settings,
                   local_env=_load_local_env(root / LOCAL_ENV_FILE, functions))


def _load_function(directory: Path, target: str) -> Function:
    config_path = directory / "catalyst-config.json"
    if not directory.is_dir():
        raise ConfigError(directory.parent.parent / "catalyst.json", "functions.targets",
                          f"'{target}' has no folder at {directory}")
    config = _read_json(config_path)
    deployment = _expect(config.get("deployment"), dict, config_path, "deployment", "an object")
    execution = _expect(config.get("execution"), dict, config_path, "execution",
                        "an object (the Catalyst runtime refuses a function without it)")

    name = _expect(deployment.get("name"), str, config_path, "deployment.name", "a string")
    if not name:
        raise ConfigError(config_path, "deployment.name", "must not be empty")
    if name != target:
        logger.warning("%s: deployment.name '%s' differs from its folder '%s'; it is served as "
                       "/server/%s/", config_path, name, target, name)

    stack = _expect(deployment.get("stack"), str, config_path, "deployment.stack", "a string")
    if stack not in PYTHON_STACKS:
        raise ConfigError(config_path, "deployment.stack",
                          f"'{stack}' is not a Python stack; use one of {', '.join(PYTHON_STACKS)}")
    running = f"python_{sys.version_info.major}_{sys.version_info.minor}"
    if stack != running:
        logger.warning("Function %s declares %s but runs here on %s", name, stack, running)

    kind = _expect(deployment.get("type"), str, config_path, "deployment.type", "a string")
    if kind not in KNOWN_TYPES:
        raise ConfigError(config_path, "deployment.type",
                          f"'{kind}' is not a Catalyst function type")
    if kind == "applogic":
        kind = "advancedio"
    if kind not in HOSTED_TYPES:
        raise ConfigError(config_path, "deployment.type",
                          f"'{kind}' functions are not hosted by catalyst-local "
                          "(only advancedio and event are)")

    main = _expect(execution.get("main") or "main.py", str, config_path, "execution.main",
                   "a file name")
    if not (directory / main).is_file():
        raise ConfigError(config_path, "execution.main", f"'{main}' does not exist in {directory}")

    env = _expect(deployment.get("env_variables", {}) or {}, dict, config_path,
                  "deployment.env_variables", "an object")
    env = {key: value if isinstance(value, str) else json.dumps(value)
           for key, value in env.items()}
    memory = deployment.get("memory")
    return Function(name=name, type=kind, stack=stack, directory=directory, main=main,
                    env_variables=env, memory=memory if isinstance(memory, int) else None)


def _component_names(components: dict, kind: str, item_type: str, file: Path) -> list[str]:
    key = f"catalyst_local.components.{kind}"
    names: list[str] = []
    for index, item in enumerate(_expect(components.get(kind, []), list, file, key, "a list")):
        item_key = f"{key}[{index}]"
        _expect(item, dict, file, item_key, "an object")
        if item.get("type", item_type) != item_type:
            raise ConfigError(file, f"{item_key}.type", f"must be '{item_type}'")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(file, f"{item_key}.name", "must be a non-empty string")
        if name in names:
            raise ConfigError(file, f"{item_key}.name", f"'{name}' is declared twice")
        names.append(name)
    return names


def _load_rules(components: dict, file: Path, functions: dict[str, Function],
                folders: list[str], segments: list[str]) -> list[Rule]:
    key = "catalyst_local.components.EventListener"
    rules: list[Rule] = []
    for index, item in enumerate(_expect(components.get("EventListener", []), list, file, key,
                                         "a list")):
        item_key = f"{key}[{index}]"
        _expect(item, dict, file, item_key, "an object")
        name = _expect(item.get("name"), str, file, f"{item_key}.name", "a string")
        source = item.get("source")
        if source not in EVENT_SOURCES:
            raise ConfigError(file, f"{item_key}.source",
                              f"'{source}' is not emulated; use one of {', '.join(EVENT_SOURCES)}")
        entities = _string_list(item.get("entities", []), file, f"{item_key}.entities")
        known = segments if source == "Cache" else folders
        for entity in entities:
            if entity not in known:
                what = "segment" if source == "Cache" else "folder"
                raise ConfigError(file, f"{item_key}.entities",
                                  f"'{entity}' is not a declared {what}")
        actions = _string_list(item.get("actions", []), file, f"{item_key}.actions")
        if not actions:
            raise ConfigError(file, f"{item_key}.actions", "must name at least one action")
        for action in actions:
            if action not in EVENT_SOURCES[source]:
                raise ConfigError(file, f"{item_key}.actions",
                                  f"{source} emits only {', '.join(EVENT_SOURCES[source])}, "
                                  f"not '{action}'")
        targets = _string_list(item.get("targets", []), file, f"{item_key}.targets")
        if not targets:
            raise ConfigError(file, f"{item_key}.targets", "must name at least one function")
        for target in targets:
            function = functions.get(target)
            if function is None:
                raise ConfigError(file, f"{item_key}.targets",
                                  f"'{target}' is not one of functions.targets")
            if function.type != "event":
                raise ConfigError(file, f"{item_key}.targets",
                                  f"'{target}' is an Advanced I/O function; rules target event "
                                  "functions")
        enabled = _expect(item.get("enabled", True), bool, file, f"{item_key}.enabled",
                          "true or false")
        rules.append(Rule(name=name, source=source, entities=entities, actions=actions,
                          targets=targets, enabled=enabled))
    return rules


def _load_local_env(path: Path, functions: dict[str, Function]) -> dict[str, dict[str, str]]:
    """Local values for env variables, kept out of git, one object per function."""
    if not path.exists():
        return {}
    data = _read_json(path)
    local: dict[str, dict[str, str]] = {}
    for name, values in data.items():
        if name not in functions:
            raise ConfigError(path, name, "is not one of functions.targets")
        _expect(values, dict, path, name, "an object of env variable values")
        for key, value in values.items():
            _expect(value, str, path, f"{name}.{key}", "a string")
        local[name] = dict(values)
    return local
