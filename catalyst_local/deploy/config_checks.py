"""Doctor's checks on one function's catalyst-config.json: name, stack, type, env variables."""

from __future__ import annotations

from typing import Any

from catalyst_local.deploy import jsonfile, stacks
from catalyst_local.deploy.findings import ERROR, WARNING, Report
from catalyst_local.deploy.target import Target
from catalyst_local.project import HOSTED_TYPES, KNOWN_TYPES

PLACEHOLDERS = ("Your Client Id", "Your Client Secret", "Your Refresh Token", "CODELIB_FAKE_KEY")
IS_LOCAL = "X_ZOHO_CATALYST_IS_LOCAL"
_SET_IN_CONSOLE = ("Set the real value in the Catalyst console after deploy; each deploy "
                   "overwrites it with the value in catalyst-config.json.")


def read_config(report: Report, target: Target) -> bool:
    """Loads the file into `target.config`; False, with a finding, when it cannot be read."""
    config, problem = jsonfile.read_object(target.config_path)
    if config is None:
        fix = ("Create it with deployment.name, deployment.stack, deployment.type and "
               "execution.main." if problem == jsonfile.MISSING else "Fix the JSON.")
        report.add(ERROR, target.config_path, "(file)", problem, fix, target.name)
        return False
    target.config = config
    return True


def check_deployment(report: Report, target: Target) -> None:
    file, deployment = target.config_path, target.config.get("deployment")
    if not isinstance(deployment, dict):
        report.add(ERROR, file, "deployment", "is missing or not an object",
                   "Add \"deployment\" with name, stack and type.", target.name)
        return
    name = deployment.get("name")
    if not isinstance(name, str) or not name.strip():
        report.add(ERROR, file, "deployment.name", "is missing or empty",
                   f"Set it to the function's name, usually its folder name '{target.name}'.",
                   target.name)
    target.stack = _check_stack(report, target, deployment.get("stack"))
    target.kind = _check_type(report, target, deployment.get("type"))
    _check_env(report, target, deployment.get("env_variables", {}))


def _check_stack(report: Report, target: Target, stack: Any) -> str | None:
    file, key = target.config_path, "deployment.stack"
    supported = ", ".join(stacks.supported_stacks())
    if not isinstance(stack, str) or not stack:
        report.add(ERROR, file, key, "is missing", f"Set it to one of {supported}.", target.name)
        return None
    if stacks.python_version(stack) is None:
        intended = stacks.intended_stack(stack)
        if intended is None:
            report.add(ERROR, file, key, f"'{stack}' is not a Python stack",
                       f"Use one of {supported}.", target.name)
        elif intended in stacks.END_OF_LIFE:
            report.add(ERROR, file, key, f"'{stack}' is not a Catalyst stack name",
                       f"Write it as '{intended}', or better move to one of {supported}.",
                       target.name)
        else:
            report.add(ERROR, file, key, f"'{stack}' is not a Catalyst stack name",
                       f"Write it as '{intended}'.", target.name)
        return None
    if stack in stacks.END_OF_LIFE:
        report.add(WARNING, file, key,
                   f"{stack} is end of life; Catalyst may warn about or refuse deploys on it",
                   f"Move to one of {supported}.", target.name)
    return stack


def _check_type(report: Report, target: Target, kind: Any) -> str | None:
    file, key = target.config_path, "deployment.type"
    if not isinstance(kind, str) or not kind:
        report.add(ERROR, file, key, "is missing", "Set it to advancedio or event.", target.name)
        return None
    if kind not in KNOWN_TYPES:
        others = ", ".join(t for t in KNOWN_TYPES if t not in HOSTED_TYPES and t != "applogic")
        report.add(ERROR, file, key, f"'{kind}' is not a Catalyst function type",
                   f"Use advancedio or event (or one of {others}).", target.name)
        return None
    if kind == "applogic":
        report.add(WARNING, file, key, "'applogic' is the legacy name of advancedio",
                   "Write 'advancedio'.", target.name)
        return "advancedio"
    if kind not in HOSTED_TYPES:
        report.add(WARNING, file, key,
                   f"'{kind}' functions deploy, but catalyst-local does not run them, and doctor "
                   "does not check their handler's arguments",
                   "Test it in Catalyst, or use advancedio or event.", target.name)
    return kind


def _check_env(report: Report, target: Target, env: Any) -> None:
    file, key = target.config_path, "deployment.env_variables"
    if env is None:
        return
    if not isinstance(env, dict):
        report.add(ERROR, file, key, "must be an object of variable names to values",
                   "Write it as {\"NAME\": \"value\"}.", target.name)
        return
    for name, value in env.items():
        item = f"{key}.{name}"
        if name == IS_LOCAL:
            report.add(ERROR, file, item,
                       "turns on the runtime's local mode and makes the SDK force https",
                       "Remove it: Catalyst sets what the runtime needs.", target.name)
        elif isinstance(value, str) and value in PLACEHOLDERS:
            report.add(WARNING, file, item, f"still holds the placeholder '{value}'",
                       _SET_IN_CONSOLE, target.name)
        elif value is None or (isinstance(value, str) and not value.strip()):
            report.add(WARNING, file, item, "is empty", _SET_IN_CONSOLE, target.name)
