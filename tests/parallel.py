"""Many attempts released at the same moment, for the tests that prove a limit or a unique row holds under races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def all_at_once(attempt: Callable[[int], T], count: int, *, start_timeout: float, finish_timeout: float) -> list[T]:
    """Run ``attempt(0)`` … ``attempt(count - 1)``, each on its own thread, all held at a barrier until every
    thread is ready; their results in the order they finished. Fails unless every attempt returned one
    (an attempt that raised, or did not finish within ``finish_timeout`` seconds, has none)."""
    barrier = threading.Barrier(count)
    results: list[T] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait(timeout=start_timeout)
        result = attempt(i)
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=finish_timeout)
    assert len(results) == count
    return results
