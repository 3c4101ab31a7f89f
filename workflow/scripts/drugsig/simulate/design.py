"""The demo experiment's samples and contrasts.

Arm 1, SJSA-1 (TP53 wild type, MDM2 amplified), a concentration series: each MDM2
inhibitor (Milademetan, Nutlin-3a, AMG-232) at five concentrations centred on its
planted EC50 in half-log steps (``DOSES_UM``), with a DMSO vehicle, all at 24 h; and
Milademetan again at 6 h, at the same five concentrations with its own DMSO.
Arm 2, A2780: parental cells and a Milciclib-resistant derivative (MilciclibR), both
in DMSO at 24 h.

Dose groups have ``replicates`` replicates, the vehicle and A2780 groups
``control_replicates``. The ``batch`` of a sample is its replicate (``b1``, ``b2``,
...: each replicate set was prepared on its own day); the simulator plants no batch
effect.

Contrasts follow the default contrasts of the workflow
(:func:`drugsig.inputs.design.build_contrasts`): every dose group against the vehicle of its
time point, ``SJSA-1_<drug>_<dose>_<time>_vs_DMSO`` (the dose as written in the
samples sheet, e.g. ``0.016``), and ``A2780_MilciclibR_vs_parental``.
"""

from dataclasses import dataclass

VEHICLE = "DMSO"
"""Vehicle control condition (dose 0)."""

PARENTAL = "parental"
"""Genotype of unmodified cells."""

SJSA1 = "SJSA-1"
A2780 = "A2780"
DRUGS: tuple[str, ...] = ("Milademetan", "Nutlin-3a", "AMG-232")
"""The MDM2 inhibitors given to SJSA-1, in sheet order."""

RESISTANT = "MilciclibR"
"""Genotype of the Milciclib-resistant A2780 cells."""

TIME = "24h"
"""Time point of every drug and of the A2780 arm."""

EARLY_TIME = "6h"
"""Second time point, of ``TIME_COURSE_DRUG`` only."""

TIME_COURSE_DRUG = "Milademetan"

DOSES_UM: dict[str, tuple[float, ...]] = {
    "Milademetan": (0.005, 0.016, 0.05, 0.16, 0.5),
    "Nutlin-3a": (0.05, 0.16, 0.5, 1.6, 5.0),
    "AMG-232": (0.01, 0.032, 0.1, 0.32, 1.0),
}
"""Concentrations of each drug in µM: EC50 x 10^(-1, -0.5, 0, 0.5, 1), two significant
digits (planted EC50s: Milademetan 0.05, AMG-232 0.1, Nutlin-3a 0.5 µM)."""


def dose_text(dose_um: float) -> str:
    """Format a dose as in the samples sheet (and hence in contrast names): ``0.016``, ``5``."""
    return f"{dose_um:g}"


def dose_label(dose_um: float) -> str:
    """Format a dose as part of a sample name (no dots): ``0p016uM``, ``5uM``."""
    return dose_text(dose_um).replace(".", "p") + "uM"


@dataclass(frozen=True)
class Group:
    """Samples treated alike: one condition (and dose) of one cell line, genotype and time.

    ``dose_um`` is 0 for the vehicle.
    """

    cell_line: str
    genotype: str
    condition: str
    dose_um: float
    time: str

    @property
    def label(self) -> str:
        """Sample name stem, e.g. ``SJSA-1_Nutlin-3a_0p16uM_24h`` or ``A2780_parental``."""
        if self.cell_line == A2780:
            return f"{self.cell_line}_{self.genotype}"
        parts = [self.cell_line, self.condition]
        if self.condition != VEHICLE:
            parts.append(dose_label(self.dose_um))
        return "_".join([*parts, self.time])


@dataclass(frozen=True)
class Sample:
    """One sample of the design (one row of samples.tsv).

    Attributes
    ----------
    name
        Sample name, e.g. ``SJSA-1_Nutlin-3a_0p16uM_24h_2``.
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

    @property
    def group(self) -> Group:
        """The sample's group."""
        return Group(self.cell_line, self.genotype, self.condition, self.dose_um, self.time)


@dataclass(frozen=True)
class Contrast:
    """A comparison of two groups of samples of one cell line.

    Attributes
    ----------
    name
        Contrast name, as :func:`drugsig.inputs.design.build_contrasts` names it.
    treated, reference
        The compared groups.
    """

    name: str
    treated: Group
    reference: Group

    def members(self, samples: tuple[Sample, ...], group: Group) -> tuple[Sample, ...]:
        """Select the samples of ``group`` (``treated`` or ``reference``), in design order."""
        return tuple(sample for sample in samples if sample.group == group)


SERIES: tuple[tuple[str, str], ...] = (
    *((drug, TIME) for drug in DRUGS),
    (TIME_COURSE_DRUG, EARLY_TIME),
)
"""(drug, time) of every concentration series, in sheet order."""


def _vehicle(time: str) -> Group:
    return Group(SJSA1, PARENTAL, VEHICLE, 0.0, time)


def treated_groups() -> tuple[Group, ...]:
    """Every SJSA-1 dose group, in sheet order (series, then increasing dose)."""
    return tuple(
        Group(SJSA1, PARENTAL, drug, dose, time) for drug, time in SERIES for dose in DOSES_UM[drug]
    )


def _dose_contrast(group: Group) -> Contrast:
    name = f"{SJSA1}_{group.condition}_{dose_text(group.dose_um)}_{group.time}_vs_{VEHICLE}"
    return Contrast(name, group, _vehicle(group.time))


DEMO_CONTRASTS: tuple[Contrast, ...] = (
    *(_dose_contrast(group) for group in treated_groups()),
    Contrast(
        f"{A2780}_{RESISTANT}_vs_{PARENTAL}",
        Group(A2780, RESISTANT, VEHICLE, 0.0, TIME),
        Group(A2780, PARENTAL, VEHICLE, 0.0, TIME),
    ),
)
"""The contrasts of the demo in the workflow's order (that of the truth table)."""


def demo_groups() -> tuple[Group, ...]:
    """List every group of the demo, in sheet order.

    SJSA-1 24 h (DMSO, then each drug's doses), SJSA-1 6 h (DMSO, Milademetan's doses),
    A2780 parental and MilciclibR.
    """
    groups: list[Group] = []
    for drug, time in SERIES:
        if _vehicle(time) not in groups:
            groups.append(_vehicle(time))
        groups.extend(Group(SJSA1, PARENTAL, drug, dose, time) for dose in DOSES_UM[drug])
    groups.extend(Group(A2780, genotype, VEHICLE, 0.0, TIME) for genotype in (PARENTAL, RESISTANT))
    return tuple(groups)


def demo_design(replicates: int, control_replicates: int) -> tuple[Sample, ...]:
    """All samples of the demo experiment, in sheet order.

    Parameters
    ----------
    replicates
        Replicates of each dose group (at least 1).
    control_replicates
        Replicates of each vehicle group and of each A2780 group.

    Returns
    -------
    tuple of Sample
        ``20 * replicates + 4 * control_replicates`` samples, grouped as in
        :func:`demo_groups`.
    """
    return tuple(
        Sample(
            name=f"{group.label}_{replicate}",
            condition=group.condition,
            cell_line=group.cell_line,
            genotype=group.genotype,
            dose_um=group.dose_um,
            time=group.time,
            replicate=replicate,
            batch=f"b{replicate}",
        )
        for group in demo_groups()
        for replicate in range(
            1, (replicates if group.condition != VEHICLE else control_replicates) + 1
        )
    )
