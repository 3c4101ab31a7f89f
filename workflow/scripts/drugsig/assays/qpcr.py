"""qRT-PCR validation: ddCt fold changes per contrast and their concordance with RNA-seq.

Input is a tidy table (TSV), one row per well: ``sample``, ``gene``, ``ct`` and the
technical ``replicate``. ``ct`` is a number or ``Undetermined`` (also ``N/A``,
``No Ct``, ``No Cq``: no amplification). Samples are those of the samples sheet,
and each DE contrast compares its own treatment and reference samples (the
reference group is the calibrator). A table with its own ``condition`` column
(optionally ``cell_line``, ``genotype``, ``dose``, ``time``) describes its samples
itself: a contrast then takes the samples whose value in the contrast's column is
its treatment or reference level (and of its cell line, when both give one). Other
columns (``well``, ...) are ignored.

Method (Livak & Schmittgen 2001, 100 % efficiency):

* Wells that are undetermined or above ``max_ct`` are left out and counted in the
  flags; a sample whose wells of a gene all fail is left out for that gene
  (``not_detected``), one whose wells of a reference gene all fail for every gene
  (``reference_failed``).
* Ct of a sample and gene: mean of its technical replicates (standard error from
  their spread). Reference Ct: mean of the reference genes' Ct, i.e. the log2 of
  their geometric mean expression. dCt = Ct(gene) - Ct(reference).
* ddCt = mean dCt of the treatment samples - mean dCt of the reference samples;
  log2 fold change = -ddCt, fold change = 2^-ddCt. With two or more biological
  replicates per group its standard error comes from their spread (Welch), with a
  Welch t test on dCt and a 95 % confidence interval with Welch's degrees of
  freedom; with a single replicate from the technical replicates (normal interval,
  no test, flag ``single_replicate``). p values are BH-adjusted per contrast.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from drugsig.errors import InputError
from drugsig.inputs.sheets import load_samples, read_sheet, row_location
from drugsig.io import write_bytes_atomic, write_table_atomic
from drugsig.report.multiqc import ReportGroup, figure_png, write_mqc_image, write_mqc_table
from drugsig.tables import load_contrast_tables, read_contrasts

UNDETERMINED = ("undetermined", "n/a", "no ct", "no cq")
"""Ct values (case-insensitive) that mean no amplification."""

WELL_KEYS = ("sample", "gene", "ct", "replicate")
DESIGN_COLUMNS = ("condition", "cell_line", "genotype", "dose", "time")
"""Samples-sheet columns a qPCR table may carry to describe its own samples."""
CONFIDENCE = 0.95
DCT_COLUMNS = [
    "sample", "gene", "role", "n_wells", "n_excluded", "ct_mean", "ct_sd", "reference_ct",
    "dct", "dct_se", "status",
]  # fmt: skip
DDCT_COLUMNS = [
    "contrast", "gene", "n_treatment", "n_reference", "dct_treatment", "dct_reference",
    "ddct", "ddct_se", "log2fc", "log2fc_ci_low", "log2fc_ci_high", "fold_change",
    "fold_change_ci_low", "fold_change_ci_high", "pvalue", "padj", "flags",
]  # fmt: skip
CONCORDANCE_COLUMNS = [
    "contrast", "gene", "qpcr_log2fc", "qpcr_log2fc_ci_low", "qpcr_log2fc_ci_high",
    "qpcr_padj", "rnaseq_log2fc", "rnaseq_lfcse", "rnaseq_padj", "same_sign", "flags",
]  # fmt: skip
SUMMARY_COLUMNS = [
    "n_pairs", "n_same_sign", "pearson_r", "pearson_pvalue", "spearman_rho", "spearman_pvalue",
]  # fmt: skip


# --------------------------------------------------------------------------- reading


def _where(path: str | Path, row: Mapping[str, str], number: int) -> str:
    return row_location(path, row, number, ("sample", "gene"))


def _parse_ct(text: str, max_ct: float, where: str) -> tuple[float, str]:
    """Ct value and well status (``ok``, ``undetermined`` or ``above_max_ct``)."""
    if text.lower() in UNDETERMINED:
        return math.nan, "undetermined"
    try:
        ct = float(text)
    except ValueError:
        raise InputError(
            f"{where}: Ct '{text}' is not a number (write 'Undetermined' for wells without "
            "amplification)."
        ) from None
    if not math.isfinite(ct) or ct < 0:
        raise InputError(f"{where}: Ct '{text}' is not a non-negative number.")
    if ct > max_ct:
        return ct, "above_max_ct"
    return ct, "ok"


def read_qpcr(
    path: str | Path,
    samples_sheet: str | Path,
    reference_genes: Sequence[str] = ("GAPDH", "ACTB"),
    max_ct: float = 35.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read and check the qPCR table.

    Parameters
    ----------
    path
        The qPCR table (TSV).
    samples_sheet
        The workflow's samples sheet; without a ``condition`` column in the qPCR
        table every qPCR sample must be in it.
    reference_genes
        Housekeeping genes every sample needs.
    max_ct
        Wells with a higher Ct count as not detected.

    Returns
    -------
    tuple of pandas.DataFrame
        The wells (``row``, ``sample``, ``gene``, ``replicate``, ``ct``, ``status``)
        and the samples' own design columns (indexed by sample; empty without a
        ``condition`` column).

    Raises
    ------
    InputError
        On a missing column, an empty cell, a Ct that is not a number, a duplicate
        well, an unknown sample, a sample whose design values differ between rows,
        or a sample without rows for a reference gene.
    """
    rows = read_sheet(path)
    columns = list(dict.fromkeys(key for row in rows for key in row if key != "_line"))
    missing = [column for column in WELL_KEYS if column not in columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}.")
    design_columns = (
        [column for column in DESIGN_COLUMNS if column in columns] if "condition" in columns else []
    )
    known_samples = set() if design_columns else set(load_samples(samples_sheet).index)
    wells = []
    design: dict[str, dict[str, str]] = {}
    seen: set[tuple[str, str, str]] = set()
    for number, row in enumerate(rows, start=1):
        where = _where(path, row, number)
        for column in WELL_KEYS:
            if column not in row:
                raise InputError(f"{where}: {column} is empty.")
        sample, gene, replicate = row["sample"], row["gene"], row["replicate"]
        if (sample, gene, replicate) in seen:
            raise InputError(f"{where}: duplicate well (replicate '{replicate}' given twice).")
        seen.add((sample, gene, replicate))
        if design_columns:
            values = {column: row.get(column, "") for column in design_columns}
            if design.setdefault(sample, values) != values:
                raise InputError(
                    f"{where}: the {', '.join(design_columns)} values of sample '{sample}' "
                    "differ from its earlier rows."
                )
        elif sample not in known_samples:
            raise InputError(
                f"{where}: sample '{sample}' is not in the samples sheet {samples_sheet}; "
                "use its name from there, or describe the qPCR samples with a 'condition' "
                "column."
            )
        ct, status = _parse_ct(row["ct"], max_ct, where)
        wells.append([number, sample, gene, replicate, ct, status])
    table = pd.DataFrame(wells, columns=["row", "sample", "gene", "replicate", "ct", "status"])
    for sample, sample_wells in table.groupby("sample", sort=False):
        absent = [gene for gene in reference_genes if gene not in set(sample_wells["gene"])]
        if absent:
            number = int(sample_wells["row"].iloc[0])
            raise InputError(
                f"{_where(path, rows[number - 1], number)}: sample '{sample}' has no wells of "
                f"the reference gene(s) {', '.join(absent)} (qpcr.reference_genes: "
                f"{', '.join(reference_genes)})."
            )
    return table, pd.DataFrame.from_dict(design, orient="index", columns=design_columns)


# ------------------------------------------------------------------------------ dCt


def delta_ct(wells: pd.DataFrame, reference_genes: Sequence[str]) -> pd.DataFrame:
    """Per sample and gene: mean Ct of the valid wells and dCt against the references.

    Returns
    -------
    pandas.DataFrame
        Columns ``DCT_COLUMNS``. ``status`` is ``ok``, ``not_detected`` (no valid
        well) or ``reference_failed`` (a reference gene has no valid well; then no
        dCt). ``dct_se`` propagates the technical standard errors (NaN with a single
        valid well).
    """
    valid = wells[wells["status"] == "ok"]
    per_gene = wells.groupby(["sample", "gene"], sort=False).agg(
        n_wells=("ct", "size"), n_excluded=("status", lambda s: int((s != "ok").sum()))
    )
    ct = valid.groupby(["sample", "gene"], sort=False)["ct"].agg(["mean", "std", "count"])
    table = per_gene.join(ct).reset_index()
    table["se"] = table["std"] / np.sqrt(table["count"])
    references = table[table["gene"].isin(reference_genes)].groupby("sample")
    reference_ct = references["mean"].agg(lambda s: s.mean(skipna=False))
    reference_se = references["se"].agg(lambda se: math.sqrt(np.sum(se.to_numpy() ** 2)) / len(se))
    table["reference_ct"] = table["sample"].map(reference_ct)
    table["dct"] = table["mean"] - table["reference_ct"]
    table["dct_se"] = np.sqrt(table["se"] ** 2 + table["sample"].map(reference_se) ** 2)
    table["status"] = np.select(
        [table["reference_ct"].isna(), table["mean"].isna()],
        ["reference_failed", "not_detected"],
        "ok",
    )
    table["role"] = np.where(table["gene"].isin(reference_genes), "reference", "target")
    table = table.rename(columns={"mean": "ct_mean", "std": "ct_sd"})
    return table[DCT_COLUMNS]


# ----------------------------------------------------------------------------- ddCt


def contrast_samples(
    contrast: Mapping[str, Any], qpcr_samples: Sequence[str], design: pd.DataFrame
) -> tuple[list[str], list[str]] | None:
    """Treatment and reference qPCR samples of a DE contrast (a ``contrasts.tsv`` row).

    Without own design columns the contrast's sample lists are used; with them the
    samples whose value in the contrast's column is its treatment / reference level
    (within the contrast's cell line when both name one). ``None`` when the qPCR
    table cannot express the contrast (its column is missing).
    """
    if design.empty:
        groups = [
            [s for s in str(contrast[key]).split(",") if s in qpcr_samples]
            for key in ("treatment_samples", "reference_samples")
        ]
        return groups[0], groups[1]
    column = contrast["column"]
    if column not in design.columns:
        return None
    selected = design
    if contrast.get("cell_line") and "cell_line" in design.columns:
        selected = design[design["cell_line"] == contrast["cell_line"]]
    return (
        list(selected.index[selected[column] == contrast["treatment"]]),
        list(selected.index[selected[column] == contrast["reference"]]),
    )


def _exclusion_flags(rows: pd.DataFrame, references: pd.DataFrame) -> list[str]:
    """Flag the wells and samples left out of a comparison.

    Covers the wells of the gene (``rows``) and of the reference genes (``references``),
    and the gene's samples that were not detected or whose reference failed.
    """
    flags = []
    for flag, table in (("excluded_wells", rows), ("excluded_reference_wells", references)):
        excluded = int(table["n_excluded"].sum())
        if excluded:
            flags.append(f"{flag}={excluded}")
    for status in ("not_detected", "reference_failed"):
        samples = rows.loc[rows["status"] == status, "sample"]
        if not samples.empty:
            flags.append(f"{status}={','.join(samples)}")
    return flags


def ddct(
    dct: pd.DataFrame, name: str, treatment: Sequence[str], reference: Sequence[str]
) -> pd.DataFrame:
    """ddCt, fold change, confidence interval and test of every target gene in a contrast.

    Parameters
    ----------
    dct
        From :func:`delta_ct`.
    name
        Contrast name.
    treatment, reference
        The compared samples; the reference group is the calibrator.

    Returns
    -------
    pandas.DataFrame
        Columns ``DDCT_COLUMNS``; flags ``;``-separated (see the module docstring,
        plus ``excluded_wells=N`` / ``excluded_reference_wells=N`` for wells of the
        gene / of the reference genes left out, and ``no_data`` when a group has no
        usable sample).
    """
    out = []
    in_contrast = dct[dct["sample"].isin([*treatment, *reference])]
    references = in_contrast[in_contrast["role"] == "reference"]
    for gene, compared in in_contrast[in_contrast["role"] == "target"].groupby("gene", sort=False):
        flags = _exclusion_flags(compared, references)
        usable = compared[compared["status"] == "ok"].set_index("sample")
        groups = [usable.loc[usable.index.isin(samples)] for samples in (treatment, reference)]
        n_t, n_r = (len(group) for group in groups)
        record: dict[str, Any] = {
            "contrast": name,
            "gene": gene,
            "n_treatment": n_t,
            "n_reference": n_r,
        }
        if n_t == 0 or n_r == 0:
            out.append({**record, "flags": ";".join([*flags, "no_data"])})
            continue
        dct_t, dct_r = (group["dct"].to_numpy() for group in groups)
        value = dct_t.mean() - dct_r.mean()
        if n_t >= 2 and n_r >= 2:
            var_t, var_r = dct_t.var(ddof=1) / n_t, dct_r.var(ddof=1) / n_r
            se = math.sqrt(var_t + var_r)
            dof = (
                (var_t + var_r) ** 2 / (var_t**2 / (n_t - 1) + var_r**2 / (n_r - 1))
                if var_t + var_r > 0
                else n_t + n_r - 2
            )
            quantile = stats.t.ppf((1 + CONFIDENCE) / 2, dof)
            pvalue = stats.ttest_ind(dct_t, dct_r, equal_var=False).pvalue
        else:
            flags.append("single_replicate")
            se_t, se_r = (group["dct_se"].to_numpy() for group in groups)
            se = math.sqrt(np.sum(se_t**2) / n_t**2 + np.sum(se_r**2) / n_r**2)
            quantile = stats.norm.ppf((1 + CONFIDENCE) / 2)
            pvalue = math.nan
        out.append(
            {
                **record,
                "dct_treatment": dct_t.mean(),
                "dct_reference": dct_r.mean(),
                "ddct": value,
                "ddct_se": se,
                "log2fc": -value,
                "log2fc_ci_low": -value - quantile * se,
                "log2fc_ci_high": -value + quantile * se,
                "pvalue": pvalue,
                "flags": ";".join(flags),
            }
        )
    table = pd.DataFrame(out, columns=DDCT_COLUMNS)
    table["fold_change"] = 2.0 ** table["log2fc"]
    table["fold_change_ci_low"] = 2.0 ** table["log2fc_ci_low"]
    table["fold_change_ci_high"] = 2.0 ** table["log2fc_ci_high"]
    tested = table["pvalue"].notna()
    if tested.any():
        table.loc[tested, "padj"] = stats.false_discovery_control(table.loc[tested, "pvalue"])
    table["flags"] = table["flags"].fillna("")
    return table


# ---------------------------------------------------------------------- concordance


def by_gene_name(de_table: pd.DataFrame) -> pd.DataFrame:
    """Index a DE table by gene name, one row per name (the highest ``baseMean`` wins)."""
    table = de_table.dropna(subset=["gene_name"])
    table = table.sort_values("baseMean", ascending=False, kind="stable")
    return table.drop_duplicates("gene_name").set_index("gene_name")


def concordance(ddct_table: pd.DataFrame, de_tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Pair qPCR log2 fold changes with the RNA-seq ones, for genes measured by both.

    Parameters
    ----------
    ddct_table
        From :func:`ddct`, all contrasts.
    de_tables
        DE tables by contrast name, indexed by gene name (:func:`by_gene_name`).

    Returns
    -------
    pandas.DataFrame
        Columns ``CONCORDANCE_COLUMNS``; ``same_sign`` is empty when either fold
        change is missing.
    """
    rows = []
    for row in ddct_table.itertuples():
        de = de_tables.get(row.contrast)
        if de is None or row.gene not in de.index:
            continue
        rnaseq = de.loc[row.gene]
        both = math.isfinite(row.log2fc) and math.isfinite(rnaseq["log2FoldChange"])
        rows.append(
            [
                row.contrast,
                row.gene,
                row.log2fc,
                row.log2fc_ci_low,
                row.log2fc_ci_high,
                row.padj,
                rnaseq["log2FoldChange"],
                rnaseq["lfcSE"],
                rnaseq["padj"],
                bool(np.sign(row.log2fc) == np.sign(rnaseq["log2FoldChange"])) if both else None,
                row.flags,
            ]
        )
    return pd.DataFrame(rows, columns=CONCORDANCE_COLUMNS)


def concordance_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Sign agreement and Pearson / Spearman correlation of the paired log2 fold changes.

    Correlations need at least three pairs (else NaN).
    """
    pairs = table.dropna(subset=["qpcr_log2fc", "rnaseq_log2fc"])
    x, y = pairs["rnaseq_log2fc"].to_numpy(), pairs["qpcr_log2fc"].to_numpy()
    pearson = spearman = (math.nan, math.nan)
    if len(pairs) >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
        pearson = stats.pearsonr(x, y)
        spearman = stats.spearmanr(x, y)
    return pd.DataFrame(
        [[len(pairs), int(pairs["same_sign"].sum()), *pearson, *spearman]],
        columns=SUMMARY_COLUMNS,
    )


def describe_concordance(summary: pd.DataFrame) -> str:
    """One line with the correlations and sign agreement of :func:`concordance_summary`."""
    stat = summary.iloc[0]
    return (
        f"Pearson r = {stat['pearson_r']:.2f}, Spearman rho = {stat['spearman_rho']:.2f}, "
        f"same sign in {int(stat['n_same_sign'])} of {int(stat['n_pairs'])} pairs"
    )


def plot_concordance(table: pd.DataFrame, summary: pd.DataFrame) -> Figure:
    """Plot qPCR against RNA-seq log2 fold changes, one colour per contrast.

    With 95 % intervals (qPCR: ddCt interval; RNA-seq: ±1.96 lfcSE) and the identity line.
    """
    figure = Figure(figsize=(6.4, 5.6), layout="constrained")
    axis = figure.subplots()
    pairs = table.dropna(subset=["qpcr_log2fc", "rnaseq_log2fc"])
    for index, (contrast, rows) in enumerate(pairs.groupby("contrast", sort=False)):
        axis.errorbar(
            rows["rnaseq_log2fc"],
            rows["qpcr_log2fc"],
            xerr=stats.norm.ppf(0.975) * rows["rnaseq_lfcse"].fillna(0),
            yerr=[
                (rows["qpcr_log2fc"] - rows["qpcr_log2fc_ci_low"]).fillna(0),
                (rows["qpcr_log2fc_ci_high"] - rows["qpcr_log2fc"]).fillna(0),
            ],
            fmt="o",
            color=f"C{index % 10}",
            capsize=2,
            label=contrast,
        )
        for row in rows.itertuples():
            axis.annotate(
                row.gene,
                (row.rnaseq_log2fc, row.qpcr_log2fc),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
    limits = [*axis.get_xlim(), *axis.get_ylim()]
    low, high = min(limits), max(limits)
    axis.plot([low, high], [low, high], color="0.6", linewidth=0.8, zorder=0)
    axis.axhline(0, color="0.85", linewidth=0.8, zorder=0)
    axis.axvline(0, color="0.85", linewidth=0.8, zorder=0)
    axis.set_title(describe_concordance(summary), fontsize=10)
    axis.set_xlabel("RNA-seq log2 fold change (DESeq2)")
    axis.set_ylabel("qRT-PCR log2 fold change (-ddCt)")
    if not pairs.empty:
        axis.legend(fontsize=8)
    return figure


# ------------------------------------------------------------------------------ run


QPCR_REPORT = ReportGroup(
    id="drugsig_qpcr",
    name="qRT-PCR validation",
    description=(
        "ddCt fold changes of the qRT-PCR genes for each DE contrast (calibrator: the "
        "contrast's reference samples; normaliser: geometric mean of the reference "
        "genes), beside the RNA-seq log2 fold changes."
    ),
)

VALIDATION_HEADERS: dict[str, dict[str, Any]] = {
    "n": {"title": "n (treated/ref.)"},
    "log2fc": {"title": "qPCR log2FC", "format": "{:,.2f}", "scale": "RdBu_r"},
    "log2fc_ci": {"title": "qPCR 95% CI"},
    "fold_change": {"title": "Fold change", "format": "{:,.2f}", "suffix": "x", "scale": False},
    "padj": {"title": "qPCR padj", "format": "{:,.2g}", "scale": False},
    "rnaseq_log2fc": {"title": "RNA-seq log2FC", "format": "{:,.2f}", "scale": "RdBu_r"},
    "rnaseq_padj": {"title": "RNA-seq padj", "format": "{:,.2g}", "scale": False},
    "same_sign": {"title": "Same sign"},
    "flags": {"title": "Flags"},
}  # fmt: skip


def _validation_table(ddct_table: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    table = ddct_table.merge(
        pairs[["contrast", "gene", "rnaseq_log2fc", "rnaseq_padj", "same_sign"]],
        on=["contrast", "gene"],
        how="left",
    )
    table["log2fc_ci"] = [
        "" if math.isnan(low) else f"{low:.2f} to {high:.2f}"
        for low, high in zip(table["log2fc_ci_low"], table["log2fc_ci_high"], strict=True)
    ]
    table["same_sign"] = table["same_sign"].map({True: "yes", False: "NO"}).fillna("")
    table["n"] = table["n_treatment"].astype(str) + "/" + table["n_reference"].astype(str)
    table.index = table["contrast"] + ": " + table["gene"]
    return table


def write_qpcr(
    table: str | Path,
    samples_sheet: str | Path,
    contrasts: str | Path,
    de_tables: Sequence[str | Path],
    *,
    dct_out: str | Path,
    ddct_out: str | Path,
    concordance_out: str | Path,
    summary_out: str | Path,
    plot_out: str | Path,
    mqc_table: str | Path,
    mqc_plot: str | Path,
    reference_genes: Sequence[str] = ("GAPDH", "ACTB"),
    max_ct: float = 35.0,
) -> None:
    """Analyse the qPCR table for every DE contrast and write tables, plot and report files.

    Parameters
    ----------
    table
        The qPCR table (TSV).
    samples_sheet
        The workflow's samples sheet.
    contrasts
        ``results/de/contrasts.tsv``.
    de_tables
        The DE tables, named ``{contrast}.tsv``, in the order of ``contrasts``.
    dct_out, ddct_out, concordance_out, summary_out
        TSV outputs: per-sample dCt, per-contrast ddCt, qPCR beside RNA-seq, and the
        correlation summary.
    plot_out
        PNG of the concordance scatter.
    mqc_table, mqc_plot
        MultiQC custom-content files (``*_mqc.json``).
    reference_genes
        Housekeeping genes; their geometric mean normalises each sample.
    max_ct
        Wells with a higher Ct count as not detected.

    Raises
    ------
    InputError
        On bad input (see :func:`read_qpcr`).
    """
    wells, design = read_qpcr(table, samples_sheet, reference_genes, max_ct)
    dct = delta_ct(wells, reference_genes)
    qpcr_samples = list(dict.fromkeys(wells["sample"]))
    results = []
    described = read_contrasts(contrasts)
    for contrast in described.to_dict("records"):
        groups = contrast_samples(contrast, qpcr_samples, design)
        if groups is None or not groups[0] or not groups[1]:
            print(f"contrast {contrast['name']}: no qPCR samples in both groups", file=sys.stderr)
            continue
        results.append(ddct(dct, contrast["name"], *groups))
    ddct_table = (
        pd.concat(results, ignore_index=True) if results else pd.DataFrame(columns=DDCT_COLUMNS)
    )
    de = {
        name: by_gene_name(table)
        for name, table in load_contrast_tables(contrasts, de_tables)[1].items()
    }
    pairs = concordance(ddct_table, de)
    summary = concordance_summary(pairs)
    write_table_atomic(dct, dct_out)
    write_table_atomic(ddct_table, ddct_out)
    write_table_atomic(pairs, concordance_out)
    write_table_atomic(summary, summary_out)
    png = figure_png(plot_concordance(pairs, summary))
    write_bytes_atomic(png, plot_out)
    write_mqc_image(
        mqc_plot,
        QPCR_REPORT,
        "qPCR vs RNA-seq",
        "log2 fold change by qRT-PCR (-ddCt) against RNA-seq (DESeq2 log2FoldChange) for "
        f"every contrast x gene pair: {describe_concordance(summary)}. Bars: 95 % intervals.",
        png,
    )
    write_mqc_table(
        mqc_table,
        QPCR_REPORT,
        "ddCt fold changes",
        f"qRT-PCR fold change 2^-ddCt per contrast and gene (reference genes "
        f"{', '.join(reference_genes)}; wells above Ct {max_ct:g} or undetermined are "
        "left out and flagged), with a Welch t test on dCt across biological replicates "
        "and the RNA-seq log2 fold change of the same contrast.",
        _validation_table(ddct_table, pairs),
        VALIDATION_HEADERS,
        "Contrast: gene",
    )
