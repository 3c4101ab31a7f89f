"""Adapter and quality trimming of a sample's units with cutadapt."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from drugsig.errors import InputError
from drugsig.inputs.sheets import Unit


def trimmed_reads(unit: Unit, reads_dir: Path) -> Unit:
    """Return the unit with its trimmed reads: ``{reads_dir}/{unit}_R1.fastq.gz`` (``_R2``)."""
    stem = reads_dir / unit.unit
    return replace(
        unit,
        fq1=f"{stem}_R1.fastq.gz",
        fq2=f"{stem}_R2.fastq.gz" if unit.paired else None,
    )


def cutadapt_command(
    unit: Unit,
    reads_dir: Path,
    report: Path,
    settings: Mapping[str, Any],
    threads: int,
) -> list[str]:
    """Return the cutadapt command line for one unit (paired-end if ``unit.fq2`` is set).

    Trimmed reads go to :func:`trimmed_reads`, compressed at level 1 because they are
    temporary; the JSON report (for MultiQC) to ``report``.
    """
    paired = unit.paired
    trimmed = trimmed_reads(unit, reads_dir)
    command = ["cutadapt", "--cores", str(threads), "--compression-level", "1"]
    if settings["adapter_r1"]:
        command += ["-a", settings["adapter_r1"]]
    if paired and settings["adapter_r2"]:
        command += ["-A", settings["adapter_r2"]]
    quality = str(settings["quality_cutoff"])
    command += ["-q", quality] + (["-Q", quality] if paired else [])
    command += ["--minimum-length", str(settings["minimum_length"])]
    command += shlex.split(settings.get("extra") or "")
    command += ["--json", str(report), "-o", trimmed.fq1]
    if trimmed.fq2 is not None:
        command += ["-p", trimmed.fq2]
    command += unit.files
    return command


def trim_sample(
    sample: str,
    units: Sequence[Unit],
    reads_dir: str | Path,
    reports_dir: str | Path,
    settings: Mapping[str, Any],
    threads: int,
) -> list[Unit]:
    """Trim every unit of ``sample`` into ``reads_dir``; return the trimmed units.

    cutadapt's text report goes to stderr (the log), its JSON report to
    ``reports_dir``.

    Raises
    ------
    InputError
        If cutadapt fails on a unit (e.g. truncated gzip, R1/R2 out of sync); the
        message names the unit's files and cutadapt's own error.
    """
    reads_dir, reports_dir = Path(reads_dir), Path(reports_dir)
    reads_dir.mkdir(parents=True, exist_ok=True)
    reports_dir.mkdir(parents=True, exist_ok=True)
    trimmed = []
    for unit in units:
        report = reports_dir / f"{sample}.{unit.unit}.cutadapt.json"
        command = cutadapt_command(unit, reads_dir, report, settings, threads)
        print(shlex.join(command), file=sys.stderr, flush=True)
        result = subprocess.run(command, stdout=sys.stderr, stderr=subprocess.PIPE, text=True)
        sys.stderr.write(result.stderr)
        if result.returncode != 0:
            files = " and ".join(unit.files)
            errors = [line for line in result.stderr.splitlines() if "rror" in line]
            reason = errors[-1] if errors else result.stderr.strip().splitlines()[-1:]
            raise InputError(
                f"sample '{sample}', unit '{unit.unit}': cutadapt failed on {files}: {reason}"
            )
        trimmed.append(trimmed_reads(unit, reads_dir))
    return trimmed
