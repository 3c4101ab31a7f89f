"""One sample from raw reads to gene counts in one job.

The steps: FastQC, cutadapt, alignment (STAR or HISAT2) into a sorted, indexed BAM,
samtools reports, strandedness and featureCounts.

One job per sample rather than one per tool keeps the DAG of thousands of samples
small (Snakemake spends a few milliseconds per job on every dry-run), and the
trimmed reads never leave the job: they live in a work folder next to the BAM and
are deleted as soon as the alignment is done. The time and CPU of every step are
recorded in a small table, so the per-tool numbers are not lost.
"""

from __future__ import annotations

import argparse
import json
import resource
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from drugsig.inputs.sheets import Unit
from drugsig.io import write_table_atomic
from drugsig.reads.align import ALIGNERS
from drugsig.reads.fastqc import run_fastqc
from drugsig.reads.featurecounts import count_sample
from drugsig.reads.trim import trim_sample


@dataclass(frozen=True)
class SampleReports:
    """One sample's QC folder: every report of its job (for MultiQC and the QC flags).

    Each report is named ``{sample}.<report>``.
    """

    sample: str
    aligner: str
    qc_dir: str

    def _qc(self, name: str) -> str:
        return f"{self.qc_dir}/{self.sample}.{name}"

    @property
    def aligner_log(self) -> str:
        """STAR's ``Log.final.out`` or HISAT2's ``--new-summary``."""
        return self._qc(ALIGNERS[self.aligner].LOG_SUFFIX)

    @property
    def stats(self) -> str:
        """``samtools stats``."""
        return self._qc("stats")

    @property
    def flagstat(self) -> str:
        """``samtools flagstat``."""
        return self._qc("flagstat")

    @property
    def idxstats(self) -> str:
        """``samtools idxstats``."""
        return self._qc("idxstats")

    @property
    def counts_summary(self) -> str:
        """The assignment summary of featureCounts."""
        return self._qc("featureCounts.summary")

    @property
    def strandedness(self) -> str:
        """The strandedness report (:func:`drugsig.reads.strandedness.strandedness_report`)."""
        return self._qc("strandedness.tsv")

    @property
    def steps(self) -> str:
        """Wall and CPU seconds of every step (:class:`StepTimes`)."""
        return self._qc("steps.tsv")

    @property
    def cutadapt(self) -> str:
        """Folder of cutadapt's JSON reports, one per unit."""
        return f"{self.qc_dir}/cutadapt"

    @property
    def fastqc(self) -> str:
        """Folder of the FastQC reports, one per FASTQ file."""
        return f"{self.qc_dir}/fastqc"


class StepTimes:
    """Wall and CPU seconds (this process and its children) of named steps."""

    def __init__(self, sample: str) -> None:
        self.sample = sample
        self.rows: list[dict[str, object]] = []

    @staticmethod
    def cpu_seconds() -> float:
        """User + system CPU seconds of this process and its finished children."""
        total = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            usage = resource.getrusage(who)
            total += usage.ru_utime + usage.ru_stime
        return total

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the ``with`` block as step ``name`` (a heading in the log marks it)."""
        print(f"\n### {self.sample}: {name}", file=sys.stderr, flush=True)
        wall, cpu = time.perf_counter(), self.cpu_seconds()
        yield
        self.rows.append(
            {
                "sample": self.sample,
                "step": name,
                "wall_s": round(time.perf_counter() - wall, 3),
                "cpu_s": round(self.cpu_seconds() - cpu, 3),
            }
        )

    def write(self, path: str | Path) -> None:
        """Write the table: ``sample, step, wall_s, cpu_s``, one row per step."""
        write_table_atomic(pd.DataFrame(self.rows), path)


def samtools_reports(bam: str, stats: str, flagstat: str, idxstats: str, threads: int) -> None:
    """``samtools stats``, ``flagstat`` and ``idxstats`` of a sorted, indexed BAM."""
    for command, output in (
        (["samtools", "stats", "-@", str(threads), bam], stats),
        (["samtools", "flagstat", "-@", str(threads), bam], flagstat),
        (["samtools", "idxstats", bam], idxstats),
    ):
        print(f"{shlex.join(command)} > {output}", file=sys.stderr, flush=True)
        with Path(output).open("w") as handle:
            subprocess.run(command, stdout=handle, stderr=sys.stderr, check=True)


def reads_to_counts(
    files: SampleReports,
    bam: str,
    counts: str,
    units: Sequence[Unit],
    strandedness: str,
    index: str,
    gtf: str,
    settings: Mapping[str, Any],
    threads: int,
) -> None:
    """Run every step of one sample into ``bam``, ``counts`` and the reports of ``files``.

    See the module docstring. ``settings`` holds ``fastqc`` (bool), ``trimming`` (the
    config section), ``aligner_extra`` and ``counting_extra``; ``strandedness`` is the
    declared one (none, forward, reverse or auto).

    Raises
    ------
    InputError
        If cutadapt fails on a unit or ``auto`` strandedness cannot be inferred.
    """
    sample = files.sample
    times = StepTimes(sample)
    Path(files.fastqc).mkdir(parents=True, exist_ok=True)
    if settings["fastqc"]:
        fastq = [fastq for unit in units for fastq in unit.files]
        with times.step("fastqc"):
            run_fastqc(fastq, files.fastqc, min(threads, len(fastq)))
    work = Path(bam).parent / f"{sample}.trimmed"
    shutil.rmtree(work, ignore_errors=True)
    try:
        with times.step("cutadapt"):
            trimmed = trim_sample(
                sample, units, work, files.cutadapt, settings["trimming"], threads
            )
        with times.step("align"):
            ALIGNERS[files.aligner].align_sample(
                sample,
                trimmed,
                index,
                bam,
                files.aligner_log,
                threads,
                strandedness,
                settings["aligner_extra"],
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with times.step("samtools"):
        samtools_reports(bam, files.stats, files.flagstat, files.idxstats, threads)
    with times.step("featurecounts"):
        count_sample(
            sample=sample,
            bam=bam,
            gtf=gtf,
            declared=strandedness,
            paired=trimmed[0].paired,
            threads=threads,
            counts=counts,
            strandedness=files.strandedness,
            extra=settings["counting_extra"],
        )
        Path(f"{counts}.summary").replace(files.counts_summary)
    times.write(files.steps)


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the command line of :func:`main`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", required=True)
    parser.add_argument(
        "--unit",
        nargs="+",
        action="append",
        required=True,
        metavar=("NAME FQ1", "FQ2"),
        help="a unit (lane): its name, read 1 and, if paired, read 2; once per unit",
    )
    parser.add_argument("--strandedness", required=True)
    parser.add_argument("--aligner", choices=sorted(ALIGNERS), required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--gtf", required=True)
    parser.add_argument("--bam", required=True)
    parser.add_argument("--counts", required=True)
    parser.add_argument("--qc-dir", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--settings", type=json.loads, required=True, help="JSON, see reads_to_counts()"
    )
    arguments = parser.parse_args(argv)
    for unit in arguments.unit:
        if len(unit) not in (2, 3):
            parser.error(f"--unit takes NAME FQ1 [FQ2], not {shlex.join(unit)}")
    return arguments


def unit_arguments(units: Sequence[Unit]) -> str:
    """Return the ``--unit`` options of :func:`main` for a sample's units, shell-quoted.

    :func:`parse_units` reads them back.
    """
    return " ".join(shlex.join(["--unit", unit.unit, *unit.files]) for unit in units)


def parse_units(sample: str, values: Sequence[Sequence[str]]) -> list[Unit]:
    """Return the units of ``sample`` given by the ``--unit`` options (NAME FQ1 [FQ2])."""
    return [
        Unit(sample, value[0], value[1], value[2] if len(value) == 3 else None) for value in values
    ]


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point (the workflow's per-sample job runs it)."""
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    units = parse_units(arguments.sample, arguments.unit)
    files = SampleReports(arguments.sample, arguments.aligner, arguments.qc_dir)
    Path(files.qc_dir).mkdir(parents=True, exist_ok=True)
    reads_to_counts(
        files,
        arguments.bam,
        arguments.counts,
        units,
        arguments.strandedness,
        arguments.index,
        arguments.gtf,
        arguments.settings,
        arguments.threads,
    )
