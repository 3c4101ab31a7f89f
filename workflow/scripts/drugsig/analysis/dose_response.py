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
* LRT gene filter: a series with a likelihood ratio test (``diffexp.lrt``, dose series
  and time courses with >= 3 levels, see :func:`lrt_series` and
  :mod:`drugsig.diffexp.lrt`) calls a gene ``increasing`` / ``decreasing`` only if its
  LRT ``padj < diffexp.alpha``: the trend must rest on a change in expression across
  the levels that is significant as a whole. Series without an LRT (two-level time
  series, ``diffexp.lrt: false``) are called on the trend alone.

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

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from drugsig.inputs.design import Contrast, hours, model_groups, sanitize_name
from drugsig.inputs.sheets import load_samples
from drugsig.io import write_table_atomic
from drugsig.tables import (
    effect_size,
    load_contrast_tables,
    read_contrasts,
    read_de_table,
    read_lrt_index,
)

Factor = Literal["dose", "time"]
CALLS = ["increasing", "decreasing", "none"]
SCORE_COLUMNS = ["gene_id", "gene_name", "log2fc", "rho", "max_abs_log2fc", "change", "call"]
_KEYS = ["cell_line", "genotype", "drug"]
_FIXED: dict[Factor, Factor] = {"dose": "time", "time": "dose"}


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


def series_name(keys: Mapping[str, str], factor: Factor) -> str:
    """Name of a series (file name of its LRT table): its keys' values, then ``factor``.

    ``SJSA-1_parental_Nutlin-3a_24h_dose`` (dose series at 24 h),
    ``SJSA-1_parental_Nutlin-3a_1_time`` (time course at dose 1); empty values are left out.
    """
    parts = [sanitize_name(str(keys.get(key, ""))) for key in [*_KEYS, _FIXED[factor]]]
    return "_".join(part for part in [*parts, factor] if part)


@dataclass(frozen=True)
class LRTSeries:
    """The samples of one dose series or time course, tested by a likelihood ratio test.

    Attributes
    ----------
    name
        :func:`series_name` of the series.
    factor
        ``"dose"`` or ``"time"``.
    keys
        ``cell_line``, ``genotype``, ``drug`` and the fixed factor's value (``time`` of
        a dose series, ``dose`` of a time course).
    levels
        The levels in increasing order; a dose series starts with ``"0"``, its vehicle.
    samples
        ``{sample: level}`` for every sample of the series, in level order.
    """

    name: str
    factor: Factor
    keys: dict[str, str]
    levels: list[str]
    samples: dict[str, str]


def contrast_samples(
    samples: pd.DataFrame, contrasts: Sequence[Contrast], vehicle: str
) -> pd.DataFrame:
    """Build the ``contrasts.tsv`` columns :func:`contrast_design` reads from the contrasts.

    Returns
    -------
    pandas.DataFrame
        ``name``, ``kind``, ``treatment``, ``reference``, ``treatment_samples`` and
        ``reference_samples`` (comma-joined), one row per contrast.
    """
    rows = []
    labels: dict[tuple[Any, ...], pd.Series] = {}  # one labelling per model (DAG-time cost)
    for contrast in contrasts:
        key = (contrast.subset, contrast.factor)
        if key not in labels:
            labels[key] = model_groups(samples, contrast, vehicle)
        groups = labels[key]
        rows.append(
            {
                "name": contrast.name,
                "kind": contrast.kind,
                "treatment": contrast.treatment,
                "reference": contrast.reference,
                "treatment_samples": ",".join(groups.index[groups == contrast.treatment_group]),
                "reference_samples": ",".join(groups.index[groups == contrast.reference_group]),
            }
        )
    columns = ["name", "kind", "treatment", "reference", "treatment_samples", "reference_samples"]
    return pd.DataFrame(rows, columns=columns)


def lrt_series(
    samples: pd.DataFrame,
    contrasts: Sequence[Contrast],
    diffexp_cfg: Mapping[str, Any],
    min_levels: int = 3,
) -> list[LRTSeries]:
    """Dose series and time courses to test by LRT, with >= ``min_levels`` levels.

    The series are those of :func:`find_series` (treatment contrasts of one cell line,
    genotype and drug at one time, resp. one dose). A dose series adds its vehicle (the
    contrasts' reference samples, same cell line, genotype and time) as dose ``"0"``,
    which counts as a level; a time course holds the treated samples at each time.
    Called while the DAG is built (pure pandas).

    Parameters
    ----------
    samples
        The samples sheet, indexed by sample.
    contrasts
        From :func:`drugsig.inputs.design.build_contrasts`.
    diffexp_cfg
        The ``diffexp`` config section (``vehicle``, ``genotype_column``).
    min_levels
        Fewest levels (vehicle included) a series needs.

    Returns
    -------
    list of LRTSeries
        Dose series first, each factor in the order of its first contrast; names are
        unique (a repeated name gets ``_2``, ``_3``, ...).
    """
    frame = contrast_samples(samples, contrasts, diffexp_cfg["vehicle"])
    design = contrast_design(frame, samples, diffexp_cfg["genotype_column"])
    by_name = frame.set_index("name")
    found: list[LRTSeries] = []
    seen: dict[str, int] = {}
    for factor, fewest in (("dose", max(min_levels - 1, 1)), ("time", min_levels)):
        for one in find_series(design, factor, fewest):  # type: ignore[arg-type]
            members: dict[str, str] = {}
            levels = list(one.labels)
            if factor == "dose":
                levels.insert(0, "0")
                vehicle = by_name.loc[one.contrasts[0], "reference_samples"].split(",")
                members.update(dict.fromkeys(vehicle, "0"))
            for label, name in zip(one.labels, one.contrasts, strict=True):
                treated = by_name.loc[name, "treatment_samples"].split(",")
                members.update(dict.fromkeys(treated, label))
            name = series_name(one.keys, factor)  # type: ignore[arg-type]
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name = f"{name}_{seen[name]}"
            found.append(LRTSeries(name, factor, dict(one.keys), levels, members))  # type: ignore[arg-type]
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
    from scipy.stats import rankdata  # here: this module is imported while the DAG is built

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
    lrt_padj: Mapping[str, pd.Series] | None = None,
    alpha: float = 0.05,
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
    lrt_padj
        ``{series name: LRT padj by gene_id}`` (:func:`series_name`): in a series that
        has an LRT, a gene is called only if its LRT ``padj < alpha`` (missing padj:
        not called). Series without an LRT are called on the trend alone.
    alpha
        FDR level of the LRT gene filter (``diffexp.alpha``).

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
        padj = (lrt_padj or {}).get(series_name(one.keys, factor))
        if padj is not None:
            passed = (padj.reindex(scored.index) < alpha).to_numpy()
            scored["call"] = scored["call"].where(passed, CALLS[2])
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
    lrt_index: str | Path | None = None,
    lrt_tables: Sequence[str | Path] = (),
    alpha: float = 0.05,
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
    lrt_index, lrt_tables
        ``results/de/lrt/series.tsv`` and the per-series LRT tables it lists
        (``{series}.tsv``): the gene filter of the calls (see :func:`response_table`).
    alpha
        FDR level of that filter (``diffexp.alpha``).
    """
    lrt_padj = {}
    if lrt_index is not None:
        paths = {Path(path).name: path for path in lrt_tables}
        for name in read_lrt_index(lrt_index)["series"]:
            table = read_de_table(paths[f"{name}.tsv"])
            lrt_padj[name] = table.set_index("gene_id")["padj"]
    described = read_contrasts(contrasts)
    design = contrast_design(described, load_samples(samples), genotype_column)
    thresholds = dose_response_cfg["min_abs_rho"], dose_response_cfg["min_abs_log2fc"]
    found = {
        "dose": find_series(design, "dose", dose_response_cfg["min_doses"]),
        "time": find_series(design, "time", 2),
    }
    needed = {name for series in found.values() for one in series for name in one.contrasts}
    _, de_tables = load_contrast_tables(contrasts, tables, only=sorted(needed))
    for factor, out in (("dose", dose_out), ("time", time_out)):
        table = response_table(de_tables, found[factor], factor, *thresholds, lrt_padj, alpha)  # type: ignore[arg-type]
        write_table_atomic(table, out)
