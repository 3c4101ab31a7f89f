"""Infer a library's strandedness from aligned reads and the gene annotation.

Like RSeQC's ``infer_experiment.py``: for uniquely mapped reads on exons, compare
the strand a read maps to with the strand of the gene there. Read 2 of a pair is
flipped, so every read speaks for the orientation of its fragment's read 1:

* ``forward`` (read 1 on the gene's strand; e.g. ScriptSeq, Lexogen QuantSeq FWD):
  featureCounts ``-s 1``;
* ``reverse`` (read 1 on the opposite strand; dUTP, Illumina TruSeq Stranded):
  featureCounts ``-s 2``;
* ``none`` (unstranded; about half each way): featureCounts ``-s 0``.

Thresholds, on the reads whose locus has genes on one strand only:
``fraction_forward >= 0.8`` is forward, ``fraction_reverse >= 0.8`` is reverse,
both within 0.4-0.6 is none, anything else is ``undetermined`` (with a warning).
nf-core/rnaseq uses the same 0.8 for stranded but calls unstranded only when the two
fractions differ by at most 0.1 (0.45-0.55); the wider band here still leaves a
clear gap (0.6-0.8) in which no call is made. Reads at loci with exons of genes on
both strands are not informative and are reported as ``fraction_ambiguous``.
"""

from __future__ import annotations

import math
import warnings
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
import pysam

from drugsig.io import write_table_atomic

# A module import: drugsig.reads.featurecounts imports this module back.
from drugsig.reads import featurecounts
from drugsig.reference.gtf import iter_records

Strandedness = Literal["none", "forward", "reverse"]
Call = Literal["none", "forward", "reverse", "undetermined"]

STRANDED_FRACTION = 0.8
UNSTRANDED_RANGE = (0.4, 0.6)
MIN_MAPQ = 30  # STAR gives unique reads 255, HISAT2 60; multi-mappers get 0-3
DEFAULT_MAX_READS = 200_000
MIN_INFORMATIVE_READS = 100

_SKIPPED_FLAGS = 0x4 | 0x100 | 0x200 | 0x800  # unmapped, secondary, QC fail, supplementary

# chrom -> strand -> (starts, ends): merged, sorted, 0-based half-open exon intervals
ExonIndex = dict[str, dict[str, tuple[list[int], list[int]]]]


@dataclass(frozen=True)
class StrandCounts:
    """Reads on exons, by the orientation of their fragment's read 1 to the gene."""

    forward: int
    reverse: int
    ambiguous: int

    @property
    def reads_used(self) -> int:
        """Reads that overlap an exon (the sample; informative or ambiguous)."""
        return self.forward + self.reverse + self.ambiguous

    @property
    def informative(self) -> int:
        """Reads at loci with genes on one strand only."""
        return self.forward + self.reverse

    @property
    def fraction_forward(self) -> float:
        """Share of informative reads whose read 1 is on the gene's strand (NaN if none)."""
        return self.forward / self.informative if self.informative else math.nan

    @property
    def fraction_reverse(self) -> float:
        """Share of informative reads whose read 1 is on the opposite strand (NaN if none)."""
        return self.reverse / self.informative if self.informative else math.nan

    @property
    def fraction_ambiguous(self) -> float:
        """Share of the reads used that lie on exons of genes on both strands."""
        return self.ambiguous / self.reads_used if self.reads_used else math.nan


def exon_index(gtf: str | Path) -> ExonIndex:
    """Read the merged exon intervals per chromosome and strand of a GTF (plain or gzipped)."""
    exons: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for _, fields in iter_records(gtf):
        if fields[2] == "exon" and fields[6] in "+-":
            exons[fields[0]][fields[6]].append((int(fields[3]) - 1, int(fields[4])))
    index: ExonIndex = {}
    for chrom, by_strand in exons.items():
        index[chrom] = {}
        for strand, intervals in by_strand.items():
            starts: list[int] = []
            ends: list[int] = []
            for start, end in sorted(intervals):
                if ends and start <= ends[-1]:
                    ends[-1] = max(ends[-1], end)
                else:
                    starts.append(start)
                    ends.append(end)
            index[chrom][strand] = (starts, ends)
    return index


def _overlaps(intervals: tuple[list[int], list[int]], start: int, end: int) -> bool:
    starts, ends = intervals
    last = bisect_left(starts, end) - 1  # the last interval starting before ``end``
    return last >= 0 and ends[last] > start


def _gene_strands(
    by_strand: dict[str, tuple[list[int], list[int]]], blocks: list[tuple[int, int]]
) -> list[str]:
    return [
        strand
        for strand, intervals in by_strand.items()
        if any(_overlaps(intervals, start, end) for start, end in blocks)
    ]


def count_strands(
    bam: str | Path, gtf: str | Path, max_reads: int = DEFAULT_MAX_READS
) -> StrandCounts:
    """Count read orientations relative to genes for up to ``max_reads`` reads on exons.

    Uses primary, mapped, non-QC-failed alignments with MAPQ >= 30 (uniquely
    mapped), in file order; for read 2 of a pair the strand is flipped. A read's
    aligned blocks (spliced reads skip their introns) are compared with exons.

    Parameters
    ----------
    bam
        Alignments (BAM or SAM, sorted or not; no index needed).
    gtf
        Gene annotation (plain or gzipped); see :func:`exon_index`.
    max_reads
        Stop after this many reads on exons (RSeQC's default sample size: 200,000).
    """
    index = exon_index(gtf)
    tally = {"forward": 0, "reverse": 0, "ambiguous": 0}
    used = 0
    with pysam.AlignmentFile(str(bam)) as alignments:
        exons_by_reference = [index.get(name, {}) for name in alignments.references]
        for read in alignments.fetch(until_eof=True):
            if read.flag & _SKIPPED_FLAGS or read.mapping_quality < MIN_MAPQ:
                continue
            strands = _gene_strands(exons_by_reference[read.reference_id], read.get_blocks())
            if not strands:
                continue
            if len(strands) == 2:
                tally["ambiguous"] += 1
            else:
                read1_on_plus = read.is_reverse == (read.is_paired and read.is_read2)
                tally["forward" if read1_on_plus == (strands[0] == "+") else "reverse"] += 1
            used += 1
            if used == max_reads:
                break
    return StrandCounts(**tally)


def call_strandedness(counts: StrandCounts, min_reads: int = MIN_INFORMATIVE_READS) -> Call:
    """Call forward / reverse / none from the counts, or ``"undetermined"``.

    See the module docstring for the thresholds; fewer than ``min_reads``
    informative reads give ``"undetermined"``.
    """
    if counts.informative < min_reads:
        return "undetermined"
    if counts.fraction_forward >= STRANDED_FRACTION:
        return "forward"
    if counts.fraction_reverse >= STRANDED_FRACTION:
        return "reverse"
    low, high = UNSTRANDED_RANGE
    if low <= counts.fraction_forward <= high:
        return "none"
    return "undetermined"


def _describe(counts: StrandCounts) -> str:
    return (
        f"fraction_forward {counts.fraction_forward:.3f}, fraction_reverse "
        f"{counts.fraction_reverse:.3f} of {counts.informative} informative reads"
    )


def compare_with_declared(
    sample: str, counts: StrandCounts, inferred: Call, declared: Strandedness | None
) -> bool | None:
    """Whether the inferred strandedness agrees with the declared one; warn if not.

    Returns ``None`` (no warning) when nothing is declared or nothing was inferred.
    """
    if declared is None or inferred == "undetermined":
        return None
    if inferred == declared:
        return True
    warnings.warn(
        f"Sample {sample}: the reads look {inferred!r}-stranded ({_describe(counts)}) but "
        f"strandedness {declared!r} is declared, so featureCounts counts with -s "
        f"{featurecounts.featurecounts_s(declared)} instead of -s "
        f"{featurecounts.featurecounts_s(inferred)} and "
        "may miss most reads. If the library kit confirms the inference, set the unit's "
        "strandedness column in the units sheet (or counting.strandedness in the config) to "
        f"{inferred!r}.",
        stacklevel=2,
    )
    return False


def strandedness_report(
    sample: str,
    bam: str | Path,
    gtf: str | Path,
    declared: Strandedness | None,
    output: str | Path,
    max_reads: int = DEFAULT_MAX_READS,
) -> pd.DataFrame:
    """Infer a sample's strandedness, compare it with the declared one and write a TSV.

    The one-row TSV has the columns ``sample, reads_used, fraction_forward,
    fraction_reverse, fraction_ambiguous, inferred, declared, agrees`` (``declared``
    and ``agrees`` empty when nothing is declared or nothing could be inferred).
    Warns when the call is undetermined or disagrees with ``declared``.
    """
    counts = count_strands(bam, gtf, max_reads)
    inferred = call_strandedness(counts)
    if inferred == "undetermined":
        reason = (
            f"fewer than {MIN_INFORMATIVE_READS} informative reads; check that the BAM and "
            "the GTF use the same chromosome names"
            if counts.informative < MIN_INFORMATIVE_READS
            else f"neither stranded (>= {STRANDED_FRACTION} one way) nor unstranded "
            f"({UNSTRANDED_RANGE[0]}-{UNSTRANDED_RANGE[1]} each way)"
        )
        used = f" Counting uses the declared {declared!r}." if declared else ""
        warnings.warn(
            f"Sample {sample}: library strandedness undetermined ({_describe(counts)}): "
            f"{reason}.{used}",
            stacklevel=2,
        )
    agrees = compare_with_declared(sample, counts, inferred, declared)
    table = pd.DataFrame(
        [
            {
                "sample": sample,
                "reads_used": counts.reads_used,
                "fraction_forward": counts.fraction_forward,
                "fraction_reverse": counts.fraction_reverse,
                "fraction_ambiguous": counts.fraction_ambiguous,
                "inferred": inferred,
                "declared": declared,
                "agrees": agrees,
            }
        ]
    )
    write_table_atomic(table, output)
    return table
