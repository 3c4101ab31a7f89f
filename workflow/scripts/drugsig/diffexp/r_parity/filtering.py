"""Independent filtering of p-values on the mean of normalized counts, as R DESeq2 does."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import false_discovery_control

from drugsig.diffexp.r_parity.smoothers import r_lowess


@dataclass(frozen=True)
class FilterResult:
    """Outcome of :func:`r_independent_filtering`.

    Attributes
    ----------
    padj : numpy.ndarray
        Benjamini-Hochberg adjusted p-values of the genes that pass the filter, NaN for
        the others (and for genes without a p-value).
    threshold : float
        The chosen filter threshold on the mean of normalized counts (R's
        ``metadata(res)$filterThreshold``).
    theta : float
        The quantile of the means it is (R's ``filterTheta``).
    """

    padj: np.ndarray
    threshold: float
    theta: float


def r_independent_filtering(
    base_mean: np.ndarray, pvalues: np.ndarray, alpha: float
) -> FilterResult:
    """Adjust p-values with independent filtering as R's ``results()`` does.

    Port of ``DESeq2:::pvalueAdjustment`` (DESeq2 1.38) with ``genefilter::filtered_p``:
    BH adjustment among the genes whose mean reaches each of 50 quantiles of the means,
    the number of rejections at ``alpha`` per quantile smoothed by R's ``lowess``
    (:func:`~drugsig.diffexp.r_parity.smoothers.r_lowess`, ``f = 1/5``), and the first
    quantile whose rejections exceed the smoothed maximum minus the root mean square
    residual of the fit (else 90 %, else 80 % of the smoothed maximum). pydeseq2
    follows the same recipe with a different smoother, which can pick another threshold.

    Parameters
    ----------
    base_mean : numpy.ndarray
        The filter statistic, the mean of normalized counts of each gene.
    pvalues : numpy.ndarray
        Raw p-values; NaN for untested genes (not counted by the BH adjustment).
    alpha : float
        The FDR level at which rejections are counted.

    Returns
    -------
    FilterResult
        The adjusted p-values and the threshold.
    """
    base_mean = np.asarray(base_mean, dtype=float)
    pvalues = np.asarray(pvalues, dtype=float)
    lower = float(np.mean(base_mean == 0))
    theta = np.linspace(lower, 0.95 if lower < 0.95 else 1.0, 50)
    cutoffs = np.quantile(base_mean, theta)  # R's default type 7
    padj = np.full((len(base_mean), len(theta)), np.nan)
    tested = ~np.isnan(pvalues)
    for i, cutoff in enumerate(cutoffs):
        use = tested & (base_mean >= cutoff)
        if use.any():
            padj[use, i] = false_discovery_control(pvalues[use], method="bh")
    rejections = np.sum(padj < alpha, axis=0)
    chosen = 0
    if rejections.max() > 10:
        smooth = r_lowess(theta, rejections.astype(float), f=1 / 5)
        positive = rejections > 0
        residual = rejections[positive] - smooth[positive]
        # R's fallbacks when no quantile exceeds max - rmse: 90 %, then 80 % of the max
        for level in (smooth.max() - np.sqrt(np.mean(residual**2)), 0.9 * smooth.max()):
            if np.any(rejections > level):
                break
        else:
            level = 0.8 * smooth.max()
        above = rejections > level
        chosen = int(np.argmax(above)) if above.any() else 0
    return FilterResult(padj[:, chosen], float(cutoffs[chosen]), float(theta[chosen]))
