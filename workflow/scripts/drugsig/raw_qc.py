"""Checks and FastQC on a sample's raw FASTQ files, before any heavy step runs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from drugsig.fastq_check import check_fastq
from drugsig.io import write_table_atomic

SUMMARY_COLUMNS = ["sample", "unit", "records", "read1_mean_length", "read2_mean_length"]


def raw_reads_qc(
    sample: str,
    units: Sequence[Mapping[str, str | None]],
    summary: str | Path,
    fastqc_dir: str | Path,
    check: bool,
    fastqc: bool,
    threads: int,
) -> pd.DataFrame:
    """Check every unit's FASTQ files (see :func:`drugsig.fastq_check.check_fastq`) and
    run FastQC on them; write one summary row per unit and return the table.

    With ``check`` off, ``records`` is left empty; with ``fastqc`` off, ``fastqc_dir``
    stays empty.

    Raises
    ------
    InputError
        From the FASTQ check: missing, empty, truncated or malformed files, R1/R2 out
        of sync.
    """
    rows = []
    for unit in units:
        row: dict[str, object] = {"sample": sample, "unit": unit["unit"]}
        if check:
            result = check_fastq(unit["fq1"], unit.get("fq2"))
            row["records"] = result.records
            row["read1_mean_length"] = round(result.read1.mean, 1)
            row["read2_mean_length"] = round(result.read2.mean, 1) if result.read2 else None
        rows.append(row)
    fastqc_dir = Path(fastqc_dir)
    fastqc_dir.mkdir(parents=True, exist_ok=True)
    if fastqc:
        files = [str(unit[key]) for unit in units for key in ("fq1", "fq2") if unit.get(key)]
        command = ["fastqc", "--quiet", "--threads", str(threads), "--outdir", str(fastqc_dir)]
        subprocess.run([*command, *files], stdout=sys.stderr, stderr=sys.stderr, check=True)
    table = pd.DataFrame(rows).reindex(columns=SUMMARY_COLUMNS)
    write_table_atomic(table, summary)
    return table
