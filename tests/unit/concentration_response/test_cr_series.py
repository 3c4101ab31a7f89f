"""Concentration series of the samples sheet, dose parsing and unit conversion."""

from __future__ import annotations

import pandas as pd
import pytest

from drugsig.concentration_response import find_series, parse_concentration
from drugsig.errors import InputError

WHERE = "config/samples.tsv, line 3 (sample 's1')"


def _sheet(rows):
    table = pd.DataFrame(
        rows, columns=["sample", "condition", "cell_line", "genotype", "dose", "time"]
    )
    return table.set_index("sample", drop=False)


def _series_rows(drug="D", doses=(0.1, 0.3, 1, 3), time="24h", vehicles=3):
    rows = [[f"v{i}_{time}", "DMSO", "L", "parental", "0", time] for i in range(vehicles)]
    for dose in doses:
        rows += [
            [f"{drug}_{dose}_{time}_{r}", drug, "L", "parental", str(dose), time] for r in (1, 2)
        ]
    return rows


@pytest.mark.parametrize(
    "value, unit, expected",
    [("0.5", "µM", 0.5), ("500 nM", "µM", 0.5), ("0.5uM", "nM", 500.0), ("2 mM", "uM", 2000.0)],
)
def test_parse_concentration_converts_units(value, unit, expected):
    assert parse_concentration(value, unit, WHERE) == pytest.approx(expected)


@pytest.mark.parametrize(
    "value, message",
    [
        (
            "high",
            f"{WHERE}: dose 'high' is not a number; give the concentration as a number in µM "
            "(or with a unit, e.g. '500 nM').",
        ),
        ("-1", f"{WHERE}: dose '-1' must be a non-negative number."),
        (
            "5 ug",
            f"{WHERE}: dose '5 ug' has an unknown unit 'ug'; use one of "
            "['pM', 'nM', 'uM', 'µM', 'μM', 'mM', 'M'].",
        ),
    ],
)
def test_parse_concentration_rejects_bad_values(value, message):
    with pytest.raises(InputError) as error:
        parse_concentration(value, "µM", WHERE)
    assert str(error.value) == message


def test_find_series_groups_by_cell_line_genotype_drug_and_time():
    rows = (
        _series_rows() + _series_rows(time="6h") + _series_rows(drug="E", doses=(1, 2), vehicles=0)
    )
    series = {s.name: s for s in find_series(_sheet(rows), "DMSO", "µM", path="s.tsv")}
    assert list(series) == ["L_parental_D_24h", "L_parental_D_6h", "L_parental_E_24h"]
    full = series["L_parental_D_24h"]
    assert full.problem == ""
    assert full.samples[:3] == ["v0_24h", "v1_24h", "v2_24h"]
    assert full.levels == [0.1, 0.3, 1.0, 3.0]
    assert full.n_vehicle == 3
    assert series["L_parental_E_24h"].problem == (
        "2 non-zero concentration(s), fewer than concentration_response.min_concentrations (4)"
    )


def test_find_series_without_vehicle_and_mixed_units():
    rows = _series_rows(vehicles=0)
    rows[0][4] = "100 nM"
    rows[1][4] = "0.1 uM"
    (series,) = find_series(_sheet(rows), "DMSO", "µM")
    assert series.concentrations[:2] == pytest.approx([0.1, 0.1])
    assert series.problem.startswith("missing vehicle: no 'DMSO' samples")


def test_find_series_rejects_a_dosed_vehicle():
    rows = _series_rows()
    rows[0][4] = "1"
    with pytest.raises(InputError) as error:
        find_series(_sheet(rows), "DMSO", "µM", path="s.tsv")
    assert str(error.value) == (
        "s.tsv, line 2 (sample 'v0_24h'): vehicle sample ('DMSO') has dose 1; vehicle doses "
        "must be 0 or empty."
    )
