"""components.serving.batching: concurrent requests share model calls, each gets its own answers."""
import asyncio
import threading
import time

import pytest

from components.serving.batching import Batcher


class Model:
    """Answers text -> text.upper(), records each call's batch; `slow` seconds per call."""

    def __init__(self, slow: float = 0.0, fail: bool = False):
        self.calls, self.slow, self.fail, self.threads = [], slow, fail, set()

    def predict(self, texts):
        self.threads.add(threading.current_thread().name)
        self.calls.append(list(texts))
        time.sleep(self.slow)
        if self.fail:
            raise RuntimeError("model failed")
        return [t.upper() for t in texts]


async def run_requests(batcher, requests):
    worker = asyncio.create_task(batcher.run())
    try:
        return await asyncio.gather(*(batcher.predict(r) for r in requests), return_exceptions=True)
    finally:
        worker.cancel()
        batcher.close()


def test_concurrent_requests_share_one_model_call():
    model = Model()
    batcher = Batcher(lambda: model.predict, max_batch_size=64, max_wait_ms=5)
    requests = [[f"r{i}a", f"r{i}b"] for i in range(20)]
    answers = asyncio.run(run_requests(batcher, requests))
    assert answers == [[t.upper() for t in r] for r in requests]
    assert len(model.calls) == 1 and len(model.calls[0]) == 40
    assert batcher.stats.as_dict() == {"model_calls": 1, "requests": 20, "instances": 40, "largest_batch": 40}
    assert model.threads == {"model-call_0"}  # off the event loop's thread


def test_batches_hold_at_most_max_batch_size_and_never_split_a_request():
    model = Model()
    batcher = Batcher(lambda: model.predict, max_batch_size=8, max_wait_ms=5)
    requests = [["a"] * 3 for _ in range(6)] + [["big"] * 20]
    answers = asyncio.run(run_requests(batcher, requests))
    assert answers == [[t.upper() for t in r] for r in requests]
    sizes = [len(c) for c in model.calls]
    assert sizes == [6, 6, 6, 20]  # 3 + 3 (a third would make 9 > 8); the big request alone
    assert batcher.stats.largest_batch == 20


def test_requests_arriving_during_a_model_call_form_the_next_batch():
    model = Model(slow=0.05)
    batcher = Batcher(lambda: model.predict, max_batch_size=64, max_wait_ms=0)

    async def scenario():
        worker = asyncio.create_task(batcher.run())
        first = asyncio.create_task(batcher.predict(["first"]))
        await asyncio.sleep(0.01)  # the first call is running
        rest = [asyncio.create_task(batcher.predict([f"t{i}"])) for i in range(10)]
        results = await asyncio.gather(first, *rest)
        worker.cancel()
        return results

    results = asyncio.run(scenario())
    assert results[0] == ["FIRST"] and results[1:] == [[f"T{i}"] for i in range(10)]
    assert [len(c) for c in model.calls] == [1, 10]


def test_a_failing_model_call_fails_its_requests_only():
    model = Model(fail=True)
    batcher = Batcher(lambda: model.predict, max_batch_size=4, max_wait_ms=1)
    answers = asyncio.run(run_requests(batcher, [["a"], ["b"]]))
    assert all(isinstance(a, RuntimeError) for a in answers)

    good = Model()
    models = iter([model, good])
    current = {"model": next(models)}
    batcher = Batcher(lambda: current["model"].predict, max_batch_size=1, max_wait_ms=0)

    async def scenario():
        worker = asyncio.create_task(batcher.run())
        with pytest.raises(RuntimeError):
            await batcher.predict(["x"])
        current["model"] = next(models)  # a new version swapped in between two batches
        answer = await batcher.predict(["y"])
        worker.cancel()
        return answer

    assert asyncio.run(scenario()) == ["Y"]


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="max_batch_size must be >= 1"):
        Batcher(lambda: None, max_batch_size=0, max_wait_ms=1)


def test_a_worker_stopped_during_a_model_call_fails_that_batch_instead_of_leaving_it_waiting():
    model = Model(slow=0.3)
    batcher = Batcher(lambda: model.predict, max_batch_size=64, max_wait_ms=0)

    async def stopped_mid_call():
        worker = asyncio.create_task(batcher.run())
        request = asyncio.create_task(batcher.predict(["a"]))
        await asyncio.sleep(0.1)  # the model call is running
        worker.cancel()
        done, _ = await asyncio.wait([request], timeout=2)
        batcher.close()
        return done, request

    done, request = asyncio.run(stopped_mid_call())
    assert request in done, "a request of the cancelled batch was left waiting"
    with pytest.raises(RuntimeError, match="stopping"):
        request.result()


async def trickle(batcher, count: int, every: float):
    """`count` one-review requests, one each `every` seconds; their answers."""
    worker = asyncio.create_task(batcher.run())
    tasks = []
    for i in range(count):
        tasks.append(asyncio.create_task(batcher.predict([f"t{i}"])))
        await asyncio.sleep(every)
    answers = await asyncio.gather(*tasks)
    worker.cancel()
    batcher.close()
    return answers


def test_with_an_idle_gap_a_batch_stays_open_while_requests_keep_arriving():
    """Requests 2 ms apart, an idle gap of 10 ms: one batch, though they take longer to arrive
    than a fixed window of the gap would wait; with the gap 0 and a 10 ms window, several."""
    model = Model()
    batcher = Batcher(lambda: model.predict, max_batch_size=64, max_wait_ms=200, idle_gap_ms=10)
    assert asyncio.run(trickle(batcher, 20, 0.002)) == [[f"T{i}"] for i in range(20)]
    assert [len(c) for c in model.calls] == [20]
    model = Model()
    batcher = Batcher(lambda: model.predict, max_batch_size=64, max_wait_ms=10)
    asyncio.run(trickle(batcher, 20, 0.002))
    assert len(model.calls) > 1


def test_with_an_idle_gap_a_lone_request_waits_the_gap_not_the_whole_window():
    model = Model()
    batcher = Batcher(lambda: model.predict, max_batch_size=64, max_wait_ms=2000, idle_gap_ms=5)
    start = time.perf_counter()
    assert asyncio.run(trickle(batcher, 1, 0)) == [["T0"]]
    assert time.perf_counter() - start < 1.0  # not the 2 s window
    with pytest.raises(ValueError, match="idle_gap_ms"):
        Batcher(lambda: model.predict, max_batch_size=64, max_wait_ms=2, idle_gap_ms=-1)


def test_a_batch_closes_once_its_room_in_texts_is_filled_by_requests_of_several_texts():
    """Room for 8 texts: a request of 1 and one of 7 fill it, so the batch closes at once rather
    than waiting its 2 s window for 7 more requests."""
    model = Model()
    batcher = Batcher(lambda: model.predict, max_batch_size=8, max_wait_ms=2000)
    start = time.perf_counter()
    answers = asyncio.run(run_requests(batcher, [["a"], [f"b{i}" for i in range(7)]]))
    assert time.perf_counter() - start < 1.0
    assert answers == [["A"], [f"B{i}" for i in range(7)]] and [len(c) for c in model.calls] == [8]
