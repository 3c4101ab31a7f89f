"""FASTQ to count matrix with ``aligner: hisat2`` on hand-made reads of known origin.

A two-contig genome with three genes (a spliced plus-strand gene with a 1 kb
intron, a minus-strand gene, a plus-strand gene on the other contig) and
reverse-stranded paired-end reads: spliced pairs, pairs with adapter read-through
and pairs in the wrong orientation that a reverse-stranded count must ignore. One
sample comes in two lanes, which must end up in one BAM with a read group each.
"""

from __future__ import annotations

import gzip
import random
import shutil

import pandas as pd
import pysam
import pytest
import yaml

from conftest import run_snakemake

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not shutil.which("hisat2"), reason="hisat2 is not installed"),
]

READ_LENGTH = 50
ADAPTER_R1 = "AGATCGGAAGAGCACACGTCTGAACTCCAGTCA"
ADAPTER_R2 = "AGATCGGAAGAGCGTCGTGTAGGGAAAGAGTGT"
COMPLEMENT = str.maketrans("ACGT", "TGCA")
# gene: (contig, strand, exons as 1-based inclusive intervals)
GENES = {
    "GSPLICED": ("1", "+", [(1001, 1200), (2201, 2400)]),
    "GMINUS": ("1", "-", [(4001, 4300)]),
    "GOTHER": ("2", "+", [(501, 900)]),
}
# sample: units, each (spliced pairs, minus-strand pairs, short pairs, wrong-strand pairs)
DESIGN = {
    "ctrl_1": [(4, 2, 1, 1), (3, 1, 0, 1)],  # two lanes
    "ctrl_2": [(5, 2, 0, 4)],
    "treat_1": [(12, 1, 2, 0)],
    "treat_2": [(9, 4, 1, 3)],
}


def revcomp(sequence: str) -> str:
    return sequence.translate(COMPLEMENT)[::-1]


def make_genome(rng: random.Random) -> dict[str, str]:
    genome = {name: list(rng.choices("ACGT", k=6000)) for name in ("1", "2")}
    genome["1"][1200:1202] = "GT"  # intron 1201-2200 of GSPLICED: GT ... AG
    genome["1"][2198:2200] = "AG"
    return {name: "".join(bases) for name, bases in genome.items()}


def transcript(genome: dict[str, str], gene: str) -> str:
    contig, strand, exons = GENES[gene]
    sequence = "".join(genome[contig][start - 1 : end] for start, end in exons)
    return sequence if strand == "+" else revcomp(sequence)


def pair(fragment: str, reverse_stranded: bool = True) -> tuple[str, str]:
    """Read 1 and read 2 of a fragment in transcript orientation (adapter if short)."""
    sense, antisense = fragment, revcomp(fragment)
    first, second = (antisense, sense) if reverse_stranded else (sense, antisense)
    return (first + ADAPTER_R1)[:READ_LENGTH], (second + ADAPTER_R2)[:READ_LENGTH]


def write_fastq(path, sample: str, reads: list[str]) -> None:
    with gzip.open(path, "wt") as handle:
        for number, sequence in enumerate(reads):
            handle.write(f"@{sample}:{number}\n{sequence}\n+\n{'I' * len(sequence)}\n")


def write_inputs(root, rng: random.Random) -> dict[str, tuple[int, int, int]]:
    genome = make_genome(rng)
    with (root / "genome.fa").open("w") as handle:
        for name, sequence in genome.items():
            handle.write(f">{name}\n{sequence}\n")
    with (root / "genes.gtf").open("w") as handle:
        for gene, (contig, strand, exons) in GENES.items():
            tx = f'gene_id "{gene}"; gene_name "{gene}_name"; transcript_id "{gene}_t";'
            for exon_start, exon_end in exons:
                handle.write(f"{contig}\tt\texon\t{exon_start}\t{exon_end}\t.\t{strand}\t.\t{tx}\n")
    spliced, minus, other = (transcript(genome, gene) for gene in GENES)
    expected = {}
    samples, units = ["sample\tcondition"], ["sample\tunit\tfq1\tfq2"]
    for sample, lanes in DESIGN.items():
        totals = [0, 0, 0]
        for lane, (n_spliced, n_minus, n_short, n_wrong) in enumerate(lanes, start=1):
            pairs = []
            for _ in range(n_spliced):  # 150 bp fragments; read 1 crosses the junction
                start = rng.randrange(60, 85)  # read 1 covers 160-234, junction at 200
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
            stem = root / f"{sample}_L{lane}"
            write_fastq(f"{stem}_R1.fq.gz", sample, [first for first, _ in pairs])
            write_fastq(f"{stem}_R2.fq.gz", sample, [second for _, second in pairs])
            units.append(f"{sample}\tL{lane}\t{stem}_R1.fq.gz\t{stem}_R2.fq.gz")
            totals[0] += n_spliced
            totals[1] += n_minus + n_short
        samples.append(f"{sample}\t{sample.split('_')[0]}")
        expected[sample] = tuple(totals)
    (root / "config").mkdir()
    (root / "config" / "samples.tsv").write_text("\n".join(samples) + "\n")
    (root / "config" / "units.tsv").write_text("\n".join(units) + "\n")
    config = {
        "samples": "config/samples.tsv",
        "units": "config/units.tsv",
        "reference": {"fasta": str(root / "genome.fa"), "gtf": str(root / "genes.gtf")},
        "aligner": "hisat2",
        "fastq_qc": {"fastqc": False},
        "counting": {"strandedness": "reverse"},
        "diffexp": {"vehicle": "ctrl"},
    }
    (root / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    return expected


def test_hisat2_counts_are_exact(tmp_path):
    expected = write_inputs(tmp_path, random.Random(11))
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
