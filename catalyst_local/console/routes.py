"""The console's routes, with full paths under `/_catalyst_local/console`."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from catalyst_local.console import pages
from catalyst_local.console.html import BASE
from catalyst_local.events.bus import EventNotFound, ReplayRefused


def routes() -> list[BaseRoute]:
    return [
        Route(BASE, pages.overview_page, methods=["GET"]),
        Route(f"{BASE}/", pages.overview_page, methods=["GET"]),
        Route(f"{BASE}/functions", pages.functions_page, methods=["GET"]),
        Route(f"{BASE}/filestore", pages.filestore_page, methods=["GET"]),
        Route(f"{BASE}/cache", pages.cache_page, methods=["GET"]),
        Route(f"{BASE}/events", pages.events_page, methods=["GET"]),
        Route(f"{BASE}/events/{{event_id}}/replay", replay, methods=["POST"]),
        Route(f"{BASE}/imports", pages.imports_page, methods=["GET"]),
        Route(f"{BASE}/zoho", pages.zoho_page, methods=["GET"]),
    ]


async def replay(request: Request) -> Response:
    """The Replay button: queues the event again, then sends the browser back to the list."""
    event_id = request.path_params["event_id"]
    bus = request.app.state.runtime.events
    if bus is None:
        notice = "The Event Listener is not running"
    else:
        try:
            bus.replay(event_id)
            notice = f"Event {event_id} queued again"
        except (EventNotFound, ReplayRefused) as refused:
            notice = str(refused)
    return RedirectResponse(f"{BASE}/events?" + urlencode({"notice": notice}), status_code=303)
