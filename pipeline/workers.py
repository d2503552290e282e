"""A process pool that enforces a wall-clock limit and a memory ceiling on every task.

``concurrent.futures`` cannot stop one runaway task: a pathological PDF would hold its worker (and
the batch) forever. Here each worker is a child process with one pipe; the parent hands out tasks,
waits on all pipes at once, kills a worker whose task overruns its deadline and starts a fresh one.
The memory ceiling is an address-space limit set inside each worker, so an allocation beyond it
fails in that worker only. Either way the task comes back as a failure with the limit that tripped,
and the batch goes on.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

#: Seconds a killed worker is given to exit before the parent stops waiting for it.
_JOIN_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class TaskLimits:
    """Per-task limits: wall-clock seconds (None = none) and the address space a task may add to its
    worker beyond what the worker maps once initialised, in bytes (None = none)."""

    seconds: float | None = 300.0
    memory_bytes: int | None = 4 * 1024**3


@dataclass(frozen=True, slots=True)
class TaskFailure:
    """A task that did not return: the limit that tripped, or how its worker died."""

    reason: str


def _worker_main(
    connection: multiprocessing.connection.Connection,
    initializer: Callable[[], Any],
    function: Callable[[Any, Any], Any],
    memory_bytes: int | None,
) -> None:
    state = initializer()
    if memory_bytes is not None:
        ceiling = _mapped_bytes() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        if message is None:
            return
        index, task = message
        try:
            outcome: Any = function(state, task)
        except MemoryError:
            outcome = TaskFailure(f"limit: memory {memory_bytes / 2**20:g} MiB")
        connection.send((index, outcome))


def _mapped_bytes() -> int:
    """The address space this process maps now (VmSize), so a ceiling can be set relative to it."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass(slots=True)
class _Worker:
    process: multiprocessing.process.BaseProcess
    connection: multiprocessing.connection.Connection
    task: tuple[int, Any] | None = None
    deadline: float | None = None


class LimitedPool:
    """Run ``function(state, task)`` over tasks in ``workers`` processes, ``state = initializer()`` per worker."""

    def __init__(
        self,
        workers: int,
        initializer: Callable[[], Any],
        function: Callable[[Any, Any], Any],
        limits: TaskLimits,
    ) -> None:
        self._context = multiprocessing.get_context("fork")
        self._workers_wanted = max(1, workers)
        self._initializer = initializer
        self._function = function
        self._limits = limits
        self._workers: list[_Worker] = []

    def _start_worker(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main,
            args=(child, self._initializer, self._function, self._limits.memory_bytes),
            daemon=True,
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._workers.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(_JOIN_SECONDS)
        worker.connection.close()
        self._workers.remove(worker)

    def _assign(self, worker: _Worker, index: int, task: Any) -> None:
        worker.task = (index, task)
        worker.deadline = time.monotonic() + self._limits.seconds if self._limits.seconds else None
        worker.connection.send((index, task))

    def imap_unordered(self, tasks: list[Any]) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, outcome)`` as tasks finish; an outcome is the function's value or a TaskFailure."""
        pending = list(enumerate(tasks))
        pending.reverse()
        try:
            for _ in range(min(self._workers_wanted, len(tasks))):
                self._start_worker()
            for worker in list(self._workers):
                if pending:
                    self._assign(worker, *pending.pop())
            while any(w.task is not None for w in self._workers):
                busy = [w for w in self._workers if w.task is not None]
                deadlines = [w.deadline for w in busy if w.deadline is not None]
                timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
                ready = multiprocessing.connection.wait([w.connection for w in busy], timeout)
                for worker in busy:
                    outcome: tuple[int, Any] | None = None
                    if worker.connection in ready:
                        try:
                            outcome = worker.connection.recv()
                        except (EOFError, OSError):
                            code = worker.process.exitcode
                            assert worker.task is not None
                            outcome = (worker.task[0], TaskFailure(f"limit: worker died (exit code {code})"))
                            self._retire(worker)
                            worker = self._start_worker()
                    elif worker.deadline is not None and time.monotonic() >= worker.deadline:
                        assert worker.task is not None
                        outcome = (worker.task[0], TaskFailure(f"limit: time {self._limits.seconds:g} s"))
                        self._retire(worker)
                        worker = self._start_worker()
                    if outcome is None:
                        continue
                    worker.task = None
                    worker.deadline = None
                    yield outcome
                    if pending:
                        self._assign(worker, *pending.pop())
        finally:
            self.close()

    def close(self) -> None:
        for worker in list(self._workers):
            with contextlib.suppress(OSError):
                worker.connection.send(None)
            worker.process.join(_JOIN_SECONDS if worker.task is None else 0)
            self._retire(worker)
