"""Admin routes for the Event Listener's outbox (mounted under `/_catalyst_local`).

These have no cloud counterpart: they let a developer see, replay and hold local deliveries.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from catalyst_local.events.bus import EventBus, EventNotFound, ReplayRefused
from catalyst_local.events.store import STATES


def routes() -> list[BaseRoute]:
    return [
        Route("/events", list_events, methods=["GET"]),
        Route("/events/pause", pause, methods=["POST"]),
        Route("/events/resume", resume, methods=["POST"]),
        Route("/events/{event_id}", get_event, methods=["GET"]),
        Route("/events/{event_id}/replay", replay, methods=["POST"]),
    ]


def _bus(request: Request) -> EventBus | None:
    return request.app.state.runtime.events


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _not_running() -> JSONResponse:
    return _error(503, "The Event Listener is not running")


async def list_events(request: Request) -> JSONResponse:
    bus = _bus(request)
    if bus is None:
        return _not_running()
    state = request.query_params.get("state")
    if state is not None and state not in STATES:
        return _error(400, f"Unknown state {state}; use one of {', '.join(STATES)}")
    return JSONResponse({"paused": bus.paused, "events": bus.list(state)})


async def get_event(request: Request) -> JSONResponse:
    bus = _bus(request)
    if bus is None:
        return _not_running()
    try:
        return JSONResponse(bus.get(request.path_params["event_id"]))
    except EventNotFound as error:
        return _error(404, str(error))


async def replay(request: Request) -> JSONResponse:
    bus = _bus(request)
    if bus is None:
        return _not_running()
    try:
        return JSONResponse(bus.replay(request.path_params["event_id"]))
    except EventNotFound as error:
        return _error(404, str(error))
    except ReplayRefused as error:
        return _error(409, str(error))


async def pause(request: Request) -> JSONResponse:
    bus = _bus(request)
    if bus is None:
        return _not_running()
    bus.pause()
    return JSONResponse({"paused": True})


async def resume(request: Request) -> JSONResponse:
    bus = _bus(request)
    if bus is None:
        return _not_running()
    bus.resume()
    return JSONResponse({"paused": False})
