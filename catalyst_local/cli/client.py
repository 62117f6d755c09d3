"""The HTTP client the everyday verbs use to talk to a running server's admin API."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import httpx

from catalyst_local.cli.options import data_dir_for, running_server_url

ADMIN = "/_catalyst_local"
TIMEOUT_SECONDS = 30.0
# Where each kind of unknown name the server reports was given on the command line.
PARAM_HINTS = {"function": "'FUNCTION'", "segment": "'--segment'", "folder": "'--folder'",
               "module": "'MODULE'"}


class AdminClient:
    """Calls `/_catalyst_local/...` on the server that uses a data directory.

    Failures become click errors with one rule: a name the project does not have is a usage
    error (exit 2, with the server's "did you mean"); anything else that fails exits 1.
    """

    def __init__(self, url: str):
        self.url = url
        # trust_env off: a proxy from the environment must never see calls to 127.0.0.1.
        self._http = httpx.Client(base_url=url + ADMIN, timeout=TIMEOUT_SECONDS, trust_env=False)

    @classmethod
    def for_project(cls, project_dir: Path, data_dir: Path | None) -> AdminClient:
        return cls(running_server_url(data_dir_for(project_dir, data_dir)))

    def close(self) -> None:
        self._http.close()

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, params=params).json()

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.call("POST", path, **kwargs).json()

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        params = {k: v for k, v in (kwargs.pop("params", None) or {}).items() if v is not None}
        with self._reaching():
            response = self._http.request(method, path, params=params, **kwargs)
        self._raise_for(response)
        return response

    @contextlib.contextmanager
    def download(self, path: str, **params: Any) -> Iterator[httpx.Response]:
        """A streamed GET; the body is read by the caller."""
        with self._reaching(), self._http.stream("GET", path, params=params) as response:
            if response.status_code >= 400:
                response.read()
                self._raise_for(response)
            yield response

    @contextlib.contextmanager
    def _reaching(self) -> Iterator[None]:
        try:
            yield
        except httpx.TransportError as exc:
            raise click.ClickException(
                f"cannot reach the catalyst-local server at {self.url} ({type(exc).__name__}); "
                "is it still running? Start one with `catalyst-local serve`") from None

    @staticmethod
    def _raise_for(response: httpx.Response) -> None:
        if response.status_code < 400:
            return
        try:
            body = response.json()
        except ValueError:
            body = {}
        message = body.get("error") if isinstance(body, dict) else None
        message = message or f"the server answered {response.status_code}"
        if isinstance(body, dict) and body.get("unknown") in PARAM_HINTS:
            raise click.BadParameter(message, param_hint=PARAM_HINTS[body["unknown"]])
        raise click.ClickException(message)


@contextlib.contextmanager
def admin_client(project_dir: Path, data_dir: Path | None) -> Iterator[AdminClient]:
    client = AdminClient.for_project(project_dir, data_dir)
    try:
        yield client
    finally:
        client.close()
