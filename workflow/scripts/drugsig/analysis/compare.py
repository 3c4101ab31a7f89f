"""Cross-drug comparison within each cell line and time point.

Core signature, drug-specific genes, pairwise similarity and the relative transcriptional
response at the tested dose.

Drugs are compared within a *group*: the *treatment* contrasts (drug vs vehicle) of one
cell line at one time point (``cell_line`` and ``time`` of ``contrasts.tsv``; either is
empty when the samples sheet lacks it). Every group with at least two treatment
contrasts is compared; each of its contrasts counts as one "drug". With samples at 1 h
and 6 h, the drugs are compared at 1 h and, separately, at 6 h (never a drug at 1 h
with another at 6 h). A drug tested at several doses at one time point gives several
contrasts of the group, compared like different drugs (the core must then be
significant at every dose). Significance and effect size are those of
:mod:`drugsig.analysis.signatures`: a gene is significant when ``padj < signatures.padj`` and
the absolute effect size (shrunken log2 fold change, else the MLE one) is at least
``signatures.min_abs_log2fc``. The gene categories come from
:func:`drugsig.analysis.signatures.cross_drug`.

Relative response at the tested dose
------------------------------------
On the group's *core* genes, each drug's effect sizes ``y`` are regressed on the
reference drug's ``x`` through the origin: slope ``b = sum(x*y) / sum(x^2)``. With the
residual variance ``s^2 = sum((y - b*x)^2) / (n - 1)``, the slope's standard error is
``s / sqrt(sum(x^2))`` and its 95 % confidence interval ``b +- t(0.975, n - 1) * SE``
(none for ``n < 2``). ``r2 = 1 - sum((y - b*x)^2) / sum(y^2)`` is the uncentered
coefficient of determination that goes with a regression through the origin (as R's
``lm(y ~ 0 + x)`` reports it): the share of the drug's squared core effects that the
scaled reference profile explains, between 0 and 1. It is high whenever the core genes
all move one way, so read it together with the confidence interval.

Interpretation: the slope is the drug's transcriptional response on the shared program
as a fraction of the reference drug's, at the doses tested. A slope of 0.5 means that
the core genes move half as much (in log2 fold change) as under the reference. It is a
relative *efficacy at the tested dose*, not an EC50 ratio, unless the doses are matched
to equal exposure. Caveats: core genes must be significant under every drug, which
favours genes the weakest drug moves most (a slight upward bias of small slopes);
shrunken fold changes of weakly expressed genes are pulled towards 0; and the
regression ignores the reference's own noise (slightly attenuating slopes). For potency
(how many times lower a concentration gives the same response) see
:mod:`drugsig.concentration_response`, which needs a concentration series.

Reference drug: ``comparison.reference.{cell_line}`` applies to every time point of
the cell line. It names a treatment level (``condition``) matching exactly one
treatment contrast of each group, or a contrast: in the contrast's own group that
contrast, in the cell line's other groups the contrast of the same treatment level.
Otherwise it is the drug with the largest median absolute effect size on the group's
core (ties: the first in contrast order).

Outputs
-------
In every table, ``cell_line`` and ``time`` name the group (empty when the samples
sheet has no such column).

``results/compare/core_signature.tsv``: genes significant in every treatment contrast
of the group, in the same direction. Ordered by group (order of its first contrast),
direction (up first), ``|mean_log2fc|`` (descending), ``gene_id``.

* ``cell_line``, ``time``, ``gene_id``, ``gene_name``.
* ``direction``: ``up`` or ``down``.
* ``{contrast}_log2FoldChange``: effect size in each compared treatment contrast
  (empty for other groups' contrasts).
* ``mean_log2fc``: mean effect size over the group's treatment contrasts.

``results/compare/drug_specific.tsv``: genes significant in exactly one treatment
contrast of the group. Ordered by group, contrast, direction (up first),
``|log2FoldChange|`` (descending), ``gene_id``.

* ``cell_line``, ``time``, ``contrast``, ``drug`` (the contrast's treatment level),
  ``gene_id``, ``gene_name``.
* ``log2FoldChange``: effect size; ``padj``; ``direction`` (``up`` or ``down``).

``results/compare/similarity.tsv``: every pair of treatment contrasts of a group.

* ``cell_line``, ``time``, ``contrast_a``, ``contrast_b`` (contrast order).
* ``spearman``: Spearman correlation of the two effect sizes over the genes
  significant in either contrast and tested in both (empty below 3 genes).
* ``n_genes``: number of those genes.
* ``jaccard``: size of the intersection over size of the union of the two signatures,
  a gene counting as shared only when significant in both *in the same direction*
  (empty when both signatures are empty).
* ``n_shared``: number of shared signature genes.

``results/compare/relative_response.tsv``: one row per treatment contrast of a group
with a non-empty core (the reference drug included, relative response 1).

* ``cell_line``, ``time``, ``contrast``, ``drug``.
* ``reference``: the reference contrast.
* ``n_genes``: core genes used.
* ``relative_response``, ``ci_low``, ``ci_high``: through-origin slope and its 95 %
  interval.
* ``r2``: see above.

MultiQC custom content (tables): ``results/multiqc/custom/compare_relative_response_mqc.tsv``
(section id ``compare_relative_response``) and ``compare_similarity_mqc.tsv`` (section id
``compare_similarity``); their ``time`` column is left out when it is empty throughout.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from drugsig.analysis.signatures import cross_drug, treatment_groups
from drugsig.errors import InputError
from drugsig.io import write_table_atomic, write_text_atomic
from drugsig.report.multiqc import column, custom_content
from drugsig.tables import (
    effect_size,
    load_contrast_tables,
    significant,
)

Group = tuple[str, str]  # (cell line, time)

SPECIFIC_COLUMNS = [
    "cell_line",
    "time",
    "contrast",
    "drug",
    "gene_id",
    "gene_name",
    "log2FoldChange",
    "padj",
    "direction",
]
SIMILARITY_COLUMNS = [
    "cell_line",
    "time",
    "contrast_a",
    "contrast_b",
    "spearman",
    "n_genes",
    "jaccard",
    "n_shared",
]
RELATIVE_RESPONSE_COLUMNS = [
    "cell_line",
    "time",
    "contrast",
    "drug",
    "reference",
    "n_genes",
    "relative_response",
    "ci_low",
    "ci_high",
    "r2",
]
CONFIDENCE = 0.95
MIN_SPEARMAN_GENES = 3
_LFC = "_log2FoldChange"


def compared_groups(contrasts: pd.DataFrame) -> dict[Group, list[str]]:
    """Treatment contrasts of each (cell line, time) group with at least two.

    See :func:`drugsig.analysis.signatures.treatment_groups`: groups in order of their first
    contrast, names in contrast order.
    """
    return {key: names for key, names in treatment_groups(contrasts).items() if len(names) >= 2}


def describe_group(cell_line: str, time: str) -> str:
    """Describe the group for messages: ``cell line 'A549' at 6h`` (without an empty time)."""
    return f"cell line '{cell_line}'" + (f" at {time}" if time else "")


def _in_group(table: pd.DataFrame, group: Group) -> pd.Series:
    return (table["cell_line"] == group[0]) & (table["time"] == group[1])


def _directional_order(table: pd.DataFrame, value: str, keys: Sequence[str]) -> pd.DataFrame:
    """Sort by ``keys``, direction (up first), ``|value|`` descending, then ``gene_id``."""
    order = table.assign(_down=table["direction"] == "down", _strength=-table[value].abs())
    order = order.sort_values([*keys, "_down", "_strength", "gene_id"], kind="stable")
    return order.drop(columns=["_down", "_strength"]).reset_index(drop=True)


def core_signature(cross: pd.DataFrame, groups: Mapping[Group, Sequence[str]]) -> pd.DataFrame:
    """Find the shared core genes of each compared group (cell line and time).

    Parameters
    ----------
    cross
        From :func:`drugsig.analysis.signatures.cross_drug`.
    groups
        From :func:`compared_groups`.

    Returns
    -------
    pandas.DataFrame
        The core-signature table described in the module docstring.
    """
    names = [name for group_names in groups.values() for name in group_names]
    columns = [f"{name}{_LFC}" for name in names]
    rows = []
    for position, (group, group_names) in enumerate(groups.items()):
        core = cross[_in_group(cross, group) & (cross["category"] == "shared")].copy()
        core["mean_log2fc"] = core[[f"{name}{_LFC}" for name in group_names]].mean(axis=1)
        rows.append(core.assign(group_order=position))
    header = [
        "cell_line",
        "time",
        "gene_id",
        "gene_name",
        "direction",
        *columns,
        "mean_log2fc",
    ]
    if not rows:
        return pd.DataFrame(columns=header)
    core = pd.concat(rows, ignore_index=True)
    return _directional_order(core, "mean_log2fc", ["group_order"])[header]


def drug_specific(
    cross: pd.DataFrame, groups: Mapping[Group, Sequence[str]], contrasts: pd.DataFrame
) -> pd.DataFrame:
    """Genes significant in exactly one treatment contrast of each compared group.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SPECIFIC_COLUMNS`, ordered as in the module docstring.
    """
    drugs = contrasts.set_index("name")["treatment"]
    parts = []
    for position, name in enumerate(name for names in groups.values() for name in names):
        rows = cross[(cross["category"] == "specific") & (cross["specific_to"] == name)]
        parts.append(
            pd.DataFrame(
                {
                    "cell_line": rows["cell_line"],
                    "time": rows["time"],
                    "contrast": name,
                    "drug": drugs[name],
                    "gene_id": rows["gene_id"],
                    "gene_name": rows["gene_name"],
                    "log2FoldChange": rows[f"{name}{_LFC}"],
                    "padj": rows[f"{name}_padj"],
                    "direction": rows["direction"],
                    "position": position,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=SPECIFIC_COLUMNS)
    specific = pd.concat(parts, ignore_index=True)
    return _directional_order(specific, "log2FoldChange", ["position"])[SPECIFIC_COLUMNS]


def _signature_set(
    table: pd.DataFrame, padj: float, min_abs_log2fc: float
) -> set[tuple[str, bool]]:
    """Collect the significant genes of a DE table as ``(gene_id, is_up)`` pairs."""
    genes = table[significant(table, padj, min_abs_log2fc)]
    return set(zip(genes["gene_id"], effect_size(genes) > 0, strict=True))


def similarity(
    tables: Mapping[str, pd.DataFrame],
    groups: Mapping[Group, Sequence[str]],
    padj: float,
    min_abs_log2fc: float,
) -> pd.DataFrame:
    """Pairwise similarity of the treatment contrasts of each compared group.

    Parameters
    ----------
    tables
        ``{contrast name: DE table}``.
    groups
        From :func:`compared_groups`.
    padj, min_abs_log2fc
        Signature thresholds.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SIMILARITY_COLUMNS`.
    """
    rows = []
    for (line, time), names in groups.items():
        for name_a, name_b in itertools.combinations(names, 2):
            table_a, table_b = tables[name_a], tables[name_b]
            set_a = _signature_set(table_a, padj, min_abs_log2fc)
            set_b = _signature_set(table_b, padj, min_abs_log2fc)
            union_ids = {gene for gene, _ in set_a | set_b}
            effects = pd.concat(
                [effect_size(table).set_axis(table["gene_id"]) for table in (table_a, table_b)],
                axis=1,
                join="inner",
            )
            effects = effects[effects.index.isin(union_ids)].dropna()
            rho = (
                stats.spearmanr(effects.iloc[:, 0], effects.iloc[:, 1]).statistic
                if len(effects) >= MIN_SPEARMAN_GENES
                else np.nan
            )
            shared, union = set_a & set_b, set_a | set_b
            rows.append(
                {
                    "cell_line": line,
                    "time": time,
                    "contrast_a": name_a,
                    "contrast_b": name_b,
                    "spearman": rho,
                    "n_genes": len(effects),
                    "jaccard": len(shared) / len(union) if union else np.nan,
                    "n_shared": len(shared),
                }
            )
    return pd.DataFrame(rows, columns=SIMILARITY_COLUMNS)


def origin_slope(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Least-squares slope of ``y`` on ``x`` through the origin, with 95 % CI and r2.

    Returns
    -------
    dict
        ``slope``, ``ci_low``, ``ci_high``, ``r2`` (NaN where undefined; see the module
        docstring).
    """
    n = len(x)
    slope = float(np.sum(x * y) / np.sum(x * x)) if n else np.nan
    residual = float(np.sum((y - slope * x) ** 2)) if n else np.nan
    ci_low = ci_high = np.nan
    if n >= 2:
        half = stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * np.sqrt(
            residual / (n - 1) / np.sum(x * x)
        )
        ci_low, ci_high = slope - half, slope + half
    total = float(np.sum(y * y))
    r2 = 1 - residual / total if total > 0 else np.nan
    return {"slope": slope, "ci_low": ci_low, "ci_high": ci_high, "r2": r2}


def _reference(
    group: Group,
    names: Sequence[str],
    core: pd.DataFrame,
    chosen: str | None,
    drugs: pd.Series,
    line_contrasts: Sequence[str],
) -> str:
    """Choose the reference contrast of a group (see the module docstring).

    ``line_contrasts``: every treatment contrast of the group's cell line, at any time.
    """
    if chosen is None:
        medians = [core[f"{name}{_LFC}"].abs().median() for name in names]
        return names[int(np.argmax(medians))]
    if chosen in names:
        return chosen
    elsewhere = chosen in line_contrasts  # a contrast of another time point
    level = drugs[chosen] if elsewhere else chosen
    matches = [name for name in names if drugs[name] == level]
    if len(matches) != 1:
        options = ", ".join(f"{name} ({drugs[name]})" for name in names)
        if elsewhere:
            found = "matches several" if matches else "matches none"
            problem = f"is a contrast of another time point; its treatment '{level}' {found}"
        else:
            problem = (
                "matches several" if matches else "is neither a contrast nor the treatment of any"
            )
        raise InputError(
            f"comparison.reference: '{chosen}' for {describe_group(*group)} {problem} of its "
            f"treatment contrasts; choose one of: {options}."
        )
    return matches[0]


def relative_response(
    core: pd.DataFrame,
    groups: Mapping[Group, Sequence[str]],
    contrasts: pd.DataFrame,
    references: Mapping[str, str],
) -> pd.DataFrame:
    """Relative transcriptional response of each drug at its tested dose, on the core genes.

    Parameters
    ----------
    core
        From :func:`core_signature`.
    groups
        From :func:`compared_groups`.
    contrasts
        The contrasts table.
    references
        ``comparison.reference``: ``{cell line: contrast or treatment level}``, for
        every time point of the cell line.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RELATIVE_RESPONSE_COLUMNS`; groups with an empty core are left out (with a
        warning).

    Raises
    ------
    InputError
        When ``references`` names a cell line without compared treatment contrasts, or a
        reference that is not exactly one of a group's treatment contrasts.
    """
    lines = list(dict.fromkeys(line for line, _ in groups))
    unknown = sorted(set(references) - set(lines))
    if unknown:
        raise InputError(
            f"comparison.reference: cell line(s) {', '.join(unknown)} have fewer than two "
            f"treatment contrasts at any time point to compare; cell lines compared: "
            f"{', '.join(lines) or '(none)'}."
        )
    drugs = contrasts.set_index("name")["treatment"]
    line_contrasts: dict[str, list[str]] = {}
    for (line, _), line_names in treatment_groups(contrasts).items():
        line_contrasts.setdefault(line, []).extend(line_names)
    rows = []
    for group, names in groups.items():
        genes = core[_in_group(core, group)]
        if genes.empty:
            warnings.warn(
                f"{describe_group(*group)}: no core genes (significant under every drug), so "
                "no relative response.",
                stacklevel=2,
            )
            continue
        reference = _reference(
            group, names, genes, references.get(group[0]), drugs, line_contrasts[group[0]]
        )
        x = genes[f"{reference}{_LFC}"].to_numpy(dtype=float)
        for name in names:
            fit = origin_slope(x, genes[f"{name}{_LFC}"].to_numpy(dtype=float))
            fit["relative_response"] = fit.pop("slope")
            rows.append(
                {
                    "cell_line": group[0],
                    "time": group[1],
                    "contrast": name,
                    "drug": drugs[name],
                    "reference": reference,
                    "n_genes": len(genes),
                    **fit,
                }
            )
    return pd.DataFrame(rows, columns=RELATIVE_RESPONSE_COLUMNS)


def _without_empty_time(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` without its ``time`` column when no row has a time (MultiQC tables)."""
    return table.drop(columns="time") if (table["time"] == "").all() else table


def _relative_response_config() -> dict[str, Any]:
    number = {"format": "{:,.2f}"}
    return {
        "id": "compare_relative_response",
        "section_name": "Relative response at the tested dose",
        "description": (
            "Transcriptional response of each drug on the core genes of its cell line and "
            "time point (significant under every drug, same direction) relative to a "
            "reference drug: through-origin "
            "least-squares slope of the drug's log2 fold changes on the reference's. 0.5 = "
            "half the reference's response at the doses tested; not a potency (EC50/BMC) "
            "ratio. Table: results/compare/relative_response.tsv."
        ),
        "plot_type": "table",
        "pconfig": {
            "id": "compare_relative_response_table",
            "title": "drugsig: relative response at the tested dose",
            "col1_header": "Contrast",
            "sort_rows": False,
            "no_violin": True,
        },
        "headers": {
            "cell_line": column("Cell line", "cell line"),
            "time": column("Time", "time point"),
            "drug": column("Drug", "treatment level of the contrast"),
            "reference": column("Reference", "reference contrast (relative response 1)"),
            "n_genes": column("Core genes", "core genes in the fit", format="{:,.0f}"),
            "relative_response": column(
                "Relative response", "through-origin slope (reference = 1)", **number
            ),
            "ci_low": column("CI low", "95% confidence interval, lower end", **number),
            "ci_high": column("CI high", "95% confidence interval, upper end", **number),
            "r2": column("R²", "uncentered R² of the through-origin fit", **number),
        },
    }


def _similarity_config() -> dict[str, Any]:
    number = {"format": "{:,.2f}"}
    return {
        "id": "compare_similarity",
        "section_name": "Drug similarity",
        "description": (
            "Pairs of treatment contrasts of a cell line and time point: Spearman "
            "correlation of the log2 "
            "fold changes over the genes significant in either, and Jaccard index of the two "
            "signatures (same direction). Table: results/compare/similarity.tsv."
        ),
        "plot_type": "table",
        "pconfig": {
            "id": "compare_similarity_table",
            "title": "drugsig: drug similarity",
            "col1_header": "Pair",
            "sort_rows": False,
            "no_violin": True,
        },
        "headers": {
            "cell_line": column("Cell line", "cell line"),
            "time": column("Time", "time point"),
            "spearman": column("Spearman", "correlation of log2 fold changes", **number),
            "n_genes": column("Genes", "genes in the correlation", format="{:,.0f}"),
            "jaccard": column("Jaccard", "shared / all signature genes", **number),
            "n_shared": column("Shared", "genes in both signatures", format="{:,.0f}"),
        },
    }


def write_comparison(
    tables: Sequence[str | Path],
    contrasts: str | Path,
    signatures_cfg: Mapping[str, Any],
    comparison_cfg: Mapping[str, Any],
    core_out: str | Path,
    specific_out: str | Path,
    similarity_out: str | Path,
    relative_response_out: str | Path,
    relative_response_report: str | Path,
    similarity_report: str | Path,
) -> None:
    """Write the four comparison tables and their MultiQC custom content.

    Parameters
    ----------
    tables, contrasts
        The DE tables in contrast order and ``contrasts.tsv``, as read by
        :func:`drugsig.tables.load_contrast_tables`.
    signatures_cfg
        The validated ``signatures`` config section (thresholds).
    comparison_cfg
        The validated ``comparison`` config section (``reference``).
    core_out, specific_out, similarity_out, relative_response_out
        Output paths of the tables.
    relative_response_report, similarity_report
        Output paths of the MultiQC tables.
    """
    described, de_tables = load_contrast_tables(contrasts, tables)
    thresholds = signatures_cfg["padj"], signatures_cfg["min_abs_log2fc"]
    groups = compared_groups(described)
    cross = cross_drug(de_tables, described, *thresholds)
    core = core_signature(cross, groups)
    ratios = relative_response(core, groups, described, comparison_cfg["reference"])
    pairs = similarity(de_tables, groups, *thresholds)
    write_table_atomic(core, core_out)
    write_table_atomic(drug_specific(cross, groups, described), specific_out)
    write_table_atomic(pairs, similarity_out)
    write_table_atomic(ratios, relative_response_out)
    write_text_atomic(
        custom_content(
            _relative_response_config(),
            _without_empty_time(ratios.set_index("contrast")),
            index=True,
        ),
        relative_response_report,
    )
    labels = pairs["contrast_a"] + " vs " + pairs["contrast_b"]
    write_text_atomic(
        custom_content(
            _similarity_config(),
            _without_empty_time(
                pairs.drop(columns=["contrast_a", "contrast_b"]).set_axis(labels.rename("pair"))
            ),
            index=True,
        ),
        similarity_report,
    )
