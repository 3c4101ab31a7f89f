"""HISAT2's ``--new-summary``: read it, write it, sum the summaries of a sample's units."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

SUMMARY_FIELDS = {
    "Total pairs": "pairs",
    "Aligned concordantly or discordantly 0 time": "pairs_none",
    "Aligned concordantly 1 time": "pairs_one",
    "Aligned concordantly >1 times": "pairs_multi",
    "Aligned discordantly 1 time": "pairs_discordant",
    "Total unpaired reads": "reads",
    "Total reads": "reads",
    "Aligned 0 time": "reads_none",
    "Aligned 1 time": "reads_one",
    "Aligned >1 times": "reads_multi",
}

_PAIR_LINES = (
    "Aligned concordantly or discordantly 0 time",
    "Aligned concordantly 1 time",
    "Aligned concordantly >1 times",
    "Aligned discordantly 1 time",
)
_READ_LINES = ("Aligned 0 time", "Aligned 1 time", "Aligned >1 times")
_RATE = re.compile(r"Overall alignment rate: ([\d.]+)%")


def parse_summary(text: str) -> dict[str, int]:
    """Read the counts of a summary text, keyed by :data:`SUMMARY_FIELDS` names.

    Raises
    ------
    ValueError
        If ``text`` is not a HISAT2 ``--new-summary``.
    """
    counts = {}
    for line in text.splitlines():
        label, _, value = line.strip().partition(": ")
        if label in SUMMARY_FIELDS:
            counts[SUMMARY_FIELDS[label]] = int(value.split()[0])
    if "reads" not in counts:
        raise ValueError("not a HISAT2 --new-summary text")
    return counts


def read_summary(path: str | Path) -> tuple[int, float]:
    """Read the input reads (pairs, if paired) and overall alignment rate of a summary.

    Raises
    ------
    ValueError
        If the file is not a HISAT2 ``--new-summary``.
    """
    text = Path(path).read_text()
    rate = _RATE.search(text)
    try:
        counts = parse_summary(text)
    except ValueError:
        counts = {}
    if not counts or rate is None:
        raise ValueError(f"{path}: not a HISAT2 --new-summary file")
    return counts.get("pairs", counts["reads"]), float(rate.group(1)) / 100


def format_summary(counts: dict[str, int]) -> str:
    """Write a summary text (HISAT2's layout and rounding) from counts."""

    def line(indent: int, label: str, value: int, total: int) -> str:
        share = 100 * value / total if total else 0.0
        return f"{chr(9) * indent}{label}: {value} ({share:.2f}%)"

    lines = ["HISAT2 summary stats:"]
    if "pairs" in counts:
        pairs, reads = counts["pairs"], counts["reads"]
        lines.append(f"\tTotal pairs: {pairs}")
        lines += [line(2, label, counts[SUMMARY_FIELDS[label]], pairs) for label in _PAIR_LINES]
        lines.append(f"\tTotal unpaired reads: {reads}")
        total_reads = 2 * pairs
        aligned = 2 * (pairs - counts["pairs_none"]) + counts["reads_one"] + counts["reads_multi"]
    else:
        reads = counts["reads"]
        lines.append(f"\tTotal reads: {reads}")
        total_reads = reads
        aligned = counts["reads_one"] + counts["reads_multi"]
    lines += [line(2, label, counts[SUMMARY_FIELDS[label]], reads) for label in _READ_LINES]
    rate = 100 * aligned / total_reads if total_reads else 0.0
    lines.append(f"\tOverall alignment rate: {rate:.2f}%")
    return "\n".join(lines) + "\n"


def merge_summaries(texts: Sequence[str]) -> str:
    """Sum the summaries of a sample's units into one.

    Raises
    ------
    ValueError
        If the units mix single-end and paired-end summaries.
    """
    parsed = [parse_summary(text) for text in texts]
    if len({frozenset(counts) for counts in parsed}) != 1:
        raise ValueError("the units' HISAT2 summaries mix single-end and paired-end reads")
    return format_summary({key: sum(counts[key] for counts in parsed) for key in parsed[0]})
