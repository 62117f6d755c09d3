"""What a function's Python files say, read with `ast`: user code is never imported."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

_OPTIONAL_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


@dataclass(frozen=True)
class ImportUse:
    module: str  # the top-level name, e.g. "zcatalyst_sdk" for `from zcatalyst_sdk.x import y`
    file: Path
    line: int


@dataclass(frozen=True)
class HandlerShape:
    found: bool
    is_async: bool = False
    min_args: int = 0
    max_args: int | None = 0  # None: takes any number (*args)
    needs_keyword: bool = False  # a keyword-only argument without a default: never callable
    line: int = 0
    checkable: bool = True  # False when `handler` is bound by an import or assignment


def parse(path: Path) -> ast.Module:
    """The file's syntax tree; raises SyntaxError (with lineno) when it does not parse."""
    return ast.parse(path.read_bytes(), filename=str(path))


def handler_shape(tree: ast.Module) -> HandlerShape:
    """How the module-level `handler` can be called; the last binding wins, as at run time."""
    shape = HandlerShape(found=False)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "handler":
            shape = _function_shape(node)
        elif _binds_handler(node):
            shape = HandlerShape(found=True, line=node.lineno, checkable=False)
    return shape


def accepts(shape: HandlerShape, count: int) -> bool:
    """Whether the runtime's positional call with `count` arguments fits the handler."""
    if shape.needs_keyword:
        return False
    return shape.min_args <= count and (shape.max_args is None or count <= shape.max_args)


def _function_shape(node: ast.FunctionDef | ast.AsyncFunctionDef) -> HandlerShape:
    args = node.args
    positional = len(args.posonlyargs) + len(args.args)
    return HandlerShape(found=True, is_async=isinstance(node, ast.AsyncFunctionDef),
                        min_args=positional - len(args.defaults),
                        max_args=None if args.vararg else positional,
                        needs_keyword=any(default is None for default in args.kw_defaults),
                        line=node.lineno)


def _binds_handler(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return any((alias.asname or alias.name) == "handler" for alias in node.names)
    if isinstance(node, ast.Assign):
        return any(isinstance(target, ast.Name) and target.id == "handler"
                   for target in node.targets)
    if isinstance(node, ast.AnnAssign | ast.AugAssign):
        return isinstance(node.target, ast.Name) and node.target.id == "handler"
    return False


def absolute_imports(tree: ast.Module, path: Path) -> list[ImportUse]:
    """Every absolute import in the file, except those guarded by `except ImportError`."""
    uses: list[ImportUse] = []
    optional = _optional_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            uses += [ImportUse(alias.name.split(".")[0], path, node.lineno)
                     for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            uses.append(ImportUse(node.module.split(".")[0], path, node.lineno))
    return uses


def _optional_nodes(tree: ast.Module) -> set[int]:
    """Imports that may fail without harm: under a `try` that catches a failed import, or
    under `if TYPE_CHECKING:`, which never runs."""
    optional: set[int] = set()
    for node in ast.walk(tree):
        guarded: list[ast.stmt] = []
        if isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers):
            guarded = node.body
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            guarded = node.body
        for statement in guarded:
            optional.update(id(inner) for inner in ast.walk(statement))
    return optional


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(name, ast.Name) and name.id in _OPTIONAL_IMPORT_ERRORS
               for name in names)
