"""Server-side batching: requests that arrive together become one model call.

One model call of 64 reviews costs little more than one of a single review (the signature's
fixed cost, the Transform graph and the head's matrix products, is per call), so under load
the server's throughput comes near the model's batched rate only if concurrent requests are
merged, as TF Serving's batching does. A single worker task takes the first waiting request,
waits for more while they keep coming (the batch closes once `idle_gap_ms` passes with none
arriving, once it is full, or `max_wait_ms` after it opened; not at all when enough requests
wait to fill it), runs the merged batch in a thread (off the event loop, which keeps accepting
requests) and hands each request its slice of the answers. While one call runs, the next batch
fills, so the wait is only paid when the server is idle. A request is never split: one larger
than `max_batch_size` runs alone.

Why the idle gap: a closed batch does not wait for requests still on their way, and under a
load of C clients whose requests reach the queue more slowly than they come back (gRPC's
per-request cost in Python is several times HTTP's), a fixed short window splits the C clients
into groups that never merge again: each group arrives while the other's batch runs, and
each batch takes just the waiting group (a mean batch of ~25 at 64 gRPC clients, against 64
over REST; docs/serving.md). Waiting while requests keep arriving lets the groups merge, and
an idle server closes a batch after the gap (1 ms), sooner than a fixed window would.

The predict function is looked up at each call (`predict_fn()`), so a new model version can
be swapped in between two batches: a batch in flight finishes on the version it started on.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import time
from typing import Callable, Optional


@dataclasses.dataclass
class BatchStats:
    """Counts since start: what the status endpoint reports and the tests check."""

    model_calls: int = 0
    requests: int = 0
    instances: int = 0
    largest_batch: int = 0

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class _Pending:
    texts: list
    future: asyncio.Future


class Batcher:
    """`await batcher.predict(texts)` -> one answer per text; `run()` is the worker task."""

    def __init__(self, predict_fn: Callable[[], Callable[[list], list]],
                 max_batch_size: int, max_wait_ms: float,
                 on_batch: Optional[Callable[[int, int, float], None]] = None, idle_gap_ms: float = 0.0):
        if max_batch_size < 1 or max_wait_ms < 0 or idle_gap_ms < 0:
            raise ValueError("max_batch_size must be >= 1, max_wait_ms and idle_gap_ms >= 0 "
                             f"(got {max_batch_size}, {max_wait_ms}, {idle_gap_ms})")
        self._predict_fn = predict_fn
        self.max_batch_size = max_batch_size
        self.max_wait = max_wait_ms / 1000
        self.idle_gap = idle_gap_ms / 1000  # 0: wait the whole max_wait
        self._on_batch = on_batch
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._carry: Optional[_Pending] = None  # drained but did not fit: heads the next batch
        self._queued = 0  # the texts of the requests in the queue: the batch's room is in texts
        # One thread: model calls run one at a time, each using every core (TensorFlow's own
        # intra-op threads); more threads would only contend for them.
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="model-call")
        self.stats = BatchStats()

    async def predict(self, texts: list) -> list:
        future = asyncio.get_running_loop().create_future()
        self._queued += len(texts)
        self._queue.put_nowait(_Pending(list(texts), future))
        return await future

    async def run(self) -> None:
        """Forever: form a batch, call the model, answer its requests."""
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._next_batch()
            texts = [t for pending in batch for t in pending.texts]
            start = time.perf_counter()
            try:
                answers = await loop.run_in_executor(self._executor, self._predict_fn(), texts)
            except asyncio.CancelledError:  # the worker is stopped: its batch is answered, not left waiting
                self._fail(batch, RuntimeError("the model server is stopping"))
                raise
            except Exception as e:  # noqa: BLE001  (the requests of this batch fail; the server goes on)
                self._fail(batch, e)
                continue
            self._count(len(batch), len(texts), time.perf_counter() - start)
            offset = 0
            for pending in batch:
                if not pending.future.done():  # its client may have gone
                    pending.future.set_result(answers[offset:offset + len(pending.texts)])
                offset += len(pending.texts)

    async def _next_batch(self) -> list[_Pending]:
        first = self._carry or self._taken(await self._queue.get())
        self._carry = None
        batch, size = [first], len(first.texts)
        if size < self.max_batch_size and self.max_wait:
            await self._wait_for_more(self.max_batch_size - size)
        while size < self.max_batch_size and not self._queue.empty():
            pending = self._taken(self._queue.get_nowait())
            if size + len(pending.texts) > self.max_batch_size:
                self._carry = pending
                break
            batch.append(pending)
            size += len(pending.texts)
        return batch

    def _taken(self, pending: _Pending) -> _Pending:
        self._queued -= len(pending.texts)
        return pending

    async def _wait_for_more(self, room: int) -> None:
        """Until `room` texts wait, none arrived for idle_gap, or max_wait has passed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait
        waiting = self._queued
        while waiting < room and loop.time() < deadline:
            await asyncio.sleep(min(self.idle_gap or self.max_wait, deadline - loop.time()))
            if self.idle_gap and self._queued == waiting:
                return  # none came during the gap
            waiting = self._queued

    def _count(self, requests: int, instances: int, seconds: float) -> None:
        self.stats.model_calls += 1
        self.stats.requests += requests
        self.stats.instances += instances
        self.stats.largest_batch = max(self.stats.largest_batch, instances)
        if self._on_batch:
            self._on_batch(requests, instances, seconds)

    @staticmethod
    def _fail(batch: list[_Pending], error: BaseException) -> None:
        for pending in batch:
            if not pending.future.done():
                pending.future.set_exception(error)

    def close(self) -> None:
        """Ends the model-call thread. Call it once no request is in flight (after the REST
        and gRPC servers have drained): a batch it cancels is failed, not answered."""
        self._executor.shutdown(wait=False, cancel_futures=True)
