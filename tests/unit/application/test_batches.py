"""Batches: items queued together are served together, in order, never more than the limit at once."""

from __future__ import annotations

import asyncio

import pytest

from application.batches import Batches, Queued


class Doubler:
    def __init__(self, fail_on: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self.fail_on = fail_on

    async def serve(self, batch: list[Queued[int, int]]) -> None:
        self.batches.append([queued.item for queued in batch])
        await asyncio.sleep(0)
        if self.fail_on is not None and self.fail_on in self.batches[-1]:
            raise RuntimeError("broken")
        for queued in batch:
            queued.settle(ValueError(queued.item) if queued.item < 0 else queued.item * 2)


async def test_items_queued_together_are_served_in_order_in_batches_of_at_most_the_limit():
    doubler = Doubler()
    batches: Batches[int, int] = Batches(doubler.serve, max_batch=3, name="doubling")
    outcomes = await asyncio.gather(*(batches.submit(n) for n in range(7)), batches.submit(-1),
                                    return_exceptions=True)
    assert outcomes[:7] == [0, 2, 4, 6, 8, 10, 12] and isinstance(outcomes[7], ValueError)
    assert doubler.batches == [[0, 1, 2], [3, 4, 5], [6, -1]]
    await batches.close()


async def test_a_lone_item_is_served_at_once_and_close_serves_what_is_queued():
    doubler = Doubler()
    batches: Batches[int, int] = Batches(doubler.serve, max_batch=100, name="doubling")
    assert await batches.submit(21) == 42
    pending = [asyncio.ensure_future(batches.submit(n)) for n in (1, 2)]
    await asyncio.sleep(0)
    await batches.close()
    assert [p.result() for p in pending] == [2, 4]
    assert await batches.submit(5) == 10   # a new task after close
    await batches.close()


async def test_a_caller_that_gave_up_is_left_out_and_a_broken_serve_fails_only_its_batch(caplog):
    doubler = Doubler(fail_on=13)
    batches: Batches[int, int] = Batches(doubler.serve, max_batch=2, name="doubling")
    gave_up = asyncio.ensure_future(batches.submit(1))
    await asyncio.sleep(0)          # queued
    gave_up.cancel()                # and given up before its batch was taken: never served
    outcomes = await asyncio.gather(batches.submit(13), batches.submit(3), return_exceptions=True)
    assert gave_up.cancelled() and doubler.batches[0] == [13, 3]
    assert [str(o) for o in outcomes] == ["broken", "broken"]
    assert "serving a batch failed" in caplog.text
    assert await batches.submit(4) == 8   # served by a new task
    await batches.close()


@pytest.mark.parametrize("limit", [1, 2, 5])
async def test_no_batch_is_larger_than_its_limit(limit):
    doubler = Doubler()
    batches: Batches[int, int] = Batches(doubler.serve, max_batch=limit, name="doubling")
    await asyncio.gather(*(batches.submit(n) for n in range(11)))
    assert max(len(b) for b in doubler.batches) <= limit
    assert [item for batch in doubler.batches for item in batch] == list(range(11))
    await batches.close()
