"""featureCounts: its ``-s`` values, its command, its tables; counting one sample.

Everything the workflow knows about featureCounts: the per-sample job counts with
:func:`count_sample`, and the count matrix (:mod:`drugsig.counts.matrix`) reads its
tables with :func:`read_featurecounts_column`.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import pandas as pd

from drugsig.errors import InputError
from drugsig.inputs.sheets import Unit

# A module import: drugsig.reads.strandedness imports this module back (featurecounts_s).
from drugsig.reads import strandedness as inference

FEATURECOUNTS_STRAND = {"none": 0, "forward": 1, "reverse": 2}
"""featureCounts ``-s`` value of each strandedness."""

FEATURECOUNTS_ANNOTATION = ["Chr", "Start", "End", "Strand", "Length"]
"""The annotation columns of a featureCounts table, between ``Geneid`` and the counts."""


def featurecounts_s(strandedness: str) -> int:
    """Return the featureCounts ``-s`` value of a strandedness (none 0, forward 1, reverse 2).

    Raises
    ------
    InputError
        For anything else, e.g. ``"undetermined"``.
    """
    if strandedness not in FEATURECOUNTS_STRAND:
        raise InputError(
            f"strandedness {strandedness!r} has no featureCounts -s value; use 'none', "
            "'forward' or 'reverse'."
        )
    return FEATURECOUNTS_STRAND[strandedness]


def declared_strandedness(units: Sequence[Unit], default: str) -> str:
    """Return a sample's declared strandedness: its units' value, else the config default.

    Returns ``none``, ``forward``, ``reverse`` or ``auto``.

    Raises
    ------
    InputError
        If the sample's units declare different strandedness.
    """
    declared = {unit.strandedness or default for unit in units}
    if len(declared) > 1:
        raise InputError(
            f"sample '{units[0].sample}': its units declare different strandedness "
            f"({', '.join(sorted(declared))}); one library has one strandedness."
        )
    return declared.pop()


def featurecounts_command(
    bam: str | Path, gtf: str | Path, output: str | Path, strand: int, paired: bool,
    threads: int, extra: str = "",
) -> list[str]:  # fmt: skip
    """Return the featureCounts command line for one BAM."""
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
    """Infer the strandedness, then count reads per gene; return the strandedness used.

    The inference (see :mod:`drugsig.reads.strandedness`) always runs, so its table shows
    every sample and a declared value that disagrees with the reads gives a warning.
    With ``declared == "auto"`` the inferred value is used.

    Raises
    ------
    InputError
        If ``auto`` was asked for and the strandedness cannot be inferred.
    """
    report = inference.strandedness_report(
        sample,
        bam,
        gtf,
        None if declared == "auto" else cast(inference.Strandedness, declared),
        strandedness,
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


def read_featurecounts_column(path: str | Path) -> pd.Series:
    """Read the counts of a single-BAM featureCounts table, indexed by ``Geneid``.

    Raises
    ------
    InputError
        If the table is not featureCounts output for one BAM.
    """
    table = pd.read_csv(path, sep="\t", comment="#", index_col=0)
    if table.shape[1] != 6:
        raise InputError(
            f"{path}: expected featureCounts output for one BAM (7 columns), "
            f"found {table.shape[1] + 1}."
        )
    return table.iloc[:, -1]


def read_featurecounts_summary(path: str | Path) -> tuple[int, int]:
    """Read the assigned and total records of a single-BAM featureCounts ``.summary``."""
    table = pd.read_csv(path, sep="\t", index_col=0)
    column = table.iloc[:, 0]
    return int(column.get("Assigned", 0)), int(column.sum())
