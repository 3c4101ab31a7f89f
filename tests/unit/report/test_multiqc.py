import json
import math

from drugsig.report.multiqc import write_mqc_scatter


def test_scatter_section_is_interactive_with_named_points(tmp_path):
    path = tmp_path / "plot_pca_mqc.json"
    points = [
        {"x": 1.234567891, "y": -2, "name": "dose0.22_r1", "group": "DMSO", "color": "#000"},
        {"x": math.nan, "y": 1.0, "name": "no x"},
        {"x": 3, "y": math.inf, "name": "no finite y"},
    ]
    write_mqc_scatter(path, "Sample PCA", "What it shows.", [points], {"title": "PCA"})
    document = json.loads(path.read_text())
    assert document["id"] == "plot_pca"
    assert document["section_name"] == "Sample PCA"
    assert document["description"] == "What it shows."
    assert document["plot_type"] == "scatter"
    assert document["pconfig"] == {
        "id": "plot_pca_scatter",
        "showlegend": True,
        "title": "PCA",
        "flat_if_very_large": False,
    }
    assert document["data"] == {
        "points": [{"x": 1.2346, "y": -2, "name": "dose0.22_r1", "group": "DMSO", "color": "#000"}]
    }


def test_scatter_datasets_get_switch_labels(tmp_path):
    path = tmp_path / "plot_volcano_mqc.json"
    datasets = [[{"x": 1, "y": 2, "name": "A1"}], [{"x": 3, "y": 4, "name": "B1"}]]
    labels = [{"name": "A_vs_DMSO"}, {"name": "B_vs_DMSO"}]
    write_mqc_scatter(path, "Volcano", "", datasets, {"flat_if_very_large": True}, labels)
    document = json.loads(path.read_text())
    assert document["pconfig"]["data_labels"] == labels
    assert document["pconfig"]["flat_if_very_large"] is False  # never a static export
    assert [dataset["points"][0]["name"] for dataset in document["data"]] == ["A1", "B1"]
