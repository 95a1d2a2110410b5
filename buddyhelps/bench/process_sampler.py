"""CPU seconds and resident memory of one process, read from /proc (Linux)."""

from __future__ import annotations

import os
from pathlib import Path


class ProcessSampler:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._ticks = os.sysconf("SC_CLK_TCK")

    def cpu_s(self) -> float:
        """User + system CPU seconds of the process and its threads so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self._ticks

    def rss_mb(self, key: str = "VmRSS") -> float:
        """Resident memory now (VmRSS) or its peak so far (VmHWM), in MiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0
