"""Per-invocation state, per thread: folio local runs concurrent invocations as threads of one
process, where Lambda gives each invocation an execution environment of its own.

What a function keeps per invocation at module or class level is shared by those threads unless
it is made per thread here:

- Powertools Metrics keeps its metric, dimension and metadata sets in class attributes that
  every ``Metrics`` instance shares. Two invocations at once merged their metrics, and one
  flushing while another added a metric failed with "dictionary changed size during iteration",
  which the local gateway answered 500 (seen under load in the capture stateToken test).
- ``core.request_stats``, what the current request cost (lost races, bytes stored), for its metrics;
  ``core.committed_documents``, the documents it wrote (an Idempotency-Key record links its answer
  to them); ``core.retry_budget``'s deadline, when its retries must end.
- The Powertools resolver keeps the event being resolved in class attributes of ``BaseRouter``
  (``current_event``, ``lambda_context``: one for every function of the process) and the route,
  its arguments and folio's request object in each resolver's ``context`` dict, which ``resolve``
  clears when it ends. Shared, one invocation read another's event (another tenant's document)
  or lost its route arguments (500) when two ran at once.

On Lambda nothing changes: only folio local calls ``isolate_invocations``.
"""

from __future__ import annotations

import threading
from abc import ABCMeta
from collections.abc import Iterator, MutableMapping
from typing import Any


class PerThreadDict(MutableMapping):
    """A dict whose contents each thread sees on its own (starting from ``initial``)."""

    def __init__(self, initial: dict[str, Any] | None = None):
        self._initial = dict(initial or {})
        self._local = threading.local()

    def _mine(self) -> dict[str, Any]:
        mine = getattr(self._local, "data", None)
        if mine is None:
            mine = self._local.data = dict(self._initial)
        return mine

    def __getitem__(self, key):
        return self._mine()[key]

    def __setitem__(self, key, value) -> None:
        self._mine()[key] = value

    def __delitem__(self, key) -> None:
        del self._mine()[key]

    def __iter__(self) -> Iterator:
        return iter(self._mine())

    def __len__(self) -> int:
        return len(self._mine())

    def clear(self) -> None:
        self._mine().clear()

    def __repr__(self) -> str:
        return f"PerThreadDict({self._mine()!r})"


def isolate_invocations() -> None:
    """Make the shared per-invocation state per thread; call it before any function is loaded
    (a ``Metrics`` instance keeps the sets it found when it was made). Idempotent."""
    from aws_lambda_powertools.metrics import Metrics

    from ..core import service as core

    for name in ("_metrics", "_dimensions", "_metadata", "_default_dimensions"):
        if not isinstance(getattr(Metrics, name), PerThreadDict):
            setattr(Metrics, name, PerThreadDict(getattr(Metrics, name)))
    if not isinstance(core.request_stats, PerThreadDict):
        core.request_stats = PerThreadDict(core.request_stats)
    if not isinstance(core.committed_documents, PerThreadList):
        core.committed_documents = PerThreadList()
    if not isinstance(vars(core.RetryBudget).get("deadline"), _PerThreadValue):
        core.RetryBudget.deadline = _PerThreadValue("deadline", default=None)
    _isolate_resolvers()


class PerThreadList:
    """A list each thread appends to, reads and clears on its own."""

    def __init__(self):
        self._local = threading.local()

    def _mine(self) -> list:
        mine = getattr(self._local, "items", None)
        if mine is None:
            mine = self._local.items = []
        return mine

    def append(self, item) -> None:
        self._mine().append(item)

    def extend(self, items) -> None:
        self._mine().extend(items)

    def clear(self) -> None:
        self._mine().clear()

    def __iter__(self) -> Iterator:
        return iter(self._mine())

    def __len__(self) -> int:
        return len(self._mine())


class _PerThreadValue:
    """A data descriptor whose value each thread sets and reads on its own."""

    _UNSET = object()

    def __init__(self, name: str, default: Any = _UNSET):
        self.name = name
        self.default = default
        self._local = threading.local()

    def __get__(self, obj, owner=None):
        try:
            return self._local.value
        except AttributeError:
            if self.default is not self._UNSET:
                return self.default
            raise AttributeError(self.name) from None

    def __set__(self, obj, value) -> None:
        self._local.value = value


class _PerThreadContext:
    """A resolver's ``context``, one dict per thread (``resolve`` clears only its own thread's)."""

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return obj.__dict__.setdefault("_per_thread_context", PerThreadDict())

    def __set__(self, obj, value) -> None:
        context = self.__get__(obj)
        context.clear()
        context.update(value)


def _isolate_resolvers() -> None:
    """Make the resolver state Powertools keeps per process per thread (see the module's docstring).

    ``BaseRouter.current_event = event`` is an assignment to a class attribute: only a descriptor
    on the class's metaclass sees it, so ``BaseRouter`` gets a metaclass of its own whose
    descriptors, and the class's own, share one per-thread value."""
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    if isinstance(BaseRouter, _PerThreadRouterMeta):
        return
    for name in ("current_event", "lambda_context"):
        value = _PerThreadValue(name)
        setattr(BaseRouter, name, value)  # instances read it here ...
        setattr(_PerThreadRouterMeta, name, value)  # ... and BaseRouter.<name> = ... writes it here
    BaseRouter.context = _PerThreadContext()
    BaseRouter.__class__ = _PerThreadRouterMeta


class _PerThreadRouterMeta(ABCMeta):
    """BaseRouter's metaclass in folio local (the descriptors are set by _isolate_resolvers)."""
