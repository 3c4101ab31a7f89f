import io
import json
import math

import numpy as np
from PIL import Image

from drugsig.report.multiqc import compact_png, write_mqc_scatter


def test_compact_png_keeps_the_picture_in_fewer_bytes():
    rng = np.random.default_rng(0)
    pixels = np.full((200, 300, 3), 255, dtype=np.uint8)
    pixels[50:150, 50:250] = [178, 24, 43]
    pixels[rng.random((200, 300)) < 0.3] = [33, 102, 172]  # noise: large as truecolour
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    png = buffer.getvalue()
    compact = compact_png(png)
    assert len(compact) < len(png)
    with Image.open(io.BytesIO(compact)) as image:
        assert np.array_equal(np.asarray(image.convert("RGB")), pixels)  # 3 colours: exact
    assert compact_png(b"not an image") == b"not an image"


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
