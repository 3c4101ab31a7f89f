"""Raw-read checks of many samples before any heavy step runs, and FastQC."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from drugsig.io import write_table_atomic
from drugsig.reads.fastq import check_fastq

SUMMARY_COLUMNS = ["sample", "unit", "records", "read1_mean_length", "read2_mean_length"]

UnitRecord = Mapping[str, str | None]
"""One row of the units sheet: ``unit``, ``fq1`` and ``fq2`` (None if single-end)."""


def check_chunks(samples: Sequence[str], samples_per_job: int) -> dict[str, list[str]]:
    """Split ``samples`` (in sheet order) into check jobs of ``samples_per_job``:
    ``{"chunk1": [...], "chunk2": [...], ...}``. Appending samples to the sheet only
    changes the last chunk, so earlier checks are not redone."""
    if samples_per_job < 1:
        raise ValueError(f"samples_per_job must be at least 1, not {samples_per_job}")
    return {
        f"chunk{number}": list(samples[start : start + samples_per_job])
        for number, start in enumerate(range(0, len(samples), samples_per_job), start=1)
    }


def check_unit(sample: str, unit: UnitRecord) -> dict[str, object]:
    """Check one unit's FASTQ file(s) (see :func:`drugsig.reads.fastq.check_fastq`);
    its summary row."""
    result = check_fastq(str(unit["fq1"]), unit.get("fq2"))
    return {
        "sample": sample,
        "unit": unit["unit"],
        "records": result.records,
        "read1_mean_length": round(result.read1.mean, 1),
        "read2_mean_length": round(result.read2.mean, 1) if result.read2 else None,
    }


def check_samples(
    units_by_sample: Mapping[str, Sequence[UnitRecord]], summary: str | Path, threads: int
) -> pd.DataFrame:
    """Check every unit of every sample and write one summary row per unit.

    A unit check keeps about two cores busy (one inflates, one checks), so
    ``threads // 2`` units are checked at a time, in separate processes. The first
    failing unit in sheet order stops the check; the rest is cancelled.

    Raises
    ------
    InputError
        From the FASTQ check: missing, empty, truncated or malformed files, R1/R2 out
        of sync.
    """
    work = [(sample, unit) for sample, units in units_by_sample.items() for unit in units]
    workers = max(1, min(len(work), threads // 2))
    if workers == 1:
        rows = [check_unit(sample, unit) for sample, unit in work]
    else:
        pool = ProcessPoolExecutor(workers)
        try:
            rows = list(pool.map(check_unit, *zip(*work, strict=True)))
        finally:
            pool.shutdown(cancel_futures=True)
    table = pd.DataFrame(rows).reindex(columns=SUMMARY_COLUMNS)
    write_table_atomic(table, summary)
    return table


def run_fastqc(files: Sequence[str], outdir: str | Path, threads: int) -> None:
    """FastQC on ``files`` (``threads`` files at a time), reports into ``outdir``."""
    Path(outdir).mkdir(parents=True, exist_ok=True)
    command = ["fastqc", "--quiet", "--threads", str(threads), "--outdir", str(outdir), *files]
    print(shlex.join(command), file=sys.stderr, flush=True)
    subprocess.run(command, stdout=sys.stderr, stderr=sys.stderr, check=True)
