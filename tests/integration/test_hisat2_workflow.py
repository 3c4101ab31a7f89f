"""FASTQ to count matrix with ``aligner: hisat2`` on hand-made reads of known origin.

A two-contig genome with three genes (a spliced plus-strand gene with a 1 kb
intron, a minus-strand gene, a plus-strand gene on the other contig) and
reverse-stranded paired-end reads: spliced pairs, pairs with adapter read-through
and pairs in the wrong orientation that a reverse-stranded count must ignore. One
sample comes in two lanes, which must end up in one BAM with a read group each.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pandas as pd
import pysam
import pytest
from helpers import (
    gtf_lines,
    make_genome,
    mixed_pairs,
    write_counting_project,
    write_fasta,
    write_pairs,
)

from conftest import run_snakemake

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not shutil.which("hisat2"), reason="hisat2 is not installed"),
]

# A 1 kb intron (HISAT2's spliced alignment), on a genome of two 6 kb contigs.
GENES = {
    "GSPLICED": ("1", "+", [(1001, 1200), (2201, 2400)]),
    "GMINUS": ("1", "-", [(4001, 4300)]),
    "GOTHER": ("2", "+", [(501, 900)]),
}
CONTIGS = {"1": 6000, "2": 6000}
# sample: units, each (spliced pairs, minus-strand pairs, short pairs, wrong-strand pairs)
DESIGN = {
    "ctrl_1": [(4, 2, 1, 1), (3, 1, 0, 1)],  # two lanes
    "ctrl_2": [(5, 2, 0, 4)],
    "treat_1": [(12, 1, 2, 0)],
    "treat_2": [(9, 4, 1, 3)],
}


def write_inputs(root: Path, seed: int) -> dict[str, tuple[int, int, int]]:
    """Genome, GTF, reads (a unit per lane), sheets and config; the expected counts of
    GSPLICED, GMINUS and GOTHER per sample."""
    genome = make_genome(seed, GENES, CONTIGS)
    write_fasta(root / "genome.fa", genome)
    (root / "genes.gtf").write_text("\n".join(gtf_lines(GENES)) + "\n")
    rng = random.Random(seed)
    expected, units = {}, []
    for sample, lanes in DESIGN.items():
        for lane, counts in enumerate(lanes, start=1):
            # read 1 of a spliced pair covers 160-234: across the junction at 200
            pairs = mixed_pairs(genome, rng, counts, (60, 85), GENES)
            reads = [str(root / f"{sample}_L{lane}_R{mate}.fq.gz") for mate in (1, 2)]
            write_pairs(*map(Path, reads), sample, pairs)
            units.append([sample, f"L{lane}", *reads])
        expected[sample] = (
            sum(lane[0] for lane in lanes),
            sum(lane[1] + lane[2] for lane in lanes),
            0,
        )
    write_counting_project(root, units, aligner="hisat2", fastq_qc={"fastqc": False})
    return expected


def test_hisat2_counts_are_exact(tmp_path):
    expected = write_inputs(tmp_path, seed=11)
    run_snakemake(tmp_path, "--cores", "2", "results/counts/counts.tsv")

    counts = pd.read_csv(tmp_path / "results" / "counts" / "counts.tsv", sep="\t")
    assert counts["gene_name"].tolist() == ["GSPLICED_name", "GMINUS_name", "GOTHER_name"]
    for sample, values in expected.items():
        assert counts[sample].tolist() == list(values), sample

    align = tmp_path / "results" / "align"
    assert not (tmp_path / "resources" / "index" / "star").exists()
    assert (tmp_path / "resources" / "index" / "hisat2" / "splice_sites.txt").read_text() == (
        "1\t1199\t2200\t+\n"
    )
    # ctrl_1: two lanes in one BAM, a read group each; one summary summed over the lanes
    with pysam.AlignmentFile(align / "ctrl_1.bam") as bam:
        assert bam.header["HD"]["SO"] == "coordinate"
        assert sorted(group["ID"] for group in bam.header["RG"]) == ["ctrl_1.L1", "ctrl_1.L2"]
        records = [r for r in bam if not r.is_secondary and not r.is_supplementary]
    assert {r.get_tag("RG") for r in records} == {"ctrl_1.L1", "ctrl_1.L2"}
    assert sum("N" in (r.cigarstring or "") for r in records) == 7  # read 1 of 7 pairs
    assert (align / "ctrl_1.bam.bai").exists()
    summary = (tmp_path / "results/qc/samples/ctrl_1/ctrl_1.hisat2.summary").read_text()
    assert summary.startswith("HISAT2 summary stats:\n\tTotal pairs: 13\n")  # 8 + 5 pairs
