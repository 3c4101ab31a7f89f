"""Planted expression changes: the ground truth of the simulated experiment.

Every effect is a log2 fold change relative to untreated parental cells of the
same cell line; genes not listed here have no effect at all (exactly 0).

* p53 response: all three MDM2 inhibitors stabilise p53, so its targets rise with
  the drug's occupancy, a Hill curve with coefficient 1:
  ``log2FC = max_log2fc(gene) * dose / (dose + EC50(drug))``.
  Milademetan (EC50 0.05 µM) is ~10x more potent than Nutlin-3a (0.5 µM);
  AMG-232 sits in between (0.1 µM).
* Drug-specific (off-target) genes: three synthetic genes per drug, following the
  same Hill curve of that drug only; their maxima give |log2FC| of about 1.5-2 at
  the demo dose of 0.5 µM.
* Resistance: Milciclib-resistant cells carry genotype effects whatever the
  treatment (ABCB1 +4, CCNE1 +2, RB1 -2).
"""

import math

from drugsig.errors import InputError
from drugsig.simulate.catalog import synthetic_name
from drugsig.simulate.design import PARENTAL, VEHICLE, Contrast, Sample

EC50_UM: dict[str, float] = {"Milademetan": 0.05, "AMG-232": 0.1, "Nutlin-3a": 0.5}
"""Half-maximal effective concentration of each MDM2 inhibitor, in µM."""

P53_TARGET_MAX_LOG2FC: dict[str, float] = {
    "CDKN1A": 3.5, "MDM2": 3.0, "GDF15": 3.0, "TP53I3": 2.8, "SPATA18": 2.7, "FDXR": 2.6,
    "BBC3": 2.6, "FAS": 1.65, "TNFRSF10B": 1.65, "SESN2": 1.6, "AEN": 1.6, "RRM2B": 1.6,
    "SESN1": 0.9, "ZMAT3": 0.8, "PLK3": 0.7,
}  # fmt: skip
"""Maximal (saturating-dose) log2 fold change of the responding p53 targets.

At the demo dose no true effect lies between 0.85 and 1.3, so a gene's status at
the usual |log2FC| >= 1 cut-off is never a coin toss; the last three stay below it
for every drug (modest effects)."""

DRUG_SPECIFIC_MAX_LOG2FC: dict[str, dict[str, float]] = {
    "Milademetan": {synthetic_name(1): 2.2, synthetic_name(2): -2.2, synthetic_name(3): 1.65},
    "AMG-232": {synthetic_name(4): 2.4, synthetic_name(5): -2.4, synthetic_name(6): -1.8},
    "Nutlin-3a": {synthetic_name(7): 4.0, synthetic_name(8): -4.0, synthetic_name(9): 3.0},
}
"""Maximal log2 fold change of each drug's own (off-target) genes."""

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


def hill_fraction(condition: str, dose_um: float) -> float:
    """Fraction of the maximal drug response at a dose (Hill coefficient 1).

    Parameters
    ----------
    condition
        ``DMSO`` or one of the drugs in ``EC50_UM``.
    dose_um
        Concentration in µM, non-negative.

    Returns
    -------
    float
        ``dose / (dose + EC50)``; 0 for the vehicle.

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
    return dose_um / (dose_um + EC50_UM[condition])


def planted_log2fc(gene_name: str, condition: str, dose_um: float, genotype: str) -> float:
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

    Returns
    -------
    float
        log2 of the gene's expected expression relative to untreated parental
        cells of the same cell line: the drug's p53 and off-target effects (Hill
        curve) plus the genotype's effect.

    Raises
    ------
    InputError
        Unknown condition or genotype, or a bad dose.
    """
    if genotype not in GENOTYPE_LOG2FC:
        known = ", ".join(GENOTYPE_LOG2FC)
        raise InputError(f"no planted effects for genotype {genotype!r}; known: {known}")
    fraction = hill_fraction(condition, dose_um)
    drug_max = P53_TARGET_MAX_LOG2FC.get(gene_name, 0.0) + DRUG_SPECIFIC_MAX_LOG2FC.get(
        condition, {}
    ).get(gene_name, 0.0)
    return drug_max * fraction + GENOTYPE_LOG2FC[genotype].get(gene_name, 0.0)


def sample_log2fc(gene_name: str, sample: Sample) -> float:
    """``planted_log2fc`` of a gene in a design sample."""
    return planted_log2fc(gene_name, sample.condition, sample.dose_um, sample.genotype)


def true_log2fc(gene_name: str, contrast: Contrast, samples: tuple[Sample, ...]) -> float:
    """True log2 fold change of a gene in a contrast (treated over reference group).

    Raises
    ------
    ValueError
        If a group is empty or its samples differ in planted effect.
    """
    levels = []
    for level in (contrast.treated, contrast.reference):
        values = {sample_log2fc(gene_name, sample) for sample in contrast.members(samples, level)}
        if len(values) != 1:
            raise ValueError(f"contrast {contrast.name}: group {level!r} has effects {values}")
        levels.append(values.pop())
    return levels[0] - levels[1]
