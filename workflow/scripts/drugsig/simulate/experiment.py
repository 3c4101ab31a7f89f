"""Simulate the whole demo experiment and write every file.

Each part draws from its own random stream derived from the seed (annotation,
genome, expression, and one stream per sample's reads), so for example the genome
does not change with ``--read-pairs`` and a sample's reads do not depend on the
other samples.
"""

import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from drugsig.simulate.annotation import Annotation, gtf_lines, simulate_annotation
from drugsig.simulate.catalog import gene_catalog
from drugsig.simulate.design import DEMO_CONTRASTS, DRUGS, SERIES, SJSA1, Sample, demo_design
from drugsig.simulate.effects import (
    EC50_UM,
    HILL,
    concentration_at,
    sample_log2fc,
    top_log2fc,
    true_log2fc,
)
from drugsig.simulate.expression import (
    expected_fragments,
    isoform_shares,
    negative_binomial_counts,
    split_by_transcript,
)
from drugsig.simulate.fastq import READS_PER_TILE, cluster_coordinates, fastq_block
from drugsig.simulate.genome import (
    Transcriptome,
    build_transcriptome,
    fasta_chunks,
    simulate_genome,
)
from drugsig.simulate.io import reproducible_gzip, write_gzip, write_tsv
from drugsig.simulate.qpcr import BASELINE_CT, simulate_qpcr
from drugsig.simulate.reads import (
    Strandedness,
    add_errors,
    fragment_reads,
    sample_fragments,
    simulate_qualities,
)
from drugsig.simulate.sequence import decode, random_sequence
from drugsig.simulate.viability import demo_viability_plates

INDEX_LENGTH = 8
SAMPLE_COLUMNS = [
    "sample",
    "condition",
    "cell_line",
    "genotype",
    "dose",
    "time",
    "replicate",
    "batch",
]


class Stream(IntEnum):
    """Independent random streams, one per part of the simulation."""

    CATALOG = 1
    ANNOTATION = 2
    GENOME = 3
    EXPRESSION = 4
    READS = 5
    VIABILITY = 6
    QPCR = 7


@dataclass(frozen=True)
class Settings:
    """Parameters of one simulation run.

    Attributes
    ----------
    outdir
        Output folder, as given by the user (units.tsv paths start with it).
    sheets_dir
        Folder for samples.tsv and units.tsv.
    seed
        Random seed (non-negative).
    n_genes
        Number of genes.
    read_pairs
        Mean read pairs per sample (library sizes spread over 0.6x-1.4x of it).
    read_length
        Read length of both mates.
    replicates
        Replicates of each dose group.
    control_replicates
        Replicates of each vehicle group and of each A2780 group.
    strandedness
        Library strandedness.
    """

    outdir: str
    sheets_dir: Path
    seed: int
    n_genes: int
    read_pairs: int
    read_length: int
    replicates: int
    control_replicates: int
    strandedness: Strandedness

    def rng(self, stream: Stream, *keys: int) -> np.random.Generator:
        """Random generator of one stream (and sub-stream ``keys``)."""
        return np.random.default_rng([self.seed, stream, *keys])

    @property
    def build(self) -> str:
        """Genome build name."""
        return f"SIM{self.seed}"


def _number(value: float) -> str:
    """Shortest text of a number rounded to 6 decimals, without ``-0.0``."""
    return repr(round(value, 6) + 0.0)


def write_reads(
    paths: tuple[Path, Path],
    transcript_counts: NDArray[np.int64],
    transcriptome: Transcriptome,
    settings: Settings,
    rng: np.random.Generator,
) -> None:
    """Write one sample's read 1 and read 2 FASTQ files, one tile at a time.

    Reads are listed in order of origin (transcript, then fragment start), as in
    FASTQ files extracted from an aligned BAM; names still follow the flow-cell
    order. Neighbouring reads then overlap, which lets gzip store the sequences in
    about half the space (the demo must stay small); no tool of the workflow
    depends on the read order.

    Parameters
    ----------
    paths
        Read 1 and read 2 file paths.
    transcript_counts
        Fragments per transcript.
    transcriptome
        Transcript sequences.
    settings
        Read length and strandedness.
    rng
        The sample's random generator.
    """
    transcripts = np.repeat(np.arange(len(transcript_counts)), transcript_counts)
    fragments = sample_fragments(
        transcripts, transcriptome.lengths, settings.strandedness, rng
    ).by_origin()
    index_sequence = decode(random_sequence(rng, INDEX_LENGTH, 0.5))
    with (
        reproducible_gzip(paths[0]) as read1,
        reproducible_gzip(paths[1]) as read2,
        ThreadPoolExecutor(max_workers=2) as compressors,
    ):
        pending: list[Future[int]] = []
        for tile_number, first in enumerate(range(0, len(fragments), READS_PER_TILE)):
            tile = fragments.take(slice(first, first + READS_PER_TILE))
            reads = fragment_reads(tile, transcriptome, settings.read_length, rng)
            coordinates = cluster_coordinates(len(tile), rng)
            blocks = []
            for mate, codes in enumerate(reads, start=1):
                qualities = simulate_qualities(len(tile), settings.read_length, mate, rng)
                noisy = add_errors(codes, qualities, rng)
                blocks.append(
                    fastq_block(tile_number, coordinates, mate, index_sequence, noisy, qualities)
                )
            for future in pending:
                future.result()
            # zlib releases the GIL: both files compress while the next tile is simulated.
            pending = [
                compressors.submit(stream.write, block)
                for stream, block in zip((read1, read2), blocks, strict=True)
            ]
        for future in pending:
            future.result()


def _write_sheets(settings: Settings, samples: tuple[Sample, ...]) -> None:
    settings.sheets_dir.mkdir(parents=True, exist_ok=True)
    write_tsv(
        settings.sheets_dir / "samples.tsv",
        SAMPLE_COLUMNS,
        (
            [
                s.name,
                s.condition,
                s.cell_line,
                s.genotype,
                f"{s.dose_um:g}",
                s.time,
                str(s.replicate),
                s.batch,
            ]
            for s in samples
        ),
    )
    write_tsv(
        settings.sheets_dir / "units.tsv",
        ["sample", "unit", "fq1", "fq2", "strandedness"],
        (
            [s.name, "L001"]
            + [f"{settings.outdir}/reads/{s.name}_R{mate}.fastq.gz" for mate in (1, 2)]
            + [str(settings.strandedness)]
            for s in samples
        ),
    )


RESPONSE_LOG2FC = 0.5
"""|log2FC| whose concentration the concentration-response truth table gives."""

RESPONSE_COLUMNS = [
    "cell_line", "drug", "time", "gene_id", "gene_name", "top_log2fc", "ec50_um", "hill",
    f"c_at_log2fc_{RESPONSE_LOG2FC}",
]  # fmt: skip


def _text(value: float) -> str:
    """Format ``value`` like :func:`_number`, or as ``NaN``."""
    return "NaN" if np.isnan(value) else _number(value)


def _write_truth(
    outdir: Path,
    annotation: Annotation,
    samples: tuple[Sample, ...],
    gene_counts: NDArray[np.int64],
) -> None:
    write_tsv(
        outdir / "truth.tsv",
        ["contrast", "gene_id", "gene_name", "true_log2fc"],
        (
            [
                contrast.name,
                gene.gene_id,
                gene.gene_name,
                _number(true_log2fc(gene.gene_name, contrast, samples)),
            ]
            for contrast in DEMO_CONTRASTS
            for gene in annotation.genes
        ),
    )
    write_tsv(
        outdir / "truth_concentration_response.tsv",
        RESPONSE_COLUMNS,
        (
            [
                SJSA1,
                drug,
                time,
                gene.gene_id,
                gene.gene_name,
                _number(top_log2fc(gene.gene_name, drug, time)),
                _number(EC50_UM[drug]),
                _number(HILL[drug]),
                _text(concentration_at(RESPONSE_LOG2FC, gene.gene_name, drug, time)),
            ]
            for drug, time in SERIES
            for gene in annotation.genes
            if top_log2fc(gene.gene_name, drug, time) != 0
        ),
    )
    write_tsv(
        outdir / "true_counts.tsv",
        ["gene_id", "gene_name", *(sample.name for sample in samples)],
        (
            [gene.gene_id, gene.gene_name, *map(str, gene_counts[:, index])]
            for index, gene in enumerate(annotation.genes)
        ),
    )


def _write_assays(settings: Settings, samples: tuple[Sample, ...]) -> None:
    """Viability plates of the resistance model and qRT-PCR Ct values of every sample."""
    outdir = Path(settings.outdir)
    rngs = [settings.rng(Stream.VIABILITY)]
    rngs += [settings.rng(Stream.VIABILITY, number) for number in range(1, len(DRUGS) + 1)]
    plates = demo_viability_plates(rngs)
    plates.to_csv(outdir / "viability.tsv", sep="\t", index=False)
    log2fc = {s.name: {gene: sample_log2fc(gene, s) for gene in BASELINE_CT} for s in samples}
    table = pd.DataFrame({"sample": [s.name for s in samples]})
    simulate_qpcr(table, log2fc, settings.rng(Stream.QPCR)).to_csv(
        outdir / "qpcr.tsv", sep="\t", index=False
    )


def simulate(settings: Settings) -> None:
    """Simulate the demo experiment and write all its files.

    Writes ``genome.fa.gz``, ``annotation.gtf.gz``, ``truth.tsv``,
    ``truth_concentration_response.tsv``, ``true_counts.tsv``,
    ``reads/<sample>_R{1,2}.fastq.gz``, ``viability.tsv`` and ``qpcr.tsv`` to the
    output folder, and ``samples.tsv`` and ``units.tsv`` to the
    sheets folder.
    """
    outdir = Path(settings.outdir)
    (outdir / "reads").mkdir(parents=True, exist_ok=True)
    identities = gene_catalog(settings.n_genes, settings.rng(Stream.CATALOG))
    annotation = simulate_annotation(identities, settings.rng(Stream.ANNOTATION))
    genome = simulate_genome(annotation, settings.rng(Stream.GENOME))
    write_gzip(outdir / "genome.fa.gz", fasta_chunks(genome, settings.build))
    write_gzip(
        outdir / "annotation.gtf.gz",
        (line.encode("ascii") for line in gtf_lines(annotation, settings.build)),
    )
    transcriptome = build_transcriptome(genome, annotation)
    samples = demo_design(settings.replicates, settings.control_replicates)
    expression_rng = settings.rng(Stream.EXPRESSION)
    gene_names = [gene.gene_name for gene in annotation.genes]
    means = expected_fragments(gene_names, samples, settings.read_pairs, expression_rng)
    gene_counts = negative_binomial_counts(means, expression_rng)
    shares = isoform_shares(annotation, expression_rng)
    for index, sample in enumerate(samples):
        print(f"simulating {sample.name}: {gene_counts[index].sum()} read pairs", file=sys.stderr)
        transcript_counts = split_by_transcript(
            gene_counts[index], transcriptome.gene_index, shares, expression_rng
        )
        reads = outdir / "reads"
        paths = (reads / f"{sample.name}_R1.fastq.gz", reads / f"{sample.name}_R2.fastq.gz")
        sample_rng = settings.rng(Stream.READS, index)
        write_reads(paths, transcript_counts, transcriptome, settings, sample_rng)
    _write_truth(outdir, annotation, samples, gene_counts)
    _write_assays(settings, samples)
    _write_sheets(settings, samples)
