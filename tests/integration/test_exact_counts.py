"""FASTQ to count matrix on hand-made reads whose gene of origin is known exactly.

A two-contig genome with three genes (a spliced plus-strand gene, a minus-strand
gene, a plus-strand gene on the other contig) and reverse-stranded paired-end reads
built by hand: spliced pairs, pairs with adapter read-through, and pairs in the
wrong orientation that a reverse-stranded count must ignore.
"""

from __future__ import annotations

import gzip
import random

import pandas as pd
import pytest
import yaml

from conftest import run_snakemake

pytestmark = pytest.mark.integration

READ_LENGTH = 50
ADAPTER_R1 = "AGATCGGAAGAGCACACGTCTGAACTCCAGTCA"
ADAPTER_R2 = "AGATCGGAAGAGCGTCGTGTAGGGAAAGAGTGT"
COMPLEMENT = str.maketrans("ACGT", "TGCA")
# gene: (contig, strand, exons as 1-based inclusive intervals)
GENES = {
    "GSPLICED": ("1", "+", [(1001, 1200), (1501, 1700)]),
    "GMINUS": ("1", "-", [(3001, 3300)]),
    "GOTHER": ("2", "+", [(501, 900)]),
}
# sample: (spliced pairs, minus-strand pairs, short pairs with adapter, wrong-strand pairs)
DESIGN = {
    "ctrl_1": (7, 3, 1, 2),
    "ctrl_2": (5, 2, 0, 4),
    "treat_1": (12, 1, 2, 0),
    "treat_2": (9, 4, 1, 3),
}


def revcomp(sequence: str) -> str:
    return sequence.translate(COMPLEMENT)[::-1]


def make_genome(rng: random.Random) -> dict[str, str]:
    genome = {name: list(rng.choices("ACGT", k=5000)) for name in ("1", "2")}
    genome["1"][1200:1202] = "GT"  # intron 1201-1500 of GSPLICED: GT ... AG
    genome["1"][1498:1500] = "AG"
    return {name: "".join(bases) for name, bases in genome.items()}


def transcript(genome: dict[str, str], gene: str) -> str:
    contig, strand, exons = GENES[gene]
    sequence = "".join(genome[contig][start - 1 : end] for start, end in exons)
    return sequence if strand == "+" else revcomp(sequence)


def pair(fragment: str, reverse_stranded: bool = True) -> tuple[str, str]:
    """Read 1 and read 2 of a fragment given in transcript orientation.

    Reads longer than the fragment run into the adapter. In a reverse-stranded
    library read 1 is antisense to the transcript; in a forward-stranded one, sense.
    """
    sense, antisense = fragment, revcomp(fragment)
    first, second = (antisense, sense) if reverse_stranded else (sense, antisense)
    return (first + ADAPTER_R1)[:READ_LENGTH], (second + ADAPTER_R2)[:READ_LENGTH]


def write_inputs(root, rng: random.Random) -> dict[str, tuple[int, int, int]]:
    genome = make_genome(rng)
    with (root / "genome.fa").open("w") as handle:
        for name, sequence in genome.items():
            handle.write(f">{name}\n{sequence}\n")
    with (root / "genes.gtf").open("w") as handle:
        for gene, (contig, strand, exons) in GENES.items():
            attributes = (
                f'gene_id "{gene}"; gene_name "{gene}_name"; gene_biotype "protein_coding";'
            )
            start, end = exons[0][0], exons[-1][1]
            handle.write(f"{contig}\tt\tgene\t{start}\t{end}\t.\t{strand}\t.\t{attributes}\n")
            tx = f'{attributes} transcript_id "{gene}_t";'
            handle.write(f"{contig}\tt\ttranscript\t{start}\t{end}\t.\t{strand}\t.\t{tx}\n")
            for exon_start, exon_end in exons:
                handle.write(f"{contig}\tt\texon\t{exon_start}\t{exon_end}\t.\t{strand}\t.\t{tx}\n")
    spliced, minus, other = (transcript(genome, gene) for gene in GENES)
    expected = {}
    samples, units = ["sample\tcondition"], ["sample\tunit\tfq1\tfq2"]
    for sample, (n_spliced, n_minus, n_short, n_wrong) in DESIGN.items():
        pairs = []
        for _ in range(n_spliced):  # fragments of 150 bp crossing the junction at 200
            start = rng.randrange(70, 110)
            pairs.append(pair(spliced[start : start + 150]))
        for _ in range(n_minus):
            start = rng.randrange(0, 150)
            pairs.append(pair(minus[start : start + 150]))
        for _ in range(n_short):  # 40 bp inserts: both reads run into the adapter
            start = rng.randrange(0, 250)
            pairs.append(pair(minus[start : start + 40]))
        for _ in range(n_wrong):  # forward-stranded pairs: not counted with -s 2
            start = rng.randrange(0, 250)
            pairs.append(pair(other[start : start + 150], reverse_stranded=False))
        for read, index in (("R1", 0), ("R2", 1)):
            with gzip.open(root / f"{sample}_{read}.fq.gz", "wt") as handle:
                for number, reads in enumerate(pairs):
                    sequence = reads[index]
                    handle.write(f"@{sample}:{number} {index + 1}:N:0:A\n{sequence}\n+\n")
                    handle.write("I" * len(sequence) + "\n")
        condition = sample.split("_")[0]
        samples.append(f"{sample}\t{condition}")
        units.append(f"{sample}\tL1\t{root}/{sample}_R1.fq.gz\t{root}/{sample}_R2.fq.gz")
        expected[sample] = (n_spliced, n_minus + n_short, 0)
    (root / "config").mkdir()
    (root / "config" / "samples.tsv").write_text("\n".join(samples) + "\n")
    (root / "config" / "units.tsv").write_text("\n".join(units) + "\n")
    config = {
        "samples": "config/samples.tsv",
        "units": "config/units.tsv",
        "reference": {"fasta": str(root / "genome.fa"), "gtf": str(root / "genes.gtf")},
        "counting": {"strandedness": "reverse"},
        "diffexp": {"vehicle": "ctrl"},
    }
    (root / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    return expected


def test_counts_are_exact(tmp_path):
    expected = write_inputs(tmp_path, random.Random(7))
    run_snakemake(tmp_path, "--cores", "2", "results/counts/counts.tsv")
    counts = pd.read_csv(tmp_path / "results" / "counts" / "counts.tsv", sep="\t")
    assert counts["gene_name"].tolist() == ["GSPLICED_name", "GMINUS_name", "GOTHER_name"]
    for sample, values in expected.items():
        assert counts[sample].tolist() == list(values), sample
