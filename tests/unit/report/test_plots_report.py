import ast
import base64
import re
from pathlib import Path

import yaml

from drugsig.report.plots.report import section_html, sections, write_multiqc_sections

REPO = Path(__file__).resolve().parents[3]
CONFIG = {"padj": 0.01, "min_abs_log2fc": 1.5, "marker_genes": []}
PNG = b"\x89PNG\r\n\x1a\nnot really an image"


def split_section(text: str) -> tuple[dict, str]:
    """The YAML config of the HTML comment (as MultiQC reads it) and the HTML body."""
    match = re.match(r"<!--((?:.|\n)*?)-->\n(.*)", text, re.DOTALL)
    assert match
    return yaml.safe_load(match.group(1)), match.group(2)


def images(body: str) -> list[bytes]:
    return [base64.b64decode(data) for data in re.findall(r"base64,([A-Za-z0-9+/=]+)", body)]


def test_sections_match_the_plots_of_the_rules():
    """Every plot has an embedded-PNG section, except the interactive ones."""
    rules = (REPO / "workflow" / "rules" / "plots.smk").read_text()
    plots = ast.literal_eval(re.search(r"^PLOTS = (\{.*?\n\})", rules, re.M | re.S).group(1))
    interactive = re.search(r"^INTERACTIVE_PLOTS = (\(.*?\))", rules, re.M).group(1)
    interactive = ast.literal_eval(interactive)
    described = sections(CONFIG)
    assert list(described) == [name for name in plots if name not in interactive]
    assert all(section.id == f"plot_{name}" for name, section in described.items())
    assert "padj < 0.01 and |log2 fold change| >= 1.5" in described["signature_heatmap"].description


def test_single_plot_section(tmp_path):
    (tmp_path / "enrichment.png").write_bytes(PNG)
    section = sections(CONFIG)["enrichment"]
    config, body = split_section(section_html(section, tmp_path / "enrichment.png"))
    assert config == {
        "id": "plot_enrichment",
        "section_name": "Gene-set enrichment plot",
        "description": section.description
        + f" Files: {tmp_path}/enrichment.png and {tmp_path}/enrichment.svg.",
        "plot_type": "html",
    }
    assert images(body) == [PNG]


def test_write_multiqc_sections(tmp_path):
    (tmp_path / "distances.png").write_bytes(PNG)
    (tmp_path / "overlap.png").write_bytes(PNG + b"2")
    write_multiqc_sections(
        plots={
            "sample_distances": str(tmp_path / "distances.png"),
            "signature_overlap": tmp_path / "overlap.png",
        },
        outputs={
            "sample_distances": tmp_path / "custom" / "plot_sample_distances_mqc.html",
            "signature_overlap": tmp_path / "custom" / "overlap.html",
        },
        signatures_cfg=CONFIG,
    )
    config, body = split_section((tmp_path / "custom" / "overlap.html").read_text())
    assert config["id"] == "plot_signature_overlap"
    assert images(body) == [PNG + b"2"]
    distances = (tmp_path / "custom" / "plot_sample_distances_mqc.html").read_text()
    assert split_section(distances)[0]["id"] == "plot_sample_distances"
