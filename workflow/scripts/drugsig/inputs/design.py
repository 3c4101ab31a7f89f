"""Contrasts: which groups of samples the differential expression step compares.

The Snakefile calls :func:`build_contrasts` while it builds the DAG, so this module is
pure Python/pandas, imports nothing heavy and never looks samples up one by one.

Samples fall into *groups*: the combination of their ``cell_line``, genotype column,
``condition``, ``dose`` and ``time`` values (those columns the sheet has). The dose of
vehicle samples is ignored, so all vehicle samples of a cell line, genotype and time
form one group. Without explicit contrasts (``diffexp.contrasts``) these are built:

* treatment: every group whose condition is not the vehicle vs the vehicle group of
  the same cell line, genotype and time, named ``{condition}_vs_{vehicle}``. The dose
  and/or time are inserted after the condition when the drug has several doses or the
  cell line several time points (``Nutlin-3a_2.5_48h_vs_DMSO``); the genotype comes
  first when the cell line has several genotypes and the group is not parental
  (``MilciclibR_Milciclib_vs_DMSO``).
* genotype: every group whose genotype is not the parental level vs the parental
  group with the same condition, dose and time, named ``{genotype}_vs_{parental}``,
  with condition (dose, time as above) inserted when the condition is not the
  vehicle (``MilciclibR_Milciclib_vs_parental``). Groups without such a parental
  group get no genotype contrast.
* with several cell lines every name starts with ``{cell_line}_`` and every contrast
  is fitted on the samples of its own cell line only.

Explicit contrasts compare two levels of one column (``column``, ``treatment``,
``reference``), optionally within a ``subset`` of the samples; the model's groups are
then the levels of that column. An explicit contrast of ``condition`` against the
vehicle counts as a treatment contrast, one of the genotype column against the parental
level as a genotype contrast (for the cross-drug table); any other is ``explicit``.
Every group compared needs at least two replicates.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from drugsig.errors import InputError

CONDITION = "condition"
CELL_LINE = "cell_line"
DOSE = "dose"
TIME = "time"
MIN_REPLICATES = 2
NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]+")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Joins a group's factor values into its label; sheet cells never contain a tab.
_SEPARATOR = "\t"

Kind = Literal["treatment", "genotype", "explicit", "interaction"]
_HOURS = {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0}
_TIME = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<unit>s|min|h|d)?", re.I)


def hours(label: str) -> float | None:
    """Convert a time point to hours (``30min`` -> 0.5, ``2d`` -> 48); ``None`` if unreadable."""
    match = _TIME.fullmatch(label.strip())
    if match is None:
        return None
    return float(match["number"]) * _HOURS[(match["unit"] or "h").lower()]


@dataclass(frozen=True)
class Contrast:
    """One comparison: a treatment group against a reference group.

    Attributes
    ----------
    name
        Contrast name, used in file names (``[A-Za-z0-9._-]+``).
    column
        The samples column whose levels are compared (``condition``, the genotype
        column, or any column for explicit contrasts).
    treatment, reference
        The compared levels of ``column``.
    subset
        ``(column, value)`` pairs restricting the samples the model is fitted on.
    kind
        ``"treatment"``, ``"genotype"`` or ``"explicit"``.
    cell_line
        The cell line of the compared samples, when they share one.
    factor
        The columns whose combined values make the model's groups.
    treatment_group, reference_group
        Labels (see :func:`group_labels`) of the compared groups.
    terms
        Interaction contrasts only: ``(group label, weight)`` of the four groups whose
        means it combines, ``(treated, +1), (its vehicle, -1)`` at the ``treatment``
        level of ``column``, then ``(treated, -1), (its vehicle, +1)`` at the
        ``reference`` level: the difference of the drug effect between the two levels.
    """

    name: str
    column: str
    treatment: str
    reference: str
    subset: tuple[tuple[str, str], ...]
    kind: Kind
    cell_line: str | None
    factor: tuple[str, ...]
    treatment_group: str
    reference_group: str
    terms: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class _Group:
    label: str
    values: dict[str, str]
    samples: list[str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


def _group_values(samples: pd.DataFrame, factor: Sequence[str], vehicle: str) -> pd.DataFrame:
    values = samples[list(factor)].fillna("")
    if CONDITION in factor and DOSE in factor:
        values[DOSE] = values[DOSE].where(values[CONDITION] != vehicle, "")
    return values


def _join(values: pd.DataFrame) -> pd.Series:
    columns = list(values.columns)
    labels = values[columns[0]]
    for column in columns[1:]:
        labels = labels + _SEPARATOR + values[column]
    return labels


def group_labels(samples: pd.DataFrame, factor: Sequence[str], vehicle: str) -> pd.Series:
    """Label of each sample's group: its ``factor`` values joined (vehicle dose ignored).

    Parameters
    ----------
    samples
        Samples sheet (string columns, ``None`` for missing values).
    factor
        Columns that define the groups.
    vehicle
        The vehicle level of ``condition``; the dose of its samples is left out when
        ``factor`` holds both ``condition`` and ``dose``.

    Returns
    -------
    pandas.Series
        One label per sample, indexed like ``samples``.
    """
    return _join(_group_values(samples, factor, vehicle))


def subset_mask(samples: pd.DataFrame, subset: Iterable[tuple[str, str]]) -> pd.Series:
    """Boolean mask of the samples whose values match every ``(column, value)`` pair.

    A missing value matches ``""`` (as in :func:`group_labels`).
    """
    mask = pd.Series(True, index=samples.index)
    for column, value in subset:
        mask &= samples[column].fillna("") == value
    return mask


def model_groups(samples: pd.DataFrame, contrast: Contrast, vehicle: str) -> pd.Series:
    """Group labels of the samples the contrast's model is fitted on (its subset)."""
    return group_labels(samples[subset_mask(samples, contrast.subset)], contrast.factor, vehicle)


def _did_you_mean(value: str, options: Iterable[str]) -> str:
    by_lower = {option.lower(): option for option in options}
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=1)
    return f" Did you mean '{by_lower[close[0]]}'?" if close else ""


def _levels(values: pd.Series) -> list[str]:
    return sorted(values.dropna().unique())


def _require_column(samples: pd.DataFrame, column: str, where: str, source: str) -> None:
    if column not in samples.columns:
        raise InputError(
            f"{where}: column '{column}' is not in {source}; its columns are "
            f"{', '.join(samples.columns)}.{_did_you_mean(column, samples.columns)}"
        )


def _require_level(values: pd.Series, level: str, where: str, scope: str) -> None:
    levels = _levels(values)
    if level not in levels:
        raise InputError(
            f"{where}: level '{level}' is not in column '{values.name}' of {scope}; "
            f"levels found: {', '.join(levels) or '(none)'}.{_did_you_mean(level, levels)}"
        )


def _describe(values: Mapping[str, str]) -> str:
    return ", ".join(f"{column}={value}" for column, value in values.items() if value)


# Why a group of several cell lines has one sample per line and condition, and the fix.
_LINES_AS_BLOCKS = (
    " Each cell line is fitted on its own, so with one sample per cell line and condition "
    "no group has replicates. To test the drug across the lines, make the lines the "
    "replicates and the block: put them in another column (e.g. 'line'), give "
    f"'{CELL_LINE}' one value for all of them (or drop it) and add that column to "
    "diffexp.covariates (a paired design; README, 'Blocking factors')."
)


def _check_replicates(
    name: str,
    role: str,
    group: str,
    members: Sequence[str],
    source: str,
    hint: str = "",
) -> None:
    if len(members) < MIN_REPLICATES:
        raise InputError(
            f"{source}: contrast '{name}': the {role} group ({group}) has only "
            f"{len(members)} replicate ({', '.join(members)}); at least {MIN_REPLICATES} "
            "per group are required. DESeq2 can technically fit a group without "
            "replicates, but its fold changes and p-values are then unreliable, so drugsig "
            "refuses. Add replicates or choose other contrasts (diffexp.contrasts)." + hint
        )


def sanitize_name(name: str) -> str:
    """Replace runs of characters outside ``[A-Za-z0-9._-]`` by ``_``; trim ``_``."""
    return _UNSAFE.sub("_", name).strip("_")


def _name(parts: Iterable[str]) -> str:
    return "_".join(part for part in map(sanitize_name, parts) if part)


def _groups(samples: pd.DataFrame, factor: Sequence[str], vehicle: str) -> list[_Group]:
    values = _group_values(samples, factor, vehicle)
    labels = _join(values)
    members: dict[str, list[str]] = {}
    for label, sample in zip(labels, samples.index, strict=True):
        members.setdefault(label, []).append(sample)
    first = values[~labels.duplicated()]
    return [
        _Group(label, record, members[label])
        for label, record in zip(labels[first.index], first.to_dict("records"), strict=True)
    ]


def _default_contrasts(
    samples: pd.DataFrame, diffexp_cfg: Mapping[str, Any], source: str
) -> list[Contrast]:
    vehicle = diffexp_cfg["vehicle"]
    conditions = _levels(samples[CONDITION])
    if vehicle not in conditions:
        raise InputError(
            f"{source}: the vehicle '{vehicle}' (diffexp.vehicle) is not in column "
            f"'condition'; levels found: {', '.join(conditions)}."
            f"{_did_you_mean(vehicle, conditions)} Set diffexp.vehicle to the condition of "
            "the vehicle controls, or list contrasts in diffexp.contrasts."
        )
    factor = tuple(
        column
        for column in (CELL_LINE, diffexp_cfg["genotype_column"], CONDITION, DOSE, TIME)
        if column in samples.columns
    )
    by_line: dict[str, list[_Group]] = {}
    for group in _groups(samples, factor, vehicle):
        by_line.setdefault(group.get(CELL_LINE), []).append(group)
    return [
        contrast
        for cell_line, groups in by_line.items()
        for contrast in _line_contrasts(
            cell_line, groups, len(by_line) > 1, factor, diffexp_cfg, source
        )
    ]


def _line_contrasts(
    cell_line: str,
    groups: list[_Group],
    several_lines: bool,
    factor: tuple[str, ...],
    diffexp_cfg: Mapping[str, Any],
    source: str,
) -> list[Contrast]:
    """Default contrasts within one cell line (``cell_line`` empty without the column)."""
    vehicle = diffexp_cfg["vehicle"]
    genotype, parental = diffexp_cfg["genotype_column"], diffexp_cfg["parental"]
    several_times = len({group.get(TIME) for group in groups}) > 1
    doses: dict[str, set[str]] = {}
    for group in groups:
        doses.setdefault(group.get(CONDITION), set()).add(group.get(DOSE))
    genotypes = list(dict.fromkeys(group.get(genotype) for group in groups))

    def details(group: _Group) -> list[str]:
        condition = group.get(CONDITION)
        parts = [condition] if condition != vehicle else []
        if parts and len(doses[condition]) > 1:
            parts.append(group.get(DOSE))
        return [*parts, group.get(TIME)] if several_times else parts

    def contrast(
        kind: Kind, column: str, parts: list[str], treated: _Group, reference: _Group
    ) -> Contrast:
        baseline = reference.get(column)
        prefix = [cell_line] if several_lines else []
        name = _name([*prefix, *parts, "vs", baseline])
        unreplicated_lines = several_lines and all(len(g.samples) < 2 for g in groups)
        hint = _LINES_AS_BLOCKS if unreplicated_lines else ""
        for role, group in (("treatment", treated), ("reference", reference)):
            _check_replicates(name, role, _describe(group.values), group.samples, source, hint)
        return Contrast(
            name=name,
            column=column,
            treatment=treated.get(column),
            reference=baseline,
            subset=((CELL_LINE, cell_line),) if several_lines else (),
            kind=kind,
            cell_line=cell_line or None,
            factor=factor,
            treatment_group=treated.label,
            reference_group=reference.label,
        )

    where = f"{source}: cell line '{cell_line}'" if cell_line else source
    vehicles = {
        (group.get(genotype), group.get(TIME)): group
        for group in groups
        if group.get(CONDITION) == vehicle
    }
    treated = [group for group in groups if group.get(CONDITION) != vehicle]
    if treated and not vehicles:
        raise InputError(
            f"{where} has treated samples but no '{vehicle}' (diffexp.vehicle) samples to "
            f"compare them with; conditions found: "
            f"{', '.join(sorted({group.get(CONDITION) for group in groups}))}. Add vehicle "
            "controls for this cell line or list contrasts in diffexp.contrasts."
        )
    contrasts = []
    for group in treated:
        reference = vehicles.get((group.get(genotype), group.get(TIME)))
        if reference is None:
            wanted = {genotype: group.get(genotype), TIME: group.get(TIME)}
            found = "; ".join(_describe(other.values) for other in vehicles.values())
            raise InputError(
                f"{where}: no '{vehicle}' samples with {_describe(wanted)} to serve as the "
                f"reference of group {_describe(group.values)} (samples "
                f"{', '.join(group.samples)}); vehicle groups found: {found}."
            )
        mutant = len(genotypes) > 1 and group.get(genotype) != parental
        parts = [group.get(genotype)] if mutant else []
        contrasts.append(contrast("treatment", CONDITION, parts + details(group), group, reference))
    if len(genotypes) > 1:
        if parental not in genotypes:
            levels = ", ".join(level or "(empty)" for level in genotypes)
            raise InputError(
                f"{where} has several levels in column '{genotype}' ({levels}) but none is "
                f"the parental level '{parental}' (diffexp.parental)."
                f"{_did_you_mean(parental, genotypes)} Set diffexp.parental to the "
                "reference genotype or list contrasts in diffexp.contrasts."
            )
        parentals = {
            (group.get(CONDITION), group.get(DOSE), group.get(TIME)): group
            for group in groups
            if group.get(genotype) == parental
        }
        for group in groups:
            reference = parentals.get((group.get(CONDITION), group.get(DOSE), group.get(TIME)))
            if group.get(genotype) != parental and reference is not None:
                parts = [group.get(genotype), *details(group)]
                contrasts.append(contrast("genotype", genotype, parts, group, reference))
    if diffexp_cfg.get("interactions", True):
        prefix = [cell_line] if several_lines else []
        subset = ((CELL_LINE, cell_line),) if several_lines else ()
        for column, parts, (drug, drug_vehicle), (base, base_vehicle) in _interactions(
            treated, vehicles, genotype, parental, details
        ):
            contrasts.append(
                Contrast(
                    name=_name([*prefix, *parts, "interaction"]),
                    column=column,
                    treatment=drug.get(column),
                    reference=base.get(column),
                    subset=subset,
                    kind="interaction",
                    cell_line=cell_line or None,
                    factor=factor,
                    treatment_group=drug.label,
                    reference_group=base_vehicle.label,
                    terms=(
                        (drug.label, 1.0),
                        (drug_vehicle.label, -1.0),
                        (base.label, -1.0),
                        (base_vehicle.label, 1.0),
                    ),
                )
            )
    return contrasts


_Pair = tuple[_Group, _Group]  # a treated group and its vehicle group


def _interactions(
    treated: list[_Group],
    vehicles: Mapping[tuple[str, str], _Group],
    genotype: str,
    parental: str,
    details: Any,
) -> list[tuple[str, list[str], _Pair, _Pair]]:
    """Interaction contrasts of one cell line: ``(column, name parts, pair, base pair)``.

    * genotype x treatment: a treated group of a non-parental genotype and the parental
      group of the same condition, dose and time, each with the vehicle of its genotype
      and time: ``{drug}[_{dose}][_{time}]_{genotype}_vs_{parental}``;
    * time x treatment: a condition (same genotype and dose) at two or more times, each
      with the vehicle of its time; every later time against the earliest (in hours, see
      :func:`hours`; sheet order if a time cannot be read):
      ``[{genotype}_]{drug}[_{dose}]_{time}_vs_{earliest}``.
    """
    found: list[tuple[str, list[str], _Pair, _Pair]] = []
    by_key = {
        (group.get(genotype), group.get(CONDITION), group.get(DOSE), group.get(TIME)): group
        for group in treated
    }

    def pair(group: _Group) -> _Pair:
        return group, vehicles[(group.get(genotype), group.get(TIME))]

    for (line_genotype, condition, dose, time), group in by_key.items():
        base = by_key.get((parental, condition, dose, time))
        if line_genotype != parental and base is not None:
            parts = [*details(group), line_genotype, "vs", parental]
            found.append((genotype, parts, pair(group), pair(base)))
    courses: dict[tuple[str, str, str], list[_Group]] = {}
    for (line_genotype, condition, dose, _), group in by_key.items():
        courses.setdefault((line_genotype, condition, dose), []).append(group)
    for members in courses.values():
        if len(members) < 2:
            continue
        readable = all(hours(group.get(TIME)) is not None for group in members)
        if readable:
            members = sorted(members, key=lambda group: hours(group.get(TIME)) or 0.0)
        first = members[0]
        for group in members[1:]:
            parts = [part for part in details(group) if part != group.get(TIME)]
            if group.get(genotype) != parental:
                parts.insert(0, group.get(genotype))
            parts += [group.get(TIME), "vs", first.get(TIME)]
            found.append((TIME, parts, pair(group), pair(first)))
    return found


def _explicit_contrast(
    samples: pd.DataFrame,
    spec: Mapping[str, Any],
    position: int,
    diffexp_cfg: Mapping[str, Any],
    source: str,
) -> Contrast:
    where = f"diffexp.contrasts item {position}" + (
        f" ('{spec['name']}')" if spec.get("name") else ""
    )
    column = str(spec["column"])
    subset = tuple((str(key), str(value)) for key, value in (spec.get("subset") or {}).items())
    for key, value in subset:
        _require_column(samples, key, f"{where}, subset", source)
        _require_level(samples[key], value, f"{where}, subset", source)
    _require_column(samples, column, where, source)
    chosen = samples[subset_mask(samples, subset)]
    scope = f"{source} (within subset {_describe(dict(subset))})" if subset else source
    treatment, reference = str(spec["treatment"]), str(spec["reference"])
    if treatment == reference:
        raise InputError(f"{where}: treatment and reference are the same level '{treatment}'.")
    _require_level(chosen[column], treatment, where, scope)
    _require_level(chosen[column], reference, where, scope)
    name = spec.get("name") or _name([*(value for _, value in subset), treatment, "vs", reference])
    if not NAME_PATTERN.fullmatch(name):
        raise InputError(
            f"{where}: contrast name '{name}' may only contain letters, digits, '.', '_' "
            f"and '-' (it becomes a file name); try '{sanitize_name(name)}'."
        )
    cell_lines = set()
    for role, level in (("treatment", treatment), ("reference", reference)):
        members = chosen[chosen[column] == level]
        _check_replicates(
            name, role, _describe({**dict(subset), column: level}), list(members.index), source
        )
        if CELL_LINE in members.columns:
            cell_lines.update(members[CELL_LINE])
    if column == CONDITION and reference == diffexp_cfg["vehicle"]:
        kind: Kind = "treatment"
    elif column == diffexp_cfg["genotype_column"] and reference == diffexp_cfg["parental"]:
        kind = "genotype"
    else:
        kind = "explicit"
    return Contrast(
        name=name,
        column=column,
        treatment=treatment,
        reference=reference,
        subset=subset,
        kind=kind,
        cell_line=cell_lines.pop() if len(cell_lines) == 1 else None,
        factor=(column,),
        treatment_group=treatment,
        reference_group=reference,
    )


def build_contrasts(
    samples: pd.DataFrame, diffexp_cfg: Mapping[str, Any], source: str = "config/samples.tsv"
) -> list[Contrast]:
    """Build the contrasts: ``diffexp.contrasts`` if given, else the default ones.

    Parameters
    ----------
    samples
        Samples sheet, indexed by sample (string columns, ``None`` when missing).
    diffexp_cfg
        The validated ``diffexp`` config section.
    source
        The samples sheet's path, named in error messages.

    Returns
    -------
    list of Contrast
        In a stable order: per cell line (sheet order), treatment then genotype
        contrasts, groups in sheet order; explicit contrasts in config order.

    Raises
    ------
    InputError
        On a missing vehicle or parental level, an unknown column or level, a group
        with fewer than two replicates, a bad or duplicate contrast name, or an unusable
        covariate.
    """
    if diffexp_cfg["contrasts"]:
        contrasts = [
            _explicit_contrast(samples, spec, position, diffexp_cfg, source)
            for position, spec in enumerate(diffexp_cfg["contrasts"], start=1)
        ]
    else:
        contrasts = _default_contrasts(samples, diffexp_cfg, source)
    seen: set[str] = set()
    for contrast in contrasts:
        if contrast.name in seen:
            raise InputError(
                f"two contrasts are named '{contrast.name}'; contrast names must be unique. "
                "Give explicit contrasts (diffexp.contrasts) distinct names."
            )
        seen.add(contrast.name)
    _check_covariates(samples, diffexp_cfg["covariates"], contrasts, source)
    _check_confounding(samples, diffexp_cfg["covariates"], contrasts, diffexp_cfg["vehicle"])
    return contrasts


def _check_covariates(
    samples: pd.DataFrame, covariates: Sequence[str], contrasts: Sequence[Contrast], source: str
) -> None:
    for covariate in covariates:
        _require_column(samples, covariate, "diffexp.covariates", source)
        for contrast in contrasts:
            if covariate in contrast.factor:
                raise InputError(
                    f"diffexp.covariates: '{covariate}' already defines the groups that "
                    f"contrast '{contrast.name}' compares ({', '.join(contrast.factor)}); "
                    "remove it from the covariates."
                )
        missing = samples.index[samples[covariate].isna()]
        if len(missing):
            raise InputError(
                f"{source}: covariate '{covariate}' (diffexp.covariates) is empty for "
                f"sample(s) {', '.join(missing)}; every sample needs a value."
            )


def _check_confounding(
    samples: pd.DataFrame, covariates: Sequence[str], contrasts: Sequence[Contrast], vehicle: str
) -> None:
    """Raise if covariates make a model's design ``~ covariates + group`` rank-deficient.

    The models are those :mod:`drugsig.diffexp.deseq` fits: one per set of contrasts sharing their
    subset, factor and reference group. Checked here, while the DAG is built, so that
    the run stops before any alignment rather than in the DE step.
    """
    if not covariates:
        return
    families: dict[tuple[Any, ...], list[Contrast]] = {}
    for contrast in contrasts:
        key = (contrast.subset, contrast.factor, contrast.reference_group)
        families.setdefault(key, []).append(contrast)
    for members in families.values():
        groups = model_groups(samples, members[0], vehicle)
        factors = pd.concat(
            [samples.loc[groups.index, column] for column in covariates] + [groups],
            axis=1,
            keys=range(len(covariates) + 1),
        )
        dummies = pd.get_dummies(factors.astype(str), drop_first=True, dtype=float)
        design = np.column_stack([np.ones(len(groups)), dummies.to_numpy()])
        if np.linalg.matrix_rank(design) < design.shape[1]:
            raise InputError(
                f"contrast(s) {', '.join(c.name for c in members)}: the covariates "
                f"{', '.join(covariates)} (diffexp.covariates) are confounded with the "
                "compared groups, so the model cannot be fitted. Remove them or add samples "
                "that separate them."
            )
