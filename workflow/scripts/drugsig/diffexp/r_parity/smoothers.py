"""R's scatterplot smoothers used by DESeq2: ``lowess`` (``clowess``) and 1-D ``loess``.

DESeq2 smooths the number of rejections over the filter quantiles with ``lowess`` when
it chooses the independent-filtering threshold, and the KL divergences over the prior
variance grid with ``loess`` when it estimates the dispersion prior variance of designs
with few residual degrees of freedom. pydeseq2's ``lowess`` is a different smoother
(its window holds ``ceil(f * n) + 1`` points, with other edge bandwidths, and it fits
3 times instead of 4), which moves the filtering threshold.
"""

from __future__ import annotations

import numpy as np


def _lowest(
    x: np.ndarray,
    y: np.ndarray,
    xs: float,
    nleft: int,
    nright: int,
    robustness: np.ndarray | None,
) -> float | None:
    """Weighted local linear fit at ``xs``: R's C ``lowest`` (0-based indices).

    Parameters
    ----------
    x, y : numpy.ndarray
        Abscissae (sorted) and ordinates.
    xs : float
        Where to evaluate the fit.
    nleft, nright : int
        First and last point of the neighbourhood (ties to the right are added).
    robustness : numpy.ndarray or None
        Robustness weights, None in the first fit.

    Returns
    -------
    float or None
        The fitted value; None when every weight is zero.
    """
    n = len(x)
    h = max(xs - x[nleft], x[nright] - xs)
    weights = np.zeros(n)
    total = 0.0
    j = nleft
    while j < n:
        r = abs(x[j] - xs)
        if r <= 0.999 * h:
            cube = 1.0 - (r / h) * (r / h) * (r / h)
            weights[j] = 1.0 if r <= 0.001 * h else cube * cube * cube
            if robustness is not None:
                weights[j] *= robustness[j]
            total += weights[j]
        elif x[j] > xs:
            break
        j += 1
    if total <= 0.0:
        return None
    window = slice(nleft, j)
    w = weights[window] / total
    if h > 0.0:
        center = float(np.sum(w * x[window]))
        spread = float(np.sum(w * (x[window] - center) ** 2))
        if np.sqrt(spread) > 0.001 * (x[-1] - x[0]):
            w = w * ((xs - center) / spread * (x[window] - center) + 1.0)
    return float(np.sum(w * y[window]))


def r_lowess(x: np.ndarray, y: np.ndarray, f: float = 2.0 / 3.0, iterations: int = 3) -> np.ndarray:
    """R's ``lowess(x, y, f, iter)``: robust locally weighted linear regression.

    Port of ``stats::lowess`` and its C ``clowess``: windows of ``floor(f * n)``
    points, ``iterations + 1`` fits (the later ones with bisquare robustness weights
    from 6 MADs), linear interpolation between points closer than
    ``delta = 0.01 * range(x)``.

    Parameters
    ----------
    x, y : numpy.ndarray
        The points; need not be sorted.
    f : float
        The smoother span, a fraction of the points. (default: ``2/3``).
    iterations : int
        Robustifying iterations, R's ``iter``. (default: ``3``).

    Returns
    -------
    numpy.ndarray
        The smoothed values in the order of the sorted ``x`` (R's ``lowess(...)$y``).
    """
    order = np.argsort(x, kind="stable")
    x = np.asarray(x, dtype=float)[order]
    y = np.asarray(y, dtype=float)[order]
    n = len(x)
    if n < 2:
        return y.copy()
    delta = 0.01 * (x[-1] - x[0])
    span = max(2, min(n, int(f * n + 1e-7)))
    fitted = np.zeros(n)
    robustness: np.ndarray | None = None
    for fit in range(iterations + 1):
        nleft, nright, last, i = 0, span - 1, -1, 0
        while True:
            if nright < n - 1 and x[i] - x[nleft] > x[nright + 1] - x[i]:
                nleft += 1
                nright += 1
                continue
            value = _lowest(x, y, x[i], nleft, nright, robustness)
            fitted[i] = y[i] if value is None else value
            if last < i - 1:  # interpolate the skipped points
                slope = (x[last + 1 : i] - x[last]) / (x[i] - x[last])
                fitted[last + 1 : i] = slope * fitted[i] + (1.0 - slope) * fitted[last]
            last = i
            cut = x[last] + delta
            i = last + 1
            while i < n and x[i] <= cut:
                if x[i] == x[last]:
                    fitted[i] = fitted[last]
                    last = i
                i += 1
            i = max(last + 1, i - 1)
            if last >= n - 1:
                break
        residuals = np.abs(y - fitted)
        if fit == iterations:
            break
        cmad = 6.0 * float(np.median(residuals))
        if cmad < 1e-7 * float(np.mean(residuals)):
            break
        bisquare = 1.0 - (residuals / cmad) ** 2
        robustness = np.where(
            residuals <= 0.001 * cmad, 1.0, np.where(residuals <= 0.999 * cmad, bisquare**2, 0.0)
        )
    return fitted


def _local_quadratic(x: np.ndarray, y: np.ndarray, x0: float, q: int) -> tuple[float, float]:
    """Tricube-weighted local quadratic fit at ``x0`` over its ``q`` nearest points.

    Parameters
    ----------
    x, y : numpy.ndarray
        The points.
    x0 : float
        Where to fit.
    q : int
        Points in the neighbourhood.

    Returns
    -------
    tuple of float
        The fitted value and slope at ``x0``.
    """
    distance = np.abs(x - x0)
    h = np.sort(distance)[q - 1]
    weights = np.clip(1.0 - (distance / h) ** 3, 0.0, None) ** 3
    design = np.column_stack([np.ones_like(x), x - x0, (x - x0) ** 2])
    root = np.sqrt(weights)
    beta = np.linalg.lstsq(design * root[:, None], y * root, rcond=None)[0]
    return float(beta[0]), float(beta[1])


def r_loess(
    x: np.ndarray, y: np.ndarray, new_x: np.ndarray, span: float, cell: float = 0.2
) -> np.ndarray:
    """R's ``predict(loess(y ~ x, span = span), new_x)`` for one predictor.

    R's defaults: local quadratics (``degree = 2``), Gaussian family (no robustness
    iterations) and ``surface = "interpolate"``: the local fit is evaluated at the
    vertices of a k-d tree and interpolated between them by cubic Hermite polynomials
    of the vertex values and slopes (Fortran ``ehg136``, ``ehg128``). The tree's box is
    the range of ``x`` widened by 0.5% on each side (``ehg126``); cells are split at
    their median point until they hold at most ``floor(n * span * cell)`` points
    (``ehg129``, ``ehg124``).

    Parameters
    ----------
    x, y : numpy.ndarray
        The points, ``x`` sorted ascending without ties.
    new_x : numpy.ndarray
        Where to predict, within the range of ``x``.
    span : float
        Fraction of the points in each local fit.
    cell : float
        R's ``loess.control(cell=)``. (default: ``0.2``).

    Returns
    -------
    numpy.ndarray
        The predictions.
    """
    n = len(x)
    q = int(np.floor(n * span))
    max_cell = int(np.floor(n * span * cell))
    low, high = float(x[0]), float(x[-1])
    margin = 0.005 * max(high - low, 1e-10 * max(abs(low), abs(high)) + 1e-30)
    vertices = {low - margin, high + margin}
    cells = [(0, n - 1)]
    while cells:
        left, right = cells.pop()
        if right - left + 1 <= max_cell:
            continue
        middle = (left + right + 2) // 2 - 1  # Fortran's (l + u) / 2, 1-based
        vertices.add(float(x[middle]))
        cells += [(left, middle), (middle + 1, right)]
    vx = np.array(sorted(vertices))
    fits = np.array([_local_quadratic(x, y, v, q) for v in vx])
    k = np.clip(np.searchsorted(vx, new_x, side="right") - 1, 0, len(vx) - 2)
    width = vx[k + 1] - vx[k]
    t = (new_x - vx[k]) / width
    return (
        (1 - t) ** 2 * (1 + 2 * t) * fits[k, 0]
        + t**2 * (3 - 2 * t) * fits[k + 1, 0]
        + (t * (1 - t) ** 2 * fits[k, 1] - t**2 * (1 - t) * fits[k + 1, 1]) * width
    )
