"""Cell viability assays (MTT, CellTiter-Glo): IC50 per cell line and drug, fold resistance.

Input is a tidy plate table (TSV), one row per well:

``cell_line``, ``drug``, ``concentration``, ``replicate``, ``well_type``, ``signal``
    ``well_type`` is ``treated``, ``vehicle`` (0 drug) or ``blank`` (medium only, no
    cells; ``cell_line`` and ``drug`` may be empty). ``concentration`` is needed for
    treated wells only; vehicle wells may give 0.
``unit`` (optional)
    Concentration unit of the row (pM, nM, uM, µM, mM, M); without the column all
    concentrations are in the configured unit (µM by default).
``plate``, ``well`` (optional)
    Blank and vehicle wells are matched to the treated wells of their own plate;
    without a ``plate`` column the whole table is one plate.
``parental`` (optional)
    The parental line of a resistant line (empty for parental lines); the config
    can give the same mapping.
``percent_viability`` (instead of ``signal``)
    Already normalised data (% of vehicle); blank and vehicle rows are then not
    needed and are ignored.

Normalisation: ``100 * (signal - mean blank) / (mean vehicle - mean blank)`` per plate
(vehicle per plate and cell line). Each cell line x drug gets a four-parameter logistic
fit on all its wells, ``bottom + (top - bottom) / (1 + (c / IC50) ** hill)``, by
:func:`scipy.optimize.least_squares` on log10 concentration. The IC50 is the curve's
midpoint (relative IC50); its 95% confidence interval is the Wald interval of log10
IC50 with Student's t. Poor fits are flagged, never reported as plain numbers:

``flat_response``
    the viability means span less than ``min_span`` percentage points, or the curve
    does not fit better than a flat line (F test, p >= 0.05); no IC50.
``no_convergence``
    the optimiser failed or the parameters are not identifiable; no IC50.
``ic50_out_of_range``
    the IC50 lies outside the tested concentrations (an extrapolation).
``low_r2``
    R² below ``min_r2``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats
from scipy.optimize import least_squares

from drugsig.errors import InputError
from drugsig.inputs.sheets import read_sheet, row_location
from drugsig.io import write_bytes_atomic, write_table_atomic
from drugsig.report.multiqc import ReportGroup, figure_png, write_mqc_image, write_mqc_table

UNIT_TO_UM: dict[str, float] = {
    "pM": 1e-6, "nM": 1e-3, "uM": 1.0, "µM": 1.0, "μM": 1.0, "mM": 1e3, "M": 1e6,
}  # fmt: skip
"""Factor converting a concentration in each accepted unit to µM."""

WELL_TYPES = ("treated", "vehicle", "blank")
MIN_CONCENTRATIONS = 4
MIN_WELLS = MIN_CONCENTRATIONS + 1
FLAT_P_VALUE = 0.05
CONFIDENCE = 0.95
LOG_IC50_MARGIN = 3.0
"""Decades beyond the tested range that the fitted log10 IC50 may reach."""

FIT_COLUMNS = [
    "cell_line", "drug", "parental", "n_wells", "n_concentrations", "min_concentration_um",
    "max_concentration_um", "ic50_um", "ic50_ci_low_um", "ic50_ci_high_um", "hill_slope",
    "top", "bottom", "r2", "flags",
]  # fmt: skip
FOLD_COLUMNS = [
    "drug", "cell_line", "parental", "ic50_um", "ic50_ci_low_um", "ic50_ci_high_um",
    "fold_resistance", "flags",
]  # fmt: skip
WELL_COLUMNS = [
    "row", "plate", "well", "cell_line", "drug", "concentration_um", "replicate",
    "viability_percent",
]  # fmt: skip


# --------------------------------------------------------------------------- reading


LOCATION_KEYS = ("plate", "well", "cell_line", "drug")


def _where(path: str | Path, row: Mapping[str, str], number: int) -> str:
    return row_location(path, row, number, LOCATION_KEYS)


def _locate(path: str | Path, well: Mapping[str, Any]) -> str:
    """:func:`row_location` of a parsed well (a row of :func:`read_plates`' table)."""
    keys = {key: str(well[key]) for key in LOCATION_KEYS if well[key] not in (None, "")}
    return row_location(path, {"_line": well["line"], **keys}, int(well["row"]), LOCATION_KEYS)


def _number(row: Mapping[str, str], column: str, where: str, minimum: float | None = None) -> float:
    text = row.get(column)
    if text is None:
        raise InputError(f"{where}: {column} is empty.")
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: {column} '{text}' is not a number.") from None
    if not math.isfinite(value):
        raise InputError(f"{where}: {column} '{text}' is not a finite number.")
    if minimum is not None and value < minimum:
        raise InputError(f"{where}: {column} {text} is negative.")
    return value


def _well(row: dict[str, str], number: int, path: str | Path, unit: str, measure: str) -> dict:
    where = _where(path, row, number)
    well_type = row.get("well_type", "treated" if measure == "percent_viability" else None)
    if well_type not in WELL_TYPES:
        raise InputError(
            f"{where}: well_type '{well_type or ''}' is not one of {', '.join(WELL_TYPES)}."
        )
    ignored = measure == "percent_viability" and well_type != "treated"
    record: dict[str, Any] = {
        "row": number,
        "line": row["_line"],
        "plate": row.get("plate", "1"),
        "well": row.get("well", ""),
        "well_type": well_type,
        "cell_line": row.get("cell_line"),
        "drug": row.get("drug"),
        "parental": row.get("parental"),
        "replicate": row.get("replicate"),
        "concentration_um": math.nan,
        "value": math.nan if ignored else _number(row, measure, where),
    }
    if well_type == "blank" or ignored:
        return record
    if record["cell_line"] is None:
        raise InputError(f"{where}: cell_line is empty (needed for {well_type} wells).")
    concentration = _number(row, "concentration", where, 0.0) if "concentration" in row else 0.0
    if well_type == "vehicle":
        if concentration != 0:
            raise InputError(
                f"{where}: vehicle well with concentration {row['concentration']}; vehicle "
                "wells have no drug (0 or empty)."
            )
        return record
    for column in ("drug", "replicate", "concentration"):
        if column not in row:
            raise InputError(f"{where}: {column} is empty (needed for treated wells).")
    if concentration == 0:
        raise InputError(
            f"{where}: treated well with concentration 0; mark drug-free wells as "
            "well_type 'vehicle'."
        )
    row_unit = row.get("unit", unit)
    if row_unit not in UNIT_TO_UM:
        raise InputError(f"{where}: unit '{row_unit}' is not one of {', '.join(UNIT_TO_UM)}.")
    record["concentration_um"] = concentration * UNIT_TO_UM[row_unit]
    return record


def read_plates(path: str | Path, unit: str = "uM") -> pd.DataFrame:
    """Read and check the plate table (see the module docstring for its columns).

    Parameters
    ----------
    path
        The plate table (TSV).
    unit
        Concentration unit of rows without a ``unit`` column value.

    Returns
    -------
    pandas.DataFrame
        One row per well: ``row`` (1-based data row), ``plate``, ``well``,
        ``well_type``, ``cell_line``, ``drug``, ``parental``, ``replicate``,
        ``concentration_um`` (NaN for controls) and ``value`` (the signal, or the
        percent viability when ``measure`` is ``percent_viability``); the measure's
        column name is in ``attrs["measure"]``.

    Raises
    ------
    InputError
        On a missing column; a non-numeric or negative concentration, signal or
        viability; an unknown well type or unit; a duplicate well; or a cell line x
        drug with fewer than four concentrations (or five wells).
    """
    if unit not in UNIT_TO_UM:
        raise InputError(f"viability unit '{unit}' is not one of {', '.join(UNIT_TO_UM)}.")
    rows = read_sheet(path)
    columns = {key for row in rows for key in row}
    measures = [name for name in ("signal", "percent_viability") if name in columns]
    if len(measures) != 1:
        raise InputError(
            f"{path}: give exactly one of the columns 'signal' (raw plate reads) and "
            f"'percent_viability' (already normalised); found {measures or 'neither'}."
        )
    measure = measures[0]
    required = ["cell_line", "drug", "concentration", "replicate"]
    if measure == "signal":
        required.append("well_type")
    missing = [column for column in required if column not in columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}.")
    wells = pd.DataFrame(
        [_well(row, number, path, unit, measure) for number, row in enumerate(rows, start=1)]
    )
    wells.attrs["measure"] = measure
    treated = wells[wells["well_type"] == "treated"]
    key = ["plate", "cell_line", "drug", "concentration_um", "replicate"]
    duplicated = treated[treated.duplicated(key)]
    if not duplicated.empty:
        raise InputError(
            f"{_locate(path, duplicated.iloc[0])}: duplicate well (same "
            "plate, cell line, drug, concentration and replicate as an earlier row)."
        )
    for (cell_line, drug), curve in treated.groupby(["cell_line", "drug"], sort=False):
        n_concentrations = curve["concentration_um"].nunique()
        if n_concentrations < MIN_CONCENTRATIONS or len(curve) < MIN_WELLS:
            raise InputError(
                f"{_locate(path, curve.iloc[0])}: cell line '{cell_line}' with "
                f"drug '{drug}' has {n_concentrations} concentration(s) in {len(curve)} "
                f"well(s); a dose-response fit needs at least {MIN_CONCENTRATIONS} "
                f"concentrations and {MIN_WELLS} wells."
            )
    return wells


# --------------------------------------------------------------------- normalisation


def normalise(wells: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """Percent viability of the treated wells (blank = 0 %, vehicle = 100 %).

    Parameters
    ----------
    wells
        From :func:`read_plates`.
    path
        The plate table, for error messages.

    Returns
    -------
    pandas.DataFrame
        The treated wells with the columns of ``WELL_COLUMNS`` (and ``parental``,
        ``line``).

    Raises
    ------
    InputError
        If a plate has no blank wells, a cell line no vehicle wells on a plate, or
        the vehicle signal is not above the blank.
    """
    treated = wells[wells["well_type"] == "treated"].copy()
    if wells.attrs["measure"] == "percent_viability":
        treated["viability_percent"] = treated["value"]
        return treated[[*WELL_COLUMNS, "parental", "line"]].reset_index(drop=True)
    blanks = wells[wells["well_type"] == "blank"].groupby("plate")["value"].mean()
    vehicles = wells[wells["well_type"] == "vehicle"].groupby(["plate", "cell_line"])["value"]
    vehicle_means = vehicles.mean()
    percent = pd.Series(np.nan, index=treated.index)
    for (plate, cell_line), group in treated.groupby(["plate", "cell_line"], sort=False):
        first = _locate(path, group.iloc[0])
        if plate not in blanks.index:
            raise InputError(
                f"{first}: plate '{plate}' has no blank (medium only) wells; add wells with "
                "well_type 'blank' or give percent_viability instead of signal."
            )
        if (plate, cell_line) not in vehicle_means.index:
            raise InputError(
                f"{first}: no vehicle wells of cell line '{cell_line}' on plate '{plate}'; "
                "add wells with well_type 'vehicle'."
            )
        blank, vehicle = blanks[plate], vehicle_means[(plate, cell_line)]
        if vehicle <= blank:
            raise InputError(
                f"{first}: the mean vehicle signal ({vehicle:.4g}) is not above the mean "
                f"blank signal ({blank:.4g}) of plate '{plate}'."
            )
        percent[group.index] = 100 * (group["value"] - blank) / (vehicle - blank)
    treated["viability_percent"] = percent
    return treated[[*WELL_COLUMNS, "parental", "line"]].reset_index(drop=True)


# ------------------------------------------------------------------------------ fit


@dataclass(frozen=True)
class CurveFit:
    """A four-parameter logistic fit.

    All values but ``flags`` are NaN (``r2`` may be given) when the response is flat or
    the fit failed.

    Attributes
    ----------
    ic50, ci_low, ci_high
        Relative IC50 and its 95% confidence interval, in the input's unit.
    hill, top, bottom
        Hill slope (positive for falling curves), upper and lower plateaus (%).
    r2
        Coefficient of determination over all wells.
    flags
        Poor-fit flags (see the module docstring); empty for a good fit.
    """

    ic50: float
    ci_low: float
    ci_high: float
    hill: float
    top: float
    bottom: float
    r2: float
    flags: tuple[str, ...]

    def curve(self, concentration: np.ndarray) -> np.ndarray:
        """Fitted viability at the given concentrations (NaN without a curve)."""
        return self.bottom + (self.top - self.bottom) / (
            1 + (concentration / self.ic50) ** self.hill
        )


def _logistic(params: np.ndarray, log_concentration: np.ndarray) -> np.ndarray:
    bottom, span, log_ic50, hill = params
    return bottom + span / (1 + 10 ** (hill * (log_concentration - log_ic50)))


def _no_curve(flag: str, r2: float = math.nan) -> CurveFit:
    return CurveFit(math.nan, math.nan, math.nan, math.nan, math.nan, math.nan, r2, (flag,))


def fit_four_pl(
    concentration: np.ndarray,
    viability: np.ndarray,
    min_span: float = 20.0,
    min_r2: float = 0.8,
) -> CurveFit:
    """Fit a four-parameter logistic dose-response curve and flag poor fits.

    Parameters
    ----------
    concentration
        Concentration of each well (> 0).
    viability
        Percent viability of each well.
    min_span
        Smallest difference (percentage points) between the highest and lowest
        per-concentration mean that counts as a response.
    min_r2
        Fits with a lower R² get the ``low_r2`` flag.

    Returns
    -------
    CurveFit
    """
    log_c = np.log10(np.asarray(concentration, dtype=float))
    y = np.asarray(viability, dtype=float)
    levels, level_index = np.unique(log_c, return_inverse=True)
    means = np.bincount(level_index, weights=y) / np.bincount(level_index)
    if means.max() - means.min() < min_span:
        return _no_curve("flat_response")
    bottom0, top0 = means.min(), means.max()
    start_log_ic50 = levels[np.argmin(np.abs(means - (bottom0 + top0) / 2))]
    lower = np.array([-20.0, 0.0, levels[0] - LOG_IC50_MARGIN, 0.1])
    upper = np.array([150.0, 300.0, levels[-1] + LOG_IC50_MARGIN, 10.0])
    start = np.clip([bottom0, top0 - bottom0, start_log_ic50, 1.0], lower + 1e-9, upper - 1e-9)
    result = least_squares(
        lambda params: _logistic(params, log_c) - y, start, bounds=(lower, upper)
    )
    residual_ss = float(np.sum(result.fun**2))
    total_ss = float(np.sum((y - y.mean()) ** 2))
    dof = y.size - 4
    if (
        not result.success
        or not np.all(np.isfinite(result.x))
        or np.linalg.matrix_rank(result.jac) < 4
    ):
        return _no_curve("no_convergence")
    r2 = 1 - residual_ss / total_ss
    f_stat = ((total_ss - residual_ss) / 3) / (residual_ss / dof) if residual_ss > 0 else math.inf
    if stats.f.sf(f_stat, 3, dof) >= FLAT_P_VALUE:
        return _no_curve("flat_response", r2)
    bottom, span, log_ic50, hill = result.x
    covariance = np.linalg.inv(result.jac.T @ result.jac) * residual_ss / dof
    half_width = stats.t.ppf((1 + CONFIDENCE) / 2, dof) * math.sqrt(covariance[2, 2])
    flags = []
    if not levels[0] <= log_ic50 <= levels[-1]:
        flags.append("ic50_out_of_range")
    if r2 < min_r2:
        flags.append("low_r2")
    return CurveFit(
        ic50=10**log_ic50,
        ci_low=10 ** (log_ic50 - half_width),
        ci_high=10 ** (log_ic50 + half_width),
        hill=hill,
        top=bottom + span,
        bottom=bottom,
        r2=r2,
        flags=tuple(flags),
    )


def fit_curves(
    normalised: pd.DataFrame, parentals: Mapping[str, str], min_span: float, min_r2: float
) -> tuple[pd.DataFrame, dict[tuple[str, str], CurveFit]]:
    """Fit every cell line x drug of the normalised wells.

    Returns
    -------
    tuple
        The fits table (``FIT_COLUMNS``; flags ``;``-separated) and the fits by
        ``(cell_line, drug)``.
    """
    fits: dict[tuple[str, str], CurveFit] = {}
    rows = []
    for (cell_line, drug), curve in normalised.groupby(["cell_line", "drug"], sort=False):
        concentration = curve["concentration_um"].to_numpy()
        fit = fit_four_pl(concentration, curve["viability_percent"].to_numpy(), min_span, min_r2)
        fits[(cell_line, drug)] = fit
        rows.append(
            [
                cell_line,
                drug,
                parentals.get(cell_line, ""),
                len(curve),
                curve["concentration_um"].nunique(),
                concentration.min(),
                concentration.max(),
                fit.ic50,
                fit.ci_low,
                fit.ci_high,
                fit.hill,
                fit.top,
                fit.bottom,
                fit.r2,
                ";".join(fit.flags),
            ]
        )
        if fit.flags:
            print(f"{cell_line} / {drug}: {', '.join(fit.flags)}", file=sys.stderr)
    return pd.DataFrame(rows, columns=FIT_COLUMNS), fits


# ------------------------------------------------------------------ fold resistance


def resolve_parentals(
    normalised: pd.DataFrame, mapping: Mapping[str, str], path: str | Path
) -> dict[str, str]:
    """Find the parental line of every resistant line, from the table and the config.

    Parameters
    ----------
    normalised
        Treated wells with ``row``, ``cell_line``, ``drug`` and ``parental``.
    mapping
        ``{resistant line: parental line}`` from the config (may be empty).
    path
        The plate table, for error messages.

    Raises
    ------
    InputError
        If a line names two parentals, itself, or a parental line without wells for
        each of its drugs.
    """
    parentals: dict[str, str] = {}
    origin: dict[str, str] = {}
    for row in normalised.itertuples():
        if row.parental is None or pd.isna(row.parental):
            continue
        where = _locate(path, row._asdict())
        known = parentals.setdefault(row.cell_line, row.parental)
        origin.setdefault(row.cell_line, where)
        if known != row.parental:
            raise InputError(
                f"{where}: parental '{row.parental}' differs from '{known}' given for the "
                "same cell line on an earlier row."
            )
    for resistant, parental in mapping.items():
        where = f"config viability.parental['{resistant}']"
        if parentals.get(resistant, parental) != parental:
            raise InputError(
                f"{where}: '{parental}' differs from the parental '{parentals[resistant]}' "
                f"in {origin[resistant]}."
            )
        if resistant not in set(normalised["cell_line"]):
            raise InputError(f"{where}: cell line '{resistant}' has no treated wells in {path}.")
        parentals[resistant] = parental
        origin[resistant] = where
    drugs = normalised.groupby("cell_line")["drug"].agg(set)
    for resistant, parental in parentals.items():
        if parental == resistant:
            raise InputError(f"{origin[resistant]}: cell line '{resistant}' is its own parental.")
        if parental not in drugs.index:
            raise InputError(
                f"{origin[resistant]}: parental line '{parental}' of '{resistant}' has no "
                f"treated wells in {path}."
            )
        absent = sorted(drugs[resistant] - drugs[parental])
        if absent:
            raise InputError(
                f"{origin[resistant]}: parental line '{parental}' of '{resistant}' was not "
                f"tested with {', '.join(absent)}; fold resistance needs both lines."
            )
    return parentals


def fold_resistance(
    fits: Mapping[tuple[str, str], CurveFit], parentals: Mapping[str, str]
) -> pd.DataFrame:
    """IC50 of each resistant line relative to its parental line, per drug.

    Parental lines come first with fold 1; flags of the parental fit are repeated
    with the prefix ``parental:``. The fold is NaN when either IC50 is missing.

    Returns
    -------
    pandas.DataFrame
        Columns ``FOLD_COLUMNS``.
    """
    rows = []
    drugs = list(dict.fromkeys(drug for _, drug in fits))
    for drug in drugs:
        for parent in dict.fromkeys(parentals.values()):
            if (parent, drug) not in fits:
                continue
            parent_fit = fits[(parent, drug)]
            lines = [parent, *(line for line, p in parentals.items() if p == parent)]
            for line in lines:
                if (line, drug) not in fits:
                    continue
                fit = fits[(line, drug)]
                flags = list(fit.flags)
                if line != parent:
                    flags += [f"parental:{flag}" for flag in parent_fit.flags]
                rows.append(
                    [
                        drug,
                        line,
                        "" if line == parent else parent,
                        fit.ic50,
                        fit.ci_low,
                        fit.ci_high,
                        fit.ic50 / parent_fit.ic50,
                        ";".join(flags),
                    ]
                )
    return pd.DataFrame(rows, columns=FOLD_COLUMNS)


# ----------------------------------------------------------------------------- plot


def _format_ic50(fit: CurveFit) -> str:
    if math.isnan(fit.ic50):
        return ", ".join(fit.flags).replace("_", " ")
    text = f"IC50 {fit.ic50:.3g} µM ({fit.ci_low:.3g}-{fit.ci_high:.3g})"
    return f"{text}; {', '.join(fit.flags).replace('_', ' ')}" if fit.flags else text


def plot_dose_response(
    normalised: pd.DataFrame, fits: Mapping[tuple[str, str], CurveFit]
) -> Figure:
    """Plot dose-response curves, one panel per drug.

    Each panel: mean ± SD of the replicate wells, the fitted curve and its IC50 (dotted
    line).
    """
    drugs = list(dict.fromkeys(normalised["drug"]))
    columns = min(len(drugs), 2)
    rows = math.ceil(len(drugs) / columns)
    figure = Figure(figsize=(6.4 * columns, 4.6 * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False)
    for axis, drug in zip(axes.flat, drugs, strict=False):
        data = normalised[normalised["drug"] == drug]
        for index, (cell_line, curve) in enumerate(data.groupby("cell_line", sort=False)):
            color = f"C{index % 10}"
            fit = fits[(cell_line, drug)]
            summary = curve.groupby("concentration_um")["viability_percent"].agg(["mean", "std"])
            axis.errorbar(
                summary.index,
                summary["mean"],
                yerr=summary["std"].fillna(0),
                fmt="o",
                color=color,
                capsize=3,
                markersize=4,
                label=f"{cell_line}: {_format_ic50(fit)}",
            )
            if not math.isnan(fit.ic50):
                grid = np.geomspace(summary.index.min() / 2, summary.index.max() * 2, 200)
                axis.plot(grid, fit.curve(grid), color=color)
                midpoint = float(fit.curve(np.array([fit.ic50]))[0])
                axis.plot([fit.ic50, fit.ic50], [0, midpoint], ":", color=color)
                axis.plot(fit.ic50, midpoint, "D", color=color, markersize=6)
        axis.set_xscale("log")
        axis.axhline(100, color="0.8", linewidth=0.8, zorder=0)
        axis.axhline(0, color="0.8", linewidth=0.8, zorder=0)
        axis.set_title(drug)
        axis.set_xlabel("concentration (µM)")
        axis.set_ylabel("viability (% of vehicle)")
        axis.legend(fontsize=8, loc="lower left")
    for axis in axes.flat[len(drugs) :]:
        axis.set_visible(False)
    return figure


# ------------------------------------------------------------------------ run


VIABILITY_REPORT = ReportGroup(
    id="drugsig_viability",
    name="Drug response (viability)",
    description=(
        "Viability assay (MTT / CellTiter-Glo) dose-response fits: four-parameter "
        "logistic per cell line and drug, relative IC50 with 95% confidence interval, "
        "and fold resistance of each resistant line over its parental line."
    ),
)

FOLD_HEADERS: dict[str, dict[str, Any]] = {
    "parental": {"title": "Parental"},
    "ic50_um": {"title": "IC50 (µM)", "format": "{:,.3g}", "scale": False},
    "ic50_ci": {"title": "95% CI (µM)"},
    "fold_resistance": {"title": "Fold resistance", "format": "{:,.3g}", "suffix": "x",
                        "scale": "OrRd"},
    "flags": {"title": "Flags"},
}  # fmt: skip


def _fold_report_table(fold: pd.DataFrame) -> pd.DataFrame:
    table = fold.copy()
    table["ic50_ci"] = [
        "" if math.isnan(low) else f"{low:.3g}-{high:.3g}"
        for low, high in zip(table["ic50_ci_low_um"], table["ic50_ci_high_um"], strict=True)
    ]
    table["parental"] = table["parental"].replace("", "-")
    table.index = table["drug"] + ": " + table["cell_line"]
    return table


def write_viability(
    table: str | Path,
    *,
    wells_out: str | Path,
    fits_out: str | Path,
    fold_out: str | Path,
    plot_out: str | Path,
    mqc_curves: str | Path,
    mqc_fold: str | Path,
    unit: str = "uM",
    parental: Mapping[str, str] | None = None,
    min_span: float = 20.0,
    min_r2: float = 0.8,
) -> None:
    """Read the plate table, fit every curve and write the tables, plot and report files.

    Parameters
    ----------
    table
        The plate table (TSV).
    wells_out, fits_out, fold_out
        TSV outputs: normalised wells, fits (``FIT_COLUMNS``), fold resistance.
    plot_out
        PNG of the dose-response curves.
    mqc_curves, mqc_fold
        MultiQC custom-content files (``*_mqc.json``): curves and fold-resistance table.
    unit
        Concentration unit of rows without a ``unit`` value.
    parental
        ``{resistant line: parental line}``, in addition to a ``parental`` column.
    min_span, min_r2
        Poor-fit thresholds, see :func:`fit_four_pl`.

    Raises
    ------
    InputError
        On bad input (see :func:`read_plates`, :func:`normalise`,
        :func:`resolve_parentals`).
    """
    normalised = normalise(read_plates(table, unit), table)
    parentals = resolve_parentals(normalised, parental or {}, table)
    fit_table, fits = fit_curves(normalised, parentals, min_span, min_r2)
    fold = fold_resistance(fits, parentals)
    write_table_atomic(normalised[WELL_COLUMNS], wells_out)
    write_table_atomic(fit_table, fits_out)
    write_table_atomic(fold, fold_out)
    png = figure_png(plot_dose_response(normalised, fits))
    write_bytes_atomic(png, plot_out)
    write_mqc_image(
        mqc_curves,
        VIABILITY_REPORT,
        "Dose-response curves",
        "Mean ± SD of the replicate wells (% of vehicle), the fitted four-parameter "
        "logistic curve and the IC50 (diamond, dotted line) with its 95% confidence "
        "interval in the legend. Flagged fits have no curve or a flag in the legend.",
        png,
    )
    write_mqc_table(
        mqc_fold,
        VIABILITY_REPORT,
        "Fold resistance",
        "IC50 of each resistant line divided by the IC50 of its parental line. Flags: "
        "flat_response (no IC50), no_convergence (no IC50), ic50_out_of_range "
        "(extrapolated beyond the tested concentrations), low_r2; 'parental:' marks "
        "flags of the parental fit.",
        _fold_report_table(fold),
        FOLD_HEADERS,
        "Drug: cell line",
    )
