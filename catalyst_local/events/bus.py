"""The Event Listener's bus: durable emit, and a dispatcher that delivers with retries.

Mirrors the cloud's component (Default) listener for Cache Put and File Store Upload: each
enabled rule bound to the written segment or folder sends the event to each of its targets.
The cloud documents no retry policy; here a failed delivery (530, 532, 500, a timeout, a crash)
is retried with exponential backoff up to settings.event_retries times, then kept as `failed`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from pathlib import Path
from typing import Any

from catalyst_local.events.body import event_body
from catalyst_local.events.store import (
    DELIVERED,
    FAILED,
    PENDING,
    EventStore,
    NewEvent,
    StoredEvent,
)
from catalyst_local.functions.host import Delivery
from catalyst_local.ids import new_id
from catalyst_local.project import Rule
from catalyst_local.runtime import Runtime

logger = logging.getLogger("catalyst_local.events")


class EventNotFound(LookupError):
    pass


# How often an event held for a function whose code does not load looks again.
HELD_RECHECK_SECONDS = 1.0


class ReplayRefused(ValueError):
    pass


class EventBus:
    """Persists events as they are emitted and delivers them to Event functions.

    Delivery is at least once: an event that was being delivered when the process stopped is
    delivered again on the next start. At most one event per function is in flight at a time,
    and each function gets its events in the order they were emitted (retries aside).
    """

    def __init__(self, runtime: Runtime, db_path: Path):
        self.runtime = runtime
        self.store = EventStore(db_path)
        self.bus_id = self.store.meta("event_bus_id", new_id(17))
        self.paused = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._dispatcher: asyncio.Task[None] | None = None
        self._in_flight: dict[str, asyncio.Task[None]] = {}  # function name -> delivery
        self._held: set[str] = set()  # events waiting for their function's code to load
        self._stopping = False

    def emit(self, source: str, action: str, entity_id: str, entity_name: str,
             data: dict[str, Any]) -> list[str]:
        """Records one component event for every matching (rule, target) and returns the event
        ids. The rows are committed to disk before this returns, so the API call that caused
        the event answers only once the event cannot be lost."""
        body = json.dumps(event_body(
            project=self.runtime.project_details(), bus_id=self.bus_id, source=source,
            action=action, entity_id=entity_id, data=data,
            event_time_ms=time.time_ns() // 1_000_000,
            numbers_as_strings=self.runtime.settings.event_numbers_as_strings))
        events = [NewEvent(rule.name, target, source, action, entity_id, entity_name, body)
                  for rule in self.runtime.project.rules if _matches(rule, source, action,
                                                                     entity_name)
                  for target in rule.targets]
        if not events:
            return []
        ids = self.store.add(events)
        for event_id, event in zip(ids, events, strict=True):
            logger.info("Event %s queued for function %s (rule %s)", event_id, event.function,
                        event.rule)
        self._wake_dispatcher()
        return ids

    async def start(self) -> None:
        """Starts delivering; events left mid-delivery by a previous run go back to pending."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._stopping = False
        requeued = self.store.requeue_interrupted()
        if requeued:
            logger.warning("%d event(s) interrupted mid-delivery are queued again", requeued)
        self._dispatcher = asyncio.create_task(self._dispatch(), name="event dispatcher")

    async def stop(self) -> None:
        """Stops delivering. Deliveries in flight are abandoned and redelivered on next start."""
        self._stopping = True
        self._wake_dispatcher()
        if self._dispatcher is not None:
            await self._dispatcher
            self._dispatcher = None
        for task in list(self._in_flight.values()):
            task.cancel()
        await asyncio.gather(*self._in_flight.values(), return_exceptions=True)
        self.store.requeue_interrupted()
        self._loop = None

    def close(self) -> None:
        self.store.close()

    def pause(self) -> None:
        """Holds delivery; emit still records events."""
        self.paused = True
        logger.info("Event delivery paused")

    def resume(self) -> None:
        self.paused = False
        logger.info("Event delivery resumed")
        self._wake_dispatcher()

    def list(self, state: str | None = None) -> list[dict[str, Any]]:
        return [event.as_json() for event in self.store.list(state)]

    def get(self, event_id: str) -> dict[str, Any]:
        """One event with its body and every attempt."""
        return self._stored(event_id).as_json(with_body=True)

    def replay(self, event_id: str) -> dict[str, Any]:
        """Queues a delivered or failed event again, as a new series of attempts."""
        event = self._stored(event_id)
        if event.state not in (DELIVERED, FAILED):
            raise ReplayRefused(f"Event {event_id} is {event.state}; only a delivered or failed "
                                "event can be replayed")
        self.store.requeue(event)
        logger.info("Event %s replayed to function %s (rule %s)", event.id, event.function,
                    event.rule)
        self._wake_dispatcher()
        return self.get(event_id)

    def _stored(self, event_id: str) -> StoredEvent:
        event = self.store.get(event_id)
        if event is None:
            raise EventNotFound(f"No event with id {event_id}")
        return event

    def _wake_dispatcher(self) -> None:
        # emit() may run on any thread, including the loop's own.
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)

    async def _dispatch(self) -> None:
        assert self._wake is not None
        while not self._stopping:
            self._wake.clear()
            next_due: float | None = None
            if not self.paused:
                next_due = self._start_due_deliveries()
            timeout = None if next_due is None else max(0.0, next_due - time.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _start_due_deliveries(self) -> float | None:
        """Starts the next due event of each idle function; returns when the next one is due."""
        now, next_due = time.time(), None
        for event in self.store.pending():
            if event.function in self._in_flight:
                continue
            if event.next_attempt_at > now:
                next_due = min(next_due or event.next_attempt_at, event.next_attempt_at)
                continue
            self.store.mark_delivering(event.id)
            task = asyncio.create_task(self._deliver(event), name=f"event {event.id}")
            self._in_flight[event.function] = task
            task.add_done_callback(lambda _, name=event.function: self._delivery_done(name))
        return next_due

    def _delivery_done(self, function: str) -> None:
        self._in_flight.pop(function, None)
        if self._wake is not None:
            self._wake.set()

    async def _deliver(self, event: StoredEvent) -> None:
        started = time.time()
        host = self.runtime.functions
        if host is None:
            delivery = Delivery(None, "function hosting is not running")
        else:
            try:
                delivery = await host.invoke_event(event.function, event.body.encode(),
                                                   str(uuid.uuid4()), event_id=event.id)
            except Exception as exc:  # a failed attempt like any other, never a lost event
                logger.exception("Delivering event %s failed inside catalyst-local", event.id)
                delivery = Delivery(None, f"catalyst-local failed to deliver: {exc!r}")
        if delivery.held:
            # Not an attempt: the cloud would not have this code deployed at all. The event
            # waits, counting nothing against its retries, until the code loads again.
            self.store.postpone(event, time.time() + HELD_RECHECK_SECONDS)
            if event.id not in self._held:
                self._held.add(event.id)
                logger.warning("Event %s for function %s waits: %s", event.id, event.function,
                               delivery.error)
            return
        self._held.discard(event.id)
        attempt = {"series": event.series, "time": int(started * 1000),
                   "status": delivery.status, "error": delivery.error,
                   "duration_ms": round(delivery.duration_ms, 1)}

        if delivery.delivered:
            self.store.record_attempt(event, attempt, DELIVERED)
            logger.info("Event %s delivered to function %s (rule %s)", event.id, event.function,
                        event.rule)
            return

        outcome = delivery.error or f"status {delivery.status}"
        attempts = event.attempts_in_series + 1
        retries = self.runtime.settings.event_retries
        if attempts <= retries:
            delay = self.runtime.settings.event_retry_backoff * 2 ** (attempts - 1)
            self.store.record_attempt(event, attempt, PENDING, time.time() + delay)
            logger.warning("Event %s to function %s (rule %s) failed (%s); retry %d of %d in "
                           "%.1f s", event.id, event.function, event.rule, outcome, attempts,
                           retries, delay)
        else:
            self.store.record_attempt(event, attempt, FAILED)
            logger.error("Event %s to function %s (rule %s) failed (%s) after %d attempt(s)",
                         event.id, event.function, event.rule, outcome, attempts)


def _matches(rule: Rule, source: str, action: str, entity_name: str) -> bool:
    # A rule that binds no segment or folder covers all of them.
    return (rule.enabled and rule.source == source and action in rule.actions
            and (not rule.entities or entity_name in rule.entities))
