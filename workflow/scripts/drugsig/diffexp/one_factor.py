"""Exact fast paths of :class:`~drugsig.diffexp.inference.VectorizedInference` for screens.

A screen is fitted with a *one-factor* design ``~group``: an intercept (the reference
group, e.g. DMSO) and one indicator column per other group (compound), every sample in
at most one of them. pydeseq2's per-gene linear algebra is dense in the ``p = K + 1``
coefficients (``O(n p^2 + p^3)`` per gene and iteration, for each of the K contrasts),
but for this design every matrix it forms is an *arrowhead*: ``X^T W X = A^T D A`` with
``D`` the per-group sums of the weights and ``A`` unit triangular (group mean = intercept
+ coefficient). This module evaluates the same quantities in ``O(n + K)`` per gene:

* IRLS (:func:`irls_chunk`): the ridge-regularised normal equations and the hat
  diagonals, by a Schur complement on the intercept.
* Cox-Reid adjustment of the dispersion fits (:func:`cox_reid_terms`):
  ``logdet(X^T W X) = sum_g log W_g`` and its derivatives.
* Wald standard errors (:func:`wald_se`).
* apeGLM shrinkage (:class:`OneFactorShrinkage`). pydeseq2's objective for the
  coefficient ``s`` is the NB likelihood plus a N(0, 15^2) prior on every coefficient
  but ``s`` (intercept included) plus the Cauchy term on ``b_s``. A group ``j`` other
  than the reference and ``s`` enters only through its coefficient, which can be
  minimised out: it contributes the Moreau envelope
  ``f_j(b0) = min_c [N_j(c) + (c - b0)^2 / (2 * 15^2)]`` of its NB likelihood ``N_j``
  (``c``: the group's log mean), a smooth function of the intercept alone. The sum
  ``F(b0) = sum_j f_j(b0)`` over all groups is computed once per gene (exactly, at
  Chebyshev nodes around the reference group's log mean, then interpolated) and shared by
  the K contrasts; contrast ``s`` minimises over ``(b0, b_s)`` only
  ``N_0(b0) + b0^2 / (2 * 15^2) + F(b0) - f_s(b0) + N_s(b0 + b_s) + log1p((b_s / S)^2)``
  (``f_s`` exactly), which is pydeseq2's objective with the other coefficients at their
  optimum: same minima, same values. Genes whose intercept ends outside the
  interpolation interval are refitted with ``F`` evaluated exactly. The standard error
  pydeseq2 reports (its inverse Hessian, with the prior's curvature added to every row)
  follows from Sherman-Morrison on the arrowhead inverse; it needs
  ``sum_j 1 / N_j''`` over the other groups, interpolated the same way.

Each contrast then costs ``O(samples of the reference and group s)`` per gene, so the
K contrasts of a screen cost ``O(n + K * n_s)`` per gene instead of ``O(K * n * K^2)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.polynomial import chebyshev
from scipy.special import expit

from drugsig.diffexp._newton import damped_newton

_RIDGE = 1e-6  # pydeseq2's IRLS ridge
_NODES = 14  # Chebyshev nodes of the envelope interpolation
_HALF_WIDTH = 3.0  # half width of the interpolation interval (natural log)
_INNER_TOL = 1e-12  # convergence of the inner (group log mean) Newton iterations
_INNER_MAXITER = 100
_MAX_INNER_STEP = 2.0
_DECREMENT_TOL = 1e-16  # relative to the objective's scale: Newton steps are cheap here
_PREDICTION_RADIUS = 0.25  # intercept shift beyond which other coefficients get a Newton step


def one_hot_groups(design_matrix: np.ndarray) -> np.ndarray | None:
    """Group of each sample if the design is an intercept plus group indicators.

    Parameters
    ----------
    design_matrix : ndarray
        ``(n, p)`` design matrix.

    Returns
    -------
    ndarray or None
        ``(n,)`` integer group (``0``: the reference, rows with only the intercept;
        ``j``: rows with column ``j`` set), or None if the design is not of that form
        (covariates, a column without samples, ``p < 2``).
    """
    x = np.asarray(design_matrix, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2 or not np.all(x[:, 0] == 1.0):
        return None
    rest = x[:, 1:]
    if not np.all((rest == 0.0) | (rest == 1.0)) or np.any(rest.sum(axis=1) > 1.0):
        return None
    if np.any(rest.sum(axis=0) == 0.0) or np.all(rest.sum(axis=1) == 1.0):
        return None  # empty group or no reference sample: not full rank
    group = np.zeros(x.shape[0], dtype=int)
    rows, columns = np.nonzero(rest)
    group[rows] = columns + 1
    return group


class Groups:
    """Per-group sums over the samples of a one-factor design.

    Parameters
    ----------
    group : ndarray
        ``(n,)`` group of each sample, ``0..K``, as from :func:`one_hot_groups`.
    """

    def __init__(self, group: np.ndarray) -> None:
        self.group = group
        self.n_groups = int(group.max()) + 1
        self.order = np.argsort(group, kind="stable")
        self.starts = np.searchsorted(group[self.order], np.arange(self.n_groups))

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Sum ``(n, g)`` per-sample values over each group: ``(K + 1, g)``."""
        return np.add.reduceat(values[self.order], self.starts, axis=0)


def _arrowhead_solve(
    weight: np.ndarray, rhs: np.ndarray, ridge: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``(A^T D A + diag(ridge)) v = rhs`` for every gene.

    ``A^T D A`` is ``X^T W X`` of a one-factor design: ``[0, 0]`` entry ``sum_g W_g``,
    ``[0, j] = [j, 0] = [j, j] = W_j``.

    Parameters
    ----------
    weight : ndarray
        ``(K + 1, g)`` group weights ``W``.
    rhs : ndarray
        ``(K + 1, g)`` right-hand sides.
    ridge : ndarray
        ``(K + 1,)`` ridge added to the diagonal.

    Returns
    -------
    solution : ndarray
        ``(K + 1, g)``.
    schur : ndarray
        ``(g,)`` Schur complement of the intercept (``1 / [H^-1]_00``).
    """
    w, r = weight[1:], ridge[1:, None]
    d = w + r
    # H00 - sum_j W_j^2 / d_j, written without cancellation
    schur = weight[0] + ridge[0] + (w * r / d).sum(axis=0)
    v0 = (rhs[0] - (w * rhs[1:] / d).sum(axis=0)) / schur
    solution = np.empty_like(rhs)
    solution[0] = v0
    solution[1:] = (rhs[1:] - w * v0) / d
    return solution, schur


def irls_chunk(
    counts: np.ndarray,
    size_factors: np.ndarray,
    groups: Groups,
    disp: np.ndarray,
    min_mu: float,
    beta_tol: float,
    max_beta: float,
    maxiter: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """IRLS of :func:`drugsig.diffexp.inference._irls_chunk` for a one-factor design.

    The same iterations, start, ridge, stopping rule and outputs; the linear systems
    are solved in ``O(K)`` per gene.
    """
    n_genes = counts.shape[1]
    k = groups.n_groups
    group = groups.group
    sf = size_factors[:, None]
    sizes = np.bincount(group, minlength=k)[:, None]
    ridge = np.full(k, _RIDGE)

    def linear_predictor(beta: np.ndarray) -> np.ndarray:  # beta (g, K + 1) -> (n, g)
        coefficient = np.concatenate([np.zeros((beta.shape[0], 1)), beta[:, 1:]], axis=1)
        return beta[:, 0][None, :] + coefficient[:, group].T

    means = groups.sum(np.log(counts / sf + 0.1)) / sizes  # least squares start
    beta = np.empty((n_genes, k))
    beta[:, 0] = means[0]
    beta[:, 1:] = (means[1:] - means[0]).T
    mu = np.maximum(sf * np.exp(linear_predictor(beta)), min_mu)
    from drugsig.diffexp.inference import _nb_nll_mu_free, _nb_nll_mu_part

    nll_mu_free = _nb_nll_mu_free(counts, disp)
    dev = np.full(n_genes, 1000.0)
    diverged = np.zeros(n_genes, dtype=bool)
    active = np.arange(n_genes)
    for iteration in range(1, maxiter + 1):
        y, m, a = counts[:, active], mu[:, active], disp[active]
        w = m / (1.0 + m * a)
        z = np.log(m / sf) + (y - m) / m
        wz = groups.sum(w * z)
        rhs = wz.copy()
        rhs[0] = wz.sum(axis=0)
        solution, _ = _arrowhead_solve(groups.sum(w), rhs, ridge)
        beta_hat = solution.T
        stop = (np.abs(beta_hat) > max_beta).any(axis=1) | (iteration >= maxiter)
        diverged[active[stop]] = True
        keep = ~stop
        active, beta_hat = active[keep], beta_hat[keep]
        beta[active] = beta_hat
        m = np.maximum(sf * np.exp(linear_predictor(beta_hat)), min_mu)
        mu[:, active] = m
        old_dev = dev[active]
        new_dev = -2.0 * (nll_mu_free[active] + _nb_nll_mu_part(counts[:, active], m, disp[active]))
        dev[active] = new_dev
        active = active[np.abs(new_dev - old_dev) / (np.abs(new_dev) + 0.1) > beta_tol]
        if active.size == 0:
            break
    w = mu / (1.0 + mu * disp)
    weight = groups.sum(w)
    d = weight[1:] + _RIDGE
    schur = weight[0] + _RIDGE + (weight[1:] * _RIDGE / d).sum(axis=0)
    # x_i^T H^-1 x_i: 1 / schur (reference), 1 / d_j + (ridge / d_j)^2 / schur (group j)
    leverage = np.concatenate([(1.0 / schur)[None, :], 1.0 / d + (_RIDGE / d) ** 2 / schur], axis=0)
    hat = leverage[group] * w
    return beta, sf * np.exp(linear_predictor(beta)), hat, diverged


def cox_reid_terms(
    groups: Groups, w: np.ndarray, dw: np.ndarray, d2w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``0.5 * logdet(X^T W X)`` and its first two derivatives, one-factor design.

    ``X^T W X = A^T D A`` with ``det A = 1``, so the log determinant is
    ``sum_g log W_g`` (``W_g``: the group sums of the weights).

    Parameters
    ----------
    groups : Groups
        The design's groups.
    w, dw, d2w : ndarray
        ``(n, k)`` weights and their first two derivatives (with respect to
        ``log(alpha)``).

    Returns
    -------
    value, gradient, hessian : ndarray
        ``(k,)`` each.
    """
    weight, d_weight, d2_weight = groups.sum(w), groups.sum(dw), groups.sum(d2w)
    ratio = d_weight / weight
    return (
        0.5 * np.log(weight).sum(axis=0),
        0.5 * ratio.sum(axis=0),
        0.5 * (d2_weight / weight - ratio * ratio).sum(axis=0),
    )


def group_weights(groups: Groups, mu: np.ndarray, disp: np.ndarray) -> np.ndarray:
    """Group sums ``W_g`` of the NB weights ``mu / (1 + mu * disp)``: ``(K + 1, g)``."""
    return groups.sum(mu / (1.0 + mu * disp))


def wald_se(weight: np.ndarray, ridge: np.ndarray, contrast: np.ndarray) -> np.ndarray:
    """Wald standard error of ``contrast``: ``sqrt(c^T H^-1 M H^-1 c)``, one-factor design.

    ``M = X^T W X``, ``H = M + diag(ridge)``, as in pydeseq2's ``wald_test``.

    Parameters
    ----------
    weight : ndarray
        ``(K + 1, g)`` group weights (:func:`group_weights`).
    ridge : ndarray
        ``(p,)`` diagonal of the ridge matrix.
    contrast : ndarray
        ``(p,)`` contrast vector.

    Returns
    -------
    ndarray
        ``(g,)`` standard errors.
    """
    rhs = np.broadcast_to(contrast[:, None], weight.shape)
    v, _ = _arrowhead_solve(weight, rhs, ridge)
    # v^T A^T D A v = sum_g W_g (group mean of v)^2
    return np.sqrt(weight[0] * v[0] ** 2 + (weight[1:] * (v[0] + v[1:]) ** 2).sum(axis=0))


class _GroupLikelihood:
    """NB negative log-likelihood ``N(c)`` of a group's samples, a function of its log mean.

    ``N(c) = sum_i (y_i + r) log(1 + exp(o_i - log r + c)) - y_i c`` (pydeseq2's apeGLM
    likelihood up to constants), for a block of genes.

    Parameters
    ----------
    counts : ndarray
        ``(m, g)`` counts of the group's samples.
    shifted_offset : ndarray
        ``(m, g)`` ``log(size factor) - log(size)``.
    size : ndarray
        ``(g,)`` NB sizes.
    """

    def __init__(self, counts: np.ndarray, shifted_offset: np.ndarray, size: np.ndarray) -> None:
        self.counts = counts
        self.y_size = counts + size
        self.shifted_offset = shifted_offset

    def __call__(
        self, log_mean: np.ndarray, genes: np.ndarray | slice = slice(None)
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Value, its term magnitude, first and second derivative at ``log_mean`` ``(k,)``."""
        y, y_size = self.counts[:, genes], self.y_size[:, genes]
        z = log_mean + self.shifted_offset[:, genes]
        terms = y_size * np.logaddexp(0.0, z)
        linear = y * log_mean
        prob = expit(z)
        return (
            (terms - linear).sum(axis=0),
            (terms + np.abs(linear)).sum(axis=0),
            (y_size * prob - y).sum(axis=0),
            (y_size * prob * (1.0 - prob)).sum(axis=0),
        )


def _envelopes(
    y: np.ndarray,
    shifted_offset: np.ndarray,
    size: np.ndarray,
    member: np.ndarray,
    intercept: np.ndarray,
    start: np.ndarray,
    precision: float,
) -> tuple[np.ndarray, ...]:
    """Moreau envelopes of the NB likelihoods of several groups at given intercepts.

    For each gene and group ``j``, solves ``min_c N_j(c) + precision * (c - b0)^2 / 2``
    by Newton's method (the function is strictly convex; steps are capped).

    Parameters
    ----------
    y, shifted_offset : ndarray
        ``(m, g)`` counts and ``log(size factor) - log(size)`` of the groups' samples,
        sorted by group.
    size : ndarray
        ``(g,)`` NB sizes.
    member : ndarray
        ``(m,)`` group of each row, ``0..J-1``, non-decreasing.
    intercept : ndarray
        ``(g,)`` intercepts ``b0``.
    start : ndarray
        ``(J, g)`` starting log means.
    precision : float
        ``1 / 15^2``.

    Returns
    -------
    value, gradient, curvature, inverse_weight, scale : ndarray
        ``(g,)`` sums over the groups of ``f_j``, ``f_j'``, ``f_j''`` and
        ``1 / N_j''`` at the optimum, and of the magnitude of the terms of ``f_j``.
    log_mean : ndarray
        ``(J, g)`` the optimal log means (warm starts for nearby intercepts).
    """
    row_starts = np.searchsorted(member, np.arange(start.shape[0]))
    y_size = y + size

    def derivatives(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        prob = expit(c[member] + shifted_offset)
        return (
            np.add.reduceat(y_size * prob - y, row_starts, axis=0),
            np.add.reduceat(y_size * prob * (1.0 - prob), row_starts, axis=0),
        )

    c = start.copy()
    for _ in range(_INNER_MAXITER):
        gradient, hessian = derivatives(c)
        gradient += precision * (c - intercept)
        step = np.clip(-gradient / (hessian + precision), -_MAX_INNER_STEP, _MAX_INNER_STEP)
        c += step
        if np.all(np.abs(step) <= _INNER_TOL * np.maximum(1.0, np.abs(c))):
            break
    z = c[member] + shifted_offset
    terms = np.add.reduceat(y_size * np.logaddexp(0.0, z), row_starts, axis=0)
    linear = np.add.reduceat(y, row_starts, axis=0) * c
    _, weight = derivatives(c)
    penalty = 0.5 * precision * (c - intercept) ** 2
    value = (terms - linear + penalty).sum(axis=0)
    scale = (terms + np.abs(linear) + penalty).sum(axis=0)
    gradient = (precision * (intercept - c)).sum(axis=0)
    curvature = (precision * weight / (weight + precision)).sum(axis=0)
    inverse_weight = (1.0 / weight).sum(axis=0)
    return value, gradient, curvature, inverse_weight, scale, c


def _inner_newton(
    y: np.ndarray,
    shifted_offset: np.ndarray,
    size: np.ndarray,
    member: np.ndarray,
    intercept: np.ndarray,
    start: np.ndarray,
    precision: float,
    maxiter: int,
    weights: bool = True,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Newton iterations of :func:`_envelopes` only: the optimal log means and ``N_j''``.

    Returns
    -------
    log_mean, weight : ndarray
        ``(J, g)`` after at most ``maxiter`` iterations, and ``N_j''`` at them (None
        unless ``weights``).
    """
    row_starts = np.searchsorted(member, np.arange(start.shape[0]))
    y_size = y + size
    c = start.copy()
    for _ in range(maxiter):
        prob = expit(c[member] + shifted_offset)
        gradient = np.add.reduceat(y_size * prob - y, row_starts, axis=0)
        hessian = np.add.reduceat(y_size * prob * (1.0 - prob), row_starts, axis=0)
        gradient += precision * (c - intercept)
        step = np.clip(-gradient / (hessian + precision), -_MAX_INNER_STEP, _MAX_INNER_STEP)
        c += step
        if np.all(np.abs(step) <= _INNER_TOL * np.maximum(1.0, np.abs(c))):
            break
    if not weights:
        return c, None
    prob = expit(c[member] + shifted_offset)
    return c, np.add.reduceat(y_size * prob * (1.0 - prob), row_starts, axis=0)


class OneFactorShrinkage:
    """apeGLM shrinkage of every coefficient of a one-factor model, sharing the envelope.

    Built once per data set (counts, sizes, offsets, design, prior scale of the
    unshrunken coefficients) for a block of genes; :meth:`fit` then shrinks one
    coefficient in ``O(samples of the reference and that group)`` per gene.

    Parameters
    ----------
    counts : ndarray
        ``(n, g)`` counts.
    size : ndarray
        ``(g,)`` NB sizes (``1 / dispersion``).
    offset : ndarray
        ``(n,)`` log size factors.
    groups : Groups
        The design's groups.
    prior_no_shrink_scale : float
        Scale of the normal prior of the unshrunken coefficients.
    mle : ndarray
        ``(g, K + 1)`` maximum-likelihood coefficients (Newton starts).
    """

    def __init__(
        self,
        counts: np.ndarray,
        size: np.ndarray,
        offset: np.ndarray,
        groups: Groups,
        prior_no_shrink_scale: float,
        mle: np.ndarray,
    ) -> None:
        self.counts = counts
        self.size = size
        self.shifted_offset = offset[:, None] - np.log(size)[None, :]
        self.groups = groups
        self.precision = 1.0 / prior_no_shrink_scale**2
        self.mle = mle
        # the non-reference groups' samples, sorted by group
        self.rows = groups.order[groups.starts[1] :]
        self.member = groups.group[self.rows] - 1
        # interpolation interval: around the reference group's log mean
        self.center = np.clip(mle[:, 0], -25.0, 25.0)
        self.group_start = np.clip(mle[:, 0][None, :] + mle[:, 1:].T, -30.0, 30.0)
        nodes = np.cos(np.pi * (np.arange(_NODES) + 0.5) / _NODES)[::-1]  # ascending
        values, gradients, inverse_weights, scales = [], [], [], []
        y, shifted = counts[self.rows], self.shifted_offset[self.rows]
        self.row_counts, self.row_shifted_offset = y, shifted
        start = self.group_start
        for node in nodes:
            value, gradient, _, inverse_weight, scale, start = _envelopes(
                y,
                shifted,
                size,
                self.member,
                self.center + _HALF_WIDTH * node,
                start,
                self.precision,
            )
            values.append(value)
            gradients.append(gradient)
            inverse_weights.append(inverse_weight)
            scales.append(scale)
        # log means c at the center and their first two derivatives with respect to the
        # intercept, from which the other groups' coefficients at a contrast's intercept
        # are predicted: c' = 1 / (1 + 15^2 N''), c'' = -15^2 N''' c'^3
        self.center_log_mean, _ = _inner_newton(
            y, shifted, size, self.member, self.center, self.group_start, self.precision, 100
        )
        prob = expit(self.center_log_mean[self.member] + shifted)
        curvature = (y + size) * prob * (1.0 - prob)
        row_starts = np.searchsorted(self.member, np.arange(groups.n_groups - 1))
        weight = np.add.reduceat(curvature, row_starts, axis=0)
        third = np.add.reduceat(curvature * (1.0 - 2.0 * prob), row_starts, axis=0)
        self.slope = self.precision / (self.precision + weight)
        self.slope2 = -third * self.slope**3 / self.precision
        degree = _NODES - 1
        # F' interpolated (in the scaled variable x: dF/dx = R F'), F by integration
        self.gradient_coef = chebyshev.chebfit(nodes, np.array(gradients) * _HALF_WIDTH, degree)
        value_coef = chebyshev.chebint(self.gradient_coef)
        shift = np.array(values) - chebyshev.chebval(nodes, value_coef).T
        value_coef[0] += shift.mean(axis=0)
        self.value_coef = value_coef
        self.curvature_coef = chebyshev.chebder(self.gradient_coef)
        self.inverse_weight_coef = chebyshev.chebfit(nodes, np.array(inverse_weights), degree)
        self.scale = np.max(scales, axis=0)

    def envelope(
        self, intercept: np.ndarray, genes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Interpolated ``F``, ``F'``, ``F''`` and ``sum_j 1 / N_j''`` at ``intercept``.

        Outside the interval, ``F`` is continued by its second-order Taylor expansion
        at the nearest end (and the last sum by its value there).
        """
        x = (intercept - self.center[genes]) / _HALF_WIDTH
        inside = np.clip(x, -1.0, 1.0)

        def at(coef: np.ndarray) -> np.ndarray:
            return chebyshev.chebval(inside, coef[:, genes], tensor=False)

        value = at(self.value_coef)
        gradient = at(self.gradient_coef) / _HALF_WIDTH
        curvature = at(self.curvature_coef) / _HALF_WIDTH**2
        d = intercept - (self.center[genes] + _HALF_WIDTH * inside)
        value = value + gradient * d + 0.5 * curvature * d * d
        gradient = gradient + curvature * d
        return value, gradient, curvature, at(self.inverse_weight_coef)

    def envelope_exact(
        self, intercept: np.ndarray, genes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``F``, ``F'``, ``F''`` and ``sum_j 1 / N_j''`` at ``intercept``, exactly."""
        value, gradient, curvature, inverse_weight, _, _ = _envelopes(
            self.row_counts[:, genes],
            self.row_shifted_offset[:, genes],
            self.size[genes],
            self.member,
            intercept,
            self.group_start[:, genes],
            self.precision,
        )
        return value, gradient, curvature, inverse_weight

    def fit(
        self, shrink_index: int, prior_scale: float, apeglm_mode: str, maxiter: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Shrink coefficient ``shrink_index`` for every gene of the block.

        Newton on ``(b0, b_s)`` from pydeseq2's start, the MLE and the MLE with
        ``b_s = 0``; the lowest converged objective (``apeglm_mode="map"``), or the one
        reached from the MLE (``"mle_side"``), as ``VectorizedInference`` does on the
        full design.

        Returns
        -------
        coefficients : ndarray
            ``(g, K + 1)`` coefficients (natural log): the intercept and shrunken
            coefficient from the fit, the others at their optimum given the intercept
            (second-order prediction, plus one Newton step when the intercept is more
            than ``_PREDICTION_RADIUS`` from the center).
        se : ndarray
            ``(g,)`` pydeseq2's standard error of the shrunken coefficient.
        converged : ndarray
            ``(g,)`` whether a start converged.
        multimodal : ndarray
            ``(g,)`` whether converged starts ended in different minima.
        """
        n_genes = self.counts.shape[1]
        everything = np.arange(n_genes)
        objective = _ReducedObjective(self, shrink_index, prior_scale, self.envelope)
        mle = self.mle[:, [0, shrink_index]]
        mle_at_zero = mle.copy()
        mle_at_zero[:, 1] = 0.0
        pydeseq2_start = np.tile([0.1, 0.1 * (-1.0) ** shrink_index], (n_genes, 1))
        starts = [pydeseq2_start, mle, mle_at_zero]
        fits = [_minimize(objective, start, maxiter) for start in starts]
        # genes whose intercept left the interpolation interval: exact envelope
        x = [np.abs(beta[:, 0] - self.center) / _HALF_WIDTH for beta, _ in fits]
        outside = np.flatnonzero(
            np.any([(xi > 0.98) & ok for xi, (_, ok) in zip(x, fits, strict=True)], axis=0)
        )
        if outside.size:
            exact = _ReducedObjective(self, shrink_index, prior_scale, self.envelope_exact, outside)
            for i, start in enumerate(starts):
                beta, ok = _minimize(exact, start[outside], maxiter)
                fits[i][0][outside], fits[i][1][outside] = beta, ok
        betas = np.stack([beta for beta, _ in fits])
        ok = np.stack([converged for _, converged in fits])
        values = np.stack([objective(beta, everything)[0] for beta in betas])
        if outside.size:
            exact_all = _ReducedObjective(
                self, shrink_index, prior_scale, self.envelope_exact, outside
            )
            for i in range(len(fits)):
                values[i, outside] = exact_all(betas[i, outside], np.arange(outside.size))[0]
        values = np.where(ok & np.isfinite(values), values, np.inf)
        best = np.argmin(values, axis=0)
        beta = betas[best, everything]
        if apeglm_mode == "mle_side":
            beta[ok[1]] = betas[1][ok[1]]
        highest = np.where(ok, betas[:, :, 1], -np.inf).max(axis=0)
        lowest = np.where(ok, betas[:, :, 1], np.inf).min(axis=0)
        multimodal = ok.any(axis=0) & (highest - lowest > 1e-2)
        se = objective.standard_error(beta)
        if outside.size:
            exact = _ReducedObjective(self, shrink_index, prior_scale, self.envelope_exact, outside)
            se[outside] = exact.standard_error(beta[outside])
        # the other coefficients: their profile optimum at the intercept, predicted to
        # second order from the center (their error is third order in the intercept's
        # distance to it, and enters the objective squared); intercepts far from the
        # center get one exact Newton step
        b0 = beta[:, 0]
        delta = b0 - self.center
        log_means = self.center_log_mean + self.slope * delta + 0.5 * self.slope2 * delta**2
        far = np.flatnonzero(np.abs(delta) > _PREDICTION_RADIUS)
        if far.size:
            log_means[:, far], _ = _inner_newton(
                self.row_counts[:, far],
                self.row_shifted_offset[:, far],
                self.size[far],
                self.member,
                b0[far],
                log_means[:, far],
                self.precision,
                1,
                weights=False,
            )
        coefficients = log_means.T - b0[:, None]
        coefficients[:, shrink_index - 1] = beta[:, 1]
        converged = np.asarray(ok.any(axis=0))
        return np.concatenate([b0[:, None], coefficients], axis=1), se, converged, multimodal


class _ReducedObjective:
    """pydeseq2's apeGLM objective of one contrast over ``(b0, b_s)``, other groups profiled out.

    Parameters
    ----------
    shrinkage : OneFactorShrinkage
        The block's shared data and envelope.
    shrink_index : int
        Shrunken coefficient (group) ``s``.
    prior_scale : float
        Cauchy scale ``S``.
    envelope : callable
        ``envelope(b0, genes)`` -> ``F``, ``F'``, ``F''``, ``sum_j 1 / N_j''``.
    genes : ndarray, optional
        Genes of the block this objective covers (default: all); the ``genes``
        arguments of the methods index into them.
    """

    def __init__(
        self,
        shrinkage: OneFactorShrinkage,
        shrink_index: int,
        prior_scale: float,
        envelope: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, ...]],
        genes: np.ndarray | None = None,
    ) -> None:
        self.genes = np.arange(shrinkage.counts.shape[1]) if genes is None else genes
        g = self.genes
        group = shrinkage.groups.group
        reference, shrunk = np.flatnonzero(group == 0), np.flatnonzero(group == shrink_index)
        counts, offset = shrinkage.counts, shrinkage.shifted_offset
        size = shrinkage.size[g]
        self.reference = _GroupLikelihood(counts[reference][:, g], offset[reference][:, g], size)
        self.shrunk = _GroupLikelihood(counts[shrunk][:, g], offset[shrunk][:, g], size)
        self.size = size
        self.shrinkage = shrinkage
        self.shrink_index = shrink_index
        self.s2 = prior_scale**2
        self.envelope = envelope
        self.start = shrinkage.group_start[shrink_index - 1, g]
        self.scale_others = shrinkage.scale[g]

    def _own_envelope(self, b0: np.ndarray, genes: np.ndarray) -> tuple[np.ndarray, ...]:
        """Exact envelope ``f_s`` of the shrunken group at ``b0`` (it is part of ``F``)."""
        return _envelopes(
            self.shrunk.counts[:, genes],
            self.shrunk.shifted_offset[:, genes],
            self.size[genes],
            np.zeros(self.shrunk.counts.shape[0], dtype=int),
            b0,
            self.start[genes][None, :],
            self.shrinkage.precision,
        )

    def __call__(self, beta: np.ndarray, genes: np.ndarray) -> tuple[np.ndarray, ...]:
        """Value, scale, gradient ``(k, 2)``, convex Hessian ``(k, 3)`` and Cauchy curvature.

        The convex Hessian is ``(H00, H01, H11)`` without the Cauchy term, which is
        returned separately (added to ``H11``).
        """
        precision = self.shrinkage.precision
        b0, b = beta[:, 0], beta[:, 1]
        f, f1, f2, _ = self.envelope(b0, self.genes[genes])
        own, own1, own2, _, _, _ = self._own_envelope(b0, genes)
        n0, scale0, n0_1, n0_2 = self.reference(b0, genes)
        ns, scales, ns_1, ns_2 = self.shrunk(b0 + b, genes)
        cauchy = np.log1p(b * b / self.s2)
        value = n0 + 0.5 * precision * b0 * b0 + (f - own) + ns + cauchy
        scale = scale0 + scales + self.scale_others[genes] + 0.5 * precision * b0 * b0 + cauchy
        gradient = np.stack(
            [n0_1 + precision * b0 + (f1 - own1) + ns_1, ns_1 + 2.0 * b / (self.s2 + b * b)],
            axis=1,
        )
        hessian = np.stack([n0_2 + precision + (f2 - own2) + ns_2, ns_2, ns_2], axis=1)
        curvature = 2.0 * (self.s2 - b * b) / (self.s2 + b * b) ** 2
        return value, scale, gradient, hessian, curvature

    def standard_error(self, beta: np.ndarray) -> np.ndarray:
        """pydeseq2's reported standard error of ``b_s`` at ``beta``: ``sqrt|[M^-1]_ss|``.

        ``M = L + 1 c^T``: the likelihood Hessian ``L`` of the full model (arrowhead,
        group weights ``W``) with the prior curvatures ``c`` added to every row
        (``1 / 15^2``, and the Cauchy curvature for ``s``); Sherman-Morrison on the
        explicit ``L^-1`` of a one-factor design.
        """
        genes = np.arange(beta.shape[0])
        b0, b = beta[:, 0], beta[:, 1]
        k = self.shrinkage.groups.n_groups - 1
        precision = self.shrinkage.precision
        _, _, _, inverse_weights = self.envelope(b0, self.genes)
        _, _, _, own_inverse_weight, _, _ = self._own_envelope(b0, genes)
        w0 = self.reference(b0, genes)[3]
        ws = self.shrunk(b0 + b, genes)[3]
        others = inverse_weights - own_inverse_weight  # sum over j != 0, s of 1 / W_j
        cs = 2.0 * (self.s2 - b * b) / (self.s2 + b * b) ** 2
        l_ss = 1.0 / ws + 1.0 / w0
        l1_s = 1.0 / ws + (k - 1) / w0
        cl_s = -precision / w0 + cs * l_ss + (k - 1) * precision / w0
        cl1 = precision * (1 - k) / w0 + cs * l1_s + precision * (others + (k - 1) ** 2 / w0)
        return np.sqrt(np.abs(l_ss - l1_s * cl_s / (1.0 + cl1)))


def _minimize(
    objective: _ReducedObjective, start: np.ndarray, maxiter: int
) -> tuple[np.ndarray, np.ndarray]:
    """Damped Newton on ``(b0, b_s)`` (as ``inference._minimize_apeglm``) for all genes."""

    def newton_step(state: list[np.ndarray], active: np.ndarray) -> np.ndarray:
        _, _, g, hess, curvature = (values[active] for values in state)
        h00, h01, h11 = hess[:, 0], hess[:, 1], hess[:, 2]
        exact = h11 + curvature
        det_exact = h00 * exact - h01 * h01
        definite = (exact > 0) & (det_exact > 1e-8 * np.abs(h00 * exact))
        h11 = np.where(definite, exact, h11)
        det = np.where(definite, det_exact, h00 * h11 - h01 * h01)
        return np.stack(
            [-(h11 * g[:, 0] - h01 * g[:, 1]) / det, -(h00 * g[:, 1] - h01 * g[:, 0]) / det], axis=1
        )

    return damped_newton(objective, start, maxiter, newton_step, _DECREMENT_TOL)
