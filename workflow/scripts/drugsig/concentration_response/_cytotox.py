"""Cytotoxicity context from viability fits (4-parameter logistic).

``viability(c) = bottom + (top - bottom) / (1 + (c / IC50)^hill)`` (percent of vehicle).

* :func:`selectivity`: ``log10(IC50 / tPOD)``; > 0 means transcriptional changes occur
  below cytotoxic concentrations (e.g. 1 = a 10-fold window).
* :func:`flag_cytotoxic`: samples whose concentration gives modelled viability below
  ``threshold`` (80%) are flagged; their expression changes may reflect cell death.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def viability(
    c: np.ndarray | float, ic50: float, hill: float = 1.0, top: float = 100.0, bottom: float = 0.0
) -> np.ndarray:
    """Modelled viability (percent) at concentration(s) ``c``."""
    if not ic50 > 0:
        raise ValueError("IC50 must be > 0")
    cc = np.asarray(c, dtype=float)
    if np.any(cc < 0):
        raise ValueError("concentrations must be >= 0")
    return bottom + (top - bottom) / (1.0 + (cc / ic50) ** hill)


def selectivity(ic50: float, tpod: float) -> float:
    """``log10(IC50 / tPOD)`` (NaN if either is missing or not positive)."""
    if not (np.isfinite(ic50) and np.isfinite(tpod)) or ic50 <= 0 or tpod <= 0:
        return float("nan")
    return float(np.log10(ic50 / tpod))


def flag_cytotoxic(
    samples: pd.DataFrame,
    ic50: pd.DataFrame,
    conc_col: str = "concentration",
    keys: tuple[str, ...] = ("cell_line", "drug"),
    threshold: float = 80.0,
) -> pd.DataFrame:
    """Add ``viability`` and ``cytotoxic`` columns to a samples table.

    Parameters
    ----------
    samples : pandas.DataFrame
        One row per sample with ``keys`` and ``conc_col``.
    ic50 : pandas.DataFrame
        One row per ``keys`` combination with ``ic50`` and optional ``hill``, ``top``,
        ``bottom`` (defaults 1, 100, 0).
    threshold : float
        Viability (percent) below which a sample is flagged.

    Returns
    -------
    pandas.DataFrame
        Copy of ``samples`` with ``viability`` (NaN without an IC50 fit) and
        ``cytotoxic`` (bool).
    """
    fits = ic50.set_index(list(keys))
    out = samples.copy()
    v = np.full(len(out), np.nan)
    for i, (_, row) in enumerate(out.iterrows()):
        key = tuple(row[k] for k in keys)
        key = key[0] if len(key) == 1 else key
        if key not in fits.index:
            continue
        f = fits.loc[key]
        v[i] = viability(
            float(row[conc_col]),
            float(f["ic50"]),
            float(f.get("hill", 1.0)),
            float(f.get("top", 100.0)),
            float(f.get("bottom", 0.0)),
        )
    out["viability"] = v
    out["cytotoxic"] = np.nan_to_num(v, nan=100.0) < threshold
    return out
