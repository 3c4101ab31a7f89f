"""Paired-end reads from transcript fragments, with adapters, qualities and errors.

A fragment is a stretch of a transcript whose length is drawn from
N(``FRAGMENT_MEAN``, ``FRAGMENT_SD``) truncated to [``FRAGMENT_MIN``, transcript
length]. Read 1 and read 2 are the first ``read_length`` bases of the fragment's two
ends; with a reverse-stranded (dUTP / TruSeq stranded) library read 1 is antisense
to the transcript. A fragment shorter than the read length makes both reads run
into the TruSeq adapter, then into random bases.

Qualities use the 4-level Illumina binning (Phred 2/12/23/37): a latent quality
falls toward the 3' end (faster in read 2), varies by read and drifts along the
read as a random walk (so bins come in runs), and is binned; some reads end in a
Phred-2 tail. Each base is then substituted with the error probability its
quality implies.
"""

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from drugsig.simulate.genome import Transcriptome
from drugsig.simulate.sequence import encode

FRAGMENT_MEAN = 140.0
FRAGMENT_SD = 45.0
FRAGMENT_MIN = 30
ADAPTERS = (
    encode("AGATCGGAAGAGCACACGTCTGAACTCCAGTCA"),
    encode("AGATCGGAAGAGCGTCGTGTAGGGAAAGAGTGT"),
)
"""TruSeq adapter seen by read 1 and by read 2 after a short insert."""

QUALITY_BINS = np.array([2, 12, 23, 37], dtype=np.uint8)
LATENT_START = 36.0
LATENT_DROP = (3.0, 5.0)
"""Drop of the mean latent quality from the first to the last base, read 1 and read 2."""
LATENT_READ_SD = 2.0
LATENT_STEP_SD = 0.6
BIN_THRESHOLDS = np.array([20.0, 30.0])
"""Latent quality below 20 gives Phred 12, below 30 Phred 23, else Phred 37."""
TAIL_PROBABILITY = (0.015, 0.03)
"""Chance that read 1 / read 2 ends in a Phred-2 tail (starting in its last 40%)."""


class Strandedness(StrEnum):
    """Library strandedness, named as for featureCounts' -s (none / forward / reverse)."""

    NONE = "none"
    FORWARD = "forward"
    REVERSE = "reverse"


@dataclass(frozen=True)
class Fragments:
    """Fragments of transcripts.

    Attributes
    ----------
    transcript
        Transcript index of each fragment.
    start
        0-based start in the transcript (5' to 3').
    length
        Fragment (insert) length.
    read1_antisense
        Whether read 1 comes from the strand opposite to the transcript.
    """

    transcript: NDArray[np.int64]
    start: NDArray[np.int64]
    length: NDArray[np.int64]
    read1_antisense: NDArray[np.bool_]

    def __len__(self) -> int:
        """Return the number of fragments."""
        return len(self.transcript)

    def take(self, indices: NDArray[np.int64] | slice) -> "Fragments":
        """Select the fragments at ``indices`` (an index array or a slice), in that order."""
        return Fragments(
            self.transcript[indices],
            self.start[indices],
            self.length[indices],
            self.read1_antisense[indices],
        )

    def by_origin(self) -> "Fragments":
        """Sort the fragments by transcript, then start."""
        return self.take(np.lexsort((self.start, self.transcript)))


def sample_fragments(
    transcripts: NDArray[np.int64],
    transcript_lengths: NDArray[np.int64],
    strandedness: Strandedness,
    rng: np.random.Generator,
) -> Fragments:
    """Draw a length, position and orientation for one fragment per transcript index.

    Parameters
    ----------
    transcripts
        Transcript index of each fragment.
    transcript_lengths
        Length of every transcript (all at least ``FRAGMENT_MIN``).
    strandedness
        Library strandedness.
    rng
        Random generator.
    """
    limit = transcript_lengths[transcripts]
    length = np.zeros(len(transcripts), dtype=np.int64)
    redraw = np.ones(len(transcripts), dtype=bool)
    while redraw.any():
        draw = np.rint(rng.normal(FRAGMENT_MEAN, FRAGMENT_SD, int(redraw.sum()))).astype(np.int64)
        length[redraw] = draw
        redraw = (length < FRAGMENT_MIN) | (length > limit)
    start = rng.integers(0, limit - length + 1)
    if strandedness is Strandedness.NONE:
        antisense = rng.random(len(transcripts)) < 0.5
    else:
        antisense = np.full(len(transcripts), strandedness is Strandedness.REVERSE)
    return Fragments(transcripts, start, length, antisense)


def fragment_reads(
    fragments: Fragments,
    transcriptome: Transcriptome,
    read_length: int,
    rng: np.random.Generator,
) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Error-free read 1 and read 2 base codes, one row per fragment.

    Bases past the fragment's end are the mate's adapter, then random bases.
    """
    fragment_start = transcriptome.offsets[fragments.transcript] + fragments.start
    position = np.arange(read_length)
    last = len(transcriptome.codes) - 1
    sense_index = np.minimum(fragment_start[:, None] + position, last)
    antisense_index = np.maximum((fragment_start + fragments.length - 1)[:, None] - position, 0)
    sense = transcriptome.codes[sense_index]
    antisense = 3 - transcriptome.codes[antisense_index]
    flip = fragments.read1_antisense[:, None]
    reads = (np.where(flip, antisense, sense), np.where(flip, sense, antisense))
    rows, columns = np.nonzero(position[None, :] >= fragments.length[:, None])
    past_end = columns - fragments.length[rows]
    for read, adapter in zip(reads, ADAPTERS, strict=True):
        tail = rng.integers(0, 4, size=len(rows), dtype=np.uint8)
        in_adapter = past_end < len(adapter)
        tail[in_adapter] = adapter[past_end[in_adapter]]
        read[rows, columns] = tail
    return reads


def simulate_qualities(
    n_reads: int, read_length: int, mate: int, rng: np.random.Generator
) -> NDArray[np.uint8]:
    """Binned Phred qualities, one row per read.

    Parameters
    ----------
    n_reads, read_length
        Shape of the result.
    mate
        1 or 2 (read 2 degrades faster and has more Phred-2 tails).
    rng
        Random generator.
    """
    relative = np.linspace(0.0, 1.0, read_length, dtype=np.float32)
    latent = rng.standard_normal((n_reads, read_length), dtype=np.float32)
    latent *= LATENT_STEP_SD
    np.cumsum(latent, axis=1, out=latent)
    latent += LATENT_START - LATENT_DROP[mate - 1] * relative**2
    latent += rng.normal(0.0, LATENT_READ_SD, (n_reads, 1)).astype(np.float32)
    level = (latent >= BIN_THRESHOLDS[0]).view(np.uint8) + (latent >= BIN_THRESHOLDS[1])
    qualities = QUALITY_BINS[1 + level]
    tail_start = rng.integers(int(0.6 * read_length), read_length, size=n_reads)
    has_tail = rng.random(n_reads) < TAIL_PROBABILITY[mate - 1]
    in_tail = has_tail[:, None] & (np.arange(read_length)[None, :] >= tail_start[:, None])
    qualities[in_tail] = QUALITY_BINS[0]
    return qualities


ERROR_PROBABILITY = (10.0 ** (np.arange(256) / -10.0)).astype(np.float32)
"""Base-call error probability of each Phred quality."""


def add_errors(
    codes: NDArray[np.uint8], qualities: NDArray[np.uint8], rng: np.random.Generator
) -> NDArray[np.uint8]:
    """Substitute each base with probability ``10 ** (-quality / 10)`` (a new array)."""
    wrong = rng.random(codes.shape, dtype=np.float32) < ERROR_PROBABILITY[qualities]
    noisy = codes.copy()
    noisy[wrong] = (noisy[wrong] + rng.integers(1, 4, size=int(wrong.sum()))) % 4
    return noisy
