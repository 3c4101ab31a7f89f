"""Gene-level counting of one sample: check the library strandedness, run featureCounts."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from drugsig.errors import InputError
from drugsig.reads.strandedness import featurecounts_s, strandedness_report


def featurecounts_command(
    bam: str | Path, gtf: str | Path, output: str | Path, strand: int, paired: bool,
    threads: int, extra: str = "",
) -> list[str]:  # fmt: skip
    """The featureCounts command line for one BAM."""
    layout = ["-p", "--countReadPairs"] if paired else []
    return [
        "featureCounts", "-T", str(threads), "-s", str(strand), *layout, *shlex.split(extra),
        "-a", str(gtf), "-o", str(output), str(bam),
    ]  # fmt: skip


def count_sample(
    sample: str,
    bam: str | Path,
    gtf: str | Path,
    declared: str,
    paired: bool,
    threads: int,
    counts: str | Path,
    strandedness: str | Path,
    extra: str = "",
) -> str:
    """Infer the strandedness, then count reads per gene; returns the strandedness used.

    The inference (see :mod:`drugsig.reads.strandedness`) always runs, so its table shows
    every sample and a declared value that disagrees with the reads gives a warning.
    With ``declared == "auto"`` the inferred value is used.

    Raises
    ------
    InputError
        If ``auto`` was asked for and the strandedness cannot be inferred.
    """
    report = strandedness_report(
        sample, bam, gtf, None if declared == "auto" else declared, strandedness
    )
    inferred = str(report["inferred"].iloc[0])
    used = inferred if declared == "auto" else declared
    if used == "undetermined":
        # the numbers go into the message: Snakemake deletes the failed job's report file
        row = report.iloc[0]
        raise InputError(
            f"sample '{sample}': strandedness 'auto' was asked for but could not be inferred "
            f"from the reads ({row['reads_used']} reads on exons, fraction_forward "
            f"{row['fraction_forward']:.3f}, fraction_reverse {row['fraction_reverse']:.3f}; "
            "see the warning above); set it in the units sheet's strandedness column or "
            "counting.strandedness (none, forward or reverse)."
        )
    command = featurecounts_command(bam, gtf, counts, featurecounts_s(used), paired, threads, extra)
    print(shlex.join(command), file=sys.stderr, flush=True)
    subprocess.run(command, stdout=sys.stderr, stderr=sys.stderr, check=True)
    return used
