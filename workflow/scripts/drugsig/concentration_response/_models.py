"""Concentration-response model set, vectorised least-squares fits and AICc choice.

All models describe normalised log2 expression ``y`` as a function of concentration
``c >= 0`` with constant-variance Gaussian errors (the usual assumption of DRomics and
of BMDS with ``disttype=normal``). Apart from the constant and quadratic models, every
model has the form

    f(c) = a + A * h(c; theta),    h(0; theta) = 0

with intercept ``a`` (response at c = 0), amplitude ``A`` and 0-2 shape parameters
``theta``. For fixed ``theta`` the model is linear in ``(a, A)``, so the least-squares
``(a, A)`` and residual sum of squares (RSS) have a closed form. Fits therefore profile
``(a, A)`` out analytically and search ``theta`` on a grid, for all genes at once with
matrix products, then refine ``theta`` per gene by repeated local grid zooming. This is
exact least squares up to the final zoom resolution (relative step < 1e-3 of the
initial grid step) and needs no starting values.

Models (k = number of mean parameters; AICc counts k + 1 with the residual SD):

============  =======================================  ==  ==============================
name          f(c)                                     k   shape bounds
============  =======================================  ==  ==============================
const         a                                        1   -
linear        a + A c                                  2   -
power         a + A c^g                                3   g in [1, 18] (BMDS restricted)
exp           a + A (exp(u c) - 1) / u                 3   |u| cmax <= 12; u<0 saturating,
                                                             u>0 accelerating (DRomics
                                                             "exponential" d+b(exp(x/e)-1))
hill          a + A c^n / (k^n + c^n)                  4   k in [cmin/10, 5 cmax],
                                                             n in [1, 18] (BMDS restricted)
quadratic     a + b1 c + b2 c^2                        3   - (non-monotone allowed)
============  =======================================  ==  ==============================

Choice: smallest AICc = n log(RSS/n) + 2K + 2K(K+1)/(n-K-1), K = k + 1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._validation import Design

#: Default model set, in order of increasing complexity (ties go to the simpler model).
DEFAULT_MODELS: tuple[str, ...] = ("const", "linear", "power", "exp", "quadratic", "hill")

HILL_MIN_SLOPE = 1.0
HILL_MAX_SLOPE = 18.0
POWER_MIN = 1.0
POWER_MAX = 18.0
EXP_MAX_RATE = 12.0  # |u| * cmax


@dataclass(frozen=True)
class ShapeModel:
    """A model ``a + A h(c; theta)`` with a grid over transformed shape coordinates.

    Attributes
    ----------
    name : str
    shape_names : tuple of str
        Names of the natural shape parameters.
    bounds : callable
        ``bounds(design) -> (lo, hi)`` arrays of transformed-coordinate bounds.
    to_natural : callable
        Maps transformed coordinates ``(..., d)`` to natural parameters ``(..., d)``.
    basis : callable
        ``basis(c, theta)`` with ``c`` shape ``(n,)`` and natural ``theta`` shape
        ``(..., d)`` -> ``h`` of shape ``(..., n)``.
    grid_size : tuple of int
        Number of coarse grid points per shape dimension.
    """

    name: str
    shape_names: tuple[str, ...]
    bounds: Callable[[Design], tuple[np.ndarray, np.ndarray]]
    to_natural: Callable[[np.ndarray, Design], np.ndarray]
    basis: Callable[[np.ndarray, np.ndarray], np.ndarray]
    grid_size: tuple[int, ...] = field(default=())

    @property
    def n_mean_params(self) -> int:
        """Number of mean parameters (a, A and the shape parameters)."""
        return 2 + len(self.shape_names)


def _linear_basis(c: np.ndarray, theta: np.ndarray) -> np.ndarray:
    return np.broadcast_to(c, theta.shape[:-1] + c.shape).astype(float)


def _power_basis(c: np.ndarray, theta: np.ndarray) -> np.ndarray:
    g = theta[..., 0:1]
    return np.power(c, g)


def _exp_basis(c: np.ndarray, theta: np.ndarray) -> np.ndarray:
    u = theta[..., 0:1]
    small = np.abs(u) < 1e-9
    safe = np.where(small, 1.0, u)
    return np.where(small, c + 0.5 * u * c * c, np.expm1(safe * c) / safe)


def _hill_basis(c: np.ndarray, theta: np.ndarray) -> np.ndarray:
    k = theta[..., 0:1]
    n = theta[..., 1:2]
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        r = np.power(c / k, n)
        h = r / (1.0 + r)
    return np.where(np.isfinite(h), h, 1.0)


LINEAR = ShapeModel(
    "linear", (), lambda d: (np.zeros(0), np.zeros(0)), lambda t, d: t, _linear_basis, ()
)
POWER = ShapeModel(
    "power",
    ("g",),
    lambda d: (np.array([np.log(POWER_MIN)]), np.array([np.log(POWER_MAX)])),
    lambda t, d: np.exp(t),
    _power_basis,
    (41,),
)
# exp: transformed coordinate s, u = 0.01 * sinh(s) / cmax  (dense near the linear limit)
_EXP_S = float(np.arcsinh(EXP_MAX_RATE / 0.01))
EXP = ShapeModel(
    "exp",
    ("u",),
    lambda d: (np.array([-_EXP_S]), np.array([_EXP_S])),
    lambda t, d: 0.01 * np.sinh(t) / d.cmax,
    _exp_basis,
    (81,),
)
HILL = ShapeModel(
    "hill",
    ("k", "n"),
    lambda d: (
        np.array([np.log(d.cmin / 10.0), np.log(HILL_MIN_SLOPE)]),
        np.array([np.log(5.0 * d.cmax), np.log(HILL_MAX_SLOPE)]),
    ),
    lambda t, d: np.exp(t),
    _hill_basis,
    (41, 17),
)

SHAPE_MODELS: dict[str, ShapeModel] = {m.name: m for m in (LINEAR, POWER, EXP, HILL)}
N_MEAN_PARAMS: dict[str, int] = {
    "const": 1,
    "linear": 2,
    "power": 3,
    "exp": 3,
    "quadratic": 3,
    "hill": 4,
}
PARAM_NAMES: dict[str, tuple[str, ...]] = {
    "const": ("a",),
    "linear": ("a", "A"),
    "power": ("a", "A", "g"),
    "exp": ("a", "A", "u"),
    "quadratic": ("a", "b1", "b2"),
    "hill": ("a", "A", "k", "n"),
}


@dataclass
class ModelFit:
    """Least-squares fit of one model to every gene.

    Attributes
    ----------
    name : str
    params : numpy.ndarray
        ``(n_genes, k)`` natural parameters in the order of ``PARAM_NAMES[name]``.
    rss : numpy.ndarray
        ``(n_genes,)`` residual sums of squares.
    """

    name: str
    params: np.ndarray
    rss: np.ndarray

    @property
    def k(self) -> int:
        """Number of mean parameters."""
        return N_MEAN_PARAMS[self.name]


def _closed_form(y: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least squares of ``y ~ a + A h`` for every gene and candidate.

    Parameters
    ----------
    y : numpy.ndarray
        ``(n_genes, n)``.
    h : numpy.ndarray
        ``(m, n)`` candidates shared by all genes, or ``(n_genes, m, n)`` per gene.

    Returns
    -------
    rss, a, A : numpy.ndarray
        Each ``(n_genes, m)``.
    """
    ym = y.mean(axis=1, keepdims=True)
    yc = y - ym
    syy = np.einsum("gn,gn->g", yc, yc)[:, None]
    hm = h.mean(axis=-1, keepdims=True)
    hc = h - hm
    if h.ndim == 2:
        shy = yc @ hc.T
        shh = np.einsum("mn,mn->m", hc, hc)[None, :]
        hmean = hm[:, 0][None, :]
    else:
        shy = np.einsum("gmn,gn->gm", hc, yc)
        shh = np.einsum("gmn,gmn->gm", hc, hc)
        hmean = hm[..., 0]
    # degenerate (constant) candidates, judged against each candidate's own scale
    scale = np.einsum("...n,...n->...", h, h)
    scale = scale[None, :] if h.ndim == 2 else scale
    ok = shh > 1e-12 * np.maximum(scale, 1e-300)
    amp = np.where(ok, shy / np.where(ok, shh, 1.0), 0.0)
    rss = np.maximum(syy - amp * shy, 0.0)
    a = ym - amp * hmean
    return rss, a, amp


def _coarse_grid(model: ShapeModel, design: Design) -> np.ndarray:
    lo, hi = model.bounds(design)
    axes = [
        np.linspace(low, high, size)
        for low, high, size in zip(lo, hi, model.grid_size, strict=True)
    ]
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=-1)


def fit_shape_model(
    y: np.ndarray, design: Design, model: ShapeModel, n_zoom: int = 10, chunk: int = 2000
) -> ModelFit:
    """Fit ``a + A h(c; theta)`` to every gene by grid search plus local zooming.

    Parameters
    ----------
    y : numpy.ndarray
        ``(n_genes, n)`` log2 expression.
    design : Design
    model : ShapeModel
    n_zoom : int
        Number of zoom refinements (each halves the local step).
    chunk : int
        Genes per block (memory bound).

    Returns
    -------
    ModelFit
    """
    c = design.conc
    n_genes = y.shape[0]
    d = len(model.shape_names)
    if d == 0:
        rss, a, amp = _closed_form(y, c[None, :])
        return ModelFit(model.name, np.column_stack([a[:, 0], amp[:, 0]]), rss[:, 0])
    lo, hi = model.bounds(design)
    grid_t = _coarse_grid(model, design)
    h_grid = model.basis(c, model.to_natural(grid_t, design))
    step0 = (hi - lo) / (np.asarray(model.grid_size) - 1)
    offs = np.stack(
        np.meshgrid(*([np.array([-1.0, -0.5, 0.0, 0.5, 1.0])] * d), indexing="ij"), -1
    ).reshape(-1, d)
    out_p = np.empty((n_genes, 2 + d))
    out_r = np.empty(n_genes)
    for s in range(0, n_genes, chunk):
        yy = y[s : s + chunk]
        rss, _, _ = _closed_form(yy, h_grid)
        best_t = grid_t[np.argmin(rss, axis=1)]
        step = step0.copy()
        for _ in range(n_zoom):
            cand = np.clip(best_t[:, None, :] + offs[None, :, :] * step, lo, hi)  # (g, m, d)
            h = model.basis(c, model.to_natural(cand, design))
            rss, _, _ = _closed_form(yy, h)
            best_t = cand[np.arange(len(yy)), np.argmin(rss, axis=1)]
            step = step / 2.0
        theta = model.to_natural(best_t, design)
        h = model.basis(c, theta[:, None, :])
        rss, a, amp = _closed_form(yy, h)
        out_p[s : s + chunk] = np.column_stack([a[:, 0], amp[:, 0], theta])
        out_r[s : s + chunk] = rss[:, 0]
    return ModelFit(model.name, out_p, out_r)


def fit_quadratic(y: np.ndarray, design: Design) -> ModelFit:
    """Ordinary least squares ``y ~ a + b1 c + b2 c^2`` for every gene."""
    c = design.conc
    x = np.column_stack([np.ones_like(c), c, c * c])
    coef, *_ = np.linalg.lstsq(x, y.T, rcond=None)
    resid = y - (x @ coef).T
    return ModelFit("quadratic", coef.T, np.einsum("gn,gn->g", resid, resid))


def fit_const(y: np.ndarray, design: Design) -> ModelFit:
    """Intercept-only (no-trend) model."""
    m = y.mean(axis=1)
    r = y - m[:, None]
    return ModelFit("const", m[:, None], np.einsum("gn,gn->g", r, r))


def fit_models(
    y: np.ndarray, design: Design, models: Sequence[str] = DEFAULT_MODELS
) -> dict[str, ModelFit]:
    """Fit every model in ``models`` to every gene.

    Parameters
    ----------
    y : numpy.ndarray
        ``(n_genes, n)`` log2 expression.
    design : Design
    models : sequence of str
        Subset of ``const, linear, power, exp, quadratic, hill``.

    Returns
    -------
    dict of str to ModelFit
    """
    unknown = set(models) - set(N_MEAN_PARAMS)
    if unknown:
        raise ValueError(f"unknown models {sorted(unknown)}; choose from {sorted(N_MEAN_PARAMS)}")
    out: dict[str, ModelFit] = {}
    for name in models:
        if name == "const":
            out[name] = fit_const(y, design)
        elif name == "quadratic":
            out[name] = fit_quadratic(y, design)
        else:
            out[name] = fit_shape_model(y, design, SHAPE_MODELS[name])
    return out


def aicc(rss: np.ndarray, n: int, k_mean: int) -> np.ndarray:
    """Small-sample corrected AIC for a Gaussian model with profiled SD.

    Parameters
    ----------
    rss : numpy.ndarray
        Residual sums of squares.
    n : int
        Number of samples.
    k_mean : int
        Number of mean parameters (the SD adds one).

    Returns
    -------
    numpy.ndarray
        ``n log(RSS/n) + 2K + 2K(K+1)/(n-K-1)`` with ``K = k_mean + 1``; ``inf`` when
        ``n - K - 1 <= 0``.
    """
    kk = k_mean + 1
    if n - kk - 1 <= 0:
        return np.full(np.shape(rss), np.inf)
    floor = np.maximum(rss, 1e-12)
    return n * np.log(floor / n) + 2 * kk + 2 * kk * (kk + 1) / (n - kk - 1)


def predict(name: str, params: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Evaluate fitted curves.

    Parameters
    ----------
    name : str
        Model name.
    params : numpy.ndarray
        ``(n_genes, k)`` parameters of that model.
    c : numpy.ndarray
        ``(m,)`` concentrations, or ``(n_genes, m)`` per gene.

    Returns
    -------
    numpy.ndarray
        ``(n_genes, m)`` fitted log2 expression.
    """
    params = np.atleast_2d(params)
    cc = np.asarray(c, dtype=float)
    if cc.ndim == 1:
        cc = np.broadcast_to(cc, (params.shape[0], cc.size))
    if name == "const":
        return np.broadcast_to(params[:, :1], cc.shape).copy()
    if name == "quadratic":
        return params[:, :1] + params[:, 1:2] * cc + params[:, 2:3] * cc * cc
    theta = params[:, 2:]
    if name == "linear":
        h = cc
    elif name == "power":
        h = np.power(cc, theta[:, :1])
    elif name == "exp":
        u = theta[:, :1]
        small = np.abs(u) < 1e-9
        h = np.where(small, cc, np.expm1(np.where(small, 1.0, u) * cc) / np.where(small, 1.0, u))
    else:
        h = _hill_pergene(cc, theta)
    return params[:, :1] + params[:, 1:2] * h


def _hill_pergene(cc: np.ndarray, theta: np.ndarray) -> np.ndarray:
    k = theta[:, :1]
    n = theta[:, 1:2]
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        r = np.power(cc / k, n)
        h = r / (1.0 + r)
    return np.where(np.isfinite(h), h, 1.0)


def anova_rss(y: np.ndarray, design: Design) -> np.ndarray:
    """RSS of the cell-means (one mean per concentration) model, per gene."""
    g = design.groups
    rss = np.zeros(y.shape[0])
    for lvl in np.unique(g):
        blk = y[:, g == lvl]
        rss += ((blk - blk.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    return rss


def model_table(fits: dict[str, ModelFit], n: int) -> pd.DataFrame:
    """AICc of every model for every gene (genes x models)."""
    return pd.DataFrame({name: aicc(f.rss, n, f.k) for name, f in fits.items()})


def choose_by_aicc(fits: dict[str, ModelFit], n: int) -> np.ndarray:
    """Name of the model with the smallest AICc for each gene (ties: earlier model)."""
    tab = model_table(fits, n)
    return tab.columns.to_numpy()[np.argmin(tab.to_numpy(), axis=1)]
