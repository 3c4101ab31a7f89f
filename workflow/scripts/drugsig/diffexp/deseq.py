"""Differential expression with pydeseq2: one model per family of contrasts.

Contrasts that share their samples (subset), their groups and their reference group
form a *family*, fitted with one negative binomial GLM ``~ covariates + group`` whose
``group`` reference level is the family's reference group. Each contrast of the family
is then one model coefficient: a Wald test gives its p-values and apeGLM shrinkage
(``lfc_shrink``) its shrunken fold changes.

Outputs
-------
``results/de/{contrast}.tsv``, one row per tested gene (genes with fewer than
``diffexp.min_count`` reads over the model's samples are left out), sorted by ``padj``
(missing last) then ``gene_id``:

* ``gene_id``, ``gene_name``: gene identifier and symbol from the annotation.
* ``baseMean``: mean normalized count over the model's samples.
* ``log2FoldChange``, ``lfcSE``: maximum-likelihood log2 fold change (treatment vs
  reference) and its standard error.
* ``stat``, ``pvalue``: Wald statistic and p-value.
* ``padj``: Benjamini-Hochberg adjusted p-value after independent filtering at
  ``diffexp.alpha``; empty for genes filtered out (low counts, Cook's outliers).
* ``log2FoldChange_shrunk``, ``lfcSE_shrunk``: apeGLM-shrunken log2 fold change and
  its standard error; empty when ``diffexp.shrink`` is false, and for interaction
  contrasts (apeGLM shrinks a single coefficient; downstream steps then use the MLE).

Interaction contrasts (``kind`` ``interaction``, ``diffexp.interactions``) are linear
combinations of four group means of the family's model: ``(drug - vehicle)`` at the
``treatment`` level of their column (a resistant genotype, a later time) minus
``(drug - vehicle)`` at its ``reference`` level (parental, the earliest time), i.e. the
``genotype x treatment`` (``time x treatment``) interaction coefficient of ``~ genotype *
treatment`` on those groups; its ``log2FoldChange`` is a log2 ratio of fold changes.

``results/de/normalized_counts.tsv``: ``gene_id``, ``gene_name`` and one column of
median-of-ratios normalized counts per sample (size factors of the model when a single
model covers every sample, else computed once over all samples).

``results/de/contrasts.tsv``, one row per contrast: ``name``, ``kind`` (treatment,
genotype, explicit or interaction), ``column``, ``treatment``, ``reference``, ``cell_line``,
``time`` and ``dose`` (the value the contrast's treatment samples share in the samples
sheet's ``time`` / ``dose`` column; empty when the sheet has no such column or the
samples differ), ``n_treatment``, ``n_reference`` and the comma-separated
``treatment_samples`` and ``reference_samples`` (for an interaction: the drug and vehicle
samples at the treatment, resp. reference, level of its column).
"""

from __future__ import annotations

import html
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydeseq2.inference import Inference
from pydeseq2.preprocessing import deseq2_norm

from drugsig.diffexp.inference import VectorizedInference
from drugsig.diffexp.r_parity import deseq_classes
from drugsig.errors import InputError
from drugsig.inputs.design import Contrast, build_contrasts, model_groups
from drugsig.inputs.sheets import load_samples
from drugsig.io import write_table_atomic, write_text_atomic
from drugsig.tables import GENE_COLUMNS, match_contrast_files, read_counts

RESULT_COLUMNS = [
    *GENE_COLUMNS,
    "baseMean",
    "log2FoldChange",
    "lfcSE",
    "stat",
    "pvalue",
    "padj",
    "log2FoldChange_shrunk",
    "lfcSE_shrunk",
]
CONTRAST_COLUMNS = [
    "name",
    "kind",
    "column",
    "treatment",
    "reference",
    "cell_line",
    "time",
    "dose",
    "n_treatment",
    "n_reference",
    "treatment_samples",
    "reference_samples",
]
_GROUP = "group"


@dataclass(frozen=True)
class DEResult:
    """Differential expression results.

    Attributes
    ----------
    tables
        ``{contrast name: result table}`` in contrast order (columns
        :data:`RESULT_COLUMNS`).
    normalized
        Normalized counts: ``gene_id``, ``gene_name``, one column per sample.
    contrasts
        One row per contrast (columns :data:`CONTRAST_COLUMNS`).
    """

    tables: dict[str, pd.DataFrame]
    normalized: pd.DataFrame
    contrasts: pd.DataFrame


@dataclass(frozen=True)
class _Family:
    """Contrasts fitted with one model: same samples, groups and reference group."""

    groups: pd.Series  # group label of each sample of the model
    contrasts: list[Contrast]

    def codes(self) -> dict[str, str]:
        """Formula-safe code of each group label: ``g0`` (the reference), ``g1``, ...

        Codes are zero-padded so that their sorted order puts the reference first.
        """
        order = [self.contrasts[0].reference_group]
        order += [label for label in dict.fromkeys(self.groups) if label != order[0]]
        width = len(str(len(order) - 1))
        return {label: f"g{i:0{width}d}" for i, label in enumerate(order)}


def _families(samples: pd.DataFrame, contrasts: Sequence[Contrast], vehicle: str) -> list[_Family]:
    families: dict[tuple[Any, ...], _Family] = {}
    for contrast in contrasts:
        key = (contrast.subset, contrast.factor, contrast.reference_group)
        if key not in families:
            families[key] = _Family(model_groups(samples, contrast, vehicle), [])
        families[key].contrasts.append(contrast)
    return list(families.values())


def check_counts(counts: pd.DataFrame, samples: Sequence[str], source: str) -> None:
    """Check the count matrix: gene columns, unique gene ids, every sample, counts >= 0.

    Raises
    ------
    InputError
        Naming ``source`` and the problem (missing column or sample, duplicated gene
        id, negative or non-integer count).
    """
    missing = [column for column in [*GENE_COLUMNS, *samples] if column not in counts.columns]
    if missing:
        raise InputError(f"{source}: column(s) {', '.join(missing)} missing.")
    duplicated = counts["gene_id"][counts["gene_id"].duplicated()]
    if len(duplicated):
        raise InputError(f"{source}: duplicated gene_id(s) {', '.join(duplicated[:5])}.")
    matrix = counts[list(samples)]
    integer = matrix.dtypes.map(pd.api.types.is_integer_dtype)
    bad = list(matrix.columns[~integer])
    bad += list(matrix.columns[integer][(matrix.loc[:, integer] < 0).any()])
    if bad:
        raise InputError(
            f"{source}: column(s) {', '.join(bad[:5])} must hold non-negative integer counts."
        )


def _fit(
    family: _Family,
    counts: pd.DataFrame,
    samples: pd.DataFrame,
    diffexp_cfg: Mapping[str, Any],
    inference: Inference,
) -> tuple[dict[str, pd.DataFrame], pd.Series]:
    """Fit one family; return its result tables and the model's size factors."""
    names = list(family.groups.index)
    matrix = counts.set_index("gene_id")[names]
    matrix = matrix[matrix.sum(axis=1) >= diffexp_cfg["min_count"]]
    covariates = {
        f"cov{i}": samples.loc[names, column] for i, column in enumerate(diffexp_cfg["covariates"])
    }
    codes = family.codes()
    metadata = pd.DataFrame({**covariates, _GROUP: family.groups.map(codes)}, index=names)
    # diffexp.r_parity: R DESeq2's dispersion and independent-filtering rules
    dataset, statistics = deseq_classes(diffexp_cfg["r_parity"])
    dds = dataset(
        counts=matrix.T,
        metadata=metadata,
        design="~" + " + ".join(metadata.columns),
        refit_cooks=True,
        inference=inference,
        quiet=True,
    )
    design = dds.obsm["design_matrix"]
    if np.linalg.matrix_rank(design.to_numpy()) < design.shape[1]:
        raise InputError(
            f"contrast(s) {', '.join(c.name for c in family.contrasts)}: the covariates "
            f"{', '.join(diffexp_cfg['covariates'])} (diffexp.covariates) are confounded with "
            "the compared groups, so the model cannot be fitted. Remove them or add samples "
            "that separate them."
        )
    dds.deseq2()
    tables = {}
    for contrast in family.contrasts:
        code = codes[contrast.treatment_group]
        stats = statistics(
            dds,
            contrast=(
                _interaction_vector(contrast, codes, list(design.columns))
                if contrast.terms
                else [_GROUP, code, codes[contrast.reference_group]]
            ),
            alpha=diffexp_cfg["alpha"],
            inference=inference,
            quiet=True,
        )
        stats.summary()
        table = stats.results_df.copy()
        table["log2FoldChange_shrunk"] = np.nan
        table["lfcSE_shrunk"] = np.nan
        # apeGLM shrinks one coefficient; an interaction is a combination of four
        if diffexp_cfg["shrink"] and not contrast.terms:
            stats.lfc_shrink(coeff=f"{_GROUP}[T.{code}]")
            table["log2FoldChange_shrunk"] = stats.results_df["log2FoldChange"]
            table["lfcSE_shrunk"] = stats.results_df["lfcSE"]
        tables[contrast.name] = table
    return tables, dds.obs["size_factors"]


def _interaction_vector(
    contrast: Contrast, codes: Mapping[str, str], columns: Sequence[str]
) -> np.ndarray:
    """Contrast vector of an interaction over the ``~ covariates + group`` columns.

    The weights of the four group means sum to zero, so the intercept (the reference
    group's mean) cancels and each non-reference group enters by its coefficient.
    """
    vector = np.zeros(len(columns))
    for label, weight in contrast.terms:
        column = f"{_GROUP}[T.{codes[label]}]"
        if column in columns:
            vector[columns.index(column)] += weight
    return vector


def _result_table(table: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    table = table.rename_axis("gene_id").reset_index()
    table.insert(1, "gene_name", table["gene_id"].map(names))
    return (
        table[RESULT_COLUMNS]
        .sort_values(["padj", "gene_id"], na_position="last")
        .reset_index(drop=True)
    )


def _shared_value(samples: pd.DataFrame, names: Sequence[str], column: str) -> str:
    """Return the value of ``column`` all ``names`` share; ``""`` if none, missing or mixed."""
    if column not in samples.columns:
        return ""
    values = set(samples.loc[list(names), column])
    value = values.pop() if len(values) == 1 else None
    return "" if value is None or pd.isna(value) else str(value)


def _contrast_row(contrast: Contrast, groups: pd.Series, samples: pd.DataFrame) -> dict[str, Any]:
    treated = list(groups.index[groups == contrast.treatment_group])
    reference = list(groups.index[groups == contrast.reference_group])
    if contrast.terms:  # the groups at the treatment, resp. reference level of the column
        treated = list(groups.index[groups.isin([label for label, _ in contrast.terms[:2]])])
        reference = list(groups.index[groups.isin([label for label, _ in contrast.terms[2:]])])
    return {
        "name": contrast.name,
        "kind": contrast.kind,
        "column": contrast.column,
        "treatment": contrast.treatment,
        "reference": contrast.reference,
        "cell_line": contrast.cell_line,
        "time": _shared_value(samples, treated, "time"),
        "dose": _shared_value(samples, treated, "dose"),
        "n_treatment": len(treated),
        "n_reference": len(reference),
        "treatment_samples": ",".join(treated),
        "reference_samples": ",".join(reference),
    }


def differential_expression(
    counts: pd.DataFrame,
    samples: pd.DataFrame,
    contrasts: Sequence[Contrast],
    diffexp_cfg: Mapping[str, Any],
    inference: Inference | None = None,
    source: str = "counts table",
) -> DEResult:
    """Fit the contrasts and collect their result tables and the normalized counts.

    Parameters
    ----------
    counts
        Count matrix: ``gene_id``, ``gene_name``, one integer column per sample.
    samples
        Samples sheet, indexed by sample.
    contrasts
        From :func:`drugsig.inputs.design.build_contrasts`.
    diffexp_cfg
        The validated ``diffexp`` config section (``vehicle``, ``covariates``,
        ``min_count``, ``alpha``, ``shrink``, ``n_cpus``, ``r_parity`` are used).
    inference
        pydeseq2 inference back end, passed to every ``DeseqDataSet`` and
        ``DeseqStats``; default, as in the workflow,
        ``VectorizedInference(n_cpus=diffexp_cfg["n_cpus"])``.
    source
        Name of the count matrix in error messages.

    Returns
    -------
    DEResult

    Raises
    ------
    InputError
        On a bad count matrix or covariates confounded with the compared groups.
    """
    check_counts(counts, list(samples.index), source)
    inference = inference or VectorizedInference(n_cpus=diffexp_cfg["n_cpus"])
    families = _families(samples, contrasts, diffexp_cfg["vehicle"])
    gene_names = counts.set_index("gene_id")["gene_name"]
    tables: dict[str, pd.DataFrame] = {}
    groups: dict[str, pd.Series] = {}
    fitted_size_factors = []
    for family in families:
        family_tables, size_factors = _fit(family, counts, samples, diffexp_cfg, inference)
        fitted_size_factors.append(size_factors)
        for name, table in family_tables.items():
            tables[name] = _result_table(table, gene_names)
            groups[name] = family.groups
    matrix = counts.set_index("gene_id")[list(samples.index)]
    if len(families) == 1 and len(fitted_size_factors[0]) == len(samples):
        size_factors = fitted_size_factors[0]
    else:
        size_factors = pd.Series(deseq2_norm(matrix.T.to_numpy())[1], index=samples.index)
    normalized = pd.concat(
        [
            counts[GENE_COLUMNS].reset_index(drop=True),
            matrix.reset_index(drop=True) / size_factors[samples.index],
        ],
        axis=1,
    )
    return DEResult(
        tables={contrast.name: tables[contrast.name] for contrast in contrasts},
        normalized=normalized,
        contrasts=pd.DataFrame(
            [_contrast_row(contrast, groups[contrast.name], samples) for contrast in contrasts],
            columns=CONTRAST_COLUMNS,
        ),
    )


def excluded_mqc(excluded: Mapping[str, str]) -> str:
    """MultiQC custom content (HTML) listing the excluded samples and their reasons.

    Parameters
    ----------
    excluded
        ``{sample: reason}`` (``load_samples(...).attrs["excluded"]``).

    Returns
    -------
    str
        The text of ``excluded_samples_mqc.html``.
    """
    from drugsig.report.multiqc import html_section

    config = {
        "id": "excluded_samples",
        "section_name": "Excluded samples",
        "description": (
            "Samples with a non-empty 'exclude' cell in the samples sheet: left out of "
            "every stage (no FASTQ processing, not in the count matrix, not in any model)."
        ),
        "plot_type": "html",
    }
    if not excluded:
        return html_section(config, "<p>No sample is excluded.</p>")
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(reason)}</td></tr>"
        for name, reason in excluded.items()
    )
    body = (
        '<table class="table table-condensed"><thead><tr><th>Sample</th><th>Reason</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )
    return html_section(config, body)


def write_de(
    counts: str | Path,
    samples: str | Path,
    diffexp_cfg: Mapping[str, Any],
    tables: Sequence[str | Path],
    normalized: str | Path,
    contrasts: str | Path,
    inference: Inference | None = None,
    excluded: str | Path | None = None,
) -> None:
    """Run differential expression from files and write every output atomically.

    Parameters
    ----------
    counts
        The count matrix TSV (``results/counts/counts.tsv``).
    samples
        The samples sheet, loaded with :func:`drugsig.inputs.sheets.load_samples`.
    diffexp_cfg
        The validated ``diffexp`` config section.
    tables
        One output path per contrast, named ``{contrast}.tsv``, in contrast order.
    normalized, contrasts
        Output paths of the normalized counts and of the contrasts table.
    inference
        pydeseq2 inference back end (see :func:`differential_expression`).
    excluded
        Output path of the MultiQC section listing the samples excluded by the
        samples sheet's ``exclude`` column, with their reasons (:func:`excluded_mqc`).

    Raises
    ------
    InputError
        On a bad samples sheet, diffexp config or count matrix.
    ValueError
        If ``tables`` does not name exactly the contrasts' files.
    """
    sheet = load_samples(samples)
    for name, reason in sheet.attrs["excluded"].items():
        print(f"excluded sample {name}: {reason}", file=sys.stderr)
    if excluded is not None:
        write_text_atomic(excluded_mqc(sheet.attrs["excluded"]), excluded)
    built = build_contrasts(sheet, diffexp_cfg, source=str(samples))
    paths = match_contrast_files(tables, [contrast.name for contrast in built])
    result = differential_expression(
        read_counts(counts), sheet, built, diffexp_cfg, inference, source=str(counts)
    )
    for name, path in paths.items():
        write_table_atomic(result.tables[name], path)
    write_table_atomic(result.normalized, normalized)
    write_table_atomic(result.contrasts, contrasts)
