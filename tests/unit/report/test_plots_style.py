import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text
from unit_shared import png_size, svg_text

from drugsig.report.plots.style import (
    MISSING,
    OTHER_COLOUR,
    capped_levels,
    label_points,
    level_colours,
    new_figure,
    save_figure,
)


def test_capped_levels_keep_order_and_pool_the_rest():
    values = pd.Series(["b", "a", None, "b", "c", "d"], index=list("uvwxyz"))
    levels = capped_levels(values, cap=3)
    assert list(levels.cat.categories) == ["b", "a", "other (3)"]
    assert list(levels.astype(str)) == ["b", "a", "other (3)", "b", "other (3)", "other (3)"]
    assert list(levels.index) == list("uvwxyz")
    assert list(capped_levels(values).cat.categories) == ["b", "a", MISSING, "c", "d"]


def test_level_colours_are_distinct_and_other_is_grey():
    levels = capped_levels(pd.Series([f"drug{i}" for i in range(30)]), cap=12)
    colours = level_colours(levels, ["#111111", "#222222", "#333333"] * 4)
    assert len(colours) == 12
    assert colours["other (19)"] == OTHER_COLOUR
    assert colours["drug0"] == "#111111"


def test_save_figure_writes_png_and_svg_with_text(tmp_path):
    figure = new_figure(3, 2)
    figure.add_subplot().set_title("CDKN1A up")
    save_figure(figure, tmp_path / "out" / "plot.png", tmp_path / "out" / "plot.svg")
    assert png_size(tmp_path / "out" / "plot.png") == (450, 300)
    assert "CDKN1A up" in svg_text(tmp_path / "out" / "plot.svg")
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["plot.png", "plot.svg"]


def test_save_figure_leaves_nothing_behind_on_failure(tmp_path):
    with pytest.raises(ValueError, match="not supported"):
        save_figure(new_figure(3, 2), tmp_path / "plot.unknown")
    assert list(tmp_path.iterdir()) == []


def test_label_points_avoid_each_other():
    figure = new_figure(4, 3)
    axes = figure.add_subplot()
    x, y = (
        np.array([0.50, 0.51, 0.52, 0.50, 0.49, 0.51]),
        np.array([0.5, 0.5, 0.51, 0.52, 0.5, 0.49]),
    )
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    label_points(axes, list(x), list(y), [f"GENE{i}" for i in range(6)])
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    # The text alone (an annotation's own extent includes its leader line).
    boxes = [Text.get_window_extent(text, renderer) for text in axes.texts]
    assert [text.get_text() for text in axes.texts] == [f"GENE{i}" for i in range(6)]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    frame = axes.get_window_extent(renderer)
    assert all(frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1) for box in boxes)
