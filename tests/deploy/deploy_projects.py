"""Throwaway projects and wheels for the doctor and package tests."""

from __future__ import annotations

import base64
import hashlib
import json
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner, Result

from catalyst_local.cli.deploy_commands import doctor, package

ADVANCEDIO_MAIN = """\
    from flask import jsonify
    import zcatalyst_sdk
    import helpers


    def handler(request):
        app = zcatalyst_sdk.initialize()
        return jsonify(helpers.greeting(app))
"""
EVENT_MAIN = """\
    import json

    from shared.text import shout


    def handler(event, context):
        print(json.dumps(shout(event.get_data())))
        context.close_with_success()
"""


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def function_config(name: str, kind: str, stack: str = "python_3_11",
                    env: dict[str, str] | None = None) -> dict[str, Any]:
    return {"deployment": {"name": name, "stack": stack, "type": kind,
                           "env_variables": env or {}},
            "execution": {"main": "main.py"}}


def good_project(root: Path) -> Path:
    """Two correct functions: `api` (Advanced I/O, a sibling module) and `listener` (Event, shared
    code from functions/_common already copied in by the predeploy script)."""
    write_json(root / "catalyst.json", {
        "functions": {"targets": ["api", "listener"], "source": "functions",
                      "ignore": ["__pycache__", "*.pyc", "README.md"],
                      "scripts": {"predeploy": "python functions/_common/copy_shared.py"}},
    })
    api = root / "functions" / "api"
    write_json(api / "catalyst-config.json",
               function_config("api", "advancedio", env={"REGION": "eu"}))
    write_text(api / "main.py", ADVANCEDIO_MAIN)
    write_text(api / "helpers.py", """\
        try:
            import ujson as json_impl
        except ImportError:
            import json as json_impl


        def greeting(app):
            return json_impl.loads('{"hello": "world"}')
    """)
    write_text(api / "requirements.txt", "zcatalyst-sdk==1.4.0\n")

    listener = root / "functions" / "listener"
    write_json(listener / "catalyst-config.json", function_config("listener", "event"))
    write_text(listener / "main.py", EVENT_MAIN)
    write_text(listener / "requirements.txt", "# nothing beyond the standard library\n")
    shared = root / "functions" / "_common" / "shared"
    write_text(shared / "__init__.py", "")
    write_text(shared / "text.py", "def shout(data):\n    return str(data).upper()\n")
    write_text(root / "functions" / "_common" / "copy_shared.py", """\
        import shutil
        from pathlib import Path

        functions = Path(__file__).resolve().parent.parent
        for name in ("listener",):
            target = functions / name / "shared"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(functions / "_common" / "shared", target)
    """)
    for name in ("__init__.py", "text.py"):
        write_text(listener / "shared" / name, (shared / name).read_text())
    return root


def build_wheel(folder: Path, name: str, version: str, files: dict[str, str],
                tag: str = "py3-none-any") -> Path:
    """A minimal wheel written by hand, so no build backend (or index) is needed."""
    dist_info = f"{name}-{version}.dist-info"
    entries = {**{path: textwrap.dedent(text) for path, text in files.items()},
               f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\n"
                                        f"Version: {version}\n",
               f"{dist_info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: tests\n"
                                     f"Root-Is-Purelib: {'true' if 'none' in tag else 'false'}\n"
                                     f"Tag: {tag}\n"}
    record = []
    for path, text in entries.items():
        digest = hashlib.sha256(text.encode()).digest()
        encoded = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        record.append(f"{path},sha256={encoded},{len(text.encode())}")
    record.append(f"{dist_info}/RECORD,,")
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in entries.items():
            archive.writestr(path, text)
        archive.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return wheel


def run(command: click.Command, *args: str | Path) -> Result:
    return CliRunner().invoke(command, [str(arg) for arg in args], catch_exceptions=False)


def run_doctor(root: Path, *args: str | Path) -> Result:
    return run(doctor, "--project", root, *args)


def run_package(root: Path, *args: str | Path) -> Result:
    return run(package, "--project", root, *args)
