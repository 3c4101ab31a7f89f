"""Concentration series of the samples sheet and concentration parsing.

A *series* is one cell line x genotype x drug (``condition``) x time with its vehicle
samples (``condition == diffexp.vehicle``) of the same cell line, genotype and time.
Columns the sheet lacks count as empty (one level). Doses are read from the ``dose``
column in the unit ``concentration_response.unit``; a dose may also carry its own unit
(``"500 nM"``), which is converted (see :func:`parse_concentration`). Series with fewer
than ``min_concentrations`` distinct non-zero concentrations, or without vehicle
samples, are not modelled; :func:`find_series` returns them with the reason, and the
workflow logs them as warnings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from drugsig.errors import InputError

#: Concentration units and their factor to molar.
UNITS: dict[str, float] = {
    "pM": 1e-12,
    "nM": 1e-9,
    "uM": 1e-6,
    "µM": 1e-6,
    "μM": 1e-6,
    "mM": 1e-3,
    "M": 1.0,
}
_DOSE = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµμ]*)\s*$")


def unit_factor(unit: str, where: str = "concentration_response.unit") -> float:
    """Return the factor of ``unit`` to molar.

    Raises
    ------
    InputError
        For a unit that is not one of :data:`UNITS`.
    """
    if unit not in UNITS:
        raise InputError(f"{where}: unknown concentration unit '{unit}'; use one of {list(UNITS)}.")
    return UNITS[unit]


def parse_concentration(value: object, unit: str, where: str) -> float:
    """Parse one dose value into the configured unit.

    Parameters
    ----------
    value
        The sheet value: a number (``0.5``) in ``unit``, or a number with its own unit
        (``"500 nM"``, ``"0.5uM"``), converted to ``unit``.
    unit
        The configured unit (``concentration_response.unit``).
    where
        File and row for messages (``config/samples.tsv, line 4 (sample 'x')``).

    Returns
    -------
    float
        The concentration in ``unit``.

    Raises
    ------
    InputError
        Non-numeric, negative or non-finite values and unknown units.
    """
    text = str(value).strip()
    match = _DOSE.match(text)
    if match is None:
        raise InputError(
            f"{where}: dose '{text}' is not a number; give the concentration as a number in "
            f"{unit} (or with a unit, e.g. '500 nM')."
        )
    number = float(match.group(1))
    own = match.group(2)
    if own and own not in UNITS:
        raise InputError(
            f"{where}: dose '{text}' has an unknown unit '{own}'; use one of {list(UNITS)}."
        )
    if not np.isfinite(number) or number < 0:
        raise InputError(f"{where}: dose '{text}' must be a non-negative number.")
    if own and own != unit:
        number *= UNITS[own] / unit_factor(unit)
    return number


@dataclass
class Series:
    """One concentration series with its vehicle samples.

    Attributes
    ----------
    cell_line, genotype, drug, time
        The series' keys (empty when the sheet lacks the column).
    samples
        Sample names: vehicle samples first, then the treated ones in sheet order.
    concentrations
        Concentration of each sample (vehicle 0), in the configured unit.
    problem
        Why the series is not modelled (empty when it is).
    """

    cell_line: str
    genotype: str
    drug: str
    time: str
    samples: list[str] = field(default_factory=list)
    concentrations: list[float] = field(default_factory=list)
    problem: str = ""

    @property
    def name(self) -> str:
        """File-name-safe series id, ``{cell_line}_{genotype}_{drug}_{time}``."""
        return "_".join(part for part in self.keys if part)

    @property
    def keys(self) -> tuple[str, str, str, str]:
        """``(cell_line, genotype, drug, time)``."""
        return (self.cell_line, self.genotype, self.drug, self.time)

    @property
    def levels(self) -> list[float]:
        """Sorted distinct non-zero concentrations."""
        return sorted({c for c in self.concentrations if c > 0})

    @property
    def n_vehicle(self) -> int:
        """Number of vehicle samples."""
        return sum(1 for c in self.concentrations if c == 0)

    def describe(self) -> str:
        """Describe the series for messages."""
        return (
            f"{self.drug} on {self.cell_line or '-'} ({self.genotype or '-'}, {self.time or '-'})"
        )


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def find_series(
    samples: pd.DataFrame,
    vehicle: str,
    unit: str,
    genotype_column: str = "genotype",
    min_concentrations: int = 4,
    path: str = "samples sheet",
    lines: Mapping[str, int] | None = None,
) -> list[Series]:
    """Group the samples sheet into concentration series.

    Parameters
    ----------
    samples
        The samples sheet (:func:`drugsig.inputs.load_samples`), indexed by sample.
    vehicle
        The vehicle condition (``diffexp.vehicle``).
    unit
        Concentration unit of the ``dose`` column.
    genotype_column
        Column telling genotypes apart.
    min_concentrations
        Fewest distinct non-zero concentrations of a modelled series.
    path
        The sheet's path, for messages.
    lines
        Line number of each sample in the sheet, for messages (default: row order + 2).

    Returns
    -------
    list of Series
        In order of their first treated sample; series that cannot be modelled carry
        their ``problem``.

    Raises
    ------
    InputError
        For a dose that is not a non-negative number (see :func:`parse_concentration`)
        or a vehicle sample with a non-zero dose.
    """
    unit_factor(unit)
    if "dose" not in samples.columns:
        return []
    table = samples.copy()
    for column in ("cell_line", genotype_column, "time"):
        if column not in table.columns:
            table[column] = ""
    rows: list[tuple[str, tuple[str, str, str, str], float]] = []
    for position, (name, row) in enumerate(table.iterrows()):
        line = lines[str(name)] if lines else position + 2
        where = f"{path}, line {line} (sample '{name}')"
        keys = (
            _text(row["cell_line"]),
            _text(row[genotype_column]),
            _text(row["condition"]),
            _text(row["time"]),
        )
        dose = _text(row["dose"])
        if keys[2] == vehicle:
            value = parse_concentration(dose, unit, where) if dose else 0.0
            if value != 0:
                raise InputError(
                    f"{where}: vehicle sample ('{vehicle}') has dose {dose}; vehicle doses "
                    "must be 0 or empty."
                )
            rows.append((str(name), keys, 0.0))
        elif dose:
            rows.append((str(name), keys, parse_concentration(dose, unit, where)))
    series: dict[tuple[str, str, str, str], Series] = {}
    vehicles: dict[tuple[str, str, str], list[str]] = {}
    for name, keys, value in rows:
        if keys[2] == vehicle:
            vehicles.setdefault((keys[0], keys[1], keys[3]), []).append(name)
            continue
        entry = series.setdefault(keys, Series(*keys))
        entry.samples.append(name)
        entry.concentrations.append(value)
    for entry in series.values():
        controls = vehicles.get((entry.cell_line, entry.genotype, entry.time), [])
        entry.samples = controls + entry.samples
        entry.concentrations = [0.0] * len(controls) + entry.concentrations
        if not controls:
            entry.problem = (
                f"missing vehicle: no '{vehicle}' samples of the same cell line, genotype and time"
            )
        elif len(entry.levels) < min_concentrations:
            entry.problem = (
                f"{len(entry.levels)} non-zero concentration(s), fewer than "
                f"concentration_response.min_concentrations ({min_concentrations})"
            )
    return list(series.values())
