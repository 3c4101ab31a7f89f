"""FASTQ to count matrix on hand-made reads whose gene of origin is known exactly.

A two-contig genome with three genes (a spliced plus-strand gene, a minus-strand
gene, a plus-strand gene on the other contig) and reverse-stranded paired-end reads
built by hand: spliced pairs, pairs with adapter read-through, and pairs in the
wrong orientation that a reverse-stranded count must ignore.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
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

pytestmark = pytest.mark.integration

# sample: (spliced pairs, minus-strand pairs, short pairs with adapter, wrong-strand pairs)
DESIGN = {
    "ctrl_1": (7, 3, 1, 2),
    "ctrl_2": (5, 2, 0, 4),
    "treat_1": (12, 1, 2, 0),
    "treat_2": (9, 4, 1, 3),
}


def write_inputs(root: Path, seed: int) -> dict[str, tuple[int, int, int]]:
    """The genome and genes of ``helpers`` (GENES), one lane of reads per sample; the
    expected counts of GSPLICED, GMINUS and GOTHER per sample."""
    genome = make_genome(seed)
    write_fasta(root / "genome.fa", genome)
    (root / "genes.gtf").write_text("\n".join(gtf_lines()) + "\n")
    rng = random.Random(seed)
    expected, units = {}, []
    for sample, counts in DESIGN.items():
        reads = [str(root / f"{sample}_R{mate}.fq.gz") for mate in (1, 2)]
        write_pairs(*map(Path, reads), sample, mixed_pairs(genome, rng, counts, (70, 110)))
        units.append([sample, "L1", *reads])
        n_spliced, n_minus, n_short, _ = counts
        expected[sample] = (n_spliced, n_minus + n_short, 0)
    write_counting_project(root, units)
    return expected


def test_counts_are_exact(tmp_path):
    expected = write_inputs(tmp_path, seed=7)
    run_snakemake(tmp_path, "--cores", "2", "results/counts/counts.tsv")
    counts = pd.read_csv(tmp_path / "results" / "counts" / "counts.tsv", sep="\t")
    assert counts["gene_name"].tolist() == ["GSPLICED_name", "GMINUS_name", "GOTHER_name"]
    for sample, values in expected.items():
        assert counts[sample].tolist() == list(values), sample
