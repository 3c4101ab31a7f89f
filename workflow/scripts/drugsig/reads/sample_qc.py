"""Per-sample QC flags from the aligner, featureCounts and strandedness reports.

Columns of ``results/qc/sample_qc.tsv``:

``sample``; ``input_reads`` (reads or pairs given to the aligner); ``mapping_rate``
(uniquely mapped fraction for STAR, overall alignment rate for HISAT2);
``assigned`` (reads or pairs featureCounts assigned to genes); ``assignment_rate``
(assigned / all featureCounts records); ``strandedness`` (inferred) and
``strandedness_agrees`` (with the declared value; empty when nothing was declared);
``flags`` (``;``-separated): ``few_reads`` (input_reads < min_reads),
``low_mapping`` (mapping_rate < min_mapping_rate), ``low_assignment``
(assignment_rate < min_assignment_rate), ``strandedness_mismatch``. Flags are
warnings: the sample stays in the analysis.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from drugsig.io import write_table_atomic, write_text_atomic
from drugsig.reads.align import star
from drugsig.reads.align.hisat2_summary import read_summary
from drugsig.reads.featurecounts import read_featurecounts_summary
from drugsig.report.multiqc import custom_content

_STAR_FIELD = re.compile(r"^\s*(.+?) \|\t(.*)$")


def read_star_log(path: str | Path) -> tuple[int, float]:
    """Read the input reads and uniquely mapped fraction of STAR's ``Log.final.out``."""
    fields = {}
    for line in Path(path).read_text().splitlines():
        match = _STAR_FIELD.match(line)
        if match:
            fields[match.group(1)] = match.group(2).strip()
    rate = float(fields["Uniquely mapped reads %"].rstrip("%")) / 100
    return int(fields["Number of input reads"]), rate


def read_aligner_log(path: str | Path) -> tuple[int, float]:
    """Read the input reads and mapping rate of a STAR or HISAT2 log (by file name).

    See :func:`read_star_log` and :func:`drugsig.reads.align.hisat2_summary.read_summary`.
    """
    if str(path).endswith(star.LOG_SUFFIX):
        return read_star_log(path)
    return read_summary(path)


def qc_row(
    sample: str, aligner_log: str | Path, summary: str | Path, strandedness: str | Path,
    thresholds: Mapping[str, Any],
) -> dict[str, Any]:  # fmt: skip
    """Return one sample's QC values and flags (see the module docstring)."""
    input_reads, mapping_rate = read_aligner_log(aligner_log)
    assigned, records = read_featurecounts_summary(summary)
    strand = pd.read_csv(strandedness, sep="\t", dtype=str, keep_default_na=False).iloc[0]
    assignment_rate = assigned / records if records else 0.0
    flags = [
        name
        for name, raised in (
            ("few_reads", input_reads < thresholds["min_reads"]),
            ("low_mapping", mapping_rate < thresholds["min_mapping_rate"]),
            ("low_assignment", assignment_rate < thresholds["min_assignment_rate"]),
            ("strandedness_mismatch", strand["agrees"] == "False"),
        )
        if raised
    ]
    return {
        "sample": sample,
        "input_reads": input_reads,
        "mapping_rate": round(mapping_rate, 4),
        "assigned": assigned,
        "assignment_rate": round(assignment_rate, 4),
        "strandedness": strand["inferred"],
        "strandedness_agrees": strand["agrees"],
        "flags": ";".join(flags),
    }


def write_sample_qc(
    samples: Sequence[str],
    aligner_logs: Sequence[str | Path],
    summaries: Sequence[str | Path],
    strandedness: Sequence[str | Path],
    thresholds: Mapping[str, Any],
    output: str | Path,
    report: str | Path,
) -> pd.DataFrame:
    """Write the QC table and its MultiQC custom-content version; return the table."""
    table = pd.DataFrame(
        [
            qc_row(*files, thresholds)
            for files in zip(samples, aligner_logs, summaries, strandedness, strict=True)
        ]
    )
    write_table_atomic(table, output)
    section = {
        "id": "sample_qc",
        "section_name": "Sample QC flags",
        "description": (
            f"Samples with fewer than {thresholds['min_reads']:,} reads, a mapping rate below "
            f"{thresholds['min_mapping_rate']:.0%}, an assignment rate below "
            f"{thresholds['min_assignment_rate']:.0%} or a strandedness that disagrees with "
            "the declared one are flagged. Flagged samples stay in the analysis: check them."
        ),
        "plot_type": "table",
    }
    write_text_atomic(custom_content(section, table), report)
    return table
