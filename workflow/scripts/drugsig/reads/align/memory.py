"""Memory of the machine and size of the genome: what both aligners scale their jobs by."""

from __future__ import annotations

import os
from pathlib import Path

MB = 1024**2


def machine_memory_mb() -> int:
    """Return the total physical memory of this machine in MB."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // MB


def fasta_index_lengths(fai: str | Path) -> list[int]:
    """Read the sequence lengths of a samtools ``.fai`` index."""
    with Path(fai).open() as handle:
        return [int(line.split("\t")[1]) for line in handle if line.strip()]


def retry_factor(attempt: int) -> float:
    """Return how much more memory a job asks for on retry ``attempt``: 50% more each."""
    return 1 + 0.5 * (attempt - 1)
