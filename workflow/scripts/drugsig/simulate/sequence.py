"""DNA sequences as arrays of base codes (A=0, C=1, G=2, T=3).

Coding bases as small integers lets the simulator complement with ``3 - code``
and turn whole read blocks into text with a single table look-up.
"""

import numpy as np
from numpy.typing import NDArray

ALPHABET = np.frombuffer(b"ACGT", dtype=np.uint8)
"""ASCII byte of each base code."""

_CODES = np.full(256, 255, dtype=np.uint8)
_CODES[ALPHABET] = np.arange(4, dtype=np.uint8)


def encode(sequence: str) -> NDArray[np.uint8]:
    """Turn an upper-case ACGT string into base codes.

    Parameters
    ----------
    sequence
        Bases, upper case, A/C/G/T only.

    Returns
    -------
    numpy.ndarray
        One uint8 code per base.

    Raises
    ------
    ValueError
        If the sequence holds anything but A, C, G and T.
    """
    codes = _CODES[np.frombuffer(sequence.encode("ascii"), dtype=np.uint8)]
    if (codes == 255).any():
        raise ValueError(f"not an ACGT sequence: {sequence!r}")
    return codes


def decode(codes: NDArray[np.uint8]) -> str:
    """Turn base codes back into an ACGT string."""
    return ALPHABET[codes].tobytes().decode("ascii")


def reverse_complement(codes: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Reverse complement of a code array (a new array)."""
    return (3 - codes[::-1]).astype(np.uint8)


def random_sequence(rng: np.random.Generator, length: int, gc: float) -> NDArray[np.uint8]:
    """Independent random bases with a given GC content.

    Parameters
    ----------
    rng
        Random generator.
    length
        Number of bases.
    gc
        Probability of G or C at each position (e.g. 0.41 for human).

    Returns
    -------
    numpy.ndarray
        ``length`` base codes.
    """
    cumulative = np.array([(1 - gc) / 2, 0.5, (1 + gc) / 2])
    return np.searchsorted(cumulative, rng.random(length), side="right").astype(np.uint8)
