"""A long-lived process freezes what start-up built; what it makes later is still collected."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import gc, weakref
from entrypoints.collector import SERVER_THRESHOLDS, freeze_startup_heap

class Node:
    pass

def cycle():
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)

freeze_startup_heap(SERVER_THRESHOLDS)
assert gc.get_freeze_count() > 1000, gc.get_freeze_count()
assert gc.get_threshold() == SERVER_THRESHOLDS
later = cycle()                 # garbage made while serving: still found
gc.collect()
assert later() is None
print("ok")
"""


def test_the_start_up_heap_is_frozen_and_later_cycles_are_still_collected():
    # In a process of its own: freezing is for a process's entry point, never for the test runner's heap.
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
