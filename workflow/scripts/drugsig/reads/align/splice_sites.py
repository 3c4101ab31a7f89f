"""Splice sites and exons of a GTF in HISAT2's ``--ss``/``--exon`` format.

The same as HISAT2's ``hisat2_extract_splice_sites.py`` and
``hisat2_extract_exons.py``, byte for byte.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path
from typing import IO

Interval = tuple[str, int, int, str]  # chrom, 0-based first, 0-based last, strand


def _open_text(path: str | Path) -> IO[str]:
    # Not drugsig.reference.gtf.open_text: that module imports pandas, and the HISAT2
    # index job's Python (envs/hisat2.yaml) has the standard library only.
    with Path(path).open("rb") as handle:
        compressed = handle.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt") if compressed else Path(path).open()


def transcripts(gtf: str | Path) -> dict[str, tuple[str, str, list[list[int]]]]:
    """Read the exons of each transcript (1-based, sorted; gaps of <= 5 bp closed).

    As HISAT2's scripts do, exon lines without ``gene_id`` or ``transcript_id`` are
    skipped.
    """
    found: dict[str, tuple[str, str, list[list[int]]]] = {}
    with _open_text(gtf) as handle:
        for line in handle:
            line = line.split("#", 1)[0].strip()
            fields = line.split("\t")
            if len(fields) != 9 or fields[2] != "exon":
                continue
            chrom, left, right, strand = fields[0], int(fields[3]), int(fields[4]), fields[6]
            if left >= right:
                continue
            attributes: dict[str, str] = {}
            for item in fields[8].split(";"):
                key, _, value = item.strip().partition(" ")
                if key:
                    attributes.setdefault(key, value.strip('"'))
            if "gene_id" not in attributes or "transcript_id" not in attributes:
                continue
            record = found.setdefault(attributes["transcript_id"], (chrom, strand, []))
            record[2].append([left, right])
    for _chrom, _strand, exons in found.values():
        exons.sort()
        merged = [exons[0]]
        for exon in exons[1:]:
            if exon[0] - merged[-1][1] <= 5:
                merged[-1][1] = exon[1]
            else:
                merged.append(exon)
        exons[:] = merged
    return found


def splice_sites(gtf: str | Path) -> list[Interval]:
    """Return the distinct introns of the GTF's transcripts in ``--ss`` format (0-based).

    Each is ``(chrom, last base of the upstream exon, first base of the downstream
    exon, strand)``, the output of ``hisat2_extract_splice_sites.py``.
    """
    junctions = {
        (chrom, exons[i - 1][1] - 1, exons[i][0] - 1, strand)
        for chrom, strand, exons in transcripts(gtf).values()
        for i in range(1, len(exons))
    }
    return sorted(junctions)


def exons(gtf: str | Path) -> list[Interval]:
    """Return the merged exons in ``--exon`` format (0-based, inclusive).

    As ``hisat2_extract_exons.py``: overlapping exons of any transcript are merged.
    """
    distinct = sorted(
        {
            (chrom, left, right, strand)
            for chrom, strand, intervals in transcripts(gtf).values()
            for left, right in intervals
        }
    )
    merged: list[Interval] = []
    for exon in distinct:
        if merged and merged[-1][0] == exon[0] and exon[1] <= merged[-1][2]:
            previous = merged[-1]
            if previous[2] < exon[2]:
                strand = previous[3] if previous[3] in "+-" else exon[3]
                merged[-1] = (previous[0], previous[1], exon[2], strand)
        else:
            merged.append(exon)
    return [(chrom, left - 1, right - 1, strand) for chrom, left, right, strand in merged]


def write_intervals(intervals: Iterable[Interval], path: str | Path) -> int:
    """Write intervals as HISAT2's tab-separated text; return how many."""
    count = 0
    with Path(path).open("w") as handle:
        for chrom, left, right, strand in intervals:
            handle.write(f"{chrom}\t{left}\t{right}\t{strand}\n")
            count += 1
    return count
