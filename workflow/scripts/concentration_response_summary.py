"""Snakemake adapter: pathway BMCs, tPOD, potency, plots and MultiQC sections."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.analysis.genesets import load_gene_sets
from drugsig.concentration_response import write_summary
from drugsig.inputs.sheets import load_samples

outputs = {
    name: str(snakemake.output[name])
    for name in snakemake.output.keys()  # noqa: SIM118 (Snakemake's namedlist)
}
write_summary(
    genes=snakemake.input.genes,
    series=snakemake.input.series,
    samples_table=snakemake.input.samples_used,
    expression=snakemake.input.vst,
    gene_sets={s.name: list(s.genes) for s in load_gene_sets(snakemake.input.gmt)},
    viability_fits=snakemake.input.viability[0] if snakemake.input.viability else None,
    settings=snakemake.params.settings,
    references=snakemake.params.reference,
    drug_order=list(dict.fromkeys(load_samples(snakemake.input.samples)["condition"])),
    outputs=outputs,
)
