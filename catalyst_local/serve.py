"""`catalyst-local serve`: bind, provision, run uvicorn until stopped.

The socket is bound before anything else starts, so that with `--port 0` the real port is known
when the function workers are given `X_ZOHO_CATALYST_CONSOLE_URL`.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

import click
import uvicorn

from catalyst_local.app import build_app, open_runtime
from catalyst_local.project import ConfigError, Project, load_project
from catalyst_local.runtime import Runtime
from catalyst_local.wiring import zoho_target

logger = logging.getLogger("catalyst_local.server")
SERVER_FILE = "server.json"


def run_preserve_script(project: Project) -> None:
    """Runs `functions.scripts.preserve` from the project root, as `catalyst serve` does."""
    script = project.scripts.get("preserve")
    if not script:
        return
    logger.info("Running the preserve script: %s", script)
    result = subprocess.run(script, shell=True, cwd=project.root, capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ConfigError(project.root / "catalyst.json", "functions.scripts.preserve",
                          f"the script exited with {result.returncode}: {detail[0]}")


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def url_for(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


SERVICE = "crm_bulk_job_service"


def banner(runtime: Runtime) -> str:
    lines = [f"catalyst-local is serving project {runtime.project.name} at {runtime.base_url}",
             f"  data directory: {runtime.data_dir}"]
    for name, function in runtime.project.functions.items():
        if function.type == "advancedio":
            lines.append(f"  function {name} (Advanced I/O): {runtime.base_url}/server/{name}/")
        else:
            rules = [rule.name for rule in runtime.project.rules if name in rule.targets]
            lines.append(f"  function {name} (Event): rules {', '.join(rules) or '(none)'}")
        target = zoho_target(runtime, name)
        if target:
            lines.append(f"    calls {target}")
    if SERVICE in runtime.project.functions:
        lines += import_hint(runtime)
    return "\n".join(lines)


def import_hint(runtime: Runtime) -> list[str]:
    """A ready-to-paste curl line for the main job; the secret key stays out of the output."""
    where = f"--project {_quote(runtime.project.root)}"
    if runtime.data_dir != runtime.project.root / ".catalyst-local":
        where += f" --data-dir {_quote(runtime.data_dir)}"
    key = f"$(catalyst-local env {where} --get {SERVICE}.CODELIB_SECRET_KEY)"
    on_sandbox = zoho_target(runtime, SERVICE) == "the embedded Zoho sandbox"
    org_id = runtime.sandbox.org_id if on_sandbox else "<your org id>"
    return [
        "Import a CSV into the sandbox CRM:" if on_sandbox else "Import a CSV into Zoho CRM:",
        f'  curl -H "catalyst-codelib-secret-key: {key}" '
        f"-F file=@samples/leads.csv -F module_name=Leads -F org_id={org_id} "
        f"{runtime.base_url}/server/{SERVICE}/job",
    ]


def _quote(path: Path) -> str:
    text = str(path)
    return f"'{text}'" if any(c in text for c in " $\"'") else text


class DataDirInUse(Exception):
    """Another serve holds the data directory: two servers would deliver each event twice."""


def lock_data_dir(data_path: Path) -> int:
    """An exclusive lock on the data directory, held until this process ends (a crash too)."""
    data_path.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_path / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise DataDirInUse(f"{data_path} is in use by another catalyst-local serve "
                           f"(pid {holder}); stop it, or pass another --data-dir") from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


def _exit_on_sigterm(signum: int, frame: object) -> None:
    # uvicorn shuts down on SIGTERM, then raises the signal again once it is done; this turns
    # that into a normal exit, so the cleanup below (an --ephemeral data dir) runs as on Ctrl-C.
    raise SystemExit(0)


def serve(project_dir: str, host: str, port: int, data_dir: str | None, ephemeral: bool) -> None:
    project = load_project(project_dir)
    temp_dir = tempfile.mkdtemp(prefix="catalyst-local-") if ephemeral else None
    try:
        _serve(project, host, port, Path(temp_dir or data_dir or project.root / ".catalyst-local"))
    finally:
        # Whatever stopped it (a port in use, a bad project file, Ctrl-C), an ephemeral data
        # directory goes with the server.
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)


def _serve(project: Project, host: str, port: int, data_dir: Path) -> None:
    data_path = data_dir.resolve()
    lock = lock_data_dir(data_path)
    try:
        run_preserve_script(project)
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        sock = bind(host, port)
    except BaseException:
        os.close(lock)
        raise
    try:
        runtime = open_runtime(project, data_path, url_for(sock))
        state_file = data_path / SERVER_FILE

        def announce() -> None:
            state_file.write_text(json.dumps({"url": runtime.base_url, "pid": os.getpid()}))
            click.echo(banner(runtime))

        app = build_app(runtime, on_ready=announce)
        config = uvicorn.Config(app, loop="uvloop", http="httptools", lifespan="on",
                                log_config=None, access_log=False, timeout_graceful_shutdown=5)
        server = uvicorn.Server(config)
        server.run(sockets=[sock])
    finally:
        sock.close()
        (data_path / SERVER_FILE).unlink(missing_ok=True)
        os.close(lock)
