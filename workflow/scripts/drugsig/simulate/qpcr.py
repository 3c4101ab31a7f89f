"""Simulated qRT-PCR: Ct values consistent with the planted log2 fold changes.

Ct of a gene in a sample is ``BASELINE_CT[gene] - log2FC + input + biological +
technical``: the planted log2 fold change lowers the Ct (100 % efficiency); ``input``
is the sample's cDNA amount (shared by all its genes, removed by the reference genes);
``biological`` varies per sample and gene, ``technical`` per well. Wells above
``CYCLES`` read ``Undetermined``, as instruments report them.
"""

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from drugsig.errors import InputError

BASELINE_CT: dict[str, float] = {
    "GAPDH": 17.2, "ACTB": 18.0, "CDKN1A": 25.1, "MDM2": 24.4, "BBC3": 28.3, "GDF15": 27.6,
}  # fmt: skip
"""Ct of each demo gene in untreated parental cells."""

CYCLES = 40
INPUT_SD = 0.35
"""Spread of the cDNA amount between samples, in cycles."""

BIOLOGICAL_SD = 0.15
TECHNICAL_SD = 0.12


def simulate_qpcr(
    samples: pd.DataFrame,
    log2fc: Mapping[str, Mapping[str, float]],
    rng: np.random.Generator,
    genes: Sequence[str] = tuple(BASELINE_CT),
    technical_replicates: int = 3,
) -> pd.DataFrame:
    """Simulate a qRT-PCR plate for every sample.

    Parameters
    ----------
    samples
        The samples table (a ``sample`` column), in output order.
    log2fc
        Planted log2 fold change by sample and gene; missing entries are 0 (and
        should be for the reference genes).
    rng
        Random generator.
    genes
        Genes measured, each with a ``BASELINE_CT``.
    technical_replicates
        Wells per sample and gene.

    Returns
    -------
    pandas.DataFrame
        The qPCR table read by :func:`drugsig.assays.qpcr.read_qpcr`: ``sample``, ``gene``,
        ``replicate``, ``ct`` (two decimals, or ``Undetermined``).

    Raises
    ------
    InputError
        For a gene without a baseline Ct or fewer than one replicate.
    """
    unknown = [gene for gene in genes if gene not in BASELINE_CT]
    if unknown:
        raise InputError(f"no baseline Ct for gene(s) {', '.join(unknown)}")
    if technical_replicates < 1:
        raise InputError(f"technical replicates must be at least 1, got {technical_replicates}")
    rows = []
    for sample in samples["sample"]:
        cdna_input = rng.normal(0, INPUT_SD)
        effects = log2fc.get(sample, {})
        for gene in genes:
            expected = BASELINE_CT[gene] - effects.get(gene, 0.0) + cdna_input
            expected += rng.normal(0, BIOLOGICAL_SD)
            for replicate in range(1, technical_replicates + 1):
                ct = expected + rng.normal(0, TECHNICAL_SD)
                rows.append(
                    [sample, gene, replicate, f"{ct:.2f}" if ct <= CYCLES else "Undetermined"]
                )
    return pd.DataFrame(rows, columns=["sample", "gene", "replicate", "ct"])
