"""Fallback trend filter: which genes respond to concentration at all.

In the workflow the responsive genes normally come from a DESeq2 likelihood-ratio test
(full design with concentration as a factor vs reduced design); pass those ids as
``genes`` to :func:`concentration_response.bmc.fit_concentration_response`. When no LRT
is available, :func:`trend_test` gives a documented fallback on log2 expression:

* ``method="quadratic"`` (default, as DRomics ``itemselect``): OLS of expression on the
  concentration *rank* (vehicle = rank 1, then 2, 3, ...) and its square; F test of both
  slopes against the intercept-only model (2 and n-3 df). Detects monotone and
  U/bell-shaped responses.
* ``method="linear"``: rank only (1 and n-2 df).
* ``method="anova"``: one-way ANOVA over concentration groups (needs replicates).

P-values are Benjamini-Hochberg adjusted; genes with ``padj < fdr`` are responsive.
Unlike DRomics (limma for microarrays, DESeq2 for counts) the variance is not
moderated across genes, so the test is somewhat less powerful with 2-3 replicates.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ._validation import as_matrix, check_design


def bh_adjust(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (NaN kept)."""
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    q = p[ok]
    m = q.size
    if m == 0:
        return out
    order = np.argsort(q)
    ranked = q[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    res = np.empty(m)
    res[order] = np.minimum(ranked, 1.0)
    out[ok] = res
    return out


def trend_test(
    expr: pd.DataFrame,
    conc: pd.Series | np.ndarray | list[float],
    vehicle: pd.Series | np.ndarray | list[bool] | None = None,
    method: Literal["quadratic", "linear", "anova"] = "quadratic",
    fdr: float = 0.05,
) -> pd.DataFrame:
    """Concentration trend test per gene.

    Parameters
    ----------
    expr : pandas.DataFrame
        Genes x samples log2 normalised expression of one series.
    conc, vehicle
        See :func:`concentration_response.validation.check_design`.
    method : {"quadratic", "linear", "anova"}
    fdr : float
        BH threshold for ``responsive``.

    Returns
    -------
    pandas.DataFrame
        Index = genes; columns ``F``, ``pvalue``, ``padj``, ``responsive``.
    """
    design = check_design(conc, vehicle, n_samples=expr.shape[1])
    y = as_matrix(expr, design.n)
    n = design.n
    grp = design.groups.astype(float) + 1.0  # dose rank, vehicle = 1
    yc = y - y.mean(axis=1, keepdims=True)
    syy = np.einsum("gn,gn->g", yc, yc)
    if method in ("quadratic", "linear"):
        cols = [np.ones(n), grp] + ([grp**2] if method == "quadratic" else [])
        x = np.column_stack(cols)
        coef, *_ = np.linalg.lstsq(x, y.T, rcond=None)
        r = y - (x @ coef).T
        rss = np.einsum("gn,gn->g", r, r)
        df1 = x.shape[1] - 1
    elif method == "anova":
        g = design.groups
        rss = np.zeros(y.shape[0])
        for lvl in np.unique(g):
            b = y[:, g == lvl]
            rss += ((b - b.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
        df1 = np.unique(g).size - 1
    else:
        raise ValueError(f"unknown trend method {method!r}")
    df2 = n - df1 - 1
    if df2 <= 0:
        raise ValueError(f"not enough samples ({n}) for the {method} trend test")
    with np.errstate(divide="ignore", invalid="ignore"):
        f = ((syy - rss) / df1) / (rss / df2)
    p = stats.f.sf(f, df1, df2)
    p = np.where(syy > 0, p, 1.0)
    padj = bh_adjust(p)
    return pd.DataFrame(
        {"F": f, "pvalue": p, "padj": padj, "responsive": padj < fdr}, index=expr.index
    )
