"""Vectorised line search and damped Newton shared by the apeGLM solvers.

:mod:`drugsig.diffexp.inference` (any design) and :mod:`drugsig.diffexp.one_factor`
(the reduced two-coefficient problem of a one-factor design) minimise per-gene
objectives for many genes at once with the same step control: a capped Newton step,
backtracking until the objective decreases enough, and a convergence test on the step
size and the Newton decrement relative to the objective's rounding noise.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

ARMIJO = 1e-4  # sufficient decrease constant of the line searches
MAX_HALVINGS = 30  # backtracking steps before a line search counts as failed
F_NOISE = 1e-13  # relative rounding noise tolerated by the line searches
MAX_STEP = 5.0  # largest Newton step on a coefficient

Objective = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, ...]]


def backtrack(
    objective: Objective,
    x: np.ndarray,
    state: list[np.ndarray],
    genes: np.ndarray,
    step: np.ndarray,
) -> np.ndarray:
    """Backtracking line search along ``step`` from ``x[genes]``, for all genes at once.

    Each gene halves its step until the objective decreases enough (Armijo condition,
    tolerating the objective's rounding noise), then moves: ``x`` and ``state`` (the
    objective's outputs at ``x``: value, scale, gradient, ...) are updated in place.

    Parameters
    ----------
    objective : callable
        ``objective(x[genes], genes)`` returns the arrays of ``state`` for ``genes``.
    x : ndarray
        Current points, genes along the first axis.
    state : list of ndarray
        ``objective``'s outputs at ``x``.
    genes : ndarray
        Genes to move.
    step : ndarray
        Their descent directions (full steps), shaped like ``x[genes]``.

    Returns
    -------
    ndarray
        The genes for which no step was accepted (line search failure).
    """
    value, scale, gradient = state[:3]
    for _ in range(MAX_HALVINGS):
        trial = x[genes] + step
        new = objective(trial, genes)
        slope = (gradient[genes] * step).sum(axis=tuple(range(1, step.ndim)))
        noise = F_NOISE * (scale[genes] + new[1])
        ok = new[0] <= value[genes] + ARMIJO * slope + noise
        accepted = genes[ok]
        x[accepted] = trial[ok]
        for current, update in zip(state, new, strict=True):
            current[accepted] = update[ok]
        genes, step = genes[~ok], step[~ok] / 2.0
        if genes.size == 0:
            break
    return genes


def damped_newton(
    objective: Objective,
    start: np.ndarray,
    maxiter: int,
    newton_step: Callable[[list[np.ndarray], np.ndarray], np.ndarray],
    decrement_tolerance: float = F_NOISE,
) -> tuple[np.ndarray, np.ndarray]:
    """Minimise ``objective`` for all genes by capped, backtracked Newton steps.

    A gene has converged when its step is below 1e-9 in every coordinate or the
    decrease it predicts (the Newton decrement) is below ``decrement_tolerance`` times
    the objective's scale; it fails when no backtracked step decreases the objective.

    Parameters
    ----------
    objective
        ``objective(beta[genes], genes)`` returns ``(value, scale, gradient, ...)``.
    start
        ``(g, p)`` starting points.
    maxiter
        Newton iterations at most.
    newton_step
        ``newton_step(state, active)``: the ``(len(active), p)`` Newton steps of the
        active genes from the objective's outputs ``state`` (all genes).
    decrement_tolerance
        Relative tolerance of the Newton decrement.

    Returns
    -------
    beta : ndarray
        ``(g, p)`` estimates.
    converged : ndarray
        ``(g,)`` whether the gene converged (else: line search failure or ``maxiter``).
    """
    beta = start.copy()
    state = list(objective(beta, np.arange(beta.shape[0])))
    converged = np.zeros(beta.shape[0], dtype=bool)
    failed = np.zeros(beta.shape[0], dtype=bool)
    active = np.arange(beta.shape[0])
    for _ in range(maxiter):
        step = newton_step(state, active)
        size = np.abs(step).max(axis=1)
        decrement = -0.5 * (state[2][active] * step).sum(axis=1)
        done = (size <= 1e-9) | (decrement <= decrement_tolerance * state[1][active])
        converged[active[done]] = True
        active, step, size = active[~done], step[~done], size[~done]
        if active.size == 0:
            break
        step *= np.minimum(1.0, MAX_STEP / size)[:, None]
        stuck = backtrack(objective, beta, state, active, step)
        failed[stuck] = True
        active = np.setdiff1d(active, stuck, assume_unique=True)
    return beta, converged & ~failed
