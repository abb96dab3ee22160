"""Run events: every state change of a run, published for live views.

- Embedded default: an in-process fan-out to the subscribers of this process.
- Production: published on Redis (`SYNQC_REDIS_EVENTS_CHANNEL`, default `synqc:events`), so an
  API process streams events that a worker process published.
An event is a small JSON object: `{"run_id", "status", "progress", "at"}`.
"""

import json
import logging
import queue
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

import redis

log = logging.getLogger(__name__)

# Beyond this the stream starts anyway; its periodic snapshot covers a missed event.
SUBSCRIBE_CONFIRM_TIMEOUT_S = 1.0

type Event = dict[str, Any]


class Subscription(Protocol):
    def get(self, timeout_s: float) -> Event | None: ...


class RunEvents(Protocol):
    """The events port."""

    def publish(self, event: Event) -> None: ...

    def subscribe(self, run_id: str) -> AbstractContextManager[Subscription]: ...


class _QueueSubscription:
    def __init__(self) -> None:
        self.items: queue.Queue[Event] = queue.Queue(maxsize=1000)

    def get(self, timeout_s: float) -> Event | None:
        try:
            return self.items.get(timeout=timeout_s)
        except queue.Empty:
            return None


class InProcessEvents:
    """Fan-out to the subscribers of this process."""

    def __init__(self) -> None:
        self._subscribers: dict[str, list[_QueueSubscription]] = {}
        self._lock = threading.Lock()

    def publish(self, event: Event) -> None:
        with self._lock:
            targets = list(self._subscribers.get(str(event["run_id"]), ()))
        for subscription in targets:
            if not subscription.items.full():
                subscription.items.put_nowait(event)

    @contextmanager
    def subscribe(self, run_id: str) -> Iterator[Subscription]:
        subscription = _QueueSubscription()
        with self._lock:
            self._subscribers.setdefault(run_id, []).append(subscription)
        try:
            yield subscription
        finally:
            with self._lock:
                self._subscribers[run_id].remove(subscription)
                if not self._subscribers[run_id]:
                    del self._subscribers[run_id]


class _RedisSubscription:
    def __init__(self, pubsub: Any, run_id: str) -> None:
        self._pubsub = pubsub
        self._run_id = run_id

    def get(self, timeout_s: float) -> Event | None:
        message = self._pubsub.get_message(ignore_subscribe_messages=True, timeout=timeout_s)
        if message is None:
            return None
        event: Event = json.loads(message["data"])
        return event if event.get("run_id") == self._run_id else None


class RedisEvents:
    """Published on one Redis channel; a subscriber filters the run it follows."""

    def __init__(self, client: redis.Redis, channel: str) -> None:
        self._client = client
        self.channel = channel

    def publish(self, event: Event) -> None:
        try:
            self._client.publish(self.channel, json.dumps(event))
        except redis.RedisError as error:
            # Events feed live views only; the run table stays the truth.
            log.warning("could not publish run event: %s", error)

    @contextmanager
    def subscribe(self, run_id: str) -> Iterator[Subscription]:
        pubsub = self._client.pubsub()
        pubsub.subscribe(self.channel)
        # Redis confirms a subscription before it delivers any message of the channel: once the
        # confirmation is read, no later publish is missed by a snapshot the caller takes next.
        pubsub.get_message(timeout=SUBSCRIBE_CONFIRM_TIMEOUT_S)
        try:
            yield _RedisSubscription(pubsub, run_id)
        finally:
            pubsub.close()


def run_event(run_id: str, status: str, progress: float, at: float) -> Event:
    return {"run_id": run_id, "status": status, "progress": round(progress, 4), "at": at}
