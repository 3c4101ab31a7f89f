"""Raw-read checks of many samples before any heavy step runs."""

from __future__ import annotations

import multiprocessing
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from drugsig.inputs.sheets import Unit
from drugsig.io import write_table_atomic
from drugsig.reads.fastq import check_fastq

SUMMARY_COLUMNS = ["sample", "unit", "records", "read1_mean_length", "read2_mean_length"]


def check_chunks(samples: Sequence[str], samples_per_job: int) -> dict[str, list[str]]:
    """Split ``samples`` (in sheet order) into check jobs of ``samples_per_job``.

    Returns ``{"chunk1": [...], "chunk2": [...], ...}``. Appending samples to the
    sheet only changes the last chunk, so earlier checks are not redone.
    """
    if samples_per_job < 1:
        raise ValueError(f"samples_per_job must be at least 1, not {samples_per_job}")
    return {
        f"chunk{number}": list(samples[start : start + samples_per_job])
        for number, start in enumerate(range(0, len(samples), samples_per_job), start=1)
    }


def check_unit(unit: Unit) -> dict[str, object]:
    """Check one unit's FASTQ file(s) (:func:`drugsig.reads.fastq.check_fastq`).

    Returns the unit's summary row.
    """
    result = check_fastq(unit.fq1, unit.fq2)
    return {
        "sample": unit.sample,
        "unit": unit.unit,
        "records": result.records,
        "read1_mean_length": round(result.read1.mean, 1),
        "read2_mean_length": round(result.read2.mean, 1) if result.read2 else None,
    }


def check_samples(
    units_by_sample: Mapping[str, Sequence[Unit]], summary: str | Path, threads: int
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
    work = [unit for units in units_by_sample.values() for unit in units]
    workers = max(1, min(len(work), threads // 2))
    if workers == 1:
        rows = [check_unit(unit) for unit in work]
    else:
        # forkserver: forking a process that runs threads (numpy, the job's reader
        # threads) may deadlock; Python 3.12+ warns about it.
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))
        try:
            rows = list(pool.map(check_unit, work))
        finally:
            pool.shutdown(cancel_futures=True)
    table = pd.DataFrame(rows).reindex(columns=SUMMARY_COLUMNS)
    write_table_atomic(table, summary)
    return table
