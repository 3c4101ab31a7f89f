"""Gene names and biotypes of the simulated genome.

Real human gene names are used wherever the downstream analyses look genes up by
name (p53 targets, resistance markers, housekeeping genes); every other gene gets
a synthetic name ``SYN0001``, ``SYN0002``, ... in a fixed order, so that a given
synthetic name means the same planted effect whatever the seed.
"""

from dataclasses import dataclass

import numpy as np

P53_TARGETS: tuple[str, ...] = (
    "CDKN1A", "BBC3", "MDM2", "GDF15", "SESN1", "SESN2", "TP53I3", "RRM2B", "FAS",
    "BAX", "TNFRSF10B", "ZMAT3", "FDXR", "AEN", "PLK3", "TIGAR", "DDB2", "XPC",
    "SPATA18", "PHLDA3", "RPS27L", "TRIAP1", "PMAIP1", "GADD45A", "CCNG1",
)  # fmt: skip
"""p53 target genes (from the Fischer 2017 high-confidence list)."""

RESISTANCE_MARKERS: tuple[str, ...] = (
    "RB1", "CCNE1", "CDK2", "ABCB1", "ABCG2", "E2F1", "MCM2", "CDC6",  # RB/E2F, efflux
    "PIK3CA", "AKT1", "MTOR", "PTEN", "RPS6KB1",  # PI3K/AKT/mTOR
    "KRAS", "MAP2K1", "MAPK1", "MAPK3", "DUSP6", "ETV4", "ETV5", "SPRY2", "FOSL1",  # MAPK
    "NTRK1", "NGF",
)  # fmt: skip
"""Drug-resistance marker genes, by pathway."""

HIGH_HOUSEKEEPING: tuple[str, ...] = ("GAPDH", "ACTB", "B2M", "RPLP0", "PPIA", "PGK1")
"""Housekeeping genes expressed at high levels."""

HOUSEKEEPING: tuple[str, ...] = (*HIGH_HOUSEKEEPING, "TBP", "HPRT1")
"""All housekeeping genes (TBP and HPRT1 are moderately expressed)."""

REAL_GENES: tuple[str, ...] = (*P53_TARGETS, "TP53", *RESISTANCE_MARKERS, *HOUSEKEEPING)
"""Every real gene name in the simulated genome."""

LNCRNA_FRACTION = 0.08
"""Share of the synthetic genes annotated as lncRNA (at least one)."""


@dataclass(frozen=True)
class GeneIdentity:
    """Name and biotype of one simulated gene."""

    name: str
    biotype: str


def synthetic_name(number: int) -> str:
    """Synthetic gene name with the given 1-based number, e.g. ``SYN0007``."""
    return f"SYN{number:04d}"


def gene_catalog(n_genes: int, rng: np.random.Generator) -> tuple[GeneIdentity, ...]:
    """Names and biotypes of all genes: the real genes, then ``SYN0001``, ``SYN0002``, ...

    Parameters
    ----------
    n_genes
        Total number of genes; at least ``len(REAL_GENES) + 1``.
    rng
        Random generator; picks which synthetic genes are lncRNAs.

    Returns
    -------
    tuple of GeneIdentity
        ``n_genes`` entries; real genes and most synthetic genes are protein coding.
    """
    n_synthetic = n_genes - len(REAL_GENES)
    if n_synthetic < 1:
        raise ValueError(f"need more than {len(REAL_GENES)} genes, got {n_genes}")
    n_lncrna = max(1, round(LNCRNA_FRACTION * n_synthetic))
    lncrna = set(rng.choice(n_synthetic, size=n_lncrna, replace=False).tolist())
    real = [GeneIdentity(name, "protein_coding") for name in REAL_GENES]
    synthetic = [
        GeneIdentity(synthetic_name(i + 1), "lncRNA" if i in lncrna else "protein_coding")
        for i in range(n_synthetic)
    ]
    return (*real, *synthetic)
