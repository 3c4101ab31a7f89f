"""Dose- and time-response genes.

Genes whose log2 fold changes change monotonically along a drug's dose series (or time
series).

The dose and time of each *treatment* contrast are read from the samples sheet (its
treatment samples' ``dose`` and ``time``). A contrast whose treatment samples disagree
on them is left out, with a warning. Contrasts form series:

* dose series: same cell line, genotype, drug, time and reference level; at least
  ``dose_response.min_doses`` (default 3) different doses, ordered by number;
* time series: same cell line, genotype, drug, dose and reference level; at least two
  time points. Times are ordered by their value in hours: a number with an optional
  unit ``s``, ``min``, ``h`` or ``d`` (``30min``, ``6h``, ``2d``); a bare number is
  taken as hours. A series with a time that cannot be read this way is skipped with a
  warning.

Genes tested in every contrast of a series are scored on their effect sizes (shrunken
log2 fold change, else the MLE, see :mod:`drugsig.analysis.signatures`) along the levels:

* ``rho``: Spearman correlation of the effect size with the level. For doses this is
  the correlation with log10(dose), since a rank correlation does not change under a
  monotone transform. Empty when the effect is the same at every level.
* ``max_abs_log2fc``: the largest absolute effect size over the levels.
* ``change``: effect size at the highest level minus that at the lowest.
* ``call``: with three or more levels, ``increasing`` (``decreasing``) when
  ``rho >= dose_response.min_abs_rho`` (``<= -min_abs_rho``) and ``max_abs_log2fc >=
  dose_response.min_abs_log2fc``. With two levels the rank correlation is always ±1
  and says nothing, so the call is instead ``increasing`` (``decreasing``) when
  ``change >= min_abs_log2fc`` (``<= -min_abs_log2fc``): the difference between the
  two levels is itself a large effect. ``none`` otherwise.

Outputs
-------
``results/dose_response/dose_response.tsv`` and ``results/dose_response/time_response.tsv``:
one row per series and gene. The two files have the same columns except the fixed
factor and the level column. Rows are ordered by series (order of their first
contrast), call (increasing, decreasing, none), ``|rho|`` (descending), then
``max_abs_log2fc`` (descending) and ``gene_id``. A file holds only its header when
there is no series.

* ``cell_line``, ``genotype``, ``drug``: the series' cell line, genotype and treatment
  level (empty when the sheet has no such column).
* ``time`` (dose series) / ``dose`` (time series): the fixed factor's value.
* ``doses`` / ``times``: the levels, ``;``-joined, in increasing order.
* ``contrasts``: the contrast of each level, ``;``-joined, in the same order.
* ``gene_id``, ``gene_name``.
* ``log2fc``: the effect size at each level, ``;``-joined, in the same order.
* ``rho``, ``max_abs_log2fc``, ``change``, ``call``: see above.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from drugsig.inputs.sheets import load_samples
from drugsig.io import write_table_atomic
from drugsig.tables import (
    effect_size,
    load_contrast_tables,
    read_contrasts,
)

Factor = Literal["dose", "time"]
CALLS = ["increasing", "decreasing", "none"]
SCORE_COLUMNS = ["gene_id", "gene_name", "log2fc", "rho", "max_abs_log2fc", "change", "call"]
_KEYS = ["cell_line", "genotype", "drug"]
_FIXED: dict[Factor, Factor] = {"dose": "time", "time": "dose"}
_HOURS = {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0}
_TIME = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<unit>s|min|h|d)?", re.I)


def columns(factor: Factor) -> list[str]:
    """Columns of the response table along ``factor``."""
    return [*_KEYS, _FIXED[factor], f"{factor}s", "contrasts", *SCORE_COLUMNS]


@dataclass(frozen=True)
class Series:
    """Treatment contrasts of one drug along one factor.

    Attributes
    ----------
    keys
        ``cell_line``, ``genotype``, ``drug`` and the fixed factor's value.
    labels
        The levels as written in the samples sheet, in increasing order.
    contrasts
        The contrast of each level, in the same order.
    """

    keys: dict[str, str]
    labels: list[str]
    contrasts: list[str]


def hours(label: str) -> float | None:
    """Convert a time point to hours (``30min`` -> 0.5, ``2d`` -> 48); ``None`` if unreadable."""
    match = _TIME.fullmatch(label.strip())
    if match is None:
        return None
    return float(match["number"]) * _HOURS[(match["unit"] or "h").lower()]


def _single(values: pd.Series) -> str | None:
    """Return the value all ``values`` share (``""`` when all missing), else ``None``."""
    distinct = set(values.fillna(""))
    return distinct.pop() if len(distinct) == 1 else None


def contrast_design(
    contrasts: pd.DataFrame, samples: pd.DataFrame, genotype_column: str
) -> pd.DataFrame:
    """Cell line, genotype, drug, reference, dose and time of every treatment contrast.

    Parameters
    ----------
    contrasts
        The contrasts table (``contrasts.tsv``).
    samples
        The samples sheet, indexed by sample (see :func:`drugsig.inputs.sheets.load_samples`).
    genotype_column
        ``diffexp.genotype_column``.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``cell_line``, ``genotype``, ``drug``, ``reference``, ``dose``,
        ``time``: sheet values (``""`` where the sheet has no such column); ``dose`` or
        ``time`` is ``None`` when the treatment samples disagree on it (with a warning).
    """
    sheet = {
        "cell_line": "cell_line",
        "genotype": genotype_column,
        "dose": "dose",
        "time": "time",
    }
    rows = []
    for contrast in contrasts[contrasts["kind"] == "treatment"].to_dict("records"):
        treated = samples.loc[contrast["treatment_samples"].split(",")]
        row = {
            "name": contrast["name"],
            "drug": contrast["treatment"],
            "reference": contrast["reference"],
        }
        for key, column in sheet.items():
            values = treated[column] if column in treated.columns else pd.Series([""])
            row[key] = _single(values)
        mixed = [key for key in ("dose", "time") if row[key] is None]
        if mixed:
            warnings.warn(
                f"contrast {contrast['name']}: its treatment samples have several values of "
                f"{' and '.join(mixed)}, so it is left out of the {' and '.join(mixed)} "
                "series that need one.",
                stacklevel=2,
            )
        rows.append(row)
    return pd.DataFrame(
        rows, columns=["name", "cell_line", "genotype", "drug", "reference", "dose", "time"]
    )


def find_series(design: pd.DataFrame, factor: Factor, min_levels: int) -> list[Series]:
    """Find the series along ``factor`` with at least ``min_levels`` levels.

    Series are in the order of their first contrast. A series with a time point that
    :func:`hours` cannot read, or with two contrasts at the same level (``6h`` and
    ``360min`` count as the same), is skipped with a warning.
    """
    fixed = _FIXED[factor]
    usable = design.dropna(subset=["dose", "time"])
    found = []
    for key, group in usable.groupby([*_KEYS, fixed, "reference"], sort=False):
        keys = dict(zip([*_KEYS, fixed], key[:-1], strict=True))
        described = ", ".join(f"{name} {value}" for name, value in keys.items() if value)
        if len(group) < min_levels:
            continue
        values = group[factor].map(float if factor == "dose" else hours)
        if values.isna().any():
            unreadable = ", ".join(group.loc[values.isna(), factor])
            warnings.warn(
                f"time series of {described}: cannot read time point(s) {unreadable} as a "
                "number with an optional unit s, min, h or d; the series is skipped.",
                stacklevel=2,
            )
            continue
        if values.duplicated().any():
            warnings.warn(
                f"{factor} series of {described}: several contrasts share a {factor} "
                f"({', '.join(group['name'])}); the series is skipped.",
                stacklevel=2,
            )
            continue
        group = group.assign(value=values.astype(float)).sort_values("value")
        found.append(Series(keys, list(group[factor]), list(group["name"])))
    return found


def score(effects: pd.DataFrame, min_abs_rho: float, min_abs_log2fc: float) -> pd.DataFrame:
    """Monotonic trend of each gene's effect sizes along ordered levels.

    Parameters
    ----------
    effects
        Genes (rows) by levels (columns, in increasing order) of effect sizes, no NaN.
    min_abs_rho, min_abs_log2fc
        Call thresholds (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``effects``: ``rho``, ``max_abs_log2fc``, ``change``, ``call``.
    """
    values = effects.to_numpy(dtype=float)
    levels = values.shape[1]
    ranks = rankdata(values, axis=1)
    ranks -= ranks.mean(axis=1, keepdims=True)
    positions = np.arange(levels) - (levels - 1) / 2
    spread = np.sqrt((ranks**2).sum(axis=1) * (positions**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(spread > 0, ranks @ positions / spread, np.nan)
    largest = np.abs(values).max(axis=1)
    change = values[:, -1] - values[:, 0]
    if levels >= 3:
        strong = largest >= min_abs_log2fc
        up = strong & (rho >= min_abs_rho)
        down = strong & (rho <= -min_abs_rho)
    else:
        up, down = change >= min_abs_log2fc, change <= -min_abs_log2fc
    return pd.DataFrame(
        {
            "rho": rho,
            "max_abs_log2fc": largest,
            "change": change,
            "call": np.select([up, down], CALLS[:2], CALLS[2]),
        },
        index=effects.index,
    )


def response_table(
    tables: Mapping[str, pd.DataFrame],
    series: Sequence[Series],
    factor: Factor,
    min_abs_rho: float,
    min_abs_log2fc: float,
) -> pd.DataFrame:
    """Score every gene of every series (see the module docstring).

    Parameters
    ----------
    tables
        ``{contrast name: DE table}``.
    series
        From :func:`find_series` along ``factor``.
    factor
        ``"dose"`` or ``"time"``.
    min_abs_rho, min_abs_log2fc
        Call thresholds.

    Returns
    -------
    pandas.DataFrame
        Columns :func:`columns` of ``factor``.
    """
    parts = []
    for one in series:
        effects = pd.concat(
            [
                effect_size(tables[name]).set_axis(tables[name]["gene_id"]).rename(name)
                for name in one.contrasts
            ],
            axis=1,
            join="inner",
        ).dropna()
        names = tables[one.contrasts[0]].set_index("gene_id")["gene_name"]
        scored = score(effects, min_abs_rho, min_abs_log2fc)
        scored.insert(0, "gene_name", names.reindex(effects.index))
        scored.insert(
            1,
            "log2fc",
            [";".join(f"{value:.6g}" for value in row) for row in effects.to_numpy()],
        )
        scored = scored.rename_axis("gene_id").reset_index()
        scored = scored.assign(
            _call=scored["call"].map(CALLS.index),
            _rho=-scored["rho"].abs(),
            _largest=-scored["max_abs_log2fc"],
        ).sort_values(["_call", "_rho", "_largest", "gene_id"], na_position="last")
        for position, (key, value) in enumerate(one.keys.items()):
            scored.insert(position, key, value)
        scored.insert(len(one.keys), f"{factor}s", ";".join(one.labels))
        scored.insert(len(one.keys) + 1, "contrasts", ";".join(one.contrasts))
        parts.append(scored[columns(factor)])
    if not parts:
        return pd.DataFrame(columns=columns(factor))
    return pd.concat(parts, ignore_index=True)


def write_dose_response(
    tables: Sequence[str | Path],
    contrasts: str | Path,
    samples: str | Path,
    genotype_column: str,
    dose_response_cfg: Mapping[str, Any],
    dose_out: str | Path,
    time_out: str | Path,
) -> None:
    """Write the dose-response and time-response tables.

    Parameters
    ----------
    tables, contrasts
        The DE tables in contrast order and ``contrasts.tsv``, as read by
        :func:`drugsig.tables.load_contrast_tables`.
    samples
        The samples sheet.
    genotype_column
        ``diffexp.genotype_column``.
    dose_response_cfg
        The validated ``dose_response`` config section (``min_doses``, ``min_abs_rho``,
        ``min_abs_log2fc``).
    dose_out, time_out
        Output paths.
    """
    described = read_contrasts(contrasts)
    design = contrast_design(described, load_samples(samples), genotype_column)
    thresholds = dose_response_cfg["min_abs_rho"], dose_response_cfg["min_abs_log2fc"]
    found = {
        "dose": find_series(design, "dose", dose_response_cfg["min_doses"]),
        "time": find_series(design, "time", 2),
    }
    needed = {name for series in found.values() for one in series for name in one.contrasts}
    _, de_tables = load_contrast_tables(contrasts, tables, only=sorted(needed))
    write_table_atomic(response_table(de_tables, found["dose"], "dose", *thresholds), dose_out)
    write_table_atomic(response_table(de_tables, found["time"], "time", *thresholds), time_out)
