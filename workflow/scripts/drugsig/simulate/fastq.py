"""FASTQ text for blocks of reads, with Illumina-style read names.

Reads are written one flow-cell tile at a time. A read is named
``@SIM:1:FCX:<lane>:<tile>:<x>:<y> <mate>:N:0:<index>``, the same on read 1 and
read 2 apart from the mate number. Clusters sit in distinct wells of a patterned
tile (a grid of 5-digit ``x`` and ``y`` coordinates) and are listed row by row, as
the instrument reports them, so every name is unique. With a fixed read length
every record has the same width, and a whole block is assembled as one byte
matrix.
"""

import numpy as np
from numpy.typing import NDArray

from drugsig.simulate.sequence import ALPHABET

READS_PER_TILE = 50_000
TILES_PER_LANE = tuple(
    1000 * surface + 100 * swath + tile
    for surface in (1, 2)
    for swath in (1, 2, 3, 4)
    for tile in range(1, 79)
)
"""Tile numbers of one lane (surface, swath, tile), as on a NovaSeq flow cell."""
LANES = 8
MAX_READS = LANES * len(TILES_PER_LANE) * READS_PER_TILE
"""Reads that fit on the simulated flow cell (one sample's FASTQ)."""
GRID_ORIGIN = 10_000
GRID_COLUMNS, COLUMN_PITCH = 230, 100
GRID_ROWS, ROW_PITCH = 435, 206
"""Wells of a tile: twice ``READS_PER_TILE``, with 5-digit coordinates."""
PHRED_OFFSET = 33


def cluster_coordinates(
    n_reads: int, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Coordinates ``(x, y)`` of ``n_reads <= READS_PER_TILE`` clusters on one tile.

    The clusters occupy random distinct wells, listed row by row.
    """
    wells = np.sort(rng.choice(GRID_ROWS * GRID_COLUMNS, size=n_reads, replace=False))
    row, column = np.divmod(wells, GRID_COLUMNS)
    return GRID_ORIGIN + COLUMN_PITCH * column, GRID_ORIGIN + ROW_PITCH * row


def _digits(values: NDArray[np.int64], width: int) -> NDArray[np.uint8]:
    """ASCII decimal digits of non-negative integers, zero-padded, one row per value."""
    powers = 10 ** np.arange(width - 1, -1, -1)
    return (values[:, None] // powers % 10 + ord("0")).astype(np.uint8)


def _constant(text: str, n_rows: int) -> NDArray[np.uint8]:
    return np.broadcast_to(np.frombuffer(text.encode("ascii"), dtype=np.uint8), (n_rows, len(text)))


def fastq_block(
    tile_number: int,
    coordinates: tuple[NDArray[np.int64], NDArray[np.int64]],
    mate: int,
    index_sequence: str,
    codes: NDArray[np.uint8],
    qualities: NDArray[np.uint8],
) -> bytes:
    """FASTQ records of one tile's reads of one mate.

    Parameters
    ----------
    tile_number
        0-based position of the tile in the run (picks lane and tile).
    coordinates
        ``cluster_coordinates`` of the reads, shared by both mates.
    mate
        1 or 2.
    index_sequence
        Sample index shown in the read name comment.
    codes, qualities
        Base codes and Phred qualities, one row per read.

    Returns
    -------
    bytes
        ``4 * len(codes)`` FASTQ lines.
    """
    lane, tile = divmod(tile_number, len(TILES_PER_LANE))
    n_reads = len(codes)
    columns = [
        _constant(f"@SIM:1:FCX:{lane + 1}:{TILES_PER_LANE[tile]}:", n_reads),
        _digits(coordinates[0], 5),
        _constant(":", n_reads),
        _digits(coordinates[1], 5),
        _constant(f" {mate}:N:0:{index_sequence}\n", n_reads),
        ALPHABET[codes],
        _constant("\n+\n", n_reads),
        qualities + PHRED_OFFSET,
        _constant("\n", n_reads),
    ]
    return np.hstack(columns).astype(np.uint8, copy=False).tobytes()
