"""Input checks shared by the concentration-response modules.

Every public entry point validates its design with :func:`check_design`, so bad input
fails early with an :class:`~drugsig.errors.InputError` that says what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from drugsig.errors import InputError

#: Minimum number of distinct non-zero concentrations a series must have.
MIN_CONCENTRATIONS = 4


@dataclass(frozen=True)
class Design:
    """A checked concentration design for one series.

    Attributes
    ----------
    conc : numpy.ndarray
        Concentration of every sample (float, >= 0); vehicle samples are 0.
    vehicle : numpy.ndarray
        Boolean mask of the vehicle (concentration 0) samples.
    levels : numpy.ndarray
        Sorted distinct non-zero concentrations.
    """

    conc: np.ndarray
    vehicle: np.ndarray
    levels: np.ndarray

    @property
    def n(self) -> int:
        """Number of samples."""
        return int(self.conc.size)

    @property
    def cmin(self) -> float:
        """Lowest tested non-zero concentration."""
        return float(self.levels[0])

    @property
    def cmax(self) -> float:
        """Highest tested concentration."""
        return float(self.levels[-1])

    @property
    def groups(self) -> np.ndarray:
        """Integer group index of each sample (0 = vehicle, 1.. = increasing levels)."""
        out = np.zeros(self.n, dtype=int)
        nz = ~self.vehicle
        out[nz] = np.searchsorted(self.levels, self.conc[nz]) + 1
        return out


def check_design(
    conc: pd.Series | np.ndarray | list[float],
    vehicle: pd.Series | np.ndarray | list[bool] | None = None,
    n_samples: int | None = None,
    min_concentrations: int = MIN_CONCENTRATIONS,
) -> Design:
    """Validate a per-sample concentration vector and vehicle mask.

    Parameters
    ----------
    conc : array-like of float
        Concentration of each sample, in the order of the expression columns.
    vehicle : array-like of bool, optional
        Which samples are vehicle controls. Default: samples with concentration 0.
        Vehicle samples must have concentration 0 (or be given as 0).
    n_samples : int, optional
        Number of expression columns; the vectors must have this length.
    min_concentrations : int
        Required number of distinct non-zero concentrations (default 4).

    Returns
    -------
    Design

    Raises
    ------
    InputError
        Non-numeric, missing, infinite or negative concentrations; length mismatch;
        no vehicle sample; non-zero concentration flagged as vehicle; fewer than
        ``min_concentrations`` distinct non-zero concentrations.
    """
    raw = pd.Series(np.asarray(conc, dtype=object).ravel())
    numeric = pd.to_numeric(raw, errors="coerce")
    bad = raw[numeric.isna()]
    if len(bad):
        raise InputError(
            f"concentrations must be numeric and non-missing; got {list(bad.astype(str)[:5])}"
        )
    c = numeric.to_numpy(dtype=float)
    if not np.all(np.isfinite(c)):
        raise InputError("concentrations must be finite")
    if np.any(c < 0):
        raise InputError(
            f"concentrations must be >= 0; got negative values "
            f"{', '.join(f'{x:g}' for x in sorted(set(c[c < 0]))[:5])}"
        )
    if n_samples is not None and c.size != n_samples:
        raise InputError(f"got {c.size} concentrations for {n_samples} expression columns")
    if vehicle is None:
        veh = c == 0
    else:
        veh = np.asarray(vehicle).ravel()
        if veh.dtype != bool:
            raise InputError("vehicle must be a boolean mask")
        if veh.size != c.size:
            raise InputError(f"vehicle mask has {veh.size} entries for {c.size} samples")
        if np.any(c[veh] != 0):
            raise InputError("samples marked as vehicle must have concentration 0")
        if np.any((c == 0) & ~veh):
            raise InputError("samples with concentration 0 must be marked as vehicle")
    if not veh.any():
        raise InputError(
            "missing vehicle: the series needs at least one vehicle (concentration 0) sample"
        )
    levels = np.unique(c[~veh])
    if levels.size < min_concentrations:
        raise InputError(
            f"need at least {min_concentrations} distinct non-zero concentrations plus vehicle; "
            f"got {levels.size} ({', '.join(f'{x:g}' for x in levels) or 'none'})"
        )
    return Design(conc=c, vehicle=veh.astype(bool), levels=levels)


def as_matrix(expr: pd.DataFrame | np.ndarray, n_samples: int) -> np.ndarray:
    """Return the expression as a float matrix (genes x samples), checked.

    Raises
    ------
    InputError
        Wrong number of columns, non-numeric or non-finite values.
    """
    y = (
        np.asarray(expr, dtype=float)
        if not isinstance(expr, pd.DataFrame)
        else expr.to_numpy(dtype=float)
    )
    if y.ndim != 2 or y.shape[1] != n_samples:
        raise InputError(f"expression must be genes x {n_samples} samples; got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise InputError("expression values must be finite (log2 normalised expression)")
    return y
