"""Relative potency between two drugs on their shared responsive genes.

``ratio = BMC_reference / BMC_drug``: how many times more potent ``drug`` is than
``reference`` (ratio > 1: drug acts at lower concentrations). Computed per gene on the
genes with a usable BMC (or EC50) for BOTH drugs in the same cell line/time, summarised
by the median of the per-gene ratios (geometric: median of log ratios); the 95% CI is a
percentile bootstrap over genes (``n_boot`` resamples of the shared genes).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from ._pathways import usable_bmcs


def potency_ratio(
    drug: pd.DataFrame,
    reference: pd.DataFrame,
    metric: Literal["bmc", "ec50"] = "bmc",
    n_boot: int = 2000,
    level: float = 0.95,
    min_genes: int = 3,
    seed: int = 0,
) -> dict[str, float]:
    """Median per-gene potency ratio with a bootstrap CI over genes.

    Parameters
    ----------
    drug, reference : pandas.DataFrame
        ``fit_concentration_response`` results of the two drugs (same cell line/time).
    metric : {"bmc", "ec50"}
    n_boot : int
    level : float
    min_genes : int
        Fewer shared genes -> NaN ratio.
    seed : int

    Returns
    -------
    dict
        ``ratio``, ``ci_low``, ``ci_high``, ``n_genes``.
    """
    a = usable_bmcs(drug)[metric]
    b = usable_bmcs(reference)[metric]
    shared = a.index.intersection(b.index)
    la = np.log(a.loc[shared].to_numpy(float))
    lb = np.log(b.loc[shared].to_numpy(float))
    ok = np.isfinite(la) & np.isfinite(lb)
    lr = (lb - la)[ok]
    n = lr.size
    if n < min_genes:
        return {"ratio": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n_genes": float(n)}
    rng = np.random.default_rng(seed)
    boot = np.median(lr[rng.integers(0, n, size=(n_boot, n))], axis=1)
    lo, hi = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
    return {
        "ratio": float(np.exp(np.median(lr))),
        "ci_low": float(np.exp(lo)),
        "ci_high": float(np.exp(hi)),
        "n_genes": float(n),
    }
