"""Who generates when: one generation at a time, a bounded queue, and a place given back at
once when its client leaves.

A request takes a queue slot on arrival (`QueueFull` when none is free) and its generation
runs in a thread of its own that waits for the single generation turn. The client's hanging up
is watched while it waits and while it generates: a generation whose client has gone never
starts, or stops at the next token, and its slot is free for the next caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

from starlette.requests import Request

from secondbrain_core.llm.types import ChatResult, LLMClient, TextStream

T = TypeVar("T")


class QueueFull(Exception):
    """Every place in the queue is taken: the caller should retry later (503)."""


class ClientGone(Exception):
    """The client hung up before its answer was ready: there is no one left to answer."""


class Gate:
    """Admission to a bounded queue plus the single generation turn."""

    def __init__(self, queue_size: int) -> None:
        self.capacity = queue_size + 1
        self._slots = threading.BoundedSemaphore(self.capacity)
        self.turn = threading.Lock()
        self._count_lock = threading.Lock()
        self.in_flight = 0

    def admit(self) -> None:
        if not self._slots.acquire(blocking=False):
            raise QueueFull
        with self._count_lock:
            self.in_flight += 1

    def take_turn(self, stop: threading.Event) -> bool:
        """Wait for the generation turn; False when told to stop (the client left) first."""
        while not stop.is_set():
            if self.turn.acquire(timeout=0.05):
                return True
        return False

    def leave(self) -> None:
        with self._count_lock:
            self.in_flight -= 1
        self._slots.release()


async def drain(pieces: AsyncIterator[str]) -> None:
    async for _ in pieces:
        pass


async def _disconnected(request: Request) -> None:
    """Returns once the client has hung up (the body is read: nothing else comes but that)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def unless_gone(request: Request, generation: Generation, work: Awaitable[T]) -> T:
    """Await `work`, unless the client hangs up first: then its generation stops and ClientGone."""
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        generation.stop.set()
        task.cancel()
        raise
    finally:
        gone.cancel()
    if not task.done():
        generation.stop.set()
        task.cancel()
        raise ClientGone
    return task.result()


class Generation:
    """One generation in its own thread, from its wait for the turn to its last token.

    The thread holds the request's queue slot (taken here, 503 when none is free) and, once it
    has it, the generation turn, and gives both back however it ends: finished, failed, or told
    to stop because the client left, which it notices while still waiting for the turn (it then
    never starts) or between two tokens. One thread per generation instead of one thread-pool
    hop per token; pieces that pile up while the client is slow go out as one.
    """

    _END = object()

    def __init__(self, backend: LLMClient, gate: Gate, messages: list[dict], args: dict) -> None:
        gate.admit()
        self.stop = threading.Event()
        self.result: ChatResult | None = None
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue = asyncio.Queue()
        threading.Thread(target=self._run, args=(backend, gate, messages, args), daemon=True).start()

    def _put(self, item: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed under us: the server is stopping
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)

    def _run(self, backend: LLMClient, gate: Gate, messages: list[dict], args: dict) -> None:
        try:
            if gate.take_turn(self.stop):
                try:
                    self._generate(backend.stream(messages, **args))
                finally:
                    gate.turn.release()
        except Exception as exc:  # handed to the response, which ends the request
            self._put(exc)
        finally:
            gate.leave()
            self._put(self._END)

    def _generate(self, stream: TextStream) -> None:
        try:
            for piece in stream:
                if self.stop.is_set():
                    return
                self._put(piece)
            self.result = stream.result
        finally:
            stream.close()

    async def pieces(self) -> AsyncIterator[str]:
        """Text as it comes; whatever is already waiting is joined into one piece.

        A failure is raised after the text that came before it, which the client still gets.
        """
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            text = "".join(item for item in batch if isinstance(item, str))
            if text:
                yield text
            for item in batch:
                if isinstance(item, Exception):
                    raise item
            if any(item is self._END for item in batch):
                return
