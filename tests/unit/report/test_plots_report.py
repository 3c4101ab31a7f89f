import ast
import base64
import re
from pathlib import Path

import yaml

from drugsig.report.plots.report import MAX_EMBEDDED, section_html, sections, write_multiqc_sections

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
    rules = (REPO / "workflow" / "rules" / "plots.smk").read_text()
    plots = ast.literal_eval(re.search(r"^PLOTS = (\{.*?\n\})", rules, re.M | re.S).group(1))
    described = sections(CONFIG)
    assert list(described) == list(plots)
    assert all(section.id == f"plot_{name}" for name, section in described.items())
    assert "padj < 0.01 and |log2 fold change| >= 1.5" in described["volcano"].description


def test_single_plot_section(tmp_path):
    (tmp_path / "pca.png").write_bytes(PNG)
    config, body = split_section(section_html(sections(CONFIG)["pca"], [tmp_path / "pca.png"]))
    assert config == {
        "id": "plot_pca",
        "section_name": "Sample PCA",
        "description": sections(CONFIG)["pca"].description
        + f" Files: {tmp_path}/pca.png and {tmp_path}/pca.svg.",
        "plot_type": "html",
    }
    assert images(body) == [PNG]
    assert "<details" not in body


def test_per_contrast_section_is_collapsible_and_capped(tmp_path):
    paths = []
    for i in range(MAX_EMBEDDED + 2):
        paths.append(tmp_path / "volcano" / f"drug{i}_vs_DMSO.png")
        paths[-1].parent.mkdir(exist_ok=True)
        paths[-1].write_bytes(PNG + bytes([i]))
    config, body = split_section(section_html(sections(CONFIG)["volcano"], paths))
    assert config["description"].endswith(
        f"Files: {tmp_path}/volcano/ (a PNG and an SVG per contrast). "
        f"Showing the first {MAX_EMBEDDED} of {MAX_EMBEDDED + 2} contrasts."
    )
    summaries = re.findall(r"<details( open)?><summary>([^<]*)</summary>", body)
    assert summaries[0] == (" open", "drug0_vs_DMSO")
    assert [name for _, name in summaries] == [f"drug{i}_vs_DMSO" for i in range(MAX_EMBEDDED)]
    assert all(flag == "" for flag, _ in summaries[1:])
    assert images(body) == [PNG + bytes([i]) for i in range(MAX_EMBEDDED)]


def test_write_multiqc_sections(tmp_path):
    (tmp_path / "pca.png").write_bytes(PNG)
    (tmp_path / "A.png").write_bytes(PNG)
    write_multiqc_sections(
        plots={"pca": str(tmp_path / "pca.png"), "ma": [str(tmp_path / "A.png")]},
        outputs={
            "pca": tmp_path / "custom" / "pca_mqc.html",
            "ma": tmp_path / "custom" / "ma.html",
        },
        signatures_cfg=CONFIG,
    )
    config, body = split_section((tmp_path / "custom" / "ma.html").read_text())
    assert config["id"] == "plot_ma"
    assert images(body) == [PNG]
    assert split_section((tmp_path / "custom" / "pca_mqc.html").read_text())[0]["id"] == "plot_pca"
