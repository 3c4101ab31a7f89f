"""Variance of the log-dispersion prior as R DESeq2 estimates it.

With more than 3 residual degrees of freedom R and pydeseq2 agree:
``max(varLogDispEsts - trigamma((m - p) / 2), 0.25)``. With 1-3, where log dispersion
estimates are far from normal, R instead matches the histogram of the log dispersion
residuals with simulated ones, which pydeseq2 does not do; R's simulation runs under
``set.seed(2)``, so it is replayed here with R's random number stream.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import polygamma

from drugsig.diffexp.r_parity.rng import RRandom
from drugsig.diffexp.r_parity.smoothers import r_loess

MIN_PRIOR_VAR = 0.25
_BREAKS = np.arange(-20, 21) / 2.0  # R: brks <- -20:20/2
_GRID = np.linspace(0.0, 8.0, 200)  # candidate variances
_FINE_GRID = np.linspace(0.0, 8.0, 1000)
_DRAWS = 10_000
_SEED = 2


def r_hist_density(values: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    """``hist(values, breaks, plot = FALSE)$density`` for equally spaced breaks.

    R's bins are right-closed (the first one also left-closed) and its breaks are
    moved by ``1e-7`` of the bin width outwards, so that values on a break fall in the
    bin to its left.

    Parameters
    ----------
    values : numpy.ndarray
        Values within ``[breaks[0], breaks[-1]]``.
    breaks : numpy.ndarray
        Equally spaced, increasing breaks.

    Returns
    -------
    numpy.ndarray
        The density of each bin, ``counts / (len(values) * bin width)``.
    """
    fuzz = 1e-7 * float(np.median(np.diff(breaks)))
    fuzzy = breaks + np.r_[-fuzz, np.full(len(breaks) - 1, fuzz)]
    bins = np.clip(np.searchsorted(fuzzy, values, side="left") - 1, 0, len(breaks) - 2)
    counts = np.bincount(bins, minlength=len(breaks) - 1)
    return counts / (counts.sum() * np.diff(breaks))


def _within_breaks(values: np.ndarray) -> np.ndarray:
    return values[(values > _BREAKS[0]) & (values < _BREAKS[-1])]


@lru_cache(maxsize=3)
def simulated_densities(df: int) -> np.ndarray:
    """Histogram densities of R's simulated log residuals, one row per grid variance.

    For each variance ``s2`` of ``seq(0, 8, length = 200)`` R draws 10,000 values of
    ``log(rchisq(df)) + rnorm(0, sqrt(s2)) - log(df)`` in turn after ``set.seed(2)``;
    the draws depend only on ``df``, so they are computed once per process (about 5 s).

    Parameters
    ----------
    df : int
        Residual degrees of freedom ``m - p`` (1, 2 or 3).

    Returns
    -------
    numpy.ndarray
        ``(200, 40)`` densities over R's breaks ``-20:20/2``.
    """
    rng = RRandom(_SEED)
    densities = np.empty((len(_GRID), len(_BREAKS) - 1))
    for i, variance in enumerate(_GRID):
        chisq = rng.rchisq(_DRAWS, df)
        with np.errstate(divide="ignore"):  # log(0) is -Inf in R too, then dropped
            draws = np.log(chisq) + rng.rnorm(_DRAWS, 0.0, np.sqrt(variance)) - np.log(df)
        densities[i] = r_hist_density(_within_breaks(draws), _BREAKS)
    return densities


def r_dispersion_prior_var(
    residuals: np.ndarray, n_samples: int, n_coefs: int, var_log_disp_ests: float
) -> float:
    """Estimate the dispersion prior variance as R's ``estimateDispersionsPriorVar``.

    Port of DESeq2 1.38's function. For ``0 < m - p <= 3`` it returns the variance
    ``s2`` of ``seq(0, 8, length = 200)`` whose simulated
    ``log(chi2_{m-p} / (m - p)) + N(0, s2)`` histogram is closest (Kullback-Leibler
    divergence, loess-smoothed with span 0.2 and evaluated on
    ``seq(0, 8, length = 1000)``) to that of the residuals, at least 0.25; otherwise
    ``max(var_log_disp_ests - trigamma((m - p) / 2), 0.25)``.

    Parameters
    ----------
    residuals : numpy.ndarray
        ``log(genewise dispersion) - log(trend)`` of the genes whose genewise
        dispersion is at least ``100 * min_disp``.
    n_samples, n_coefs : int
        ``m`` and ``p``, the rows and columns of the design matrix.
    var_log_disp_ests : float
        The squared MAD of ``residuals`` (R's ``varLogDispEsts``).

    Returns
    -------
    float
        The prior variance (R's ``attr(dispersionFunction(dds), "dispPriorVar")``).
    """
    df = n_samples - n_coefs
    if df > 3:
        return float(max(var_log_disp_ests - polygamma(1, df / 2), MIN_PRIOR_VAR))
    if df <= 0:
        return var_log_disp_ests
    observed = r_hist_density(_within_breaks(np.asarray(residuals, dtype=float)), _BREAKS)
    simulated = simulated_densities(df)
    divergences = np.empty(len(_GRID))
    for i, density in enumerate(simulated):
        both = np.r_[observed, density]
        small = both[both > 0].min()
        divergences[i] = np.sum(observed * (np.log(observed + small) - np.log(density + small)))
    smooth = r_loess(_GRID, divergences, _FINE_GRID, span=0.2)
    return float(max(_FINE_GRID[int(np.argmin(smooth))], MIN_PRIOR_VAR))
