"""The demo experiment's samples and contrasts.

Arm 1, SJSA-1 (TP53 wild type, MDM2 amplified), 24 h: DMSO vehicle and three MDM2
inhibitors (Milademetan, Nutlin-3a, AMG-232), each at ``DEMO_DOSE_UM``.
Arm 2, A2780: parental cells and a Milciclib-resistant derivative (MilciclibR),
both in DMSO. Every group has the same number of replicates. The ``batch`` of a
sample is its replicate (``b1``, ``b2``, ...: each replicate set was prepared on
its own day); the simulator plants no batch effect.
"""

from dataclasses import dataclass

VEHICLE = "DMSO"
"""Vehicle control condition (dose 0)."""

PARENTAL = "parental"
"""Genotype of unmodified cells."""

DEMO_DOSE_UM = 0.5
"""Dose of every drug in the demo, in µM."""

SJSA1 = "SJSA-1"
A2780 = "A2780"
DRUGS: tuple[str, ...] = ("Milademetan", "Nutlin-3a", "AMG-232")
"""The MDM2 inhibitors given to SJSA-1, in sheet order."""

RESISTANT = "MilciclibR"
"""Genotype of the Milciclib-resistant A2780 cells."""

TIME = "24h"


@dataclass(frozen=True)
class Sample:
    """One sample of the design (one row of samples.tsv).

    Attributes
    ----------
    name
        Sample name, e.g. ``SJSA-1_Nutlin-3a_2``.
    condition
        Treatment (``DMSO`` or a drug).
    cell_line
        Cell line.
    genotype
        ``parental`` or a derived line such as ``MilciclibR``.
    dose_um
        Drug concentration in µM (0 for the vehicle).
    time
        Time point, e.g. ``24h``.
    replicate
        Replicate number, from 1.
    batch
        Batch label (``b<replicate>``).
    """

    name: str
    condition: str
    cell_line: str
    genotype: str
    dose_um: float
    time: str
    replicate: int
    batch: str


@dataclass(frozen=True)
class Contrast:
    """A comparison of two groups of samples within one cell line.

    Attributes
    ----------
    name
        Contrast name, ``<cell_line>_<treated>_vs_<reference>``.
    cell_line
        Cell line whose samples are compared.
    factor
        Sample attribute that differs: ``condition`` or ``genotype``.
    treated, reference
        Values of ``factor`` in the two groups.
    """

    name: str
    cell_line: str
    factor: str
    treated: str
    reference: str

    def members(self, samples: tuple[Sample, ...], level: str) -> tuple[Sample, ...]:
        """Samples of this contrast's cell line whose ``factor`` equals ``level``."""
        return tuple(
            sample
            for sample in samples
            if sample.cell_line == self.cell_line and getattr(sample, self.factor) == level
        )


def _contrast(cell_line: str, factor: str, treated: str, reference: str) -> Contrast:
    return Contrast(f"{cell_line}_{treated}_vs_{reference}", cell_line, factor, treated, reference)


DEMO_CONTRASTS: tuple[Contrast, ...] = (
    *(_contrast(SJSA1, "condition", drug, VEHICLE) for drug in DRUGS),
    _contrast(A2780, "genotype", RESISTANT, PARENTAL),
)
"""The contrasts with planted effects, in truth-table order."""


def demo_design(replicates: int) -> tuple[Sample, ...]:
    """All samples of the demo experiment, in sheet order.

    Parameters
    ----------
    replicates
        Replicates per group (at least 1).

    Returns
    -------
    tuple of Sample
        ``6 * replicates`` samples: SJSA-1 DMSO and each drug, then A2780 parental
        and MilciclibR.
    """
    groups = [
        (SJSA1, condition, PARENTAL, dose, condition)
        for condition, dose in [(VEHICLE, 0.0)] + [(drug, DEMO_DOSE_UM) for drug in DRUGS]
    ] + [(A2780, VEHICLE, genotype, 0.0, genotype) for genotype in (PARENTAL, RESISTANT)]
    return tuple(
        Sample(
            name=f"{cell_line}_{label}_{replicate}",
            condition=condition,
            cell_line=cell_line,
            genotype=genotype,
            dose_um=dose,
            time=TIME,
            replicate=replicate,
            batch=f"b{replicate}",
        )
        for cell_line, condition, genotype, dose, label in groups
        for replicate in range(1, replicates + 1)
    )
