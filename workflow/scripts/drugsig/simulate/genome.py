"""Genome sequence of the simulated experiment, and the transcript sequences.

The contigs are random bases with human-like GC content (41%). Every intron of
every transcript then gets canonical splice signals, GT at its 5' end and AG at
its 3' end on the gene's strand (CT...AC on the forward strand for minus-strand
genes), so that aligners find the annotated junctions as canonical ones.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from drugsig.simulate.annotation import Annotation
from drugsig.simulate.sequence import ALPHABET, encode, random_sequence, reverse_complement

GC_CONTENT = 0.41
FASTA_WIDTH = 60
DONOR = encode("GT")
ACCEPTOR = encode("AG")

Genome = dict[str, NDArray[np.uint8]]
"""Base codes of each contig, by contig name."""


def simulate_genome(annotation: Annotation, rng: np.random.Generator) -> Genome:
    """Random contigs sized for the annotation, with splice signals at every intron.

    Parameters
    ----------
    annotation
        Gene models; gives the contig names and lengths and the introns.
    rng
        Random generator.

    Returns
    -------
    Genome
        One code array per contig, in annotation order.
    """
    genome = {
        name: random_sequence(rng, length, GC_CONTENT)
        for name, length in annotation.contig_lengths.items()
    }
    for gene in annotation.genes:
        left, right = (
            (DONOR, ACCEPTOR)
            if gene.strand == "+"
            else (
                reverse_complement(ACCEPTOR),
                reverse_complement(DONOR),
            )
        )
        contig = genome[gene.contig]
        for transcript in gene.transcripts:
            for start, end in transcript.introns:
                contig[start : start + 2] = left
                contig[end - 2 : end] = right
    return genome


def fasta_chunks(genome: Genome, build: str) -> Iterator[bytes]:
    """FASTA text of the genome, one chunk per contig, Ensembl-style headers.

    Parameters
    ----------
    genome
        Contig sequences.
    build
        Assembly name used in the headers.
    """
    for name, codes in genome.items():
        header = f">{name} dna:chromosome chromosome:{build}:{name}:1:{len(codes)}:1 REF\n"
        text = ALPHABET[codes].tobytes()
        lines = [text[i : i + FASTA_WIDTH] for i in range(0, len(text), FASTA_WIDTH)]
        yield header.encode("ascii") + b"\n".join(lines) + b"\n"


@dataclass(frozen=True)
class Transcriptome:
    """All transcript sequences (5' to 3') in one array.

    Attributes
    ----------
    codes
        Concatenated transcript sequences.
    offsets
        Start of each transcript in ``codes``.
    lengths
        Length of each transcript.
    gene_index
        Index (in ``Annotation.genes``) of each transcript's gene.
    """

    codes: NDArray[np.uint8]
    offsets: NDArray[np.int64]
    lengths: NDArray[np.int64]
    gene_index: NDArray[np.int64]


def build_transcriptome(genome: Genome, annotation: Annotation) -> Transcriptome:
    """Splice every transcript out of the genome, reverse-complementing minus-strand ones.

    Parameters
    ----------
    genome
        Contig sequences.
    annotation
        Gene models.

    Returns
    -------
    Transcriptome
        Transcripts in ``Annotation.transcripts`` order.
    """
    sequences = []
    gene_index = []
    for index, gene in enumerate(annotation.genes):
        contig = genome[gene.contig]
        for transcript in gene.transcripts:
            spliced = np.concatenate([contig[start:end] for start, end in transcript.exons])
            sequences.append(spliced if gene.strand == "+" else reverse_complement(spliced))
            gene_index.append(index)
    lengths = np.array([len(sequence) for sequence in sequences], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return Transcriptome(
        np.concatenate(sequences), offsets, lengths, np.array(gene_index, dtype=np.int64)
    )
