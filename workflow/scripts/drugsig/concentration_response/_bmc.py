"""Benchmark concentration (BMC), profile-likelihood BMCL/BMCU, EC50 and flags.

Benchmark response (BMR)
------------------------
The BMC is the lowest concentration ``c`` in ``(0, cmax]`` at which the fitted curve
departs from its value at ``c = 0`` by the BMR: ``|f(c) - f(0)| = delta``. ``f(0)`` is
the *modelled* vehicle mean (as in BMDS and DRomics). ``delta`` on the log2 scale is:

* ``kind="sd"`` (default): ``z`` standard deviations, ``z = 1``. The SD is, by
  ``sd_source``: ``"vehicle"`` (default; SD of the vehicle replicates, ddof = 1, needs
  >= 2 vehicle samples), ``"residual"`` (residual SD of the chosen model,
  ``sqrt(RSS/(n-k))``, as DRomics BMD-zSD) or ``"residual_mle"`` (``sqrt(RSS/n)``, as
  BMDS/pybmds with the "Std. Dev." BMR).
* ``kind="fold"``: ``log2(fold)``, e.g. ``fold=1.5`` -> 0.585 (a 1.5-fold change of
  the normalised counts).
* ``kind="relative"``: ``x * |f(0)|`` on the modelled (log2) scale, DRomics'
  BMD-xfold (``x = 0.1``); only meaningful on vst/rlog-type scales.

Confidence limits
-----------------
BMCL/BMCU are profile-likelihood limits: for each candidate ``b`` on a fine log grid
the model is re-fitted under the constraint ``|f(b) - f(0)| = delta`` (the amplitude is
then fixed by ``b`` and the shape, so the constrained fit is again closed-form over the
shape grid), and ``b`` is kept when ``(RSS_b - RSS_min) / (RSS_min / (n - k))`` is
below the F(1, n - k) quantile (``ci_method="f"``, default, better small-sample
calibration) or ``n log(RSS_b / RSS_min)`` is below the chi2(1) quantile
(``ci_method="chi2"``, the BMDS likelihood-ratio rule). ``ci_level=0.90`` (default)
gives a two-sided 90% interval, i.e. BMCL is the one-sided 95% lower limit of EPA
convention. ``delta`` is treated as known (its own uncertainty, e.g. from the vehicle
SD, is not propagated).

Flags (``;``-joined in the ``flag`` column)
--------------------------------------------
``flat``            the constant model won: no BMC.
``bmc_above_range`` the BMR is not reached within the tested range: BMC is NaN, never
                    extrapolated above the highest concentration.
``bmc_below_lowest`` BMC below the lowest tested non-zero concentration (reported, but
                    extrapolated between vehicle and the first concentration).
``bmcl_undetermined`` lower limit below ``cmin/1000`` (BMCL NaN).
``bmcu_above_range`` upper limit above the highest concentration (BMCU NaN).
``ec50_above_range`` Hill EC50 above the highest concentration.
``non_monotone``     quadratic with its turning point inside the tested range.
``lack_of_fit``      chosen model fits worse than the cell-means model (LRT p < 0.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ._models import (
    DEFAULT_MODELS,
    N_MEAN_PARAMS,
    PARAM_NAMES,
    SHAPE_MODELS,
    ModelFit,
    _coarse_grid,
    aicc,
    anova_rss,
    fit_models,
    model_table,
    predict,
)
from ._validation import Design, as_matrix, check_design

N_BMC_GRID = 600
N_PROFILE_GRID = 161
LOW_FACTOR = 1e-3


@dataclass(frozen=True)
class BMR:
    """Benchmark response definition (see module docstring).

    Attributes
    ----------
    kind : {"sd", "fold", "relative"}
    z : float
        Number of SDs for ``kind="sd"``.
    sd_source : {"vehicle", "residual", "residual_mle"}
    fold : float
        Fold change (> 1) for ``kind="fold"``.
    x : float
        Relative change for ``kind="relative"``.
    """

    kind: Literal["sd", "fold", "relative"] = "sd"
    z: float = 1.0
    sd_source: Literal["vehicle", "residual", "residual_mle"] = "vehicle"
    fold: float = 1.5
    x: float = 0.1

    def delta(self, y: np.ndarray, design: Design, fit: ModelFit, f0: np.ndarray) -> np.ndarray:
        """BMR magnitude on the log2 scale for each gene."""
        n = design.n
        if self.kind == "fold":
            if not self.fold > 1:
                raise ValueError("fold must be > 1")
            return np.full(y.shape[0], np.log2(self.fold))
        if self.kind == "relative":
            return self.x * np.abs(f0)
        if self.kind != "sd":
            raise ValueError(f"unknown BMR kind {self.kind!r}")
        if self.sd_source == "vehicle":
            if design.vehicle.sum() < 2:
                raise ValueError("BMR in vehicle SDs needs at least 2 vehicle samples")
            sd = y[:, design.vehicle].std(axis=1, ddof=1)
        elif self.sd_source == "residual":
            sd = np.sqrt(fit.rss / max(n - fit.k, 1))
        elif self.sd_source == "residual_mle":
            sd = np.sqrt(fit.rss / n)
        else:
            raise ValueError(f"unknown sd_source {self.sd_source!r}")
        return self.z * sd


def solve_bmc(
    name: str, params: np.ndarray, delta: np.ndarray, design: Design
) -> tuple[np.ndarray, np.ndarray]:
    """Lowest concentration in ``(0, cmax]`` with ``|f(c) - f(0)| >= delta``.

    Parameters
    ----------
    name : str
        Model name.
    params : numpy.ndarray
        ``(n_genes, k)`` fitted parameters.
    delta : numpy.ndarray
        ``(n_genes,)`` BMR magnitudes.
    design : Design

    Returns
    -------
    bmc : numpy.ndarray
        NaN where the BMR is not reached within the tested range.
    direction : numpy.ndarray
        +1 / -1, sign of ``f(c) - f(0)`` at the BMC (or at the largest departure when
        not reached).
    """
    n_genes = params.shape[0]
    if name == "const" or n_genes == 0:
        return np.full(n_genes, np.nan), np.ones(n_genes)
    grid = np.concatenate([[0.0], np.geomspace(design.cmin * LOW_FACTOR, design.cmax, N_BMC_GRID)])
    f = predict(name, params, grid)
    diff = f - f[:, :1]
    hit = np.abs(diff) >= delta[:, None]
    hit[:, 0] = False
    reached = hit.any(axis=1)
    idx = np.argmax(hit, axis=1)
    far = np.argmax(np.abs(diff), axis=1)
    direction = np.sign(diff[np.arange(n_genes), np.where(reached, idx, far)])
    direction[direction == 0] = 1.0
    lo = grid[np.maximum(idx - 1, 0)]
    hi = grid[idx]
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        fm = predict(name, params, np.column_stack([np.zeros(n_genes), mid]))
        ok = np.abs(fm[:, 1] - fm[:, 0]) >= delta
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    bmc = np.where(reached, hi, np.nan)
    return bmc, direction


def _constrained(
    yc: np.ndarray, syy: np.ndarray, sd: np.ndarray, h: np.ndarray, hb: np.ndarray
) -> np.ndarray:
    """RSS of ``y ~ a + A h`` with ``A = sd / hb`` (broadcast over leading axes)."""
    hc = h - h.mean(axis=-1, keepdims=True)
    shy = np.einsum("...n,...n->...", hc, yc)
    shh = np.einsum("...n,...n->...", hc, hc)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        amp = sd / hb
        r = syy - 2 * amp * shy + amp**2 * shh
    return np.where(np.isfinite(r), np.maximum(r, 0.0), np.inf)


def _profile_rss(
    y: np.ndarray,
    design: Design,
    fit: ModelFit,
    delta: np.ndarray,
    direction: np.ndarray,
    bgrid: np.ndarray,
    refine_below: np.ndarray | None = None,
) -> np.ndarray:
    """Constrained (profile) RSS on the BMC grid: ``(n_genes, Nb)``.

    The nuisance shape parameters are minimised over the model's coarse grid plus the
    gene's fitted shape; where ``refine_below`` is given, grid cells whose coarse RSS is
    below it are refined by local zooming of the shape (as in the point fit).
    """
    c = design.conc
    yc = y - y.mean(axis=1, keepdims=True)
    syy = np.einsum("gn,gn->g", yc, yc)[:, None]
    sd = (direction * delta)[:, None]
    if fit.name == "quadratic":
        cc = c - c.mean()
        syc = (yc @ cc)[:, None]
        scc = cc @ cc
        w = c[None, :] ** 2 - bgrid[:, None] * c[None, :]  # (Nb, n)
        wc = w - w.mean(axis=1, keepdims=True)
        syw = yc @ wc.T  # (n_genes, Nb)
        scw = (wc @ cc)[None, :]
        sww = np.einsum("bn,bn->b", wc, wc)[None, :]
        b = bgrid[None, :]
        szz = syy - 2 * sd * syc / b + sd**2 * scc / b**2
        szw = syw - sd * scw / b
        return np.maximum(szz - szw**2 / sww, 0.0)
    model = SHAPE_MODELS[fit.name]
    d = len(model.shape_names)
    grid_t = _coarse_grid(model, design) if d else np.zeros((1, 0))
    cands = model.to_natural(grid_t, design) if d else grid_t
    n_genes = y.shape[0]
    best = np.full((n_genes, bgrid.size), np.inf)
    arg = np.zeros((n_genes, bgrid.size), dtype=int)
    h = model.basis(c, cands)  # (m, n)
    hb = model.basis(bgrid, cands)  # (m, Nb)
    hc = h - h.mean(axis=1, keepdims=True)
    shh = np.einsum("mn,mn->m", hc, hc)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        inv = np.where(hb > 1e-300, 1.0 / np.abs(hb), np.inf)  # (m, Nb)
        for s in range(0, n_genes, 40):
            shy = yc[s : s + 40] @ hc.T  # (g, m)
            amp = sd[s : s + 40, :, None] * inv.T[None, :, :]  # (g, Nb, m)
            r = syy[s : s + 40, :, None] - 2 * amp * shy[:, None, :] + amp**2 * shh[None, None, :]
            r = np.where(np.isfinite(r), r, np.inf)
            arg[s : s + 40] = r.argmin(axis=2)
            best[s : s + 40] = np.take_along_axis(r, arg[s : s + 40, :, None], 2)[..., 0]
    if d == 0:
        return np.maximum(best, 0.0)
    # the fitted shape of each gene as an extra nuisance candidate
    theta = fit.params[:, 2:]
    hg = model.basis(c, theta[:, None, :])[:, 0, :]  # (n_genes, n)
    hgb = model.basis(bgrid, theta[:, None, :])[:, 0, :]  # (n_genes, Nb)
    r = _constrained(yc[:, None, :], syy, sd, hg[:, None, :], hgb)
    best = np.minimum(best, r)
    if refine_below is None:
        return best
    gi, bi = np.nonzero(best <= refine_below[:, None])
    if gi.size == 0:
        return best
    lo, hi = model.bounds(design)
    step = (hi - lo) / (np.asarray(model.grid_size) - 1)
    offs = np.stack(
        np.meshgrid(*([np.array([-1.0, -0.5, 0.0, 0.5, 1.0])] * d), indexing="ij"), -1
    ).reshape(-1, d)
    for s in range(0, gi.size, 4000):
        g, b = gi[s : s + 4000], bi[s : s + 4000]
        t = grid_t[arg[g, b]]
        cur = best[g, b]
        st = step.copy()
        for _ in range(7):
            cand = np.clip(t[:, None, :] + offs[None] * st, lo, hi)  # (P, m, d)
            nat = model.to_natural(cand, design)
            hh = model.basis(c, nat)  # (P, m, n)
            hbb = model.basis(bgrid[b][:, None, None], nat)[..., 0]  # (P, m)
            rr = _constrained(yc[g][:, None, :], syy[g], sd[g], hh, hbb)
            j = rr.argmin(axis=1)
            t = cand[np.arange(len(g)), j]
            cur = np.minimum(cur, rr[np.arange(len(g)), j])
            st = st / 2.0
        best[g, b] = cur
    return best


def profile_limits(
    y: np.ndarray,
    design: Design,
    fit: ModelFit,
    delta: np.ndarray,
    direction: np.ndarray,
    bmc: np.ndarray,
    ci_level: float = 0.90,
    ci_method: Literal["f", "chi2"] = "f",
) -> tuple[np.ndarray, np.ndarray]:
    """Profile-likelihood BMCL and BMCU (NaN when outside ``[cmin/1000, cmax]``).

    Parameters
    ----------
    y : numpy.ndarray
        ``(n_genes, n)`` expression of the genes fitted with ``fit``.
    design : Design
    fit : ModelFit
    delta, direction, bmc : numpy.ndarray
        BMR magnitude, direction and point BMC per gene.
    ci_level : float
        Two-sided level of the interval (0.90: BMCL is the one-sided 95% limit).
    ci_method : {"f", "chi2"}

    Returns
    -------
    bmcl, bmcu : numpy.ndarray
    """
    if not 0 < ci_level < 1:
        raise ValueError("ci_level must be in (0, 1)")
    n_genes = y.shape[0]
    if n_genes == 0:
        return np.zeros(0), np.zeros(0)
    n, k = design.n, fit.k
    bgrid = np.geomspace(design.cmin * LOW_FACTOR, design.cmax, N_PROFILE_GRID)
    rmin = np.maximum(fit.rss, 1e-12)
    # refine cells that could be inside the interval even at 4x the critical value
    q = (
        stats.f.ppf(ci_level, 1, n - k)
        if ci_method == "f"
        else np.expm1(stats.chi2.ppf(ci_level, 1) / n) * (n - k)
    )
    refine_below = rmin * (1 + 4 * q / (n - k))
    prof = _profile_rss(y, design, fit, delta, direction, bgrid, refine_below)
    rmin = np.maximum(np.minimum(rmin, prof.min(axis=1)), 1e-12)[:, None]
    if ci_method == "f":
        stat = (prof - rmin) / (rmin / (n - k))
        crit = stats.f.ppf(ci_level, 1, n - k)
    elif ci_method == "chi2":
        stat = n * np.log(np.maximum(prof, 1e-12) / rmin)
        crit = stats.chi2.ppf(ci_level, 1)
    else:
        raise ValueError(f"unknown ci_method {ci_method!r}")
    ok = stat <= crit
    lb = np.log(bgrid)
    bmcl = np.full(n_genes, np.nan)
    bmcu = np.full(n_genes, np.nan)
    for g in range(n_genes):
        idx = np.flatnonzero(ok[g])
        if idx.size == 0:
            # interval narrower than the grid: fall back to the point estimate
            bmcl[g] = bmcu[g] = bmc[g]
            continue
        i, j = idx[0], idx[-1]
        if i > 0:
            s0, s1 = stat[g, i - 1], stat[g, i]
            t = (s0 - crit) / (s0 - s1) if np.isfinite(s0) and s0 != s1 else 0.0
            bmcl[g] = np.exp(lb[i - 1] + t * (lb[i] - lb[i - 1]))
        if j < bgrid.size - 1:
            s0, s1 = stat[g, j], stat[g, j + 1]
            t = (crit - s0) / (s1 - s0) if np.isfinite(s1) and s1 != s0 else 0.0
            bmcu[g] = np.exp(lb[j] + t * (lb[j + 1] - lb[j]))
    # keep the point estimate inside its interval
    has = np.isfinite(bmc)
    bmcl = np.where(has & np.isfinite(bmcl), np.minimum(bmcl, bmc), bmcl)
    bmcu = np.where(has & np.isfinite(bmcu), np.maximum(bmcu, bmc), bmcu)
    return bmcl, bmcu


def _lack_of_fit_p(
    rss_model: np.ndarray, rss_anova: np.ndarray, design: Design, k: int
) -> np.ndarray:
    n_groups = design.levels.size + 1
    df = n_groups - k
    if df <= 0:
        return np.ones_like(rss_model)
    lr = design.n * np.log(np.maximum(rss_model, 1e-12) / np.maximum(rss_anova, 1e-12))
    return stats.chi2.sf(np.maximum(lr, 0.0), df)


def _summarise(
    y: np.ndarray,
    design: Design,
    fit: ModelFit,
    bmr: BMR,
    ci_level: float,
    ci_method: Literal["f", "chi2"],
    rss_anova: np.ndarray,
) -> pd.DataFrame:
    """BMC, limits and flags for genes all fitted with one model."""
    n_genes = y.shape[0]
    f0 = predict(fit.name, fit.params, np.zeros(1))[:, 0] if n_genes else np.zeros(0)
    delta = bmr.delta(y, design, fit, f0)
    bmc, direction = solve_bmc(fit.name, fit.params, delta, design)
    if fit.name == "const":
        bmcl = bmcu = np.full(n_genes, np.nan)
    else:
        bmcl, bmcu = profile_limits(y, design, fit, delta, direction, bmc, ci_level, ci_method)
    ec50 = fit.params[:, 2] if fit.name == "hill" else np.full(n_genes, np.nan)
    p_fit = _lack_of_fit_p(fit.rss, rss_anova, design, fit.k)
    flags: list[list[str]] = [[] for _ in range(n_genes)]
    for g in range(n_genes):
        fl = flags[g]
        if fit.name == "const":
            fl.append("flat")
            continue
        if not np.isfinite(bmc[g]):
            fl.append("bmc_above_range")
        elif bmc[g] < design.cmin:
            fl.append("bmc_below_lowest")
        if not np.isfinite(bmcl[g]) and fit.name != "const":
            fl.append("bmcl_undetermined")
        if not np.isfinite(bmcu[g]):
            fl.append("bmcu_above_range")
        if fit.name == "hill" and ec50[g] > design.cmax:
            fl.append("ec50_above_range")
        if fit.name == "quadratic" and fit.params[g, 2] != 0:
            vert = -fit.params[g, 1] / (2 * fit.params[g, 2])
            if 0 < vert < design.cmax:
                fl.append("non_monotone")
        if p_fit[g] < 0.1:
            fl.append("lack_of_fit")
    return pd.DataFrame(
        {
            "model": fit.name,
            "f0": f0,
            "bmr_delta": delta,
            "direction": np.where(direction > 0, "up", "down"),
            "bmc": bmc,
            "bmcl": bmcl,
            "bmcu": bmcu,
            "ec50": ec50,
            "lack_of_fit_p": p_fit,
            "params": [
                ";".join(f"{k}={v:.6g}" for k, v in zip(PARAM_NAMES[fit.name], row, strict=True))
                for row in fit.params
            ],
            "flag": [";".join(f) for f in flags],
        }
    )


def fit_concentration_response(
    expr: pd.DataFrame,
    conc: pd.Series | np.ndarray | Sequence[float],
    vehicle: pd.Series | np.ndarray | Sequence[bool] | None = None,
    genes: Iterable[str] | None = None,
    models: Sequence[str] = DEFAULT_MODELS,
    selection: Literal["aicc", "bmds"] = "aicc",
    bmr: BMR = BMR(),
    ci_level: float = 0.90,
    ci_method: Literal["f", "chi2"] = "f",
) -> pd.DataFrame:
    """Fit the model set, choose a model per gene and derive BMC/BMCL/BMCU/EC50.

    Parameters
    ----------
    expr : pandas.DataFrame
        Genes x samples, normalised log2 expression of ONE series (one cell line x
        genotype x drug x time, with its vehicle samples).
    conc : array-like of float
        Concentration per sample (column order of ``expr``); vehicle = 0. If a
        :class:`pandas.Series` indexed by sample names, it is aligned to the columns.
    vehicle : array-like of bool, optional
        Vehicle mask (default ``conc == 0``).
    genes : iterable of str, optional
        Responsive genes to model (e.g. from the DESeq2 LRT, or
        :func:`concentration_response.trend.trend_test`). Default: all rows.
    models : sequence of str
        Model set (default all: const, linear, power, exp, quadratic, hill).
    selection : {"aicc", "bmds"}
        ``"aicc"``: smallest AICc. ``"bmds"``: EPA BMDS rule: among non-constant models
        with lack-of-fit p >= 0.1, the lowest AICc if their BMCLs are within 3-fold,
        otherwise the lowest BMCL; a gene where the constant model has the lowest AICc
        stays ``flat``.
    bmr : BMR
        Benchmark response definition (default 1 vehicle SD).
    ci_level : float
        Two-sided level of [BMCL, BMCU] (default 0.90, BMCL = one-sided 95%).
    ci_method : {"f", "chi2"}
        Profile-likelihood calibration.

    Returns
    -------
    pandas.DataFrame
        One row per gene (index ``gene_id``): ``model``, ``aicc_<model>`` for every model,
        ``f0``, ``bmr_delta``, ``direction``, ``bmc``, ``bmcl``, ``bmcu``, ``ec50``,
        ``lack_of_fit_p``, ``params``, ``flag``.

    Raises
    ------
    ValueError
        Bad design (see :func:`check_design`), unknown genes, bad options.
    """
    if isinstance(conc, pd.Series) and set(map(str, conc.index)) >= set(map(str, expr.columns)):
        conc = conc.reindex(expr.columns)
        if isinstance(vehicle, pd.Series):
            vehicle = vehicle.reindex(expr.columns)
    design = check_design(conc, vehicle, n_samples=expr.shape[1])
    if genes is not None:
        wanted = list(dict.fromkeys(genes))
        missing = [g for g in wanted if g not in expr.index]
        if missing:
            raise ValueError(
                f"{len(missing)} responsive genes are not in the expression matrix, "
                f"e.g. {missing[:3]}"
            )
        expr = expr.loc[wanted]
    if selection not in ("aicc", "bmds"):
        raise ValueError(f"unknown selection {selection!r}")
    y = as_matrix(expr, design.n)
    fits = fit_models(y, design, models)
    tab = model_table(fits, design.n)
    names = tab.columns.to_numpy()
    choice = names[np.argmin(tab.to_numpy(), axis=1)]
    rss_anova = anova_rss(y, design)
    if selection == "bmds":
        per_model = {
            m: _summarise(y, design, f, bmr, ci_level, ci_method, rss_anova)
            for m, f in fits.items()
            if m != "const"
        }
        choice = _bmds_choice(choice, tab, per_model)
        parts = []
        for m in np.unique(choice):
            sel = np.flatnonzero(choice == m)
            if m == "const":
                sub = _subset_fit(fits[m], sel)
                parts.append(
                    _summarise(
                        y[sel], design, sub, bmr, ci_level, ci_method, rss_anova[sel]
                    ).set_index(sel)
                )
            else:
                parts.append(per_model[m].iloc[sel].set_index(sel))
        res = pd.concat(parts).sort_index()
    else:
        parts = []
        for m in np.unique(choice):
            sel = np.flatnonzero(choice == m)
            sub = _subset_fit(fits[m], sel)
            parts.append(
                _summarise(y[sel], design, sub, bmr, ci_level, ci_method, rss_anova[sel]).set_index(
                    sel
                )
            )
        res = pd.concat(parts).sort_index()
    res.index = expr.index
    res.index.name = "gene_id"
    for m in names:
        res[f"aicc_{m}"] = tab[m].to_numpy()
    res.attrs.update(
        {
            "cmin": design.cmin,
            "cmax": design.cmax,
            "n_samples": design.n,
            "ci_level": ci_level,
            "bmr": repr(bmr),
        }
    )
    return res


def _subset_fit(fit: ModelFit, sel: np.ndarray) -> ModelFit:
    return ModelFit(fit.name, fit.params[sel], fit.rss[sel])


def _bmds_choice(
    aicc_choice: np.ndarray, tab: pd.DataFrame, per_model: dict[str, pd.DataFrame]
) -> np.ndarray:
    out = aicc_choice.copy()
    models = list(per_model)
    for g in range(len(out)):
        if aicc_choice[g] == "const":
            continue
        adequate = [m for m in models if per_model[m]["lack_of_fit_p"].iat[g] >= 0.1]
        if not adequate:
            adequate = models
        bmcl = np.array([per_model[m]["bmcl"].iat[g] for m in adequate], dtype=float)
        fin = np.isfinite(bmcl)
        if fin.sum() >= 2 and np.nanmax(bmcl) / np.nanmin(bmcl) > 3:
            out[g] = adequate[int(np.nanargmin(np.where(fin, bmcl, np.inf)))]
        else:
            out[g] = adequate[int(np.argmin([tab[m].iat[g] for m in adequate]))]
    return out


def model_counts(result: pd.DataFrame) -> pd.Series:
    """Count the genes per chosen model."""
    return result["model"].value_counts()


__all__ = [
    "BMR",
    "N_MEAN_PARAMS",
    "aicc",
    "fit_concentration_response",
    "model_counts",
    "profile_limits",
    "solve_bmc",
]
