"""Helpers and small fixtures shared by unit tests of several stages.

Hand-made DE tables (``TABLES``, ``CONTRASTS``) feed the analysis and report tests;
the file checks (``png_size``, ``svg_text``, ``split_custom_content``) read what the
report code writes.
"""

import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import yaml
from PIL import Image

from drugsig.analysis.genesets import RESULT_COLUMNS as GENESET_COLUMNS
from drugsig.diffexp.deseq import CONTRAST_COLUMNS, RESULT_COLUMNS
from drugsig.inputs.schema import fill_defaults, load_schema

NAN = float("nan")


def diffexp_config(**overrides) -> dict:
    """The ``diffexp`` config section with the schema's defaults, as the workflow sees it,
    but one thread and no shrinkage (fast), then ``overrides``."""
    section = fill_defaults({"diffexp": {}}, load_schema("config"))["diffexp"]
    return {**section, "shrink": False, "n_cpus": 1, **overrides}


def svg_text(path: Path) -> str:
    """All text of an SVG file (it must parse as XML), joined by newlines."""
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return "\n".join(text for element in root.iter() for text in [element.text] if text)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file (it must be a valid PNG)."""
    with Image.open(path) as image:
        assert image.format == "PNG"
        image.verify()
        return image.size


def split_custom_content(text: str) -> tuple[dict, list[str]]:
    """The YAML header (as MultiQC reads it) and the data lines."""
    lines = text.splitlines()
    header = [line[1:] for line in lines if line.startswith("#")]
    return yaml.safe_load("\n".join(header)), [line for line in lines if not line.startswith("#")]


def sheet(samples: list[str]) -> pd.DataFrame:
    """A samples sheet (as load_samples gives it) parsed from the sample names."""
    parts = [name.split("_") for name in samples]
    return pd.DataFrame(
        {
            "sample": samples,
            "condition": [condition for _, condition, _ in parts],
            "cell_line": [line for line, _, _ in parts],
            "genotype": "parental",
        },
        dtype=object,
    ).set_index("sample", drop=False)


SYMBOLS = {
    "G1": "CDKN1A",
    "G2": "MDM2",
    "G3": "BBC3",
    "G4": "GDF15",
    "G5": "SESN1",
    "G6": "FAS",
    "G7": "BAX",
    "G8": "ZMAT3",
    "G9": "ABCB1",
}


def de_table(rows: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    """DE table from ``{gene_id: (log2FoldChange, padj, log2FoldChange_shrunk)}``."""
    table = pd.DataFrame(
        [
            {
                "gene_id": gene,
                "gene_name": SYMBOLS[gene],
                "baseMean": 100.0,
                "log2FoldChange": lfc,
                "lfcSE": 0.2,
                "stat": 5.0,
                "pvalue": padj / 10,
                "padj": padj,
                "log2FoldChange_shrunk": shrunk,
                "lfcSE_shrunk": 0.2,
            }
            for gene, (lfc, padj, shrunk) in rows.items()
        ],
        columns=RESULT_COLUMNS,
    )
    return table.sort_values(["padj", "gene_id"]).reset_index(drop=True)


NULL = (0.1, 0.9, 0.05)


TABLES = {
    "A": de_table(
        {
            "G1": (2.0, 0.001, 1.8),
            "G2": (-2.0, 0.001, -1.5),
            "G3": (2.0, 0.001, 1.5),
            "G4": (1.2, 0.01, 1.1),
            "G5": (1.5, 0.001, 0.9),  # shrunken below the threshold
            "G6": (3.0, 0.05, 3.0),  # padj not below 0.05
            "G7": (1.2, 0.01, 1.0),  # exactly at the threshold
            "G8": (1.6, 0.002, 1.5),  # ties with G3
            "G9": NULL,
        }
    ),
    "B": de_table(
        {
            "G1": (1.5, 0.01, 1.2),
            "G2": (-1.2, 0.02, -1.1),
            "G3": (-2.0, 0.001, -1.5),
            "G4": (1.5, 0.2, 1.4),
            "G5": (1.5, 0.001, 1.2),
            "G6": (3.0, 0.05, 3.0),
            "G7": NULL,
            "G8": NULL,
            "G9": NULL,
        }
    ),
    "C": de_table(
        {
            "G1": (3.0, 1e-5, 2.5),
            "G2": (-1.1, 0.04, -1.05),
            "G3": (1.5, 0.001, 1.2),
            "G5": (1.3, 0.03, 1.05),
            "G6": (3.0, 0.05, 3.0),
            "G7": (-1.5, 0.01, NAN),  # no shrunken value: the MLE is used
            "G8": NULL,
            "G9": NULL,
        }
    ),
    "R": de_table({"G1": NULL, "G2": NULL, "G9": (4.0, 1e-9, 3.8)}),
    "D": de_table({"G1": (2.0, 0.001, 1.9), "G2": NULL}),
}


CONTRASTS = pd.DataFrame(
    [
        ["A", "treatment", "condition", "A", "DMSO", "SJSA-1", "24h", "1", 3, 3, "", ""],
        ["B", "treatment", "condition", "B", "DMSO", "SJSA-1", "24h", "2", 3, 3, "", ""],
        ["C", "treatment", "condition", "C", "DMSO", "SJSA-1", "24h", "3", 3, 3, "", ""],
        ["R", "genotype", "genotype", "MilciclibR", "parental", "A2780", "24h", "", 3, 3, "", ""],
        ["D", "treatment", "condition", "D", "DMSO", "L2", "24h", "1", 2, 2, "", ""],
    ],
    columns=CONTRAST_COLUMNS,
)


def result_table(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    """Gene-set table from ``(set, source, nes, fdr)`` rows."""
    table = pd.DataFrame(rows, columns=["set", "source", "nes", "fdr"])
    return table.assign(size=5, pvalue=table["fdr"], leading_edge="X")[GENESET_COLUMNS]
