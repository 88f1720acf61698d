"""A seeded cooperative scheduler: actors are threads, but exactly one runs at a time, and the
seed alone decides which one runs at each AWS call, when a transaction in flight lets others in,
when an actor dies, and how far the clock moves. The same seed replays the same schedule."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ..support.clock import Clock


class Crash(BaseException):
    """The function dies here: nothing after it runs (not even except-blocks that call AWS)."""


class Livelock(Exception):
    """The schedule did not finish within its step budget."""


VirtualClock = Clock  # moved only by the scheduler and the actors' back-offs


@dataclass
class Actor:
    name: str
    body: Callable[[], None]
    can_crash: bool = True
    crashed: bool = False
    done: bool = False
    error: BaseException | None = None
    go: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


class Scheduler:
    def __init__(self, rng: random.Random, clock: VirtualClock, *, crash_probability: float = 0.0,
                 max_steps: int = 50_000, on_actor_end: Callable[[Actor], None] | None = None):
        self.rng = rng
        self.clock = clock
        self.crash_probability = crash_probability
        self.max_steps = max_steps
        self.on_actor_end = on_actor_end
        self.step = 0
        #: while set, the running actor is not interrupted (an observer's check, not a request)
        self.quiet = False
        self.actors: list[Actor] = []
        self._back = threading.Event()
        self._local = threading.local()

    def spawn(self, name: str, body: Callable[[], None], *, can_crash: bool = True) -> Actor:
        actor = Actor(name, body, can_crash)
        actor.thread = threading.Thread(target=self._run_actor, args=(actor,), name=f"sim-{name}", daemon=True)
        self.actors.append(actor)
        return actor

    @property
    def current(self) -> Actor | None:
        return getattr(self._local, "actor", None)

    def yield_point(self, phase: str = "") -> None:
        """Called at every AWS call (and every back-off): another actor may run now; this one may die."""
        actor = self.current
        if actor is None or self.quiet:
            return  # the main thread (setup, the final sweep), or a check: nothing to interleave
        self.step += 1
        self.clock.advance(self.rng.uniform(0.0, 1.5))
        if self.step > self.max_steps:
            raise Livelock(f"more than {self.max_steps} steps")
        if actor.can_crash and not actor.crashed and self.rng.random() < self.crash_probability:
            actor.crashed = True
            raise Crash(f"{actor.name} killed at step {self.step} ({phase})")
        actor.go.clear()
        self._back.set()
        actor.go.wait()

    def run(self) -> None:
        for actor in self.actors:
            actor.thread.start()
        live = list(self.actors)
        while live:
            actor = self.rng.choice(live)
            self._back.clear()
            actor.go.set()
            self._back.wait()
            if actor.done:
                live.remove(actor)
        for actor in self.actors:
            actor.thread.join()

    def _run_actor(self, actor: Actor) -> None:
        actor.go.wait()
        self._local.actor = actor
        try:
            actor.body()
        except Crash:
            pass
        except BaseException as error:  # noqa: BLE001 - reported by the oracle
            actor.error = error
        finally:
            if self.on_actor_end:
                self.on_actor_end(actor)
            actor.done = True
            self._back.set()
