"""LocalStack.stop leaves nothing of the stack running: the whole process group goes, even a child that
outlives its parent and ignores SIGTERM (as a stuck worker did after `buddyhelps bench`)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from buddyhelps.local_stack import LocalStack

# The leader starts a child that ignores SIGTERM, says so, then waits for its own SIGTERM (and dies of it).
STUBBORN_GROUP = """
import signal, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('child', flush=True); time.sleep(600)"])
print("leader", flush=True)
time.sleep(600)
"""


def _running_members(group: int) -> list[str]:
    """Processes of the group still running (zombies, which hold nothing, aside)."""
    running = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            running.append(stat.parent.name)
    return running


def test_stop_leaves_no_process_of_the_group_behind(tmp_path: Path) -> None:
    # GIVEN a stack whose process group holds a child that ignores SIGTERM
    log = tmp_path / "stack.log"
    stack = LocalStack(command=[sys.executable, "-c", STUBBORN_GROUP], log_path=log, stop_grace_s=1.0)
    stack.start()
    deadline = time.monotonic() + 30
    while log.read_text().count("\n") < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # another process's start-up: nothing to await but time
    assert "child" in log.read_text()
    group = stack.process_group
    assert group is not None
    # WHEN the stack is stopped
    stack.stop()
    # THEN nothing of its process group is left running
    assert _running_members(group) == []
