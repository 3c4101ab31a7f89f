# Per-drug signature tables, the cross-drug table and the marker panel.


rule signatures:
    input:
        contrasts="results/de/contrasts.tsv",
    output:
        tables=SIGNATURE_TABLES,
        cross_drug=report(
            "results/signatures/cross_drug.tsv",
            caption="../report/cross_drug.rst",
            category="4. Signatures",
            labels={"table": "cross-drug"},
        ),
        marker_panel="results/signatures/marker_panel.tsv",
    log:
        "logs/signatures.log",
    conda:
        "../../envs/python.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        de_tables=DE_TABLES,
        signatures=config["signatures"],
    script:
        "../scripts/signatures.py"
