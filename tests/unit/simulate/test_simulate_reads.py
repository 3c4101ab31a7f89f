"""Fragments, reads, qualities, errors and FASTQ text of the simulator."""

import subprocess
import sys

import numpy as np
import pytest

from drugsig.simulate.fastq import TILES_PER_LANE, cluster_coordinates, fastq_block
from drugsig.simulate.genome import Transcriptome
from drugsig.simulate.reads import (
    Fragments,
    Strandedness,
    add_errors,
    fragment_reads,
    sample_fragments,
    simulate_qualities,
)
from drugsig.simulate.sequence import decode, encode, random_sequence, reverse_complement

ADAPTER_1 = "AGATCGGAAGAGCACACGTCTGAACTCCAGTCA"
ADAPTER_2 = "AGATCGGAAGAGCGTCGTGTAGGGAAAGAGTGT"


@pytest.fixture(scope="module")
def transcripts() -> list[str]:
    rng = np.random.default_rng(11)
    return [decode(random_sequence(rng, length, 0.41)) for length in (300, 500, 2000)]


def as_transcriptome(sequences: list[str]) -> Transcriptome:
    lengths = np.array([len(s) for s in sequences])
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return Transcriptome(encode("".join(sequences)), offsets, lengths, np.arange(len(sequences)))


def revcomp(sequence: str) -> str:
    return decode(reverse_complement(encode(sequence)))


def fragments(transcript, start, length, antisense) -> Fragments:
    return Fragments(np.array(transcript), np.array(start), np.array(length), np.array(antisense))


def test_reverse_stranded_reads_come_from_the_fragment_ends(transcripts):
    reads = fragment_reads(
        fragments([1, 2], [7, 1900], [120, 100], [True, True]),
        as_transcriptome(transcripts),
        50,
        np.random.default_rng(0),
    )
    read1, read2 = ([decode(row) for row in mate] for mate in reads)
    assert read2 == [transcripts[1][7:57], transcripts[2][1900:1950]]
    assert read1 == [revcomp(transcripts[1][77:127]), revcomp(transcripts[2][1950:2000])]


def test_forward_stranded_read1_is_sense(transcripts):
    read1, read2 = fragment_reads(
        fragments([0], [10], [60], [False]),
        as_transcriptome(transcripts),
        50,
        np.random.default_rng(0),
    )
    assert decode(read1[0]) == transcripts[0][10:60]
    assert decode(read2[0]) == revcomp(transcripts[0][20:70])


def test_short_fragments_read_into_the_adapters_then_random_bases(transcripts):
    read1, read2 = fragment_reads(
        fragments([0, 0], [5, 100], [30, 45], [True, True]),
        as_transcriptome(transcripts),
        80,
        np.random.default_rng(0),
    )
    insert = transcripts[0][5:35]
    assert decode(read1[0])[:63] == revcomp(insert) + ADAPTER_1
    assert decode(read2[0])[:63] == insert + ADAPTER_2
    assert decode(read1[1]) == revcomp(transcripts[0][100:145]) + ADAPTER_1 + decode(read1[1])[78:]
    assert decode(read2[1])[:78] == transcripts[0][100:145] + ADAPTER_2


def test_fragment_lengths_are_truncated_normal(transcripts):
    rng = np.random.default_rng(2)
    lengths = np.array([len(t) for t in transcripts])
    drawn = sample_fragments(np.full(50_000, 2), lengths, Strandedness.REVERSE, rng)
    assert drawn.length.min() >= 30
    assert drawn.length.mean() == pytest.approx(140.6, abs=1.0)
    assert drawn.length.std() == pytest.approx(44.0, abs=1.0)
    assert 0.01 < (drawn.length < 50).mean() < 0.025  # read-through at 50 bp reads
    assert drawn.read1_antisense.all()
    short = sample_fragments(np.zeros(5000, dtype=int), lengths, Strandedness.FORWARD, rng)
    assert short.length.max() <= 300
    assert (short.start + short.length <= 300).all() and short.start.min() == 0
    assert not short.read1_antisense.any()
    unstranded = sample_fragments(np.ones(5000, dtype=int), lengths, Strandedness.NONE, rng)
    assert unstranded.read1_antisense.mean() == pytest.approx(0.5, abs=0.03)


def test_fragments_sort_by_origin():
    unsorted = fragments([2, 0, 2, 0], [5, 9, 1, 3], [40, 41, 42, 43], [True, False, True, False])
    ordered = unsorted.by_origin()
    assert ordered.transcript.tolist() == [0, 0, 2, 2]
    assert ordered.start.tolist() == [3, 9, 1, 5]
    assert ordered.length.tolist() == [43, 41, 42, 40]
    assert len(ordered.take(slice(1, 3))) == 2


def test_qualities_are_binned_and_decay():
    rng = np.random.default_rng(4)
    read1 = simulate_qualities(20_000, 50, 1, rng)
    read2 = simulate_qualities(20_000, 50, 2, rng)
    assert set(np.unique(read2).tolist()) == {2, 12, 23, 37}
    assert (read1 == 37).mean() > 0.85
    assert read1[:, :10].mean() > read1[:, -10:].mean() + 2
    assert read2[:, -10:].mean() < read1[:, -10:].mean()
    tails = read2[:, -1] == 2
    assert 0.02 < tails.mean() < 0.04
    assert (read2[tails, -1] == 2).all()


def test_errors_follow_the_quality():
    rng = np.random.default_rng(5)
    codes = random_sequence(rng, 400_000, 0.5).reshape(4000, 100)
    qualities = np.repeat(np.array([[37, 23, 12, 2]], dtype=np.uint8), 25, axis=1)
    qualities = np.repeat(qualities, 4000, axis=0)
    noisy = add_errors(codes, qualities, rng)
    rates = (noisy != codes).reshape(4000, 4, 25).mean(axis=(0, 2))
    assert rates == pytest.approx([10**-3.7, 10**-2.3, 10**-1.2, 10**-0.2], rel=0.15)
    assert noisy.max() <= 3


def test_cluster_coordinates_are_unique_and_row_ordered():
    x, y = cluster_coordinates(50_000, np.random.default_rng(6))
    assert len(set(zip(x.tolist(), y.tolist(), strict=True))) == 50_000
    assert (np.diff(y) >= 0).all()
    assert x.min() >= 10_000 and x.max() <= 99_999 and y.max() <= 99_999


def test_fastq_block_exact_text():
    codes = np.array([encode("ACGTA"), encode("TTTTC")])
    qualities = np.array([[37, 37, 23, 12, 2], [37] * 5], dtype=np.uint8)
    coordinates = (np.array([10000, 10400]), np.array([10000, 10206]))
    block = fastq_block(0, coordinates, 2, "ACGTACGT", codes, qualities)
    assert block == (
        b"@SIM:1:FCX:1:1101:10000:10000 2:N:0:ACGTACGT\nACGTA\n+\nFF8-#\n"
        b"@SIM:1:FCX:1:1101:10400:10206 2:N:0:ACGTACGT\nTTTTC\n+\nFFFFF\n"
    )
    next_lane = fastq_block(len(TILES_PER_LANE) + 1, coordinates, 1, "A", codes, qualities)
    assert next_lane.startswith(b"@SIM:1:FCX:2:1102:10000:10000 1:N:0:A\n")


def test_cutadapt_trims_the_read_through(tmp_path, transcripts):
    rng = np.random.default_rng(8)
    lengths = np.array([len(t) for t in transcripts])
    drawn = sample_fragments(np.full(400, 2), lengths, Strandedness.REVERSE, rng)
    drawn.length[:100] = np.arange(30, 50).repeat(5)  # make a quarter read through
    reads = fragment_reads(drawn, as_transcriptome(transcripts), 50, rng)
    qualities = np.full((400, 50), 37, dtype=np.uint8)
    coordinates = cluster_coordinates(400, rng)
    paths = [tmp_path / "r1.fq", tmp_path / "r2.fq"]
    for mate, (path, codes) in enumerate(zip(paths, reads, strict=True), start=1):
        path.write_bytes(fastq_block(0, coordinates, mate, "ACGTACGT", codes, qualities))
    trimmed = [tmp_path / "t1.fq", tmp_path / "t2.fq"]
    adapters = ["-a", ADAPTER_1, "-A", ADAPTER_2]
    outputs = ["-o", trimmed[0], "-p", trimmed[1]]
    subprocess.run(
        [sys.executable, "-m", "cutadapt", *adapters, *outputs, *paths],
        check=True,
        capture_output=True,
    )
    # cutadapt needs 3 adapter bases (its default minimum overlap) to trim.
    trimmable = drawn.length <= 47
    for path in trimmed:
        kept = np.array([len(line) for line in path.read_text().splitlines()[1::4]])
        assert (kept[trimmable] <= drawn.length[trimmable]).all()
        assert (kept[trimmable] >= drawn.length[trimmable] - 3).all()
        assert (kept[trimmable] == drawn.length[trimmable]).mean() > 0.9
        # Longer inserts stay whole unless their end happens to look like an adapter.
        assert (kept[drawn.length >= 50] == 50).mean() > 0.95
