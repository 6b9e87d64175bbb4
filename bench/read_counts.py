"""The Argus contenders of bench/report_reads.py: where each is served, with which token, and
the read counts its server reports (process memory, Redis, database; every process summed,
from the admin route /api/v1/admin/read-stats, decision 0031)."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field

import httpx
from tokens import Tokens


def admin_token(env: dict[str, str]) -> str:
    """An admin token (for the read counts), through the admin command on the server's PG."""
    cmd = [sys.executable, "-m", "argus", "token", "create", "--admin"]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout.strip()


@dataclass
class Contender:
    url: str
    token: str
    stats_url: str | None = None  # an Argus server: where its read counts are
    admin: str = ""
    counts: list[dict[str, int]] = field(default_factory=list)

    def read_counts(self) -> dict[str, int]:
        """The server's read counts (summed over its processes, published every second)."""
        assert self.stats_url is not None
        time.sleep(1.5)
        r = httpx.get(self.stats_url, headers=Tokens.header(self.admin), timeout=10)
        r.raise_for_status()
        return {k: int(v) for k, v in r.json().items()}

    def count_reads(self) -> str:
        """After a run: the server's counts so far, kept and said ("" for a peer)."""
        if self.stats_url is None:
            return ""
        self.counts.append(self.read_counts())
        return "  (so far: " + ", ".join(f"{k} {v}" for k, v in self.counts[-1].items()) + ")"


def print_counts(contenders: dict[str, Contender]) -> None:
    print("\nreport reads counted by each Argus server over all its runs (every process summed)")
    print(
        f"{'contender':<16} {'processes':>9} {'memory hits':>12} {'Redis hits':>10} {'DB reads':>8}"
    )
    for name, c in contenders.items():
        if c.counts:
            last = c.counts[-1]
            row = f"{last.get('processes', 0):>9} {last.get('memory_hits', 0):>12}"
            row += f" {last.get('redis_hits', 0):>10} {last.get('database_reads', 0):>8}"
            print(f"{name:<16} {row}")
