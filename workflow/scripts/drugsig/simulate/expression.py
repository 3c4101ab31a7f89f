"""Fragment counts per gene and transcript in each sample.

Expected fragments of gene g in sample s::

    mu[s, g] = read_pairs * size_factor[s] * composition[s, g]
    composition[s, g] ~ abundance[g] * 2 ** (offset[cell_line(s), g] + planted_log2fc[s, g])

``abundance`` is lognormal (high for housekeeping genes, moderate to high for genes
with planted effects so that they can be detected); each cell line has mild
baseline offsets (log2 N(0, 0.5)), which cancel in every contrast. Each sample's
composition is normalised to sum to 1, as sequencing a library of fixed depth
does, so the planted up-regulation dilutes every other gene by the same factor;
normalisation (e.g. DESeq2's median of ratios) absorbs it, which leaves the planted
values as the true log2 fold changes. ``size_factor`` spreads the library sizes
evenly over 0.6x-1.4x of ``read_pairs`` (mean 1). Counts are negative binomial
with the dispersion trend
``0.02 + 0.5 / mu``; a gene's fragments are split over its transcripts by fixed
isoform shares.
"""

import numpy as np
from numpy.typing import NDArray

from drugsig.simulate.annotation import Annotation
from drugsig.simulate.catalog import HIGH_HOUSEKEEPING, HOUSEKEEPING
from drugsig.simulate.design import Sample
from drugsig.simulate.effects import PLANTED_GENES, sample_log2fc

LOG_ABUNDANCE = {
    "high": (3.3, 0.4),
    "moderate": (1.0, 0.5),
    "planted": (2.0, 0.4),
    "other": (0.0, 1.4),
}
"""Mean and SD of the natural-log abundance of high and moderate housekeeping genes,
genes with planted effects, and all other genes."""
CELL_LINE_LOG2_SD = 0.5
SIZE_FACTOR_RANGE = (0.6, 1.4)
ASYMPTOTIC_DISPERSION = 0.02
EXTRA_POISSON = 0.5
MAJOR_ISOFORM_SHARE = (0.55, 0.9)


def baseline_abundance(gene_names: list[str], rng: np.random.Generator) -> NDArray[np.float64]:
    """Relative abundance of each gene in untreated parental cells (before cell-line offsets).

    Parameters
    ----------
    gene_names
        Gene names in annotation order.
    rng
        Random generator.
    """
    kinds = [
        "high" if name in HIGH_HOUSEKEEPING
        else "moderate" if name in HOUSEKEEPING
        else "planted" if name in PLANTED_GENES
        else "other"
        for name in gene_names
    ]  # fmt: skip
    mean, sd = np.array([LOG_ABUNDANCE[kind] for kind in kinds]).T
    return np.exp(mean + sd * rng.standard_normal(len(gene_names)))


def size_factors(n_samples: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """Library size factors, evenly spread over ``SIZE_FACTOR_RANGE`` in random order."""
    return rng.permutation(np.linspace(*SIZE_FACTOR_RANGE, num=n_samples))


def dispersion(mean: NDArray[np.float64]) -> NDArray[np.float64]:
    """Negative-binomial dispersion for a mean count (DESeq2-style trend)."""
    return ASYMPTOTIC_DISPERSION + EXTRA_POISSON / mean


def expected_fragments(
    gene_names: list[str],
    samples: tuple[Sample, ...],
    read_pairs: int,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Compute the expected fragments per sample (rows) and gene (columns).

    Parameters
    ----------
    gene_names
        Gene names in annotation order.
    samples
        The design.
    read_pairs
        Mean library size in read pairs.
    rng
        Random generator (abundances, cell-line offsets, size factors).
    """
    abundance = baseline_abundance(gene_names, rng)
    offsets = {
        cell_line: rng.normal(0.0, CELL_LINE_LOG2_SD, len(gene_names))
        for cell_line in sorted({sample.cell_line for sample in samples})
    }
    factors = size_factors(len(samples), rng)
    log2fc = np.array([[sample_log2fc(name, sample) for name in gene_names] for sample in samples])
    offset = np.array([offsets[sample.cell_line] for sample in samples])
    composition = abundance * np.exp2(offset + log2fc)
    composition /= composition.sum(axis=1, keepdims=True)
    return read_pairs * factors[:, None] * composition


def negative_binomial_counts(
    mean: NDArray[np.float64], rng: np.random.Generator
) -> NDArray[np.int64]:
    """Negative-binomial counts with ``dispersion(mean)``, same shape as ``mean``."""
    size = 1.0 / dispersion(mean)
    return rng.negative_binomial(size, size / (size + mean)).astype(np.int64)


def de_count_matrix(
    n_conditions: int,
    replicates: int,
    n_genes: int,
    rng: np.random.Generator,
    *,
    median_count: float = 60.0,
    mean_log_sd: float = 2.0,
    asymptotic_dispersion: float = 0.05,
    extra_poisson: float = 2.0,
    de_fraction: float = 0.1,
    log2fc_sd: float = 1.5,
    size_factor_log_sd: float = 0.25,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Simulate a plain negative-binomial count matrix for DE methods (no genome, no reads).

    Condition 0 is the reference; every other condition changes ``de_fraction`` of
    the genes with log2 fold changes ~ N(0, ``log2fc_sd``). Means are log-normal
    around ``median_count``; dispersions follow DESeq2's trend
    ``asymptotic_dispersion + extra_poisson / mean`` with log-normal scatter (sd 0.5);
    size factors are log-normal.

    Returns
    -------
    counts
        ``(samples, genes)``, samples grouped by condition, ``replicates`` each.
    condition
        ``(samples,)`` condition index of each sample.
    """
    condition = np.repeat(np.arange(n_conditions), replicates)
    mean = np.exp(rng.normal(np.log(median_count), mean_log_sd, n_genes))
    trend = asymptotic_dispersion + extra_poisson / mean
    alpha = trend * np.exp(rng.normal(0.0, 0.5, n_genes))
    log2fc = np.zeros((n_conditions, n_genes))
    for changed_condition in range(1, n_conditions):
        changed = rng.random(n_genes) < de_fraction
        log2fc[changed_condition, changed] = rng.normal(0.0, log2fc_sd, changed.sum())
    factors = np.exp(rng.normal(0.0, size_factor_log_sd, condition.size))
    mu = factors[:, None] * mean * np.exp2(log2fc[condition])
    size = 1.0 / alpha
    counts = rng.negative_binomial(size, size / (size + mu)).astype(np.int64)
    return counts, condition


def isoform_shares(annotation: Annotation, rng: np.random.Generator) -> NDArray[np.float64]:
    """Share of its gene's fragments of each transcript (``Annotation.transcripts`` order)."""
    shares: list[float] = []
    for gene in annotation.genes:
        if len(gene.transcripts) == 1:
            shares.append(1.0)
        else:
            major = float(rng.uniform(*MAJOR_ISOFORM_SHARE))
            shares.extend([major, 1.0 - major])
    return np.array(shares)


def split_by_transcript(
    gene_counts: NDArray[np.int64],
    gene_index: NDArray[np.int64],
    shares: NDArray[np.float64],
    rng: np.random.Generator,
) -> NDArray[np.int64]:
    """Split one sample's gene counts over the transcripts.

    Parameters
    ----------
    gene_counts
        Fragments per gene.
    gene_index
        Gene of each transcript (transcripts of a gene are adjacent, at most two).
    shares
        ``isoform_shares``.
    rng
        Random generator.

    Returns
    -------
    numpy.ndarray
        Fragments per transcript; they add up to ``gene_counts`` gene by gene.
    """
    first = np.ones(len(gene_index), dtype=bool)
    first[1:] = gene_index[1:] != gene_index[:-1]
    counts = np.zeros(len(gene_index), dtype=np.int64)
    counts[first] = rng.binomial(gene_counts, shares[first])
    second = np.flatnonzero(~first)
    counts[second] = gene_counts[gene_index[second]] - counts[second - 1]
    return counts
