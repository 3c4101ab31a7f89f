"""Plots (PNG and SVG) and MultiQC sections of the concentration-response stage.

* curves: fitted curve and data points of the lowest-BMC genes of every series;
* accumulation: cumulative number of genes against BMC, one line per series;
* potency: forest plot of the potency ratios with their bootstrap 95% CIs;
* selectivity: viability IC50 against the tPOD of each drug.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from drugsig.report.multiqc import (
    ReportGroup,
    column,
    figure_png,
    write_mqc_image,
    write_mqc_table,
)
from drugsig.report.plots.style import (
    CONDITION_PALETTE,
    DOWN,
    UP,
    message_figure,
    new_figure,
    save_figure,
)

from ._models import predict

CR_REPORT = ReportGroup(
    id="drugsig_concentration_response",
    name="Concentration response",
    description=(
        "Benchmark concentrations (BMC) of genes along each drug's concentration series, "
        "transcriptomic points of departure (tPOD), potency between drugs and the "
        "cytotoxicity window. Tables: results/concentration_response/."
    ),
)
#: Genes shown per series in the curve plot.
TOP_GENES = 6


def _label(row: Mapping[str, Any]) -> str:
    parts = [row["drug"], row["cell_line"], row.get("genotype", ""), row["time"]]
    return " ".join(str(part) for part in parts if isinstance(part, str) and part)


def _params(text: str) -> np.ndarray:
    return np.array([float(item.split("=", 1)[1]) for item in str(text).split(";")])


def curves_figure(
    genes: pd.DataFrame, expr: pd.DataFrame, samples: pd.DataFrame, unit: str
) -> Figure:
    """Fitted curves with data points of the :data:`TOP_GENES` lowest-BMC genes per series."""
    usable = genes[np.isfinite(genes["bmc"]) & (genes["model"] != "const")]
    series = list(
        dict.fromkeys(usable[["cell_line", "genotype", "drug", "time"]].itertuples(index=False))
    )
    if not series:
        return message_figure("Concentration-response curves", "No gene reached its BMC.")
    figure = new_figure(2.2 * TOP_GENES, 2.0 * len(series))
    axes = figure.subplots(len(series), TOP_GENES, squeeze=False)
    for row_axes, keys in zip(axes, series, strict=True):
        block = usable[
            (usable["cell_line"] == keys[0])
            & (usable["genotype"] == keys[1])
            & (usable["drug"] == keys[2])
            & (usable["time"] == keys[3])
        ].nsmallest(TOP_GENES, "bmc")
        name = "_".join(part for part in keys if part)
        used = samples[(samples["series"] == name) & samples["used"].astype(bool)]
        conc = used["concentration"].to_numpy(float)
        positive = conc[conc > 0]
        floor = positive.min() / 10 if positive.size else 1e-3
        x = np.where(conc > 0, conc, floor)
        grid = np.geomspace(floor, positive.max() if positive.size else 1.0, 200)
        for axis, (_, gene) in zip(row_axes, block.iterrows(), strict=False):
            values = expr.loc[gene["gene_id"], used["sample"]].to_numpy(float)
            colour = UP if gene["direction"] == "up" else DOWN
            axis.scatter(x, values, s=10, color="#444444", zorder=3)
            fitted = predict(gene["model"], _params(gene["params"])[None, :], grid)[0]
            axis.plot(grid, fitted, color=colour)
            axis.axvline(gene["bmc"], color=colour, ls="--", lw=0.8)
            axis.set_xscale("log")
            axis.set_title(f"{gene['gene_name'] or gene['gene_id']} ({gene['model']})", fontsize=8)
            axis.tick_params(labelsize=7)
        for axis in row_axes[len(block) :]:
            axis.set_axis_off()
        row_axes[0].set_ylabel(f"{keys[2]} {keys[3]}\nVST (log2)", fontsize=8)
    figure.supxlabel(f"concentration ({unit}; vehicle at 1/10 of the lowest)", fontsize=8)
    return figure


def accumulation_figure(accumulation: pd.DataFrame, unit: str) -> Figure:
    """Cumulative number of genes against BMC, one line per series."""
    if accumulation.empty:
        return message_figure("BMC accumulation", "No gene reached its BMC.")
    figure = new_figure(5.5, 4)
    axis = figure.add_subplot()
    for index, (keys, block) in enumerate(
        accumulation.groupby(["drug", "cell_line", "genotype", "time"], sort=False)
    ):
        colour = CONDITION_PALETTE[index % len(CONDITION_PALETTE)]
        label = " ".join(str(part) for part in keys if part)
        axis.step(block["bmc"], block["cumulative"], where="post", color=colour, label=label)
    axis.set_xscale("log")
    axis.set_xlabel(f"benchmark concentration ({unit})")
    axis.set_ylabel("genes with BMC at or below")
    axis.set_title("BMC accumulation")
    axis.legend(frameon=False)
    return figure


def potency_figure(potency: pd.DataFrame) -> Figure:
    """Forest plot of potency ratios (log scale) with bootstrap 95% CIs."""
    shown = potency[np.isfinite(potency["ratio"].astype(float))]
    if shown.empty:
        return message_figure("Potency", "No pair of drugs shares enough responsive genes.")
    figure = new_figure(7, 1.6 + 0.45 * len(shown))
    axis = figure.add_subplot()
    y = np.arange(len(shown))[::-1]
    ratio = shown["ratio"].to_numpy(float)
    axis.errorbar(
        ratio,
        y,
        xerr=[ratio - shown["ci_low"].to_numpy(float), shown["ci_high"].to_numpy(float) - ratio],
        fmt="o",
        color="#0072B2",
        capsize=3,
    )
    axis.axvline(1, color="grey", ls=":")
    axis.set_xscale("log")
    axis.set_yticks(y)
    axis.set_yticklabels(
        [
            f"{row.drug} vs {row.reference_drug} ({row.cell_line} {row.time})".replace("  ", " ")
            for row in shown.itertuples()
        ]
    )
    axis.set_xlabel("BMC(reference) / BMC(drug); > 1: drug more potent")
    axis.set_title("Potency against the reference drug (95% CI)")
    return figure


def selectivity_figure(tpod: pd.DataFrame, unit: str) -> Figure:
    """Viability IC50 against tPOD per drug, with the line of equality."""
    shown = tpod[np.isfinite(tpod["ic50"].astype(float)) & np.isfinite(tpod["tpod"].astype(float))]
    if shown.empty:
        return message_figure("IC50 vs tPOD", "No drug has both a viability IC50 and a tPOD.")
    figure = new_figure(4.5, 4)
    axis = figure.add_subplot()
    for index, row in enumerate(shown.itertuples()):
        colour = CONDITION_PALETTE[index % len(CONDITION_PALETTE)]
        axis.scatter(row.tpod, row.ic50, color=colour, s=30, zorder=3, label=_label(row._asdict()))
    low = min(shown["tpod"].min(), shown["ic50"].min()) / 3
    high = max(shown["tpod"].max(), shown["ic50"].max()) * 3
    axis.plot([low, high], [low, high], color="grey", ls=":")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel(f"tPOD, lowest pathway BMC ({unit})")
    axis.set_ylabel(f"viability IC50 ({unit})")
    axis.set_title("Cytotoxicity window (above the line: selective)")
    axis.legend(frameon=False, fontsize=7)
    return figure


def write_report(
    genes: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    series: pd.DataFrame,
    samples: pd.DataFrame,
    expr: pd.DataFrame,
    settings: Mapping[str, Any],
    outputs: Mapping[str, str],
) -> None:
    """Write the four plots (PNG + SVG) and the MultiQC sections."""
    unit = settings["unit"]
    figures = {
        "curves": curves_figure(genes, expr, samples, unit),
        "accumulation": accumulation_figure(tables["accumulation"], unit),
        "potency": potency_figure(tables["potency"]),
        "selectivity": selectivity_figure(tables["tpod"], unit),
    }
    for name, figure in figures.items():
        save_figure(figure, outputs[f"{name}_png"], outputs[f"{name}_svg"])
    number = {"format": "{:,.3g}"}
    tpod = tables["tpod"]
    write_mqc_table(
        outputs["mqc_tpod"],
        CR_REPORT,
        "Transcriptomic point of departure",
        f"tPOD = lowest pathway median BMC; tpod_gene20 = 20th-lowest gene BMC; "
        f"selectivity = log10(viability IC50 / tPOD), > 0: expression changes below "
        f"cytotoxic concentrations. Concentrations in {unit}.",
        tpod.set_axis(tpod.apply(_label, axis=1).rename("series")),
        {
            "tpod": column("tPOD", "lowest pathway median BMC", **number),
            "tpod_gene_set": column("Pathway", "gene set giving the tPOD"),
            "tpod_gene20": column("tPOD gene20", "20th-lowest gene BMC", **number),
            "n_genes_bmc": column("Genes", "genes with a BMC", format="{:,.0f}"),
            "ic50": column("IC50", "viability IC50", **number),
            "selectivity_log10": column("Selectivity", "log10(IC50 / tPOD)", format="{:,.2f}"),
        },
        "Series",
    )
    potency = tables["potency"]
    write_mqc_table(
        outputs["mqc_potency"],
        CR_REPORT,
        "Potency between drugs",
        "ratio = BMC(reference) / BMC(drug), median over the genes responsive to both; "
        "> 1: the drug acts at lower concentrations. 95% CI: bootstrap over genes.",
        potency.set_axis(
            (
                potency["drug"]
                + " vs "
                + potency["reference_drug"]
                + " "
                + potency["cell_line"]
                + " "
                + potency["time"]
            ).rename("pair")
        ),
        {
            "n_genes": column("Genes", "genes responsive to both drugs", format="{:,.0f}"),
            "ratio": column("Ratio", "potency ratio", **number),
            "ci_low": column("CI low", "bootstrap 95% CI, lower end", **number),
            "ci_high": column("CI high", "bootstrap 95% CI, upper end", **number),
        },
        "Pair",
    )
    write_mqc_table(
        outputs["mqc_series"],
        CR_REPORT,
        "Concentration series",
        "Series found in the samples sheet; skipped ones say why. Samples with modelled "
        f"viability below {settings['min_viability']:g} are left out when "
        "exclude_cytotoxic is on (results/concentration_response/samples.tsv).",
        series.set_index("series"),
        {
            "status": column("Status", "modelled or skipped"),
            "problem": column("Problem", "why the series was skipped"),
            "concentrations": column("Concentrations", f"non-zero concentrations ({unit})"),
            "n_cytotoxic_excluded": column("Cytotoxic left out", "samples left out"),
            "trend_test": column("Trend test", "how responsive genes were selected"),
            "n_responsive": column("Responsive", "genes modelled"),
            "n_bmc": column("With BMC", "genes with a BMC in range"),
            "bmr": column("BMR", "benchmark response"),
        },
        "Series",
    )
    write_mqc_image(
        outputs["mqc_curves"],
        CR_REPORT,
        "Concentration-response curves",
        "Each panel is one gene: dots are the samples' expression, the line is the model "
        "chosen by AICc and the dashed line marks the benchmark concentration (BMC).",
        figure_png(figures["curves"]),
    )
    write_mqc_image(
        outputs["mqc_accumulation"],
        CR_REPORT,
        "BMC accumulation",
        "How many genes have changed by the benchmark response at or below each "
        "concentration; a curve further left means a drug acts at lower concentrations.",
        figure_png(figures["accumulation"]),
    )
