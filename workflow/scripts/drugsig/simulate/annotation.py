"""Gene models of the simulated genome and their Ensembl-style GTF.

Genes are laid out one after another along a few contigs (``1``, ``2``, ...,
largest first) with intergenic gaps, on random strands, never overlapping. Each
gene has 2-10 exons of 80-400 bp separated by introns of 80-3000 bp (log-uniform,
so most are short); genes with at least three exons get, with probability 0.4, a
second transcript that skips one internal exon. Coordinates are 0-based and
half-open in memory, 1-based and inclusive in the GTF.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from drugsig.simulate.catalog import GeneIdentity

GENES_PER_CONTIG = 50
MAX_CONTIGS = 8
EXONS = (2, 10)
EXON_BP = (80, 400)
INTRON_BP = (80, 3000)
INTERGENIC_BP = (1000, 5000)
SKIPPING_PROBABILITY = 0.4
SOURCE = "drugsig"


@dataclass(frozen=True)
class Transcript:
    """One transcript: its ID, name and exons in ascending genomic order."""

    transcript_id: str
    transcript_name: str
    exons: tuple[tuple[int, int], ...]

    @property
    def length(self) -> int:
        """Spliced length in bases."""
        return sum(end - start for start, end in self.exons)

    @property
    def introns(self) -> tuple[tuple[int, int], ...]:
        """Introns (gaps between consecutive exons), ascending."""
        return tuple((left[1], right[0]) for left, right in pairwise(self.exons))


@dataclass(frozen=True)
class Gene:
    """One gene with its transcripts; exon IDs are shared between transcripts."""

    gene_id: str
    gene_name: str
    biotype: str
    contig: str
    strand: str
    exon_ids: dict[tuple[int, int], str]
    transcripts: tuple[Transcript, ...]

    @property
    def start(self) -> int:
        """Leftmost base (0-based)."""
        return min(start for start, _ in self.exon_ids)

    @property
    def end(self) -> int:
        """One past the rightmost base."""
        return max(end for _, end in self.exon_ids)


@dataclass(frozen=True)
class Annotation:
    """All genes, in genomic order, and the contig lengths they need."""

    contig_lengths: dict[str, int]
    genes: tuple[Gene, ...]

    @property
    def transcripts(self) -> tuple[Transcript, ...]:
        """Every transcript, gene by gene."""
        return tuple(t for gene in self.genes for t in gene.transcripts)


def _exon_structure(rng: np.random.Generator) -> tuple[list[int], list[int]]:
    """Exon and intron lengths of one gene, left to right."""
    n_exons = int(rng.integers(EXONS[0], EXONS[1] + 1))
    exons = rng.integers(EXON_BP[0], EXON_BP[1] + 1, size=n_exons)
    log_introns = rng.uniform(np.log(INTRON_BP[0]), np.log(INTRON_BP[1]), size=n_exons - 1)
    return exons.tolist(), np.rint(np.exp(log_introns)).astype(int).tolist()


def _genes_per_contig(n_genes: int) -> list[int]:
    """Split the genes over the contigs, the first contig getting the most."""
    n_contigs = min(MAX_CONTIGS, max(1, n_genes // GENES_PER_CONTIG))
    weights = np.linspace(1.5, 0.75, n_contigs)
    counts = np.floor(n_genes * weights / weights.sum()).astype(int)
    counts[: n_genes - counts.sum()] += 1
    return counts.tolist()


def simulate_annotation(
    identities: tuple[GeneIdentity, ...], rng: np.random.Generator
) -> Annotation:
    """Lay out one gene per identity, in random order, along new contigs.

    Parameters
    ----------
    identities
        Gene names and biotypes (``catalog.gene_catalog``).
    rng
        Random generator.

    Returns
    -------
    Annotation
        Genes numbered ``SIMG0000001``... and transcripts ``SIMT0000001``... in
        genomic order.
    """
    order = iter(rng.permutation(len(identities)).tolist())
    genes: list[Gene] = []
    contig_lengths: dict[str, int] = {}
    n_transcripts = n_exons = 0
    for contig_number, n_on_contig in enumerate(_genes_per_contig(len(identities)), start=1):
        contig = str(contig_number)
        position = int(rng.integers(*INTERGENIC_BP))
        for _ in range(n_on_contig):
            identity = identities[next(order)]
            exon_lengths, intron_lengths = _exon_structure(rng)
            exons = []
            for exon_length, gap in zip(exon_lengths, [*intron_lengths, 0], strict=True):
                exons.append((position, position + exon_length))
                position += exon_length + gap
            strand = "+" if rng.random() < 0.5 else "-"
            in_transcript_order = exons if strand == "+" else exons[::-1]
            isoforms = [in_transcript_order]
            if len(exons) >= 3 and rng.random() < SKIPPING_PROBABILITY:
                skipped = int(rng.integers(1, len(exons) - 1))
                isoforms.append(in_transcript_order[:skipped] + in_transcript_order[skipped + 1 :])
            transcripts = []
            for isoform_number, isoform in enumerate(isoforms, start=201):
                n_transcripts += 1
                transcripts.append(
                    Transcript(
                        f"SIMT{n_transcripts:07d}",
                        f"{identity.name}-{isoform_number}",
                        tuple(sorted(isoform)),
                    )
                )
            exon_ids = {}
            for exon in in_transcript_order:
                n_exons += 1
                exon_ids[exon] = f"SIME{n_exons:07d}"
            genes.append(
                Gene(
                    gene_id=f"SIMG{len(genes) + 1:07d}",
                    gene_name=identity.name,
                    biotype=identity.biotype,
                    contig=contig,
                    strand=strand,
                    exon_ids=exon_ids,
                    transcripts=tuple(transcripts),
                )
            )
            position = exons[-1][1] + int(rng.integers(*INTERGENIC_BP))
        contig_lengths[contig] = position
    return Annotation(contig_lengths, tuple(genes))


def _gtf_line(
    gene: Gene, feature: str, span: tuple[int, int], attributes: list[tuple[str, str]]
) -> str:
    text = " ".join(f'{key} "{value}";' for key, value in attributes)
    fields = [gene.contig, SOURCE, feature, str(span[0] + 1), str(span[1]), ".", gene.strand, "."]
    return "\t".join([*fields, text]) + "\n"


def gtf_lines(annotation: Annotation, build: str) -> Iterator[str]:
    """Ensembl-style GTF lines (with newline): gene, then each transcript and its exons.

    Exons are listed and numbered in transcript order (5' to 3'), as Ensembl does.

    Parameters
    ----------
    annotation
        The gene models.
    build
        Genome build name for the ``#!genome-build`` header.
    """
    yield f"#!genome-build {build}\n"
    for gene in annotation.genes:
        gene_attributes = [
            ("gene_id", gene.gene_id),
            ("gene_name", gene.gene_name),
            ("gene_source", SOURCE),
            ("gene_biotype", gene.biotype),
        ]
        yield _gtf_line(gene, "gene", (gene.start, gene.end), gene_attributes)
        for transcript in gene.transcripts:
            transcript_attributes = [
                *gene_attributes[:1],
                ("transcript_id", transcript.transcript_id),
                *gene_attributes[1:],
                ("transcript_name", transcript.transcript_name),
                ("transcript_source", SOURCE),
                ("transcript_biotype", gene.biotype),
            ]
            span = (transcript.exons[0][0], transcript.exons[-1][1])
            yield _gtf_line(gene, "transcript", span, transcript_attributes)
            exons = transcript.exons if gene.strand == "+" else transcript.exons[::-1]
            for number, exon in enumerate(exons, start=1):
                exon_attributes = [
                    *transcript_attributes,
                    ("exon_number", str(number)),
                    ("exon_id", gene.exon_ids[exon]),
                ]
                yield _gtf_line(gene, "exon", exon, exon_attributes)
