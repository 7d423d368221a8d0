"""The first task of a process freezes the heap the process started with (the modules,
invoke's parse), once: the cyclic collector skips it during the task and at exit, and what
the task makes is collected as usual."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import gc, json
from amplify_tasks.tasks._edge import edge

@edge
def task():
    class Cycle:
        pass
    a, b = Cycle(), Cycle()
    a.other, b.other = b, a  # garbage only the collector frees
    del a, b
    return gc.get_freeze_count(), gc.collect()

before = gc.get_freeze_count()
first, collected = task()
second, _ = task()
print(json.dumps([before, first, collected, second]))
"""


def test_the_first_task_freezes_the_startup_heap_once() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    before, first, collected, second = json.loads(done.stdout)
    assert before == 0
    assert first > 5000  # the modules and what they hold
    assert collected >= 2  # the task's own cycle is still collected
    assert second == first  # not frozen again
