"""Gene models, genome sequence and GTF of the simulator."""

import itertools
import re

import numpy as np
import pytest

from drugsig.simulate.annotation import Annotation, Gene, Transcript, gtf_lines, simulate_annotation
from drugsig.simulate.catalog import REAL_GENES, gene_catalog
from drugsig.simulate.genome import build_transcriptome, fasta_chunks, simulate_genome
from drugsig.simulate.sequence import decode, encode, random_sequence, reverse_complement


def small_annotation() -> Annotation:
    """A plus-strand gene with two isoforms and a minus-strand gene on a 50-base contig."""
    plus = Gene(
        "SIMG0000001",
        "CDKN1A",
        "protein_coding",
        "1",
        "+",
        {(2, 6): "SIME0000001", (10, 14): "SIME0000002", (18, 20): "SIME0000003"},
        (
            Transcript("SIMT0000001", "CDKN1A-201", ((2, 6), (10, 14), (18, 20))),
            Transcript("SIMT0000002", "CDKN1A-202", ((2, 6), (18, 20))),
        ),
    )
    minus = Gene(
        "SIMG0000002",
        "SYN0001",
        "lncRNA",
        "1",
        "-",
        {(37, 41): "SIME0000004", (30, 33): "SIME0000005"},
        (Transcript("SIMT0000003", "SYN0001-201", ((30, 33), (37, 41))),),
    )
    return Annotation({"1": 50}, (plus, minus))


@pytest.fixture(scope="module")
def demo_models():
    rng = np.random.default_rng(7)
    annotation = simulate_annotation(gene_catalog(220, rng), rng)
    return annotation, simulate_genome(annotation, rng)


def test_catalog_has_real_and_synthetic_names():
    identities = gene_catalog(80, np.random.default_rng(1))
    names = [identity.name for identity in identities]
    assert len(set(names)) == 80
    assert names[: len(REAL_GENES)] == list(REAL_GENES)
    assert names[len(REAL_GENES) :] == [f"SYN{i:04d}" for i in range(1, 80 - len(REAL_GENES) + 1)]
    biotypes = [identity.biotype for identity in identities]
    assert biotypes.count("lncRNA") == 2
    assert all(b == "protein_coding" for b in biotypes[: len(REAL_GENES)])


def test_gene_models_follow_the_layout_rules(demo_models):
    annotation, _ = demo_models
    genes = annotation.genes
    assert [g.gene_id for g in genes] == [f"SIMG{i:07d}" for i in range(1, 221)]
    assert {g.strand for g in genes} == {"+", "-"}
    assert list(annotation.contig_lengths) == ["1", "2", "3", "4"]
    assert 1_500_000 <= sum(annotation.contig_lengths.values()) <= 2_500_000
    for left, right in itertools.pairwise(genes):
        if left.contig == right.contig:
            assert right.start - left.end >= 1000  # no overlap, gaps longer than fragments
    for gene in genes:
        assert gene.end <= annotation.contig_lengths[gene.contig]
        exons = sorted(gene.exon_ids)
        assert 2 <= len(exons) <= 10
        assert all(80 <= end - start <= 400 for start, end in exons)
        assert all(80 <= right[0] - left[1] <= 3000 for left, right in itertools.pairwise(exons))
        assert gene.transcripts[0].exons == tuple(exons)
        assert len(gene.transcripts) in (1, 2)
        if len(gene.transcripts) == 2:
            skipped = set(exons) - set(gene.transcripts[1].exons)
            assert len(skipped) == 1 and skipped.pop() not in (exons[0], exons[-1])
    assert sum(len(g.transcripts) == 2 for g in genes) > 40


def test_every_intron_has_canonical_splice_signals(demo_models):
    annotation, genome = demo_models
    n_introns = 0
    for gene in annotation.genes:
        for transcript in gene.transcripts:
            for start, end in transcript.introns:
                intron = genome[gene.contig][start:end]
                if gene.strand == "-":
                    intron = reverse_complement(intron)
                sequence = decode(intron)
                assert sequence[:2] == "GT" and sequence[-2:] == "AG"
                n_introns += 1
    assert n_introns > 1000


def test_genome_has_human_like_gc(demo_models):
    _, genome = demo_models
    codes = np.concatenate(list(genome.values()))
    gc = np.isin(codes, encode("CG")).mean()
    assert gc == pytest.approx(0.41, abs=0.005)


def test_transcriptome_splices_and_reverse_complements():
    contig = decode(random_sequence(np.random.default_rng(5), 50, 0.5))
    transcriptome = build_transcriptome({"1": encode(contig)}, small_annotation())
    sequences = [
        decode(transcriptome.codes[offset : offset + length])
        for offset, length in zip(transcriptome.offsets, transcriptome.lengths, strict=True)
    ]
    minus = decode(reverse_complement(encode(contig[30:33] + contig[37:41])))
    assert sequences == [
        contig[2:6] + contig[10:14] + contig[18:20],
        contig[2:6] + contig[18:20],
        minus,
    ]
    assert transcriptome.gene_index.tolist() == [0, 0, 1]


def test_simulated_genome_stamps_splice_sites_on_the_gene_strand():
    genome = simulate_genome(small_annotation(), np.random.default_rng(3))
    contig = decode(genome["1"])
    assert len(contig) == 50
    assert (contig[6:8], contig[8:10]) == ("GT", "AG")  # plus strand, intron 6-10
    assert (contig[14:16], contig[16:18]) == ("GT", "AG")  # intron 14-18 (and 6-18)
    assert (contig[33:35], contig[35:37]) == ("CT", "AC")  # minus strand, intron 33-37


def test_fasta_is_wrapped_at_60_with_ensembl_headers():
    genome = {"1": encode("ACGT" * 40), "2": encode("GG")}
    text = b"".join(fasta_chunks(genome, "SIM1")).decode()
    lines = text.splitlines()
    assert lines[0] == ">1 dna:chromosome chromosome:SIM1:1:1:160:1 REF"
    assert [len(line) for line in lines[1:4]] == [60, 60, 40]
    assert lines[4:] == [">2 dna:chromosome chromosome:SIM1:2:1:2:1 REF", "GG"]


def test_gtf_lines_exact_text():
    lines = list(gtf_lines(small_annotation(), "SIM1"))
    assert lines[0] == "#!genome-build SIM1\n"
    fields = [line.rstrip("\n").split("\t") for line in lines[1:]]
    assert [f[2] for f in fields] == [
        "gene", "transcript", "exon", "exon", "exon", "transcript", "exon", "exon",
        "gene", "transcript", "exon", "exon",
    ]  # fmt: skip
    assert fields[0][:8] == ["1", "drugsig", "gene", "3", "20", ".", "+", "."]
    assert fields[0][8] == (
        'gene_id "SIMG0000001"; gene_name "CDKN1A"; gene_source "drugsig"; '
        'gene_biotype "protein_coding";'
    )
    assert fields[1][8] == (
        'gene_id "SIMG0000001"; transcript_id "SIMT0000001"; gene_name "CDKN1A"; '
        'gene_source "drugsig"; gene_biotype "protein_coding"; transcript_name "CDKN1A-201"; '
        'transcript_source "drugsig"; transcript_biotype "protein_coding";'
    )
    assert fields[7][3:5] == ["19", "20"]
    assert fields[7][8].endswith('exon_number "2"; exon_id "SIME0000003";')
    # Minus strand: exons listed and numbered 5' to 3', i.e. right to left.
    assert [(f[3], f[4], f[6]) for f in fields[9:]] == [
        ("31", "41", "-"),
        ("38", "41", "-"),
        ("31", "33", "-"),
    ]
    assert re.search(r'exon_number "1"; exon_id "SIME0000004";$', fields[10][8])
