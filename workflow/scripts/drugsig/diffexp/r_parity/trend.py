"""The parametric dispersion trend ``asymptDisp + extraPois / mean`` as R DESeq2 fits it."""

from __future__ import annotations

import numpy as np

_MAX_ROUNDS = 11  # R stops with an error after the 11th fit
_GLM_MAXIT = 25  # glm.control() defaults
_GLM_EPSILON = 1e-8


class TrendFitError(RuntimeError):
    """The parametric fit failed (R then falls back to a local fit)."""


def _gamma_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    return -2.0 * float(np.sum(np.log(y / mu) - (y - mu) / mu))


def _gamma_identity_glm(x: np.ndarray, y: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, bool]:
    """``glm(y ~ x, family = Gamma(link = "identity"), start = start)``.

    R's ``glm.fit``: iteratively reweighted least squares from ``start`` (weights
    ``1 / mu^2``, working response ``y``), halving a step towards the previous
    coefficients while a fitted mean is not positive, until the deviance changes by
    less than ``1e-8`` relative, for at most 25 iterations.

    Parameters
    ----------
    x, y : numpy.ndarray
        Covariate and (positive) response.
    start : numpy.ndarray
        Start coefficients (intercept, slope), with positive fitted means.

    Returns
    -------
    tuple
        The coefficients and whether the fit converged.

    Raises
    ------
    TrendFitError
        If no step keeps the fitted means positive.
    """
    design = np.column_stack([np.ones_like(x), x])
    previous = start
    mu = design @ start
    deviance = _gamma_deviance(y, mu)
    for _ in range(_GLM_MAXIT):
        weighted = design / mu[:, None] ** 2
        beta = np.linalg.solve(weighted.T @ design, weighted.T @ y)
        mu = design @ beta
        halvings = 0
        while np.any(mu <= 0):  # R: "step size truncated: out of bounds"
            if halvings == _GLM_MAXIT:
                raise TrendFitError("cannot correct the step size of the Gamma GLM")
            beta = (beta + previous) / 2
            mu = design @ beta
            halvings += 1
        deviance, change = _gamma_deviance(y, mu), deviance
        if abs(deviance - change) / (abs(deviance) + 0.1) < _GLM_EPSILON:
            return beta, True
        previous = beta
    return previous, False


def r_parametric_dispersion_fit(
    means: np.ndarray, dispersions: np.ndarray, min_disp: float
) -> np.ndarray:
    """Coefficients of R DESeq2's parametric dispersion trend.

    Port of ``DESeq2:::parametricDispersionFit`` on the genes R's
    ``estimateDispersionsFit`` uses (genewise dispersion above ``100 * min_disp``).
    Starting from ``c(0.1, 1)``, each round selects *among all those genes* the ones
    with ``1e-4 < dispersion / trend < 15`` under the current coefficients and fits a
    Gamma GLM with identity link to them, until the GLM converges and the coefficients
    change by less than ``1e-6`` (sum of squared log ratios). pydeseq2 instead starts
    from every gene (including those at ``min_disp``), drops genes for good from one
    round to the next, and stops its optimiser at looser tolerances.

    Parameters
    ----------
    means : numpy.ndarray
        Means of normalized counts of the genes (not all zero).
    dispersions : numpy.ndarray
        Their genewise dispersions.
    min_disp : float
        The lower bound of the dispersion estimates.

    Returns
    -------
    numpy.ndarray
        ``[asymptDisp, extraPois]``.

    Raises
    ------
    TrendFitError
        When a coefficient is not positive or the rounds do not converge, as in R.
    """
    use = np.isfinite(dispersions) & (dispersions > 100 * min_disp) & (means > 0)
    means, dispersions = means[use], dispersions[use]
    coefs = np.array([0.1, 1.0])
    for _ in range(_MAX_ROUNDS):
        ratio = dispersions / (coefs[0] + coefs[1] / means)
        good = (ratio > 1e-4) & (ratio < 15)
        previous = coefs
        coefs, converged = _gamma_identity_glm(1.0 / means[good], dispersions[good], coefs)
        if not np.all(coefs > 0):
            raise TrendFitError("parametric dispersion fit failed")
        if np.sum(np.log(coefs / previous) ** 2) < 1e-6 and converged:
            return coefs
    raise TrendFitError("dispersion fit did not converge")
