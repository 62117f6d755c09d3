"""The body an Event function receives from an Event Listener rule (the CLI's event shape)."""

from __future__ import annotations

from typing import Any

EVENT_BUS_NAME = "Default"
# Fields of a component object that hold ids or sizes, which the v2 API sends as strings.
NUMERIC_FIELDS = frozenset({"id", "file_size", "folder_details", "expiry_in_hours",
                            "ttl_in_milliseconds", "zuid", "user_id"})


def event_body(*, project: dict[str, str], bus_id: str, source: str, action: str,
               entity_id: str, data: dict[str, Any], event_time_ms: int,
               numbers_as_strings: bool) -> dict[str, Any]:
    """The legacy Event Listener body. `event_time` is epoch milliseconds as a JSON number, and
    `data` is the component's object (its ids and sizes as numbers if so configured).

    No `rule_identifier`: that key belongs to custom listeners, which are not emulated.
    """
    project_details = {"id": project["id"], "project_name": project["project_name"]}
    return {
        "project_details": project_details,
        "current_project": dict(project_details),
        "event_bus_details": {"id": bus_id, "name": EVENT_BUS_NAME},
        "action": action,
        "source": source,
        "source_entity_id": entity_id,
        "event_time": event_time_ms,
        "data": data if numbers_as_strings else _with_numbers(data),
    }


def _with_numbers(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {name: _with_numbers(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_with_numbers(item) for item in value]
    if key in NUMERIC_FIELDS and isinstance(value, str) and value.isdigit():
        return int(value)
    return value
