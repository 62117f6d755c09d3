"""Doctor's checks on a function's entry point: `execution.main`, and the `handler` it defines."""

from __future__ import annotations

from pathlib import Path

from catalyst_local.deploy import source
from catalyst_local.deploy.findings import ERROR, Report
from catalyst_local.deploy.ignore import matching_pattern
from catalyst_local.deploy.target import Target

# How the runtime calls each hosted type's handler.
SIGNATURES = {"advancedio": ("request",), "event": ("event", "context")}


def check_execution(report: Report, target: Target) -> None:
    file, execution = target.config_path, target.config.get("execution")
    if not isinstance(execution, dict):
        report.add(ERROR, file, "execution",
                   "is missing; the Catalyst runtime refuses a function without it",
                   "Add \"execution\": {\"main\": \"main.py\"}.", target.name)
        return
    main = execution.get("main") or "main.py"  # the runtime's default for an empty value
    if not isinstance(main, str):
        report.add(ERROR, file, "execution.main", "must be a file name",
                   "Set it to the entry file, such as \"main.py\".", target.name)
        return
    entry = target.folder / main
    if not entry.is_file():
        report.add(ERROR, file, "execution.main",
                   f"'{main}' does not exist in {report.relative(target.folder)}",
                   "Create it, or point execution.main at the entry file.", target.name)
        return
    target.main = entry


def check_ignore(report: Report, target: Target, config_file: Path, patterns: list[str]) -> None:
    """The deploy zip must keep the entry file and catalyst-config.json, which the runtime reads."""
    kept = [("catalyst-config.json", "the file the runtime reads at start")]
    if target.main is not None:
        kept.insert(0, (target.main.relative_to(target.folder).as_posix(), "its entry file"))
    for relative, role in kept:
        pattern = matching_pattern(relative, patterns)
        if pattern is not None:
            report.add(ERROR, config_file, "functions.ignore",
                       f"'{pattern}' leaves {relative}, {role}, out of {target.name}'s deploy zip",
                       "Narrow or remove the pattern.", target.name)


def check_handler(report: Report, target: Target) -> None:
    if target.main is None:
        return
    try:
        tree = source.parse(target.main)
    except SyntaxError as exc:
        report.add(ERROR, target.main, f"line {exc.lineno}", f"does not parse ({exc.msg})",
                   "Fix the syntax error.", target.name)
        return
    shape = source.handler_shape(tree)
    signature = SIGNATURES.get(target.kind or "")
    wanted = f"`def handler({', '.join(signature)}):`" if signature else "`def handler(...):`"
    if not shape.found:
        report.add(ERROR, target.main, "handler", "is not defined at the top level of the module",
                   f"Define {wanted}.", target.name)
        return
    if shape.is_async:
        report.add(ERROR, target.main, "handler",
                   "is async, but the runtime calls it without awaiting, so its body never runs",
                   f"Make it a plain {wanted}.", target.name)
        return
    if signature and shape.checkable and not source.accepts(shape, len(signature)):
        called = f"handler({', '.join(signature)})"
        report.add(ERROR, target.main, "handler",
                   f"{_takes(shape)}, but an {target.kind} function is called as {called}",
                   f"Change it to {wanted}.", target.name)


def _takes(shape: source.HandlerShape) -> str:
    if shape.needs_keyword:
        return "has a keyword-only argument without a default"
    if shape.max_args is None:
        return f"takes at least {_arguments(shape.min_args)}"
    if shape.min_args == shape.max_args:
        return f"takes {_arguments(shape.min_args)}"
    return f"takes {shape.min_args} to {shape.max_args} arguments"


def _arguments(count: int) -> str:
    return "1 argument" if count == 1 else f"{count} arguments"
