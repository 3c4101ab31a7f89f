"""Planted expression changes: the ground truth of the simulated experiment.

Every effect is a log2 fold change relative to untreated parental cells of the
same cell line and time point; genes not listed here have no effect at all
(exactly 0).

* Concentration response: a drug's effect on a gene follows a Hill curve of the
  concentration ``c``,
  ``log2FC(c) = top * c**hill / (EC50**hill + c**hill)``,
  with the gene's ``top`` (its saturating effect, below) and the drug's ``EC50`` and
  ``hill`` (the same for every gene of a drug). Milademetan (EC50 0.05 µM) is 10x
  more potent than Nutlin-3a (0.5 µM); AMG-232 sits in between (0.1 µM).
* p53 response: all three MDM2 inhibitors stabilise p53, so 15 of its targets rise
  under each of them (``P53_TARGET_MAX_LOG2FC``).
* Drug-specific (off-target) genes: three synthetic genes per drug respond to that
  drug only (``DRUG_SPECIFIC_MAX_LOG2FC``).
* Time: the tops above are those at 24 h. At 6 h a p53 target reaches
  ``EARLY_FRACTION`` of its 24 h top (direct, fast targets such as CDKN1A and MDM2
  most of it, the others less), and the drug-specific genes, secondary responses,
  do not respond yet. EC50 and hill do not change with time.
* Resistance: Milciclib-resistant cells carry genotype effects whatever the
  treatment (ABCB1 +4, CCNE1 +2, RB1 -2).
"""

import math

from drugsig.errors import InputError
from drugsig.simulate.catalog import synthetic_name
from drugsig.simulate.design import EARLY_TIME, PARENTAL, TIME, VEHICLE, Contrast, Sample

EC50_UM: dict[str, float] = {"Milademetan": 0.05, "AMG-232": 0.1, "Nutlin-3a": 0.5}
"""Half-maximal effective concentration of each MDM2 inhibitor, in µM."""

HILL: dict[str, float] = {"Milademetan": 1.5, "AMG-232": 1.5, "Nutlin-3a": 1.2}
"""Hill coefficient of each drug's concentration response."""

P53_TARGET_MAX_LOG2FC: dict[str, float] = {
    "CDKN1A": 3.5, "MDM2": 3.0, "GDF15": 3.0, "TP53I3": 2.8, "SPATA18": 2.7, "FDXR": 2.6,
    "BBC3": 2.6, "FAS": 1.65, "TNFRSF10B": 1.65, "SESN2": 1.6, "AEN": 1.6, "RRM2B": 1.6,
    "SESN1": 0.9, "ZMAT3": 0.8, "PLK3": 0.7,
}  # fmt: skip
"""Maximal (saturating-dose) log2 fold change at 24 h of the responding p53 targets
(``top``); the last three stay below 1 at every dose (modest effects)."""

DRUG_SPECIFIC_MAX_LOG2FC: dict[str, dict[str, float]] = {
    "Milademetan": {synthetic_name(1): 2.2, synthetic_name(2): -2.2, synthetic_name(3): 1.65},
    "AMG-232": {synthetic_name(4): 2.4, synthetic_name(5): -2.4, synthetic_name(6): -1.8},
    "Nutlin-3a": {synthetic_name(7): 4.0, synthetic_name(8): -4.0, synthetic_name(9): 3.0},
}
"""Maximal log2 fold change at 24 h of each drug's own (off-target) genes (``top``)."""

EARLY_FRACTION: dict[str, float] = {
    "CDKN1A": 0.8, "MDM2": 0.8, "PLK3": 0.8, "BBC3": 0.6, "AEN": 0.6, "FDXR": 0.5,
    "SESN2": 0.5,
}  # fmt: skip
"""Share of its 24 h top that a p53 target reaches at 6 h; ``LATE_FRACTION`` for the
other targets, 0 for the drug-specific genes."""

LATE_FRACTION = 0.3

TIME_POINTS = (TIME, EARLY_TIME)
"""Time points with a planted response."""

GENOTYPE_LOG2FC: dict[str, dict[str, float]] = {
    PARENTAL: {},
    "MilciclibR": {"ABCB1": 4.0, "CCNE1": 2.0, "RB1": -2.0},
}
"""log2 fold change of each genotype relative to parental cells."""

PLANTED_GENES: frozenset[str] = frozenset(
    [*P53_TARGET_MAX_LOG2FC]
    + [gene for effects in DRUG_SPECIFIC_MAX_LOG2FC.values() for gene in effects]
    + [gene for effects in GENOTYPE_LOG2FC.values() for gene in effects]
)
"""Genes with a non-zero effect in some sample."""

N_SYNTHETIC_PLANTED = sum(len(effects) for effects in DRUG_SPECIFIC_MAX_LOG2FC.values())
"""Synthetic genes the model needs (``SYN0001`` up to this number)."""


def _check_time(time: str) -> None:
    if time not in TIME_POINTS:
        raise InputError(f"no planted response at time {time!r}; known: {', '.join(TIME_POINTS)}")


def top_log2fc(gene_name: str, drug: str, time: str = TIME) -> float:
    """Saturating-dose log2 fold change of a gene under a drug at a time point (``top``).

    Raises
    ------
    InputError
        Unknown drug or time point.
    """
    _check_time(time)
    if drug not in EC50_UM:
        known = ", ".join(EC50_UM)
        raise InputError(f"no planted response for drug {drug!r}; known: {known}")
    p53 = P53_TARGET_MAX_LOG2FC.get(gene_name, 0.0)
    specific = DRUG_SPECIFIC_MAX_LOG2FC[drug].get(gene_name, 0.0)
    if time == TIME:
        return p53 + specific
    return p53 * EARLY_FRACTION.get(gene_name, LATE_FRACTION)


def hill_fraction(condition: str, dose_um: float) -> float:
    """Fraction of the maximal drug response at a dose.

    Parameters
    ----------
    condition
        ``DMSO`` or one of the drugs in ``EC50_UM``.
    dose_um
        Concentration in µM, non-negative.

    Returns
    -------
    float
        ``dose**hill / (EC50**hill + dose**hill)``; 0 for the vehicle.

    Raises
    ------
    InputError
        Unknown condition, or a negative or non-finite dose.
    """
    if not math.isfinite(dose_um) or dose_um < 0:
        raise InputError(f"dose must be a non-negative number of µM, got {dose_um!r}")
    if condition == VEHICLE:
        return 0.0
    if condition not in EC50_UM:
        known = ", ".join([VEHICLE, *EC50_UM])
        raise InputError(f"no planted response for condition {condition!r}; known: {known}")
    hill = HILL[condition]
    return dose_um**hill / (EC50_UM[condition] ** hill + dose_um**hill)


def concentration_at(log2fc: float, gene_name: str, drug: str, time: str = TIME) -> float:
    """Concentration (µM) at which a gene's planted |log2FC| reaches ``log2fc`` (> 0).

    Inverse of the Hill curve: ``EC50 * (log2fc / (|top| - log2fc)) ** (1 / hill)``;
    NaN when ``|top| <= log2fc`` (never reached).
    """
    top = abs(top_log2fc(gene_name, drug, time))
    if top <= log2fc:
        return math.nan
    return EC50_UM[drug] * (log2fc / (top - log2fc)) ** (1 / HILL[drug])


def planted_log2fc(
    gene_name: str, condition: str, dose_um: float, genotype: str, time: str = TIME
) -> float:
    """Planted log2 fold change of one gene in one kind of sample.

    Parameters
    ----------
    gene_name
        Gene name (e.g. ``CDKN1A`` or ``SYN0003``); unlisted genes give 0.
    condition
        ``DMSO`` or one of the drugs in ``EC50_UM``.
    dose_um
        Drug concentration in µM.
    genotype
        ``parental`` or a genotype in ``GENOTYPE_LOG2FC`` (e.g. ``MilciclibR``).
    time
        Time point (``24h`` or ``6h``).

    Returns
    -------
    float
        log2 of the gene's expected expression relative to untreated parental
        cells of the same cell line and time: the drug's p53 and off-target effects
        (Hill curve) plus the genotype's effect.

    Raises
    ------
    InputError
        Unknown condition, genotype or time, or a bad dose.
    """
    if genotype not in GENOTYPE_LOG2FC:
        known = ", ".join(GENOTYPE_LOG2FC)
        raise InputError(f"no planted effects for genotype {genotype!r}; known: {known}")
    _check_time(time)
    fraction = hill_fraction(condition, dose_um)
    drug_effect = 0.0 if condition == VEHICLE else top_log2fc(gene_name, condition, time)
    return drug_effect * fraction + GENOTYPE_LOG2FC[genotype].get(gene_name, 0.0)


def sample_log2fc(gene_name: str, sample: Sample) -> float:
    """``planted_log2fc`` of a gene in a design sample."""
    return planted_log2fc(gene_name, sample.condition, sample.dose_um, sample.genotype, sample.time)


def true_log2fc(gene_name: str, contrast: Contrast, samples: tuple[Sample, ...]) -> float:
    """Compute the true log2 fold change of a gene in a contrast (treated over reference).

    Raises
    ------
    ValueError
        If a group is empty or its samples differ in planted effect.
    """
    levels = []
    for group in (contrast.treated, contrast.reference):
        values = {sample_log2fc(gene_name, sample) for sample in contrast.members(samples, group)}
        if len(values) != 1:
            raise ValueError(
                f"contrast {contrast.name}: group {group.label!r} has effects {values}"
            )
        levels.append(values.pop())
    return levels[0] - levels[1]
