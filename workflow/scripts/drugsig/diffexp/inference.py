"""Vectorised pydeseq2 inference: the per-gene fits of DESeq2 run for many genes at once.

pydeseq2's :class:`~pydeseq2.default_inference.DefaultInference` fits every gene on its
own (a Python-level scipy optimiser per gene, spread over processes with joblib). All
genes share the design matrix, so each of these fits is a handful of array operations
on a ``samples x genes`` block: :class:`VectorizedInference` runs them that way, a chunk
of genes at a time (bounded memory), chunks spread over threads (numpy and scipy release
the GIL in their array kernels, so threads need no process start-up nor data copies).

The estimates are those of ``DefaultInference``, which mirrors DESeq2:

* ``lin_reg_mu``: least squares of the normalized counts on the design (one ``lstsq``
  with a right-hand side per gene).
* ``irls``: the same iteratively reweighted least squares, started from the same
  point, with the same ridge, stopping rule and deviance; genes whose IRLS diverges
  (a coefficient beyond ``max_beta``) or exceeds ``maxiter`` are refitted with
  pydeseq2's own per-gene solver (L-BFGS-B, then grid), exactly as pydeseq2 does.
* ``alpha_mle``: the minimum of the same (Cox-Reid adjusted, optionally prior-penalised)
  negative log-likelihood of the dispersion over ``log(alpha)`` within
  ``[log(min_disp), log(max_disp)]``, started from ``alpha_hat``. A bounded Newton
  method (analytic first and second derivatives, computed without the cancellation
  that makes pydeseq2's gradient noise near ``min_disp``) with a backtracking line
  search replaces L-BFGS-B, with L-BFGS-B's stopping rules: it lands on the same local
  optimum, closer to it, and leaves genes whose likelihood is flat at the start where
  L-BFGS-B leaves them (see :func:`_minimize_log_dispersion`). Genes where it fails
  fall back to pydeseq2's grid search, like a failed L-BFGS-B; unlike pydeseq2's
  fallback (but like DESeq2's), the grid search keeps the prior of MAP estimates.
* ``wald_test``: the same Wald statistics, standard errors and p-values, including the
  ``alt_hypothesis`` variants.
* ``lfc_shrink_nbinom_glm``: the apeGLM MAP coefficients (same objective) by Newton's
  method, and pydeseq2's inverse Hessian at them (including its quirk of adding the
  prior's curvature to every row). The posterior is not log-concave (Cauchy prior on
  the shrunken coefficient): along that coefficient it can have a mode near 0 (inside
  the prior's scale) and one near the MLE, and Newton, a local method, stays in the
  basin of its starting point. Newton is therefore run from three starts (pydeseq2's
  ``0.1 * (-1)^j``, the maximum-likelihood fit, and the MLE with the shrunken
  coefficient set to 0) and each gene keeps the candidate with the lowest objective
  (see :func:`_apeglm_map`); genes where Newton fails from every start are refitted
  with pydeseq2's own solver.

For a one-factor design (intercept plus group indicators, a screen's ``~group``) every
per-gene matrix above is an arrowhead; :mod:`drugsig.diffexp.one_factor` then computes
IRLS, the Cox-Reid term, the Wald standard errors (cached across contrasts) and the
apeGLM shrinkage (the other groups minimised out once and shared by all contrasts) in
``O(n + K)`` per gene instead of ``O(n K^2 + K^3)``, with the same estimates.

Where pydeseq2's L-BFGS-B stops early (its relative tolerance is loose for genes with
large counts), the estimates here are closer to the optimum, so they can differ from
pydeseq2's by about that tolerance (typically < 1e-3 relative, exceptionally ~10%).
"""

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, TypeVar

import numpy as np
from pydeseq2.default_inference import DefaultInference
from pydeseq2.grid_search import grid_fit_alpha
from pydeseq2.utils import irls_solver, nbinomFn, nbinomGLM
from scipy.special import digamma, expit, gammaln
from scipy.stats import norm
from threadpoolctl import threadpool_limits

from drugsig.diffexp import one_factor
from drugsig.diffexp._newton import backtrack, damped_newton

AltHypothesis = Literal["greaterAbs", "lessAbs", "greater", "less"]
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")

_MAX_LOG_STEP = 2.0  # largest Newton step on log(alpha)
_LBFGSB_PGTOL = 1e-5  # scipy's L-BFGS-B defaults (gradient, relative objective change)
_LBFGSB_FTOL = 1e7 * np.finfo(float).eps
_MAX_DENSE_INVERSES = 2**23  # entries of inverse Hessians the one-factor path may return
_ASYMPTOTIC_SIZE = 100.0  # NB size from which log-gamma differences use Stirling series


def _trigamma(x: np.ndarray) -> np.ndarray:
    """Trigamma function (second derivative of log-gamma) for ``x > 0``.

    ``scipy.special.polygamma(1, x)`` goes through the Hurwitz zeta function and is
    about ten times slower; this uses the recurrence up to ``x >= 8`` and then the
    asymptotic series (relative error below 1e-11).

    Parameters
    ----------
    x : ndarray
        Positive arguments.

    Returns
    -------
    ndarray
        Trigamma of ``x``, same shape.
    """
    x = np.array(x, dtype=float)
    result = np.zeros_like(x)
    small = np.flatnonzero(x < 8.0)
    if small.size:
        xs = x.flat[small]
        acc = np.zeros_like(xs)
        for _ in range(8):
            below = xs < 8.0
            acc += np.where(below, 1.0 / (xs * xs), 0.0)
            xs = np.where(below, xs + 1.0, xs)
        result.flat[small] = acc
        x.flat[small] = xs
    z = 1.0 / x
    z2 = z * z
    result += z + z2 * (0.5 + z * (1.0 / 6.0 + z2 * (-1.0 / 30.0 + z2 * (1.0 / 42.0 - z2 / 30.0))))
    return result


def _gamma_differences(y: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Differences of log-gamma and its derivatives between ``y + r`` and ``r``.

    ``d0 = lgamma(y + r) - lgamma(r) - y * log(r)``, ``d1 = digamma(y + r) - digamma(r)``
    and ``d2 = trigamma(r) - trigamma(y + r)``, the terms of the negative binomial
    log-likelihood of size ``r = 1 / alpha``. For small dispersions the differences of
    special functions lose most digits (they are ~ ``y / r`` against values ~
    ``log(r)``), which would make the gradient at ``alpha ~ 1e-8`` pure noise; for
    ``r >= 100`` the asymptotic (Stirling) series, whose truncation error is below
    1e-17 there, are subtracted term by term instead.

    Parameters
    ----------
    y : ndarray
        ``(n, k)`` counts.
    r : ndarray
        ``(k,)`` sizes (inverse dispersions).

    Returns
    -------
    d0, d1, d2 : ndarray
        ``(n, k)`` differences.
    """
    d0, d1, d2 = (np.empty_like(y) for _ in range(3))
    small = r < _ASYMPTOTIC_SIZE
    if small.any():
        ys, rs = y[:, small], r[small]
        x = ys + rs
        d0[:, small] = gammaln(x) - gammaln(rs) - ys * np.log(rs)
        d1[:, small] = digamma(x) - digamma(rs)
        d2[:, small] = _trigamma(rs) - _trigamma(x)
    if not small.all():
        ys, rs = y[:, ~small], r[~small]
        x = ys + rs
        log_ratio = np.log1p(ys / rs)

        def inverse_power_difference(k: int) -> np.ndarray:
            return rs ** (-k) - x ** (-k)

        d0[:, ~small] = (
            (x - 0.5) * log_ratio
            - ys
            - ys / (12.0 * rs * x)
            + inverse_power_difference(3) / 360.0
            - inverse_power_difference(5) / 1260.0
        )
        d1[:, ~small] = (
            log_ratio
            + ys / (2.0 * rs * x)
            + ys * (2.0 * rs + ys) / (12.0 * (rs * x) ** 2)
            - inverse_power_difference(4) / 120.0
            + inverse_power_difference(6) / 252.0
        )
        d2[:, ~small] = (
            ys / (rs * x)
            + ys * (2.0 * rs + ys) / (2.0 * (rs * x) ** 2)
            + inverse_power_difference(3) / 6.0
            - inverse_power_difference(5) / 30.0
            + inverse_power_difference(7) / 42.0
        )
    return d0, d1, d2


def _pair_products(design_matrix: np.ndarray) -> np.ndarray:
    """Row-wise outer products of the design matrix, ``(n, p * p)``.

    ``weights.T @ pair_products`` is then the stack of ``X^T diag(w) X`` matrices of
    all genes (one BLAS product instead of one small product per gene).
    """
    n, p = design_matrix.shape
    return (design_matrix[:, :, None] * design_matrix[:, None, :]).reshape(n, p * p)


def _gram(pairs: np.ndarray, weights: np.ndarray, p: int) -> np.ndarray:
    """``X^T diag(w_g) X`` for every gene ``g`` (columns of ``weights``), ``(g, p, p)``."""
    return (weights.T @ pairs).reshape(-1, p, p)


def _nb_nll_mu_free(counts: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Terms of ``pydeseq2.utils.nb_nll`` that do not depend on ``mu``, per gene.

    Parameters
    ----------
    counts : ndarray
        ``(n, g)`` counts.
    alpha : ndarray
        ``(g,)`` dispersions.

    Returns
    -------
    ndarray
        ``(g,)`` values; add :func:`_nb_nll_mu_part` to get the negative log-likelihood.
    """
    alpha_neg1 = 1.0 / alpha
    logbinom = gammaln(counts + alpha_neg1) - gammaln(counts + 1.0) - gammaln(alpha_neg1)
    return counts.shape[0] * alpha_neg1 * np.log(alpha) - logbinom.sum(axis=0)


def _nb_nll_mu_part(counts: np.ndarray, mu: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Terms of ``pydeseq2.utils.nb_nll`` that depend on ``mu`` (``(n, g)``), per gene."""
    alpha_neg1 = 1.0 / alpha
    return ((counts + alpha_neg1) * np.log(alpha_neg1 + mu) - counts * np.log(mu)).sum(axis=0)


def _irls_chunk(
    counts: np.ndarray,
    size_factors: np.ndarray,
    design_matrix: np.ndarray,
    disp: np.ndarray,
    min_mu: float,
    beta_tol: float,
    max_beta: float,
    maxiter: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """IRLS of ``pydeseq2.utils.irls_solver`` for a chunk of genes.

    Returns
    -------
    beta : ndarray
        ``(g, p)`` coefficients.
    mu : ndarray
        ``(n, g)`` unthresholded fitted means.
    hat_diagonals : ndarray
        ``(n, g)`` diagonals of the hat matrix.
    diverged : ndarray
        ``(g,)`` genes whose IRLS diverged or hit ``maxiter``: pydeseq2 refits them
        with L-BFGS-B, the other outputs are meaningless for them.
    """
    group = one_factor.one_hot_groups(design_matrix)
    if group is not None:  # same iterations, O(K) linear algebra per gene
        return one_factor.irls_chunk(
            counts,
            size_factors,
            one_factor.Groups(group),
            disp,
            min_mu,
            beta_tol,
            max_beta,
            maxiter,
        )
    p = design_matrix.shape[1]
    pairs = _pair_products(design_matrix)
    sf = size_factors[:, None]
    ridge = np.diag(np.repeat(1e-6, p))
    if np.linalg.matrix_rank(design_matrix) == p:
        q, r = np.linalg.qr(design_matrix)
        beta = np.linalg.solve(r, q.T @ np.log(counts / sf + 0.1)).T
    else:
        beta = np.zeros((counts.shape[1], p))
        beta[:, 0] = np.log(counts / sf).mean(axis=0)
    mu = np.maximum(sf * np.exp(design_matrix @ beta.T), min_mu)
    nll_mu_free = _nb_nll_mu_free(counts, disp)
    dev = np.full(counts.shape[1], 1000.0)
    diverged = np.zeros(counts.shape[1], dtype=bool)
    active = np.arange(counts.shape[1])
    for iteration in range(1, maxiter + 1):
        y, m, a = counts[:, active], mu[:, active], disp[active]
        w = m / (1.0 + m * a)
        z = np.log(m / sf) + (y - m) / m
        lhs = _gram(pairs, w, p) + ridge
        beta_hat = np.linalg.solve(lhs, ((w * z).T @ design_matrix)[:, :, None])[:, :, 0]
        stop = (np.abs(beta_hat) > max_beta).any(axis=1) | (iteration >= maxiter)
        diverged[active[stop]] = True
        keep = ~stop
        active, beta_hat = active[keep], beta_hat[keep]
        beta[active] = beta_hat
        m = np.maximum(sf * np.exp(design_matrix @ beta_hat.T), min_mu)
        mu[:, active] = m
        old_dev = dev[active]
        new_dev = -2.0 * (nll_mu_free[active] + _nb_nll_mu_part(counts[:, active], m, disp[active]))
        dev[active] = new_dev
        active = active[np.abs(new_dev - old_dev) / (np.abs(new_dev) + 0.1) > beta_tol]
        if active.size == 0:
            break
    w = mu / (1.0 + mu * disp)
    inverse = np.linalg.inv(_gram(pairs, w, p) + ridge)
    hat = (inverse.reshape(-1, p * p) @ pairs.T).T * w
    return beta, sf * np.exp(design_matrix @ beta.T), hat, diverged


class _DispersionObjective:
    """Penalised negative log-likelihood of ``log(alpha)`` for a chunk of genes.

    The objective of ``pydeseq2.utils.fit_alpha_mle`` up to a per-gene constant:
    ``nb_nll(alpha) + 0.5 * logdet(X^T W X) [Cox-Reid] + (log(alpha) - log(alpha_hat))^2
    / (2 * prior_disp_var) [prior]``, with ``W = mu / (1 + mu * alpha)``, and its first
    two derivatives with respect to ``log(alpha)``.
    """

    def __init__(
        self,
        counts: np.ndarray,
        mu: np.ndarray,
        design_matrix: np.ndarray,
        log_alpha_hat: np.ndarray,
        prior_disp_var: float | None,
        cr_reg: bool,
    ) -> None:
        self.counts = counts
        self.mu = mu
        self.p = design_matrix.shape[1]
        group = one_factor.one_hot_groups(design_matrix)
        self.groups = None if group is None else one_factor.Groups(group)
        # the one-factor path needs no pair products (O(n p^2) memory)
        self.pairs = _pair_products(design_matrix) if self.groups is None else design_matrix
        self.log_alpha_hat = log_alpha_hat
        self.prior_disp_var = prior_disp_var
        self.cr_reg = cr_reg
        # what the value leaves out of pydeseq2's objective: it sets the scale of
        # L-BFGS-B's relative stopping rule, mirrored in _minimize_log_dispersion
        self.left_out = (gammaln(counts + 1.0) - counts * np.log(mu)).sum(axis=0)

    def __call__(
        self, log_alpha: np.ndarray, genes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Evaluate the objective for the given genes (indices into the chunk).

        Parameters
        ----------
        log_alpha : ndarray
            ``(k,)`` log dispersions.
        genes : ndarray
            ``(k,)`` gene indices.

        Returns
        -------
        value : ndarray
            ``(k,)`` objective.
        scale : ndarray
            ``(k,)`` magnitude of the terms summed into ``value`` (its rounding error
            is about ``scale`` times the machine epsilon).
        gradient, hessian : ndarray
            ``(k,)`` derivatives of the objective with respect to ``log(alpha)``.
        """
        y, mu = self.counts[:, genes], self.mu[:, genes]
        alpha = np.exp(log_alpha)
        r = 1.0 / alpha
        r_mu = r + mu
        log1p_mu_alpha = np.log1p(mu * alpha)
        d0, d1, d2 = _gamma_differences(y, r)
        # nb_nll without the terms that do not depend on alpha, written with the
        # differences above so that the large terms in r cancel analytically
        terms = (y + r) * log1p_mu_alpha
        value = (terms - d0).sum(axis=0)
        scale = (terms + np.abs(d0)).sum(axis=0) + np.abs(np.log(r)) * y.sum(axis=0)
        # derivatives with respect to r, then chain rule to log(alpha) = -log(r)
        d_r = (log1p_mu_alpha + (y - mu) / r_mu - d1).sum(axis=0)
        d2_r = (((mu - y) / r_mu - mu / r) / r_mu + d2).sum(axis=0)
        gradient = -r * d_r
        hessian = r * r * d2_r + r * d_r
        if self.cr_reg:
            # 0.5 * logdet(M) with M = X^T W X; dM/dt = X^T W' X, W' = dW/d(log alpha)
            w = r * mu / r_mu
            dw = -alpha * w * w
            d2w = dw * (1.0 - 2.0 * alpha * w)
            if self.groups is not None:  # one-factor design: sum of log group weights
                terms = one_factor.cox_reid_terms(self.groups, w, dw, d2w)
                value, gradient, hessian = value + terms[0], gradient + terms[1], hessian + terms[2]
            else:
                value, gradient, hessian = self._cox_reid(w, dw, d2w, value, gradient, hessian)
        if self.prior_disp_var is not None:
            delta = log_alpha - self.log_alpha_hat[genes]
            value += delta**2 / (2.0 * self.prior_disp_var)
            gradient += delta / self.prior_disp_var
            hessian += 1.0 / self.prior_disp_var
        return value, scale, gradient, hessian

    def _cox_reid(
        self,
        w: np.ndarray,
        dw: np.ndarray,
        d2w: np.ndarray,
        value: np.ndarray,
        gradient: np.ndarray,
        hessian: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Add ``0.5 * logdet(X^T W X)`` and its derivatives (general design)."""
        matrix, d_matrix, d2_matrix = np.split(
            _gram(self.pairs, np.concatenate([w, dw, d2w], axis=1), self.p), 3
        )
        inverse = np.linalg.inv(matrix)
        a = inverse @ d_matrix
        value = value + 0.5 * np.linalg.slogdet(matrix)[1]
        gradient = gradient + 0.5 * np.trace(a, axis1=1, axis2=2)
        hessian = hessian + 0.5 * (
            (inverse * d2_matrix).sum(axis=(1, 2)) - (a * a.transpose(0, 2, 1)).sum(axis=(1, 2))
        )
        return value, gradient, hessian


def _minimize_log_dispersion(
    objective: _DispersionObjective,
    start: np.ndarray,
    lower: float,
    upper: float,
    maxiter: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Bounded Newton minimisation of ``objective`` over ``log(alpha)`` for all genes.

    Each gene takes Newton steps (a fixed-length descent step where the objective is
    not convex), clipped to the bounds and backtracked until the objective decreases
    enough (Armijo, tolerating rounding noise).

    The stopping rules are those of scipy's L-BFGS-B, which pydeseq2 uses: a projected
    gradient below ``pgtol``, or a step that changed pydeseq2's objective by less than
    ``ftol`` relative to it. Where the optimum is interior, the last (Newton) step
    lands much closer to it than L-BFGS-B's; where the objective flattens out (towards
    ``alpha = 0``), both stop at about the same place. A gene whose objective is flat
    at the starting point keeps it, as with L-BFGS-B (whose first step is
    ``-gradient``, changing the objective by ~gradient^2) and DESeq2's line search:
    this leaves genes started at ``min_disp`` (method-of-moments estimate <= 0) there,
    even when the likelihood has an interior optimum.

    Returns
    -------
    log_alpha : ndarray
        ``(g,)`` estimates.
    converged : ndarray
        ``(g,)`` whether the gene converged (else: line search failure or ``maxiter``).
    """

    def small(change: np.ndarray, *values: np.ndarray) -> np.ndarray:
        # L-BFGS-B's relative reduction test, on pydeseq2's objective
        scale = np.maximum.reduce([np.abs(v) for v in values] + [np.ones_like(change)])
        return change <= _LBFGSB_FTOL * scale

    def projected_gradient(genes: np.ndarray) -> np.ndarray:
        at_bound = ((x[genes] <= lower) & (g[genes] > 0)) | ((x[genes] >= upper) & (g[genes] < 0))
        return np.where(at_bound, 0.0, g[genes])

    x = np.clip(start, lower, upper)
    state = list(objective(x, np.arange(x.size)))
    f, _, g, h = state
    converged = (np.abs(projected_gradient(np.arange(x.size))) <= _LBFGSB_PGTOL) | small(
        g * g, f + objective.left_out
    )
    failed = np.zeros(x.size, dtype=bool)
    active = np.flatnonzero(~converged)
    for _ in range(maxiter):
        if active.size == 0:
            break
        xa, ga, ha = x[active], g[active], h[active]
        newton = np.where(ha > 0, -ga / np.where(ha > 0, ha, 1.0), -np.sign(ga) * _MAX_LOG_STEP)
        step = np.clip(xa + np.clip(newton, -_MAX_LOG_STEP, _MAX_LOG_STEP), lower, upper) - xa
        before = f[active] + objective.left_out[active]
        stuck = backtrack(objective, x, state, active, step)
        failed[stuck] = True
        moved = ~np.isin(active, stuck)
        active, step, before = active[moved], step[moved], before[moved]
        after = f[active] + objective.left_out[active]
        done = (
            (np.abs(projected_gradient(active)) <= _LBFGSB_PGTOL)
            | small(before - after, before, after)
            | (np.abs(step) <= 1e-10)
        )
        converged[active[done]] = True
        active = active[~done]
    return x, converged & ~failed


class _ApeglmObjective:
    """Negative log-posterior of the apeGLM model of ``pydeseq2.utils.nbinomGLM``.

    ``-loglik(beta) + sum_{j != s} beta_j^2 / (2 * S0^2) + log1p((beta_s / S)^2)``, up
    to a per-gene constant (written with ``log1p(exp(.))`` so that large sizes do not
    lose precision), for a chunk of genes; ``s`` is the shrunken coefficient.
    """

    def __init__(
        self,
        counts: np.ndarray,
        size: np.ndarray,
        offset: np.ndarray,
        design_matrix: np.ndarray,
        prior_no_shrink_scale: float,
        prior_scale: float,
        shrink_index: int,
    ) -> None:
        self.counts = counts
        self.size = size
        self.shifted_offset = offset[:, None] - np.log(size)  # offset - log(size)
        self.design_matrix = design_matrix
        self.p = design_matrix.shape[1]
        self.pairs = _pair_products(design_matrix)
        self.prior_precision = np.full(self.p, 1.0 / prior_no_shrink_scale**2)
        self.prior_precision[shrink_index] = 0.0
        self.prior_scale = prior_scale
        self.shrink_index = shrink_index

    def __call__(
        self, beta: np.ndarray, genes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Evaluate the objective for the given genes (indices into the chunk).

        Parameters
        ----------
        beta : ndarray
            ``(k, p)`` coefficients.
        genes : ndarray
            ``(k,)`` gene indices.

        Returns
        -------
        value : ndarray
            ``(k,)`` objective.
        scale : ndarray
            ``(k,)`` magnitude of the terms summed into ``value``.
        gradient : ndarray
            ``(k, p)`` gradient.
        convex_hessian : ndarray
            ``(k, p, p)`` Hessian without the Cauchy prior's term (positive definite).
        shrink_curvature : ndarray
            ``(k,)`` second derivative of the Cauchy prior term (``h22`` of pydeseq2):
            the Hessian is ``convex_hessian`` plus it at ``[s, s]``.
        """
        y = self.counts[:, genes]
        y_size = y + self.size[genes]
        xbeta = self.design_matrix @ beta.T
        z = xbeta + self.shifted_offset[:, genes]
        b = beta[:, self.shrink_index]
        b2 = b * b
        s2 = self.prior_scale**2
        likelihood_terms = y_size * np.logaddexp(0.0, z)
        value = (likelihood_terms - y * xbeta).sum(axis=0)
        prior = 0.5 * (beta * beta) @ self.prior_precision + np.log1p(b2 / s2)
        scale = (likelihood_terms + np.abs(y * xbeta)).sum(axis=0) + prior
        value += prior
        prob = expit(z)
        gradient = (y_size * prob - y).T @ self.design_matrix + beta * self.prior_precision
        gradient[:, self.shrink_index] += 2.0 * b / (s2 + b2)
        convex_hessian = _gram(self.pairs, y_size * prob * (1.0 - prob), self.p)
        convex_hessian += np.diag(self.prior_precision)
        return value, scale, gradient, convex_hessian, 2.0 * (s2 - b2) / (s2 + b2) ** 2


def _minimize_apeglm(
    objective: _ApeglmObjective, start: np.ndarray, maxiter: int
) -> tuple[np.ndarray, np.ndarray]:
    """Newton minimisation of the apeGLM objective for all genes of a chunk.

    The Newton step uses the exact Hessian where it is positive definite and otherwise
    drops the (only non-convex) Cauchy prior term from it, so that it always descends;
    steps are capped and backtracked until the objective decreases enough
    (:func:`drugsig.diffexp._newton.damped_newton`, which also says when a gene has
    converged and what is returned).
    """
    s = objective.shrink_index

    def newton_step(state: list[np.ndarray], active: np.ndarray) -> np.ndarray:
        _, _, g, hess, h_shrink = (values[active] for values in state)
        inverse = np.linalg.inv(hess)
        u = (inverse @ g[:, :, None])[:, :, 0]
        a_ss = inverse[:, s, s]
        # exact Hessian (Sherman-Morrison on its [s, s] term) where positive definite
        h = np.where(1.0 + h_shrink * a_ss > 1e-8, h_shrink, 0.0)
        return -(u - (h * u[:, s] / (1.0 + h * a_ss))[:, None] * inverse[:, :, s])

    return damped_newton(objective, start, maxiter, newton_step)


_MODE_TOLERANCE = 1e-2  # candidates whose shrunken coefficients differ more: other modes


def _mle_start(
    counts: np.ndarray, size: np.ndarray, offset: np.ndarray, design_matrix: np.ndarray
) -> np.ndarray:
    """Maximum-likelihood coefficients (natural log scale), a start for the apeGLM fit.

    The IRLS of :func:`_irls_chunk` with the dispersions ``1 / size`` and the size
    factors ``exp(offset)``, i.e. the ``LFC`` of the ``DeseqDataSet`` (DESeq2's MLE,
    which DESeq2 passes to apeglm after converting it from log2 to natural log). Genes
    whose IRLS diverges keep IRLS's own starting point (least squares of
    ``log(normalized counts + 0.1)``), clipped to ``[-30, 30]``.

    Parameters
    ----------
    counts : ndarray
        ``(n, g)`` counts.
    size : ndarray
        ``(g,)`` NB sizes (inverse dispersions).
    offset : ndarray
        ``(n,)`` log size factors.
    design_matrix : ndarray
        ``(n, p)`` design matrix.

    Returns
    -------
    ndarray
        ``(g, p)`` coefficients.
    """
    size_factors = np.exp(offset)
    beta, _, _, diverged = _irls_chunk(
        counts, size_factors, design_matrix, 1.0 / size, 0.5, 1e-8, 30.0, 100
    )
    if diverged.any():
        normalized = np.log(counts[:, diverged] / size_factors[:, None] + 0.1)
        beta[diverged] = np.linalg.lstsq(design_matrix, normalized, rcond=None)[0].T
    return np.clip(beta, -30.0, 30.0)


def _apeglm_map(
    objective: _ApeglmObjective, starts: Sequence[np.ndarray], maxiter: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lowest of the local minima that Newton reaches from several starts, per gene.

    Along the shrunken coefficient ``b`` the profile of the objective (the other
    coefficients minimised out) is a convex negative log-likelihood plus the Cauchy
    term ``log1p((b / S)^2)``, which is convex for ``|b| < S`` and concave beyond: it
    has at most one local minimum inside ``[-S, S]`` and typically one more between
    ``S`` and the MLE. Starting from pydeseq2's point (``b = 0.1``, often inside
    ``[-S, S]``), Newton can stay in the inner basin while L-BFGS-B's first (gradient)
    step leaves it; starting from the MLE and from the MLE with ``b = 0`` puts one
    start in each basin, and the lowest objective is the MAP.

    Parameters
    ----------
    objective : _ApeglmObjective
        Objective of the chunk.
    starts : sequence of ndarray
        ``(g, p)`` starting points.
    maxiter : int
        Newton iterations per start.

    Returns
    -------
    beta : ndarray
        ``(g, p)`` the converged candidate with the lowest objective (the first start's
        result where none converged).
    converged : ndarray
        ``(g,)`` whether at least one candidate converged.
    multimodal : ndarray
        ``(g,)`` whether converged candidates differ in the shrunken coefficient by more
        than ``_MODE_TOLERANCE`` (the objective has several local minima there).
    """
    genes = np.arange(starts[0].shape[0])
    s = objective.shrink_index
    fits = [_minimize_apeglm(objective, start, maxiter) for start in starts]
    betas = np.stack([beta for beta, _ in fits])  # (c, g, p)
    ok = np.stack([converged for _, converged in fits])  # (c, g)
    values = np.stack([objective(beta, genes)[0] for beta in betas])
    values = np.where(ok & np.isfinite(values), values, np.inf)
    best = np.argmin(values, axis=0)
    beta = betas[best, genes]
    shrunk = np.where(ok, betas[:, :, s], np.nan)
    with np.errstate(invalid="ignore"):
        spread = np.nanmax(shrunk, axis=0) - np.nanmin(shrunk, axis=0)
    multimodal = np.asarray(np.nan_to_num(spread, nan=0.0) > _MODE_TOLERANCE)
    return beta, np.asarray(ok.any(axis=0)), multimodal


class VectorizedInference(DefaultInference):
    """pydeseq2 inference with the per-gene fits vectorised across genes.

    A drop-in replacement for :class:`~pydeseq2.default_inference.DefaultInference`
    (pass it as ``inference=`` to ``DeseqDataSet`` and ``DeseqStats``) giving the same
    estimates; see the module docstring for how each method is computed.

    Parameters
    ----------
    n_cpus : int, optional
        Threads to spread chunks of genes over; all cores if None.
    chunk_size : int
        Genes per chunk (bounds the memory of the intermediate arrays:
        about ``40 * samples * chunk_size`` doubles). (default: ``2048``).
    max_newton_iter : int
        Newton iterations before a gene falls back to pydeseq2's grid search.
        (default: ``100``).
    refit_multimodal : bool
        Whether genes whose apeGLM objective has several local minima (the Newton
        starts of :meth:`lfc_shrink_nbinom_glm` disagree) are also fitted with pydeseq2's
        ``nbinomGLM``, kept where its objective is lower. Off by default: on simulated
        data it never found a lower minimum and costs ~10-80 ms per such gene.
        (default: ``False``).
    apeglm_mode : {"map", "mle_side"}
        Which local minimum of a multimodal apeGLM objective to report: ``"map"``, the
        lowest (the MAP); ``"mle_side"``, the one Newton reaches from the MLE (the mode
        on the MLE's side, which pydeseq2's L-BFGS-B usually reports when the prior
        scale is small), the lowest candidate where that start did not converge.
        (default: ``"mle_side"``: like apeglm in R, which starts its optimiser at the
        MLE, it keeps shrunken values next to pydeseq2's and never collapses an effect
        the MLE supports into the spike of the prior at 0).
    one_factor_shrinkage : bool
        Whether :meth:`lfc_shrink_nbinom_glm` uses the exact one-factor fast path
        (:class:`drugsig.diffexp.one_factor.OneFactorShrinkage`) when the design is an
        intercept plus group indicators (a screen's ``~group``): the other groups are
        minimised out once per data set and shared by all contrasts, so K contrasts cost
        ~K times one two-group fit instead of ~K^4. Same objective, same minima
        (within ~1e-6). (default: ``True``).
    """

    def __init__(
        self,
        n_cpus: int | None = None,
        chunk_size: int = 2048,
        max_newton_iter: int = 100,
        refit_multimodal: bool = False,
        apeglm_mode: Literal["map", "mle_side"] = "mle_side",
        one_factor_shrinkage: bool = True,
    ) -> None:
        super().__init__(n_cpus=n_cpus)
        self.one_factor_shrinkage = one_factor_shrinkage
        self._wald_cache: tuple[list[np.ndarray], np.ndarray] | None = None
        self._screen: tuple[list[np.ndarray], float, list[one_factor.OneFactorShrinkage]] | None = (
            None
        )
        self.chunk_size = chunk_size
        self.max_newton_iter = max_newton_iter
        self.refit_multimodal = refit_multimodal
        self.apeglm_mode = apeglm_mode
        self.n_multimodal = 0  # genes with several apeGLM local minima, last shrinkage

    def _map_chunks(
        self, fit: Callable[[slice], Sequence[np.ndarray]], n_genes: int
    ) -> list[np.ndarray]:
        """Run ``fit`` on every chunk of genes and join the outputs along genes.

        ``fit`` returns arrays whose gene axis is the last one.
        """
        results = self._parallel(fit, self._chunks(n_genes))
        return [np.concatenate(parts, axis=-1) for parts in zip(*results, strict=True)]

    def _chunks(self, n_genes: int) -> list[slice]:
        """Consecutive blocks of at most ``chunk_size`` genes."""
        return [
            slice(start, min(start + self.chunk_size, n_genes))
            for start in range(0, n_genes, self.chunk_size)
        ]

    def _parallel(
        self, function: Callable[[_Item], _Result], items: Sequence[_Item]
    ) -> list[_Result]:
        """``[function(item) for item in items]``, spread over ``n_cpus`` threads."""
        # The BLAS products here are tiny: BLAS threads only add overhead.
        with threadpool_limits(limits=1, user_api="blas"):
            if self.n_cpus > 1 and len(items) > 1:
                with ThreadPoolExecutor(max_workers=min(self.n_cpus, len(items))) as pool:
                    return list(pool.map(function, items))
            return [function(item) for item in items]

    def lin_reg_mu(
        self,
        counts: np.ndarray,
        size_factors: np.ndarray,
        design_matrix: np.ndarray,
        min_mu: float,
    ) -> np.ndarray:
        """Compute initial means: least squares of the normalized counts on the design.

        See :meth:`pydeseq2.inference.Inference.lin_reg_mu`.
        """
        coefficients = np.linalg.lstsq(design_matrix, counts / size_factors[:, None], rcond=None)[0]
        return np.maximum(size_factors[:, None] * (design_matrix @ coefficients), min_mu)

    def irls(
        self,
        counts: np.ndarray,
        size_factors: np.ndarray,
        design_matrix: np.ndarray,
        disp: np.ndarray,
        min_mu: float,
        beta_tol: float,
        min_beta: float = -30,
        max_beta: float = 30,
        optimizer: Literal["BFGS", "L-BFGS-B"] = "L-BFGS-B",
        maxiter: int = 250,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Fit the negative binomial GLM of every gene (IRLS, L-BFGS-B fallback).

        See :meth:`pydeseq2.inference.Inference.irls`; ``min_beta`` and ``optimizer``
        only matter for genes refitted with pydeseq2's solver.
        """

        def fit(genes: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
            beta, mu, hat, diverged = _irls_chunk(
                counts[:, genes].astype(float),
                size_factors,
                design_matrix,
                disp[genes],
                min_mu,
                beta_tol,
                max_beta,
                maxiter,
            )
            return beta.T, mu, hat, diverged

        beta_t, mu, hat, diverged = self._map_chunks(fit, counts.shape[1])
        beta = beta_t.T
        converged = np.ones(counts.shape[1], dtype=bool)
        for gene in np.flatnonzero(diverged):
            beta[gene], mu[:, gene], hat[:, gene], converged[gene] = irls_solver(
                counts=counts[:, gene],
                size_factors=size_factors,
                design_matrix=design_matrix,
                disp=disp[gene],
                min_mu=min_mu,
                beta_tol=beta_tol,
                min_beta=min_beta,
                max_beta=max_beta,
                optimizer=optimizer,
                maxiter=maxiter,
            )
        return beta, mu, hat, converged

    def alpha_mle(
        self,
        counts: np.ndarray,
        design_matrix: np.ndarray,
        mu: np.ndarray,
        alpha_hat: np.ndarray,
        min_disp: float,
        max_disp: float,
        prior_disp_var: float | None = None,
        cr_reg: bool = True,
        prior_reg: bool = False,
        optimizer: Literal["BFGS", "L-BFGS-B"] = "L-BFGS-B",
    ) -> tuple[np.ndarray, np.ndarray]:
        """Estimate every gene's dispersion (bounded Newton on ``log(alpha)``).

        See :meth:`pydeseq2.inference.Inference.alpha_mle`. ``optimizer`` is ignored;
        ``converged`` is False for the genes estimated by grid search instead.
        """
        if prior_reg and prior_disp_var is None:
            raise ValueError("Sigma_prior is required for prior regularization")
        log_alpha_hat = np.log(alpha_hat)

        def fit(genes: slice) -> tuple[np.ndarray, np.ndarray]:
            objective = _DispersionObjective(
                counts[:, genes].astype(float),
                mu[:, genes],
                design_matrix,
                log_alpha_hat[genes],
                prior_disp_var if prior_reg else None,
                cr_reg,
            )
            return _minimize_log_dispersion(
                objective,
                log_alpha_hat[genes],
                np.log(min_disp),
                np.log(max_disp),
                self.max_newton_iter,
            )

        log_alpha, converged = self._map_chunks(fit, counts.shape[1])
        for gene in np.flatnonzero(~converged):
            log_alpha[gene] = grid_fit_alpha(
                counts[:, gene],
                design_matrix,
                mu[:, gene],
                alpha_hat[gene],
                min_disp,
                max_disp,
                prior_disp_var=prior_disp_var,
                cr_reg=cr_reg,
                prior_reg=prior_reg,
            )
        return np.exp(log_alpha), converged

    def wald_test(
        self,
        design_matrix: np.ndarray,
        disp: np.ndarray,
        lfc: np.ndarray,
        mu: np.ndarray,
        ridge_factor: np.ndarray,
        contrast: np.ndarray,
        lfc_null: np.ndarray,
        alt_hypothesis: AltHypothesis | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Wald test of ``contrast`` for every gene.

        See :meth:`pydeseq2.inference.Inference.wald_test`.
        """
        p = design_matrix.shape[1]
        contrast = np.asarray(contrast, dtype=float)  # DeseqStats passes a Series
        ridge = np.asarray(ridge_factor, dtype=float)
        group = one_factor.one_hot_groups(design_matrix)
        if group is not None and np.array_equal(ridge, np.diag(np.diag(ridge))):
            weight = self._wald_weights(group, design_matrix, disp, lfc, mu)

            def fit(genes: slice) -> tuple[np.ndarray]:
                return (one_factor.wald_se(weight[:, genes], np.diag(ridge), contrast),)

        else:
            pairs = _pair_products(design_matrix)

            def fit(genes: slice) -> tuple[np.ndarray]:
                m = mu[:, genes]
                matrix = _gram(pairs, m / (1.0 + m * disp[genes]), p)
                hc = np.linalg.inv(matrix + ridge) @ contrast
                return (np.sqrt(np.einsum("gi,gij,gj->g", hc, matrix, hc)),)

        (se,) = self._map_chunks(fit, mu.shape[1])
        stat, pval = _wald_statistic(lfc, se, contrast, lfc_null, alt_hypothesis)
        return pval, stat, se

    def _wald_weights(
        self,
        group: np.ndarray,
        design_matrix: np.ndarray,
        disp: np.ndarray,
        lfc: np.ndarray,
        mu: np.ndarray,
    ) -> np.ndarray:
        """Group weights of a one-factor design's Wald tests, cached across contrasts.

        pydeseq2 recomputes the same ``mu`` for every contrast of a model; the weights
        are reused while the design, coefficients, dispersions and the first and last
        samples' means are equal (``mu`` follows from them and the size factors).
        """
        key = [
            np.asarray(design_matrix, dtype=float),
            np.asarray(disp, dtype=float),
            np.asarray(lfc, dtype=float),
            mu[0],
            mu[-1],
        ]
        if self._wald_cache is not None and all(
            a.shape == b.shape and np.array_equal(a, b)
            for a, b in zip(key, self._wald_cache[0], strict=True)
        ):
            return self._wald_cache[1]
        groups = one_factor.Groups(group)
        (weight,) = self._map_chunks(
            lambda genes: (one_factor.group_weights(groups, mu[:, genes], disp[genes]),),
            mu.shape[1],
        )
        self._wald_cache = ([a.copy() for a in key], weight)
        return weight

    def lfc_shrink_nbinom_glm(
        self,
        design_matrix: np.ndarray,
        counts: np.ndarray,
        size: np.ndarray,
        offset: np.ndarray,
        prior_no_shrink_scale: float,
        prior_scale: float,
        optimizer: str,
        shrink_index: int,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """ApeGLM MAP coefficients of every gene (multi-start Newton, pydeseq2 fallback).

        See :meth:`pydeseq2.inference.Inference.lfc_shrink_nbinom_glm`. Newton runs from
        pydeseq2's start, the MLE and the MLE with the shrunken coefficient at 0; each
        gene keeps the lowest objective (:func:`_apeglm_map`). Genes where no start
        converged (and, with ``refit_multimodal``, those whose starts ended in
        different local minima) are also fitted with pydeseq2's ``nbinomGLM``
        (``optimizer`` is passed to it), whose result replaces a converged candidate
        only if its objective is lower.
        """
        group = one_factor.one_hot_groups(design_matrix) if self.one_factor_shrinkage else None
        if group is not None:
            return self._lfc_shrink_one_factor(
                group,
                design_matrix,
                counts,
                size,
                offset,
                prior_no_shrink_scale,
                prior_scale,
                optimizer,
                shrink_index,
            )
        return self._lfc_shrink_general(
            design_matrix,
            counts,
            size,
            offset,
            prior_no_shrink_scale,
            prior_scale,
            optimizer,
            shrink_index,
        )

    def _one_factor_blocks(
        self,
        group: np.ndarray,
        design_matrix: np.ndarray,
        counts: np.ndarray,
        size: np.ndarray,
        offset: np.ndarray,
        prior_no_shrink_scale: float,
    ) -> list[one_factor.OneFactorShrinkage]:
        """Build (or reuse) the shared part of the one-factor shrinkage, per block of genes.

        pydeseq2 calls :meth:`lfc_shrink_nbinom_glm` once per contrast with the same
        counts, sizes, offsets and design: the blocks built for the first call are reused
        as long as these are equal.
        """
        key = [np.asarray(design_matrix), np.asarray(counts), np.asarray(size), np.asarray(offset)]
        if self._screen is not None:
            cached, scale, blocks = self._screen
            if scale == prior_no_shrink_scale and all(
                a.shape == b.shape and np.array_equal(a, b)
                for a, b in zip(key, cached, strict=True)
            ):
                return blocks
        groups = one_factor.Groups(group)

        def build(genes: slice) -> one_factor.OneFactorShrinkage:
            chunk_counts = counts[:, genes].astype(float)
            return one_factor.OneFactorShrinkage(
                chunk_counts,
                size[genes],
                offset,
                groups,
                prior_no_shrink_scale,
                _mle_start(chunk_counts, size[genes], offset, design_matrix),
            )

        # per contrast, a block's arrays are small (reference and one group): fewer,
        # larger blocks (one per thread) cut the Python overhead of the Newton loops
        n_genes = counts.shape[1]
        block = max(self.chunk_size, -(-n_genes // max(self.n_cpus, 1)))
        blocks = self._parallel(
            build, [slice(start, min(start + block, n_genes)) for start in range(0, n_genes, block)]
        )
        self._screen = ([a.copy() for a in key], prior_no_shrink_scale, blocks)
        return blocks

    def _lfc_shrink_one_factor(
        self,
        group: np.ndarray,
        design_matrix: np.ndarray,
        counts: np.ndarray,
        size: np.ndarray,
        offset: np.ndarray,
        prior_no_shrink_scale: float,
        prior_scale: float,
        optimizer: str,
        shrink_index: int,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`lfc_shrink_nbinom_glm` for a one-factor design (the screens' fast path).

        Returns the coefficients (see :meth:`OneFactorShrinkage.fit`) and, as inverse
        Hessians (unless genes were refitted and the ``(g, p, p)`` array is small: then a
        copy holding the refitted genes' full matrices), a read-only
        ``(g, p, p)`` broadcast view whose entries all hold pydeseq2's ``[s, s]`` entry
        (the only one pydeseq2 reads). Genes where no Newton start converged are
        refitted on the full design (:meth:`_lfc_shrink_general`).
        """
        n_genes, p = counts.shape[1], design_matrix.shape[1]
        blocks = self._one_factor_blocks(
            group, design_matrix, counts, size, offset, prior_no_shrink_scale
        )
        results = self._parallel(
            lambda block: block.fit(
                shrink_index, prior_scale, self.apeglm_mode, self.max_newton_iter
            ),
            blocks,
        )
        beta, se, converged, multimodal = (
            np.concatenate(parts) for parts in zip(*results, strict=True)
        )
        variance = se * se
        n_multimodal = int(multimodal.sum())
        refit = np.flatnonzero(~converged | (multimodal if self.refit_multimodal else False))
        if refit.size:
            full, inverse, refit_converged = self._lfc_shrink_general(
                design_matrix,
                counts[:, refit],
                size[refit],
                offset,
                prior_no_shrink_scale,
                prior_scale,
                optimizer,
                shrink_index,
            )
            beta[refit], converged[refit] = full, refit_converged
            variance[refit] = inverse[:, shrink_index, shrink_index]
        self.n_multimodal = n_multimodal
        inverses = np.broadcast_to(variance[:, None, None], (n_genes, p, p))
        if refit.size and n_genes * p * p <= _MAX_DENSE_INVERSES:
            inverses = inverses.copy()  # small enough: the refitted genes' full matrices
            inverses[refit] = inverse
        return beta, inverses, converged

    def _lfc_shrink_general(
        self,
        design_matrix: np.ndarray,
        counts: np.ndarray,
        size: np.ndarray,
        offset: np.ndarray,
        prior_no_shrink_scale: float,
        prior_scale: float,
        optimizer: str,
        shrink_index: int,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`lfc_shrink_nbinom_glm` on the full design (any design)."""
        p = design_matrix.shape[1]
        start = np.ones(p) * 0.1 * (-1) ** np.arange(p)  # pydeseq2's starting point

        def fit(genes: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
            chunk_counts = counts[:, genes].astype(float)
            objective = _ApeglmObjective(
                chunk_counts,
                size[genes],
                offset,
                design_matrix,
                prior_no_shrink_scale,
                prior_scale,
                shrink_index,
            )
            mle = _mle_start(chunk_counts, size[genes], offset, design_matrix)
            mle_at_zero = mle.copy()
            mle_at_zero[:, shrink_index] = 0.0
            beta, converged, multimodal = _apeglm_map(
                objective,
                [np.tile(start, (mle.shape[0], 1)), mle, mle_at_zero],
                self.max_newton_iter,
            )
            if self.apeglm_mode == "mle_side":
                from_mle, ok = _minimize_apeglm(objective, mle, self.max_newton_iter)
                beta[ok] = from_mle[ok]
            return (beta.T, *_pydeseq2_inverse_hessian(objective, beta), converged, multimodal)

        beta_t, inverse_t, converged, multimodal = self._map_chunks(fit, counts.shape[1])
        beta, inverse = beta_t.T, inverse_t.transpose(2, 0, 1)

        def value(gene: int | np.integer, coefficients: np.ndarray) -> float:
            return float(
                nbinomFn(
                    coefficients,
                    design_matrix,
                    counts[:, gene],
                    size[gene],
                    offset,
                    prior_no_shrink_scale,
                    prior_scale,
                    shrink_index,
                )
            )

        self.n_multimodal = int(multimodal.sum())
        refit = ~converged | (multimodal if self.refit_multimodal else False)
        for gene in np.flatnonzero(refit):
            fallback, fallback_inverse, fallback_converged = nbinomGLM(
                design_matrix=design_matrix,
                counts=counts[:, gene],
                size=size[gene],
                offset=offset,
                prior_no_shrink_scale=prior_no_shrink_scale,
                prior_scale=prior_scale,
                optimizer=optimizer,
                shrink_index=shrink_index,
            )
            if not converged[gene] or value(gene, fallback) < value(gene, beta[gene]):
                beta[gene], inverse[gene] = fallback, fallback_inverse
                converged[gene] = fallback_converged
        return beta, inverse, converged


def _pydeseq2_inverse_hessian(objective: _ApeglmObjective, beta: np.ndarray) -> tuple[np.ndarray]:
    """Inverse Hessian that pydeseq2's ``nbinomGLM`` reports, ``(p, p, g)``.

    pydeseq2 adds the prior's Hessian diagonal to every row of the likelihood's
    Hessian (``np.diag`` applied twice); the standard errors it reports come from that
    matrix, so it is reproduced here.

    Parameters
    ----------
    objective : _ApeglmObjective
        Objective of the chunk.
    beta : ndarray
        ``(g, p)`` coefficients.

    Returns
    -------
    tuple of ndarray
        The ``(p, p, g)`` inverse matrices (genes last, for ``_map_chunks``).
    """
    _, _, _, convex_hessian, h_shrink = objective(beta, np.arange(beta.shape[0]))
    prior_diag = np.tile(objective.prior_precision, (beta.shape[0], 1))
    prior_diag[:, objective.shrink_index] = h_shrink
    likelihood_hessian = convex_hessian - np.diag(objective.prior_precision)
    inverse = np.linalg.inv(likelihood_hessian + prior_diag[:, None, :])
    return (inverse.transpose(1, 2, 0),)


def _wald_statistic(
    lfc: np.ndarray,
    se: np.ndarray,
    contrast: np.ndarray,
    lfc_null: np.ndarray | float,
    alt_hypothesis: AltHypothesis | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Wald statistics and p-values of ``pydeseq2.utils.wald_test``, for all genes.

    Parameters
    ----------
    lfc : ndarray
        ``(g, p)`` coefficients (natural log scale).
    se : ndarray
        ``(g,)`` standard errors of the contrast.
    contrast : ndarray
        ``(p,)`` contrast vector.
    lfc_null : ndarray or float
        Coefficient under the null hypothesis (natural log scale).
    alt_hypothesis : str, optional
        ``None`` (two-sided), ``"greaterAbs"``, ``"lessAbs"``, ``"greater"``, ``"less"``.

    Returns
    -------
    stat, pvalue : ndarray
        ``(g,)`` Wald statistics and p-values.
    """
    se_col = se[:, None]

    def greater(null: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        stat = np.fmax((lfc - null) / se_col, 0) @ contrast
        return stat, norm.sf(stat)

    def less(null: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        stat = np.fmin((lfc - null) / se_col, 0) @ contrast
        return stat, norm.sf(np.abs(stat))

    if alt_hypothesis is None:
        stat = (lfc - lfc_null) @ contrast / se
        return stat, 2 * norm.sf(np.abs(stat))
    if alt_hypothesis == "greater":
        return greater(lfc_null)
    if alt_hypothesis == "less":
        return less(lfc_null)
    if alt_hypothesis == "greaterAbs":
        stat = (np.sign(lfc) * np.fmax((np.abs(lfc) - lfc_null) / se_col, 0)) @ contrast
        return stat, 2 * norm.sf(np.abs(stat))
    stat_above, pval_above = greater(-np.abs(lfc_null))
    stat_below, pval_below = less(np.abs(lfc_null))
    stat = np.where(np.abs(stat_below) < np.abs(stat_above), stat_below, stat_above)
    return stat, np.maximum(pval_above, pval_below)
