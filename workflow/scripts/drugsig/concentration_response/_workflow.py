"""Workflow steps: fit every series (:func:`run_fits`), then summarise (:func:`write_summary`).

Expression is the blind VST of all samples (``results/plots/vst_counts.tsv``), a log2-like
scale with stabilised variance at low counts, as DRomics recommends for RNA-seq
(``log2(x + 1)`` of normalised counts inflates the noise of weak genes). The responsive
genes of a series are those with ``padj < concentration_response.fdr`` in the DESeq2
likelihood-ratio test of the DE stage (``results/de/lrt/series.tsv``, the row with
``factor == "dose"`` and the series' cell line, genotype, drug and time). Without it
(``diffexp.lrt`` off or no matching row) the fallback :func:`~._trend.trend_test`
(quadratic trend on dose ranks, BH FDR) selects them; ``series.tsv`` says which was used.

Benchmark response (``concentration_response.benchmark_response``): ``type: sd`` is
``value`` standard deviations of the vehicle replicates when the series has at least 3
vehicle samples, else of the residuals of the chosen model (an SD from 2 replicates is
so uncertain that some genes get a tiny BMR and an extrapolated BMC; DRomics' BMD-zSD
uses the residual SD for the same reason). ``type: fold_change`` is an absolute log2
fold change of ``value`` (1.0 = 2-fold) from the modelled vehicle level.
"""

from __future__ import annotations

import time as clock
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from drugsig.errors import InputError
from drugsig.io import write_table_atomic

from ._bmc import BMR, fit_concentration_response
from ._cytotox import flag_cytotoxic, selectivity
from ._models import DEFAULT_MODELS
from ._pathways import accumulation, pathway_bmc, tpod
from ._potency import potency_ratio
from ._series import UNITS, Series, find_series
from ._trend import trend_test

GENE_COLUMNS = [
    "cell_line", "genotype", "drug", "time", "gene_id", "gene_name", "model", "direction",
    "bmc", "bmcl", "bmcu", "ec50", "aicc", "flags", "unit", "bmr", "bmr_delta", "f0",
    "lack_of_fit_p", "trend_test", "trend_padj", "params",
    *(f"aicc_{model}" for model in DEFAULT_MODELS),
]  # fmt: skip
SERIES_COLUMNS = [
    "series", "cell_line", "genotype", "drug", "time", "status", "problem", "n_samples",
    "n_vehicle", "concentrations", "unit", "n_cytotoxic_excluded", "trend_test",
    "n_responsive", "n_bmc", "bmr", "seconds",
]  # fmt: skip
SAMPLE_COLUMNS = [
    "sample", "series", "concentration", "unit", "viability", "cytotoxic", "used",
]  # fmt: skip
PATHWAY_COLUMNS = [
    "cell_line", "genotype", "drug", "time", "gene_set", "n_genes", "n_responsive",
    "fraction", "bmc_median", "bmc_q25", "bmc_q75", "bmcl_median", "genes",
]  # fmt: skip
TPOD_COLUMNS = [
    "cell_line", "genotype", "drug", "time", "tpod", "tpod_gene_set", "tpod_gene20",
    "n_genes_bmc", "ic50", "selectivity_log10", "selectivity_gene20_log10", "unit",
]  # fmt: skip
POTENCY_COLUMNS = [
    "cell_line", "genotype", "time", "drug", "reference_drug", "n_genes", "ratio",
    "ci_low", "ci_high",
]  # fmt: skip
ACCUMULATION_COLUMNS = [
    "cell_line", "genotype", "drug", "time", "gene_id", "gene_name", "bmc", "cumulative",
    "fraction",
]  # fmt: skip
KEYS = ["cell_line", "genotype", "drug", "time"]


def benchmark_response(settings: Mapping[str, Any], n_vehicle: int) -> tuple[BMR, str]:
    """Build the BMR of a series from ``concentration_response.benchmark_response``.

    Parameters
    ----------
    settings
        ``{"type": "sd" | "fold_change", "value": float}``.
    n_vehicle
        Vehicle samples of the series.

    Returns
    -------
    tuple of (BMR, str)
        The definition and its label for the tables (``1 SD (vehicle)``).
    """
    kind, value = settings.get("type", "sd"), float(settings.get("value", 1.0))
    if not value > 0:
        raise InputError(
            f"concentration_response.benchmark_response.value must be > 0, got {value}."
        )
    if kind == "fold_change":
        return BMR(kind="fold", fold=float(2.0**value)), f"|log2FC| {value:g}"
    if kind != "sd":
        raise InputError(
            "concentration_response.benchmark_response.type must be sd or fold_change, "
            f"got {kind!r}."
        )
    if n_vehicle >= 3:
        return BMR(kind="sd", z=value, sd_source="vehicle"), f"{value:g} SD (vehicle)"
    return BMR(kind="sd", z=value, sd_source="residual"), f"{value:g} SD (residual)"


def read_expression(path: str | Path) -> tuple[pd.DataFrame, pd.Series]:
    """Read ``vst_counts.tsv``: the genes x samples matrix and the gene names, by gene_id."""
    table = pd.read_csv(path, sep="\t", dtype={"gene_id": str, "gene_name": str})
    table = table.set_index("gene_id")
    names = (
        table.pop("gene_name").fillna("") if "gene_name" in table else pd.Series("", table.index)
    )
    return table.astype(float), names


def _lrt_padj(index: str | Path | None, entry: Series) -> pd.Series | None:
    """LRT padj of every tested gene of this series (by gene_id), or None without a matching row."""
    if index is None or not Path(index).is_file():
        return None
    table = pd.read_csv(index, sep="\t", dtype=str, keep_default_na=False)
    if table.empty or "series" not in table:
        return None
    match = table[
        (table.get("factor", "dose") == "dose")
        & (table.get("cell_line", "") == entry.cell_line)
        & (table.get("genotype", "") == entry.genotype)
        & (table.get("drug", "") == entry.drug)
        & (table.get("time", "") == entry.time)
    ]
    if len(match) != 1:
        return None
    result = pd.read_csv(Path(index).parent / f"{match['series'].iloc[0]}.tsv", sep="\t")
    return pd.Series(
        pd.to_numeric(result["padj"], errors="coerce").to_numpy(),
        index=result["gene_id"].astype(str),
    )


def read_viability_fits(path: str | Path | None) -> pd.DataFrame:
    """IC50 fits of the viability stage (``results/viability/fits.tsv``) with an IC50."""
    if path is None:
        return pd.DataFrame(columns=["cell_line", "drug", "ic50_um", "hill", "top", "bottom"])
    fits = pd.read_csv(path, sep="\t", dtype={"cell_line": str, "drug": str})
    fits = fits[pd.to_numeric(fits["ic50_um"], errors="coerce") > 0]
    return fits.rename(columns={"hill_slope": "hill"})


def _cytotoxic_samples(
    entry: Series, fits: pd.DataFrame, unit: str, min_viability: float
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "sample": entry.samples,
            "cell_line": entry.cell_line,
            "drug": entry.drug,
            "concentration_um": np.asarray(entry.concentrations) * UNITS[unit] / 1e-6,
        }
    )
    flagged = flag_cytotoxic(
        frame,
        fits.rename(columns={"ic50_um": "ic50"}),
        conc_col="concentration_um",
        threshold=100.0 * min_viability,
    )
    flagged["viability"] = flagged["viability"] / 100.0
    return flagged


def run_fits(
    samples: pd.DataFrame,
    expression: str | Path,
    settings: Mapping[str, Any],
    vehicle: str,
    genotype_column: str,
    genes_out: str | Path,
    series_out: str | Path,
    samples_out: str | Path,
    lrt_index: str | Path | None = None,
    viability_fits: str | Path | None = None,
    samples_path: str = "samples sheet",
) -> None:
    """Fit every concentration series and write genes.tsv, series.tsv and samples.tsv.

    Parameters
    ----------
    samples
        The samples sheet (:func:`drugsig.inputs.load_samples`).
    expression
        ``results/plots/vst_counts.tsv``.
    settings
        The validated ``concentration_response`` config section.
    vehicle, genotype_column
        ``diffexp.vehicle`` and ``diffexp.genotype_column``.
    genes_out, series_out, samples_out
        Output paths.
    lrt_index
        ``results/de/lrt/series.tsv`` (None or absent: fallback trend test).
    viability_fits
        ``results/viability/fits.tsv`` (None: no cytotoxicity context).
    samples_path
        The sheet's path, for messages.
    """
    unit = settings["unit"]
    all_series = find_series(
        samples, vehicle, unit, genotype_column, settings["min_concentrations"], samples_path
    )
    expr, names = read_expression(expression)
    fits = read_viability_fits(viability_fits)
    gene_rows, series_rows, sample_rows = [], [], []
    for entry in all_series:
        start = clock.perf_counter()
        row: dict[str, Any] = {
            "series": entry.name,
            **dict(zip(KEYS, entry.keys, strict=True)),
            "n_samples": len(entry.samples),
            "n_vehicle": entry.n_vehicle,
            "concentrations": ";".join(f"{c:g}" for c in entry.levels),
            "unit": unit,
            "n_cytotoxic_excluded": 0,
            "n_responsive": 0,
            "n_bmc": 0,
        }
        flagged = _cytotoxic_samples(entry, fits, unit, settings["min_viability"])
        used = ~flagged["cytotoxic"] if settings["exclude_cytotoxic"] else flagged["sample"].notna()
        if entry.problem == "" and not used.all():
            excluded = flagged.loc[~used, "sample"].tolist()
            row["n_cytotoxic_excluded"] = len(excluded)
            warnings.warn(
                f"{entry.describe()}: {len(excluded)} sample(s) with modelled viability below "
                f"{settings['min_viability']:g} left out: {', '.join(excluded)}",
                stacklevel=2,
            )
            levels = {c for c, u in zip(entry.concentrations, used, strict=True) if u and c > 0}
            if len(levels) < settings["min_concentrations"]:
                entry.problem = (
                    f"{len(levels)} non-cytotoxic concentration(s), fewer than "
                    f"concentration_response.min_concentrations ({settings['min_concentrations']})"
                )
        missing = [s for s in entry.samples if s not in expr.columns]
        if entry.problem == "" and missing:
            entry.problem = f"samples not in the expression table: {', '.join(missing)}"
        for sample, conc, viab, cyto, use in zip(
            entry.samples,
            entry.concentrations,
            flagged["viability"],
            flagged["cytotoxic"],
            used,
            strict=True,
        ):
            sample_rows.append(
                {
                    "sample": sample,
                    "series": entry.name,
                    "concentration": conc,
                    "unit": unit,
                    "viability": viab,
                    "cytotoxic": bool(cyto),
                    "used": bool(use) and entry.problem == "",
                }
            )
        if entry.problem:
            warnings.warn(f"{entry.describe()}: not modelled: {entry.problem}", stacklevel=2)
            series_rows.append({**row, "status": "skipped", "problem": entry.problem})
            continue
        keep = [s for s, u in zip(entry.samples, used, strict=True) if u]
        conc = pd.Series(entry.concentrations, index=entry.samples)[keep]
        y = expr[keep]
        y = y[y.var(axis=1) > 0]
        lrt = _lrt_padj(lrt_index, entry)
        if lrt is not None:
            row["trend_test"] = "DESeq2 LRT"
            padj = lrt[~lrt.index.duplicated()]
            genes = [g for g in padj.index[padj < settings["fdr"]] if g in y.index]
        else:
            row["trend_test"] = "quadratic trend (fallback)"
            trend = trend_test(y, conc.to_numpy(), fdr=settings["fdr"])
            padj = trend["padj"]
            genes = trend.index[trend["responsive"]].tolist()
        bmr, label = benchmark_response(
            settings["benchmark_response"], int((conc.to_numpy() == 0).sum())
        )
        row.update({"n_responsive": len(genes), "bmr": label})
        if genes:
            result = fit_concentration_response(y, conc, genes=genes, bmr=bmr)
            out = pd.DataFrame(
                {
                    **dict(zip(KEYS, entry.keys, strict=True)),
                    "gene_id": result.index,
                    "gene_name": names.reindex(result.index).fillna("").to_numpy(),
                    "model": result["model"].to_numpy(),
                    "direction": np.where(result["model"] == "const", "", result["direction"]),
                    "bmc": result["bmc"].to_numpy(),
                    "bmcl": result["bmcl"].to_numpy(),
                    "bmcu": result["bmcu"].to_numpy(),
                    "ec50": result["ec50"].to_numpy(),
                    "aicc": [result.at[g, f"aicc_{m}"] for g, m in result["model"].items()],
                    "flags": result["flag"].to_numpy(),
                    "unit": unit,
                    "bmr": label,
                    "bmr_delta": result["bmr_delta"].to_numpy(),
                    "f0": result["f0"].to_numpy(),
                    "lack_of_fit_p": result["lack_of_fit_p"].to_numpy(),
                    "trend_test": row["trend_test"],
                    "trend_padj": padj.reindex(result.index).to_numpy(),
                    "params": result["params"].to_numpy(),
                    **{f"aicc_{m}": result[f"aicc_{m}"].to_numpy() for m in DEFAULT_MODELS},
                }
            )
            gene_rows.append(out)
            row["n_bmc"] = int(np.isfinite(out["bmc"]).sum())
        row["seconds"] = round(clock.perf_counter() - start, 3)
        print(
            f"{entry.describe()}: {len(genes)} responsive genes ({row['trend_test']}), "
            f"{row['n_bmc']} with a BMC, {row['seconds']} s",
            flush=True,
        )
        series_rows.append({**row, "status": "modelled", "problem": ""})
    genes_table = (
        pd.concat(gene_rows, ignore_index=True) if gene_rows else pd.DataFrame(columns=GENE_COLUMNS)
    )
    write_table_atomic(genes_table[GENE_COLUMNS], genes_out)
    write_table_atomic(pd.DataFrame(series_rows, columns=SERIES_COLUMNS), series_out)
    write_table_atomic(pd.DataFrame(sample_rows, columns=SAMPLE_COLUMNS), samples_out)


def _as_result(genes: pd.DataFrame) -> pd.DataFrame:
    """Genes of one series in the shape of :func:`fit_concentration_response` output."""
    out = genes.set_index("gene_id").rename(columns={"flags": "flag"})
    out["flag"] = out["flag"].fillna("").astype(str)
    return out


def _by_name(result: pd.DataFrame) -> pd.DataFrame:
    """Index by upper-case gene name (genes without one dropped; first of duplicates kept)."""
    named = result[result["gene_name"].fillna("").astype(str) != ""]
    named = named.set_axis(named["gene_name"].astype(str).str.upper())
    return named[~named.index.duplicated()]


def _reference_drug(
    drugs: Sequence[str], cell_line: str, references: Mapping[str, str], order: Sequence[str]
) -> str:
    chosen = references.get(cell_line)
    if chosen is not None:
        if chosen in drugs:
            return chosen
        matches = [drug for drug in drugs if chosen.startswith(f"{cell_line}_{drug}_")]
        if len(matches) == 1:
            return matches[0]
        warnings.warn(
            f"comparison.reference '{chosen}' of cell line {cell_line} is not one of its "
            f"concentration series ({', '.join(drugs)}); using the first drug in sheet order.",
            stacklevel=2,
        )
    return sorted(drugs, key=lambda drug: order.index(drug) if drug in order else len(order))[0]


def summarise(
    genes: pd.DataFrame,
    gene_sets: Mapping[str, Sequence[str]],
    viability_fits: pd.DataFrame,
    settings: Mapping[str, Any],
    references: Mapping[str, str],
    drug_order: Sequence[str],
    universe: Sequence[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Pathway BMCs, accumulation, tPODs and potency ratios of all fitted series.

    Parameters
    ----------
    genes
        ``genes.tsv`` of :func:`run_fits`.
    gene_sets
        ``{set name: gene symbols}`` (matched to ``gene_name`` case-insensitively).
    viability_fits
        From :func:`read_viability_fits`.
    settings
        The ``concentration_response`` config section.
    references
        ``comparison.reference`` (``{cell_line: drug}``).
    drug_order
        Conditions in sheet order (default reference: the first).
    universe
        Names of the measured genes: a set's size is counted among them (all its
        genes when None).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``pathways``, ``accumulation``, ``tpod``, ``potency``.
    """
    unit = settings["unit"]
    sets = {name: [g.upper() for g in members] for name, members in gene_sets.items()}
    pathways, accumulated, tpods = [], [], []
    results: dict[tuple[str, ...], pd.DataFrame] = {}
    for keys, block in genes.groupby(KEYS, sort=False, dropna=False):
        key = tuple("" if pd.isna(k) else str(k) for k in keys)
        result = _as_result(block)
        results[key] = result
        named = _by_name(result)
        table = pathway_bmc(
            named,
            sets,
            min_genes=settings["pathway_min_genes"],
            min_fraction=settings["pathway_min_fraction"],
            universe=None if universe is None else {name.upper() for name in universe},
        )
        pathways.append(table.assign(**dict(zip(KEYS, key, strict=True))))
        acc = accumulation(result)
        acc["gene_name"] = result["gene_name"].reindex(acc["gene_id"]).to_numpy()
        accumulated.append(acc.assign(**dict(zip(KEYS, key, strict=True))))
        pod = tpod(result, table, nth_gene=settings["nth_gene"])
        fit = viability_fits[
            (viability_fits["cell_line"] == key[0]) & (viability_fits["drug"] == key[2])
        ]
        ic50 = float(fit["ic50_um"].iloc[0]) * 1e-6 / UNITS[unit] if len(fit) else np.nan
        tpods.append(
            {
                **dict(zip(KEYS, key, strict=True)),
                "tpod": pod["tpod_pathway"],
                "tpod_gene_set": pod["tpod_pathway_set"],
                "tpod_gene20": pod["tpod_gene20"],
                "n_genes_bmc": int(pod["n_genes_bmc"]),
                "ic50": ic50,
                "selectivity_log10": selectivity(ic50, pod["tpod_pathway"]),
                "selectivity_gene20_log10": selectivity(ic50, pod["tpod_gene20"]),
                "unit": unit,
            }
        )
    potency = []
    groups: dict[tuple[str, str, str], list[str]] = {}
    for key in results:
        groups.setdefault((key[0], key[1], key[3]), []).append(key[2])
    for (line, genotype, time), drugs in groups.items():
        if len(drugs) < 2:
            continue
        reference = _reference_drug(drugs, line, references, drug_order)
        for drug in drugs:
            if drug == reference:
                continue
            ratio = potency_ratio(
                results[(line, genotype, drug, time)],
                results[(line, genotype, reference, time)],
                n_boot=settings["bootstrap"],
                seed=settings["seed"],
            )
            potency.append(
                {
                    "cell_line": line,
                    "genotype": genotype,
                    "time": time,
                    "drug": drug,
                    "reference_drug": reference,
                    "n_genes": int(ratio["n_genes"]),
                    "ratio": ratio["ratio"],
                    "ci_low": ratio["ci_low"],
                    "ci_high": ratio["ci_high"],
                }
            )

    def frame(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
        parts = [part for part in parts if len(part)]
        return (
            pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
        )

    return {
        "pathways": frame(pathways, PATHWAY_COLUMNS),
        "accumulation": frame(accumulated, ACCUMULATION_COLUMNS),
        "tpod": pd.DataFrame(tpods, columns=TPOD_COLUMNS),
        "potency": pd.DataFrame(potency, columns=POTENCY_COLUMNS),
    }


def read_genes(path: str | Path) -> pd.DataFrame:
    """Read ``genes.tsv`` (keys and names as text, empty cells as '')."""
    text = {column: str for column in [*KEYS, "gene_id", "gene_name", "model", "flags"]}
    table = pd.read_csv(path, sep="\t", dtype=text)
    for column in text:
        table[column] = table[column].fillna("")
    for column in table.columns.difference(
        [*text, "direction", "unit", "bmr", "trend_test", "params"]
    ):
        table[column] = pd.to_numeric(table[column], errors="coerce")
    return table


def write_summary(
    genes: str | Path,
    series: str | Path,
    samples_table: str | Path,
    expression: str | Path,
    gene_sets: Mapping[str, Sequence[str]],
    viability_fits: str | Path | None,
    settings: Mapping[str, Any],
    references: Mapping[str, str],
    drug_order: Sequence[str],
    outputs: Mapping[str, str],
) -> None:
    """Write pathways/tPOD/potency/accumulation tables, the plots and the MultiQC sections.

    Parameters
    ----------
    genes, series, samples_table
        Outputs of :func:`run_fits`.
    expression
        ``results/plots/vst_counts.tsv`` (data points of the curve plots).
    gene_sets
        ``{set name: gene symbols}``.
    viability_fits
        ``results/viability/fits.tsv`` or None.
    settings
        The ``concentration_response`` config section.
    references
        ``comparison.reference``.
    drug_order
        Conditions in sheet order.
    outputs
        Paths by name: ``pathways``, ``tpod``, ``potency``, ``accumulation``,
        ``curves_png``/``_svg``, ``accumulation_png``/``_svg``, ``potency_png``/``_svg``,
        ``selectivity_png``/``_svg``, ``mqc_tpod``, ``mqc_potency``, ``mqc_series``,
        ``mqc_curves``, ``mqc_accumulation``.
    """
    from ._report import write_report

    table = read_genes(genes)
    expr, names = read_expression(expression)
    tables = summarise(
        table,
        gene_sets,
        read_viability_fits(viability_fits),
        settings,
        references,
        drug_order,
        universe=[name for name in names if name],
    )
    for name in ("pathways", "tpod", "potency", "accumulation"):
        write_table_atomic(tables[name], outputs[name])
    series_table = pd.read_csv(series, sep="\t", dtype=str, keep_default_na=False)
    samples_used = pd.read_csv(samples_table, sep="\t", dtype={"sample": str, "series": str})
    write_report(table, tables, series_table, samples_used, expr, settings, outputs)
