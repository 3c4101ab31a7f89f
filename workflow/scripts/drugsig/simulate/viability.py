"""Simulated viability plates.

A2780 and two Milciclib-resistant subclones with Milciclib, and SJSA-1 with each MDM2
inhibitor.

Each cell line and drug gets its own 96-well plate read by luminescence (CellTiter-Glo, RLU):
rows B, C, D, ... hold the replicates; column 1 is blank (medium only), column 2
vehicle (DMSO), columns 3-12 a 3-fold dilution series of the drug from 100 µM down.
Viability follows a four-parameter logistic curve with the line's true IC50, from
100 % down to ``BOTTOM_PERCENT``. Noise: every well's cell signal varies by ``cv``
(log-normal; 3 % is typical of luminescent assays), and every read by ``READ_SD``.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from drugsig.errors import InputError
from drugsig.simulate.design import DRUGS, SJSA1
from drugsig.simulate.effects import EC50_UM

PLATE_ROWS = "BCDEFG"
"""Rows that hold replicates (the edge rows A and H stay empty)."""

MAX_CONCENTRATIONS = 10
BLANK_RLU = 150.0
"""Luminescence of medium-only wells."""

READ_SD = 40.0
"""Standard deviation of a plate read, RLU."""

BOTTOM_PERCENT = 5.0
"""Viability left at saturating drug (cells that arrest instead of dying)."""

DEMO_DRUG = "Milciclib"
DEMO_CONCENTRATIONS_UM: tuple[float, ...] = tuple(100 / 3**step for step in range(10))
"""3-fold dilution series from 100 µM (10 concentrations)."""

COLUMNS = [
    "plate", "well", "cell_line", "parental", "drug", "concentration", "unit", "replicate",
    "well_type", "signal",
]  # fmt: skip


@dataclass(frozen=True)
class ViabilityLine:
    """A simulated cell line.

    Attributes
    ----------
    cell_line
        Cell line name.
    parental
        Its parental line, or ``""`` for a parental line.
    ic50_um
        True IC50 (curve midpoint), µM.
    hill
        Hill slope.
    vehicle_rlu
        Luminescence of untreated cells above the blank.
    """

    cell_line: str
    parental: str
    ic50_um: float
    hill: float
    vehicle_rlu: float


DEMO_LINES: tuple[ViabilityLine, ...] = (
    ViabilityLine("A2780", "", 0.5, 2.0, 240_000.0),
    ViabilityLine("A2780-MilR1", "A2780", 5.0, 2.0, 210_000.0),
    ViabilityLine("A2780-MilR2", "A2780", 8.2, 2.0, 190_000.0),
)
"""A2780 and two Milciclib-resistant subclones, true IC50 0.5, 5.0 and 8.2 µM."""

IC50_OVER_EC50 = 20.0
"""Cytotoxicity of the MDM2 inhibitors on SJSA-1 sets in at much higher concentrations
than their transcriptional response: IC50 = 20 x the planted EC50."""

MDM2_HILL = 1.5
SJSA1_VEHICLE_RLU = 180_000.0


def mdm2_inhibitor_lines() -> dict[str, ViabilityLine]:
    """Model SJSA-1 under each MDM2 inhibitor, by drug in ``DRUGS`` order.

    The true IC50s are 1, 10 and 2 µM.
    """
    return {
        drug: ViabilityLine(SJSA1, "", IC50_OVER_EC50 * EC50_UM[drug], MDM2_HILL, SJSA1_VEHICLE_RLU)
        for drug in DRUGS
    }


def simulate_viability_plates(
    rng: np.random.Generator,
    lines: Sequence[ViabilityLine] = DEMO_LINES,
    drug: str = DEMO_DRUG,
    concentrations_um: Sequence[float] = DEMO_CONCENTRATIONS_UM,
    replicates: int = 3,
    cv: float = 0.03,
    first_plate: int = 1,
) -> pd.DataFrame:
    """Simulate luminescence plate reads, one 96-well plate per cell line.

    Parameters
    ----------
    rng
        Random generator.
    lines
        The cell lines and their true curves.
    drug
        Drug name.
    concentrations_um
        Drug concentrations (at most 10), µM.
    replicates
        Replicate wells per concentration (1-6).
    cv
        Coefficient of variation of the cell signal between wells.
    first_plate
        Number of the first plate (plates are numbered on from it).

    Returns
    -------
    pandas.DataFrame
        The tidy plate table read by :func:`drugsig.assays.viability.read_plates`: ``plate``,
        ``well``, ``cell_line``, ``parental``, ``drug``, ``concentration``, ``unit``,
        ``replicate``, ``well_type``, ``signal`` (RLU, integers).

    Raises
    ------
    InputError
        If the concentrations or replicates do not fit on a plate.
    """
    if not 1 <= len(concentrations_um) <= MAX_CONCENTRATIONS:
        raise InputError(
            f"1 to {MAX_CONCENTRATIONS} concentrations fit on a plate, got {len(concentrations_um)}"
        )
    if not 1 <= replicates <= len(PLATE_ROWS):
        raise InputError(f"1 to {len(PLATE_ROWS)} replicates fit on a plate, got {replicates}")
    rows = []
    for plate, line in enumerate(lines, start=first_plate):
        blank = BLANK_RLU * rng.lognormal(0, cv)
        for replicate, plate_row in enumerate(PLATE_ROWS[:replicates], start=1):
            wells = [("blank", 0.0, 0.0), ("vehicle", 0.0, 1.0)] + [
                ("treated", concentration, _viability(line, concentration))
                for concentration in concentrations_um
            ]
            for column, (well_type, concentration, fraction) in enumerate(wells, start=1):
                cells = line.vehicle_rlu * fraction * rng.lognormal(0, cv)
                signal = blank + cells + rng.normal(0, READ_SD)
                treated = well_type == "treated"
                rows.append(
                    {
                        "plate": plate,
                        "well": f"{plate_row}{column}",
                        "cell_line": "" if well_type == "blank" else line.cell_line,
                        "parental": "" if well_type == "blank" else line.parental,
                        "drug": drug if treated else "",
                        "concentration": f"{concentration:.4g}" if treated else "",
                        "unit": "uM" if treated else "",
                        "replicate": replicate,
                        "well_type": well_type,
                        "signal": round(signal),
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS)


def demo_viability_plates(rngs: Sequence[np.random.Generator]) -> pd.DataFrame:
    """Simulate all viability plates of the demo.

    The A2780 lines with Milciclib (plates 1-3, drawn from ``rngs[0]``), then SJSA-1 with
    each MDM2 inhibitor (plates 4-6, from ``rngs[1:]``, one generator per drug).
    """
    tables = [simulate_viability_plates(rngs[0])]
    for number, (drug, line) in enumerate(mdm2_inhibitor_lines().items()):
        tables.append(
            simulate_viability_plates(
                rngs[number + 1], [line], drug, first_plate=len(DEMO_LINES) + number + 1
            )
        )
    return pd.concat(tables, ignore_index=True)


def _viability(line: ViabilityLine, concentration_um: float) -> float:
    """Compute the true viability of a line at a concentration, as a fraction of vehicle."""
    return (
        BOTTOM_PERCENT
        + (100 - BOTTOM_PERCENT) / (1 + (concentration_um / line.ic50_um) ** line.hill)
    ) / 100
