"""One sample from raw reads to gene counts in one job: FastQC, cutadapt, alignment
(STAR or HISAT2) into a sorted, indexed BAM, samtools reports, strandedness and
featureCounts.

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

from drugsig.io import write_table_atomic
from drugsig.reads.align import hisat2, star
from drugsig.reads.featurecounts import count_sample
from drugsig.reads.raw_check import UnitRecord, run_fastqc
from drugsig.reads.trim import ReadUnit, trim_sample

ALIGNER_LOG_SUFFIX = {"star": "Log.final.out", "hisat2": "hisat2.summary"}
"""File name ending of each aligner's summary (what MultiQC recognises)."""


@dataclass(frozen=True)
class SampleReports:
    """One sample's QC folder: every report of its job (for MultiQC and the QC flags),
    each named ``{sample}.<report>``."""

    sample: str
    aligner: str
    qc_dir: str

    def _qc(self, name: str) -> str:
        return f"{self.qc_dir}/{self.sample}.{name}"

    @property
    def aligner_log(self) -> str:
        """STAR's ``Log.final.out`` or HISAT2's ``--new-summary``."""
        return self._qc(ALIGNER_LOG_SUFFIX[self.aligner])

    @property
    def stats(self) -> str:
        return self._qc("stats")

    @property
    def flagstat(self) -> str:
        return self._qc("flagstat")

    @property
    def idxstats(self) -> str:
        return self._qc("idxstats")

    @property
    def counts_summary(self) -> str:
        """featureCounts' assignment summary."""
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


def align(
    files: SampleReports,
    bam: str,
    units: Sequence[ReadUnit],
    index: str,
    strandedness: str,
    threads: int,
    extra: str,
) -> None:
    """Align the (trimmed) units into ``bam`` with ``files.aligner``."""
    if files.aligner == "star":
        star.align_sample(files.sample, units, index, bam, files.aligner_log, threads, extra)
    elif files.aligner == "hisat2":
        paired = units[0].fq2 is not None
        hisat2.align_sample(
            files.sample,
            units,
            index,
            bam,
            files.aligner_log,
            threads,
            hisat2.rna_strandness(strandedness, paired),
            extra,
        )
    else:
        raise ValueError(f"unknown aligner {files.aligner!r}")


def reads_to_counts(
    files: SampleReports,
    bam: str,
    counts: str,
    units: Sequence[UnitRecord],
    strandedness: str,
    index: str,
    gtf: str,
    settings: Mapping[str, Any],
    threads: int,
) -> None:
    """Run every step of one sample into ``bam``, ``counts`` and the reports of
    ``files``; see the module docstring.

    ``settings`` holds ``fastqc`` (bool), ``trimming`` (the config section),
    ``aligner_extra`` and ``counting_extra``; ``strandedness`` is the declared one
    (none, forward, reverse or auto).

    Raises
    ------
    InputError
        If cutadapt fails on a unit or ``auto`` strandedness cannot be inferred.
    """
    sample = files.sample
    times = StepTimes(sample)
    Path(files.fastqc).mkdir(parents=True, exist_ok=True)
    if settings["fastqc"]:
        fastq = [str(unit[key]) for unit in units for key in ("fq1", "fq2") if unit.get(key)]
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
            align(files, bam, trimmed, index, strandedness, threads, settings["aligner_extra"])
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
            paired=trimmed[0].fq2 is not None,
            threads=threads,
            counts=counts,
            strandedness=files.strandedness,
            extra=settings["counting_extra"],
        )
        Path(f"{counts}.summary").replace(files.counts_summary)
    times.write(files.steps)


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """The command line of :func:`main`."""
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
    parser.add_argument("--aligner", choices=sorted(ALIGNER_LOG_SUFFIX), required=True)
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


def unit_arguments(units: Sequence[UnitRecord]) -> str:
    """The ``--unit`` options of :func:`main` for a sample's units, shell-quoted."""
    return " ".join(
        shlex.join(
            ["--unit", str(unit["unit"]), str(unit["fq1"])]
            + ([str(unit["fq2"])] if unit.get("fq2") else [])
        )
        for unit in units
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point (the workflow's per-sample job runs it)."""
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    units = [
        {"unit": unit[0], "fq1": unit[1], "fq2": unit[2] if len(unit) == 3 else None}
        for unit in arguments.unit
    ]
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
