"""Builders shared by the integration tests.

* :func:`tiny_project`: a hand-made two-contig genome with three genes, a GTF and
  four paired-end samples of a few dozen reverse-stranded read pairs each (DMSO and
  drugA, two replicates), with its sheets and config. Everything up to the count
  matrix runs on it in well under a minute (three genes with equal counts are too
  few for DE and plots: it is for input checks and counting). Every path in it is
  relative, so a copy works anywhere.
* :func:`simulated_project`: a small experiment from the project's simulator
  (``drugsig.simulate``), for runs that should look like real ones.
* :func:`snakemake_command`: the command line ``conftest.run_snakemake`` runs, for
  starting Snakemake in the background.
"""

from __future__ import annotations

import gzip
import random
import shutil
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path

import yaml

from conftest import BIN, REPO

READ_LENGTH = 50
FRAGMENT_LENGTH = 120
PAIRS_PER_SAMPLE = 30
ADAPTER_R1 = "AGATCGGAAGAGCACACGTCTGAACTCCAGTCA"
ADAPTER_R2 = "AGATCGGAAGAGCGTCGTGTAGGGAAAGAGTGT"
_COMPLEMENT = str.maketrans("ACGT", "TGCA")
CONTIGS = {"1": 5000, "2": 5000}
# gene: (contig, strand, exons as 1-based inclusive intervals)
GENES = {
    "GSPLICED": ("1", "+", [(1001, 1200), (1501, 1700)]),
    "GMINUS": ("1", "-", [(3001, 3300)]),
    "GOTHER": ("2", "+", [(501, 900)]),
}
# A stretch of contig 2 without genes: reads from here align but count nowhere.
INTERGENIC = ("2", 2001, 4000)
SAMPLES = {"DMSO_1": "DMSO", "DMSO_2": "DMSO", "drugA_1": "drugA", "drugA_2": "drugA"}

Pair = tuple[str, str]


def revcomp(sequence: str) -> str:
    """Reverse complement of an ACGT sequence."""
    return sequence.translate(_COMPLEMENT)[::-1]


def make_genome(
    seed: int = 1, genes: dict = GENES, contigs: dict[str, int] = CONTIGS
) -> dict[str, str]:
    """Random contigs; every intron of ``genes`` gets its splice motifs (GT...AG on the
    gene's strand; with the default genes, the intron 1201-1500 of GSPLICED)."""
    rng = random.Random(seed)
    genome = {name: list(rng.choices("ACGT", k=length)) for name, length in contigs.items()}
    for contig, strand, exons in genes.values():
        donor, acceptor = ("GT", "AG") if strand == "+" else ("CT", "AC")
        for (_, intron_first), (intron_after, _) in pairwise(exons):  # 1-based exon ends
            genome[contig][intron_first : intron_first + 2] = donor
            genome[contig][intron_after - 3 : intron_after - 1] = acceptor
    return {name: "".join(bases) for name, bases in genome.items()}


def read_fasta(path: Path) -> dict[str, str]:
    """Sequences of a plain FASTA by name."""
    genome: dict[str, list[str]] = {}
    name = ""
    for line in path.read_text().splitlines():
        if line.startswith(">"):
            name = line[1:].split()[0]
            genome[name] = []
        elif line:
            genome[name].append(line.strip())
    return {name: "".join(parts) for name, parts in genome.items()}


def write_fasta(path: Path, genome: dict[str, str]) -> None:
    with path.open("w") as handle:
        for name, sequence in genome.items():
            handle.write(f">{name}\n")
            for start in range(0, len(sequence), 60):
                handle.write(sequence[start : start + 60] + "\n")


def gtf_lines(genes: dict = GENES, prefix: str = "") -> list[str]:
    """Ensembl-style gene, transcript and exon lines; ``prefix`` goes before contig names."""
    lines = []
    for gene, (contig, strand, exons) in genes.items():
        attributes = f'gene_id "{gene}"; gene_name "{gene}_name"; gene_biotype "protein_coding";'
        transcript = f'{attributes} transcript_id "{gene}_t";'
        start, end = exons[0][0], exons[-1][1]
        chrom = prefix + contig
        lines.append(f"{chrom}\tt\tgene\t{start}\t{end}\t.\t{strand}\t.\t{attributes}")
        lines.append(f"{chrom}\tt\ttranscript\t{start}\t{end}\t.\t{strand}\t.\t{transcript}")
        for exon_start, exon_end in exons:
            lines.append(
                f"{chrom}\tt\texon\t{exon_start}\t{exon_end}\t.\t{strand}\t.\t{transcript}"
            )
    return lines


def transcript(genome: dict[str, str], gene: str, genes: dict = GENES) -> str:
    """The spliced transcript of a gene, 5' to 3'."""
    contig, strand, exons = genes[gene]
    sequence = "".join(genome[contig][start - 1 : end] for start, end in exons)
    return sequence if strand == "+" else revcomp(sequence)


def pair(fragment: str, reverse_stranded: bool = True) -> Pair:
    """Read 1 and read 2 of a fragment in transcript orientation (adapter if short)."""
    sense, antisense = fragment, revcomp(fragment)
    first, second = (antisense, sense) if reverse_stranded else (sense, antisense)
    return (first + ADAPTER_R1)[:READ_LENGTH], (second + ADAPTER_R2)[:READ_LENGTH]


def gene_pairs(genome: dict[str, str], rng: random.Random, count: int) -> list[Pair]:
    """Reverse-stranded pairs from the three genes' transcripts."""
    transcripts = [transcript(genome, gene) for gene in GENES]
    pairs = []
    for number in range(count):
        source = transcripts[number % len(transcripts)]
        start = rng.randrange(0, len(source) - FRAGMENT_LENGTH)
        pairs.append(pair(source[start : start + FRAGMENT_LENGTH]))
    return pairs


def mixed_pairs(
    genome: dict[str, str],
    rng: random.Random,
    counts: tuple[int, int, int, int],
    spliced_starts: tuple[int, int],
    genes: dict = GENES,
) -> list[Pair]:
    """Pairs of known origin from the three genes, reverse-stranded unless said:
    ``counts`` = (spliced, minus-strand, short, wrong-strand) pairs.

    * spliced: 150 bp fragments of GSPLICED starting in ``spliced_starts`` (so read 1
      crosses the exon junction at 200);
    * minus-strand: 150 bp fragments of GMINUS;
    * short: 40 bp inserts of GMINUS (both reads run into the adapter);
    * wrong-strand: forward-stranded pairs of GOTHER, not counted with ``-s 2``.

    A reverse-stranded count gives GSPLICED ``spliced``, GMINUS ``minus + short`` and
    GOTHER 0 reads.
    """
    n_spliced, n_minus, n_short, n_wrong = counts
    spliced, minus, other = (transcript(genome, gene, genes) for gene in genes)
    pairs = [
        pair(spliced[start : start + 150])
        for start in (rng.randrange(*spliced_starts) for _ in range(n_spliced))
    ]
    pairs += [
        pair(minus[start : start + 150])
        for start in (rng.randrange(0, 150) for _ in range(n_minus))
    ]
    pairs += [
        pair(minus[start : start + 40]) for start in (rng.randrange(0, 250) for _ in range(n_short))
    ]
    pairs += [pair(other[start : start + 150], reverse_stranded=False)
              for start in (rng.randrange(0, 250) for _ in range(n_wrong))]  # fmt: skip
    return pairs


def intergenic_pairs(genome: dict[str, str], rng: random.Random, count: int) -> list[Pair]:
    """Pairs from a stretch without genes: they align but are assigned to no gene."""
    contig, first, last = INTERGENIC
    pairs = []
    for _ in range(count):
        start = rng.randrange(first - 1, last - FRAGMENT_LENGTH)
        pairs.append(pair(genome[contig][start : start + FRAGMENT_LENGTH]))
    return pairs


def fastq_records(name: str, reads: Iterable[str], mate: int) -> str:
    """FASTQ text: reads named ``{name}:{number}`` with an Illumina-style comment."""
    return "".join(
        f"@{name}:{number} {mate}:N:0:ACGT\n{sequence}\n+\n{'I' * len(sequence)}\n"
        for number, sequence in enumerate(reads)
    )


def write_pairs(r1: Path, r2: Path, name: str, pairs: list[Pair]) -> None:
    """Write read 1 and read 2 of ``pairs`` as gzipped FASTQ."""
    for path, mate in ((r1, 1), (r2, 2)):
        with gzip.open(path, "wt") as handle:
            handle.write(fastq_records(name, (reads[mate - 1] for reads in pairs), mate))


def write_tsv(path: Path, header: list[str], rows: Iterable[Iterable[str]]) -> None:
    lines = ["\t".join(header), *("\t".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n")


def write_counting_project(root: Path, units: list[list[str]], **config: object) -> None:
    """Sheets and config of a hand-made counting project in ``root``: ``genome.fa`` and
    ``genes.gtf`` there, ``units`` rows (sample, unit, fq1, fq2), condition = the
    sample name up to its first ``_`` (vehicle ``ctrl``), reverse-stranded; ``config``
    adds or replaces top-level keys."""
    samples = list(dict.fromkeys(row[0] for row in units))
    (root / "config").mkdir()
    write_tsv(root / "config/samples.tsv", ["sample", "condition"],
              ([sample, sample.split("_")[0]] for sample in samples))  # fmt: skip
    write_tsv(root / "config/units.tsv", ["sample", "unit", "fq1", "fq2"], units)
    write_config(root, {
        "samples": "config/samples.tsv",
        "units": "config/units.tsv",
        "reference": {"fasta": str(root / "genome.fa"), "gtf": str(root / "genes.gtf")},
        "counting": {"strandedness": "reverse"},
        "diffexp": {"vehicle": "ctrl"},
        **config,
    })  # fmt: skip


def tiny_project(root: Path, seed: int = 1) -> Path:
    """Write the tiny valid project into ``root`` (see the module docstring); return it.

    Layout: ``data/genome.fa``, ``data/genes.gtf``, ``data/reads/{sample}_R{1,2}.fq.gz``,
    ``config/{config.yaml,samples.tsv,units.tsv}``. Strandedness is declared
    (``reverse``) because a few dozen reads are too few to infer it; FastQC is off
    to keep runs short.
    """
    rng = random.Random(seed)
    genome = make_genome(seed)
    data = root / "data"
    (data / "reads").mkdir(parents=True)
    write_fasta(data / "genome.fa", genome)
    (data / "genes.gtf").write_text("\n".join(gtf_lines()) + "\n")
    units = []
    for sample in SAMPLES:
        r1, r2 = (f"data/reads/{sample}_R{mate}.fq.gz" for mate in (1, 2))
        write_pairs(root / r1, root / r2, sample, gene_pairs(genome, rng, PAIRS_PER_SAMPLE))
        units.append([sample, "L1", r1, r2])
    (root / "config").mkdir()
    write_tsv(
        root / "config" / "samples.tsv",
        ["sample", "condition"],
        ([sample, condition] for sample, condition in SAMPLES.items()),
    )
    write_tsv(root / "config" / "units.tsv", ["sample", "unit", "fq1", "fq2"], units)
    write_config(root, default_config())
    return root


def default_config() -> dict:
    """The tiny project's config (a fresh dict each call)."""
    return {
        "samples": "config/samples.tsv",
        "units": "config/units.tsv",
        "reference": {"fasta": "data/genome.fa", "gtf": "data/genes.gtf"},
        "fastq_qc": {"fastqc": False},
        "counting": {"strandedness": "reverse"},
        "diffexp": {"vehicle": "DMSO"},
    }


def read_config(root: Path) -> dict:
    return yaml.safe_load((root / "config" / "config.yaml").read_text())


def write_config(root: Path, config: dict) -> None:
    (root / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def simulated_project(
    root: Path,
    seed: int = 42,
    read_pairs: int = 2000,
    samples: Iterable[str] | None = None,
    fastqc: bool = False,
) -> Path:
    """A working directory with a small simulated experiment (``drugsig.simulate``).

    The simulator writes the reads and reference to ``root/demo`` and the sheets to
    ``root/config`` (FASTQ paths absolute); the config is the shipped
    ``config/config.yaml`` pointed at them, without the wet-lab assays. ``samples``
    keeps only those samples (and their units); FastQC is off unless asked for.
    """
    from drugsig.simulate.cli import main

    arguments = ["--outdir", str(root / "demo"), "--sheets-dir", str(root / "config")]
    arguments += ["--seed", str(seed), "--read-pairs", str(read_pairs), "--replicates", "2"]
    assert main(arguments) == 0
    if samples is not None:
        keep = set(samples)
        for sheet in ("samples.tsv", "units.tsv"):
            path = root / "config" / sheet
            header, *rows = path.read_text().splitlines()
            kept = [row for row in rows if row.split("\t", 1)[0] in keep]
            assert len({row.split("\t", 1)[0] for row in kept}) == len(keep), sheet
            path.write_text("\n".join([header, *kept]) + "\n")
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["reference"] = {
        "fasta": str(root / "demo" / "genome.fa.gz"),
        "gtf": str(root / "demo" / "annotation.gtf.gz"),
    }
    for assay in ("viability", "qpcr"):
        config.pop(assay, None)
    config["fastq_qc"] = {"fastqc": fastqc}
    write_config(root, config)
    return root


def copy_project(source: Path, target: Path) -> Path:
    """A copy of a project folder (the tests change the copy, never the source)."""
    shutil.copytree(source, target, symlinks=True)
    return target


def snakemake_command(workdir: Path, *args: str) -> list[str]:
    """The command ``conftest.run_snakemake(workdir, *args)`` runs."""
    return [
        str(BIN / "snakemake"),
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        *args,
    ]
