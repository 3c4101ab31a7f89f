"""Pathway-level BMCs, BMC accumulation and the transcriptomic point of departure.

* Pathway BMC: median BMC of the gene set's *responsive* members (genes with a finite
  BMC that is not flagged ``flat``/``bmc_above_range``), reported only when at least
  ``min_genes`` (3) members AND at least ``min_fraction`` (5%) of the set's genes
  (counted among genes present in the expression data when ``universe`` is given)
  respond. Also the 25th/75th percentile and the median BMCL.
* Accumulation: gene BMCs sorted increasingly with their cumulative count/fraction,
  the data of a BMC accumulation plot.
* tPOD (one per drug/series): ``tpod_pathway`` = the lowest pathway median BMC;
  ``tpod_gene20`` = the 20th-lowest gene BMC (NaN with fewer than 20 genes); both
  as in the NTP/EPA transcriptomic-POD literature (e.g. Johnson et al. 2022,
  "Evaluation of transcriptomic POD approaches").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

EXCLUDE_FLAGS = ("flat", "bmc_above_range")


def usable_bmcs(result: pd.DataFrame) -> pd.DataFrame:
    """Genes with a finite BMC not flagged flat / above range."""
    bad = result["flag"].fillna("").str.contains("|".join(EXCLUDE_FLAGS))
    return result[np.isfinite(result["bmc"]) & ~bad]


def pathway_bmc(
    result: pd.DataFrame,
    gene_sets: Mapping[str, Iterable[str]],
    min_genes: int = 3,
    min_fraction: float = 0.05,
    universe: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Median BMC per gene set.

    Parameters
    ----------
    result : pandas.DataFrame
        Output of ``fit_concentration_response`` (index gene ids).
    gene_sets : mapping of str to iterable of str
    min_genes : int
    min_fraction : float
    universe : iterable of str, optional
        Genes measured; set sizes are counted within it.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``bmc_median``: ``gene_set``, ``n_genes``, ``n_responsive``,
        ``fraction``, ``bmc_median``, ``bmc_q25``, ``bmc_q75``, ``bmcl_median``,
        ``genes``; only sets passing both thresholds.
    """
    ok = usable_bmcs(result)
    uni = set(universe) if universe is not None else None
    rows = []
    for name, members in gene_sets.items():
        mem = set(members)
        if uni is not None:
            mem &= uni
        if not mem:
            continue
        hit = ok[ok.index.isin(mem)]
        frac = len(hit) / len(mem)
        if len(hit) < min_genes or frac < min_fraction:
            continue
        b = hit["bmc"].to_numpy()
        rows.append(
            {
                "gene_set": name,
                "n_genes": len(mem),
                "n_responsive": len(hit),
                "fraction": frac,
                "bmc_median": float(np.median(b)),
                "bmc_q25": float(np.quantile(b, 0.25)),
                "bmc_q75": float(np.quantile(b, 0.75)),
                "bmcl_median": float(np.nanmedian(hit["bmcl"]))
                if hit["bmcl"].notna().any()
                else np.nan,
                "genes": ";".join(sorted(hit.index.astype(str))),
            }
        )
    cols = [
        "gene_set",
        "n_genes",
        "n_responsive",
        "fraction",
        "bmc_median",
        "bmc_q25",
        "bmc_q75",
        "bmcl_median",
        "genes",
    ]
    return (
        pd.DataFrame(rows, columns=cols)
        .sort_values("bmc_median", kind="stable")
        .reset_index(drop=True)
    )


def accumulation(result: pd.DataFrame) -> pd.DataFrame:
    """Sorted gene BMCs with cumulative count and fraction (accumulation-plot data)."""
    ok = usable_bmcs(result).sort_values("bmc", kind="stable")
    out = pd.DataFrame({"gene_id": ok.index, "bmc": ok["bmc"].to_numpy()})
    out["cumulative"] = np.arange(1, len(out) + 1)
    out["fraction"] = out["cumulative"] / max(len(out), 1)
    return out


def tpod(
    result: pd.DataFrame, pathways: pd.DataFrame | None = None, nth_gene: int = 20
) -> dict[str, Any]:
    """Transcriptomic points of departure for one drug/series.

    Returns
    -------
    dict
        ``tpod_pathway`` (lowest pathway median BMC, NaN without pathways),
        ``tpod_pathway_set`` (its name), ``tpod_gene20`` (the ``nth_gene``-lowest gene
        BMC, NaN if fewer genes), ``n_genes_bmc``.
    """
    acc = accumulation(result)
    g = float(acc["bmc"].iloc[nth_gene - 1]) if len(acc) >= nth_gene else np.nan
    if pathways is not None and len(pathways):
        p, name = float(pathways["bmc_median"].iloc[0]), str(pathways["gene_set"].iloc[0])
    else:
        p, name = np.nan, ""
    return {
        "tpod_pathway": p,
        "tpod_pathway_set": name,
        "tpod_gene20": g,
        "n_genes_bmc": float(len(acc)),
    }
