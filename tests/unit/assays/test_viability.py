import json
import math

import numpy as np
import pandas as pd
import pytest

from drugsig.assays import viability
from drugsig.assays.viability import (
    CurveFit,
    fit_four_pl,
    fold_resistance,
    normalise,
    read_plates,
    resolve_parentals,
    write_viability,
)
from drugsig.errors import InputError
from drugsig.simulate.viability import DEMO_LINES, simulate_viability_plates

TRUE_IC50 = {line.cell_line: line.ic50_um for line in DEMO_LINES}
CONCENTRATIONS = np.repeat(100 / 3.0 ** np.arange(10), 3)


def logistic(concentration, ic50, hill=1.5, bottom=5.0, top=100.0):
    return bottom + (top - bottom) / (1 + (concentration / ic50) ** hill)


def write(tmp_path, rows, name="plates.tsv"):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, sep="\t", index=False)
    return path


def plate(cell_line="L1", concentrations=(0.1, 1, 10, 100), parental="", drug="D", plate_id=1):
    """One cell line's wells in duplicate: 2 blanks, 2 vehicles, treated wells."""
    rows = [
        dict(
            plate=plate_id,
            cell_line="",
            parental="",
            drug="",
            concentration="",
            replicate=r,
            well_type="blank",
            signal=100,
        )
        for r in (1, 2)
    ]
    rows += [
        dict(
            plate=plate_id,
            cell_line=cell_line,
            parental=parental,
            drug="",
            concentration=0,
            replicate=r,
            well_type="vehicle",
            signal=1100,
        )
        for r in (1, 2)
    ]
    rows += [
        dict(
            plate=plate_id,
            cell_line=cell_line,
            parental=parental,
            drug=drug,
            concentration=c,
            replicate=r,
            well_type="treated",
            signal=100 + 1000 * logistic(c, 5.0) / 100,
        )
        for c in concentrations
        for r in (1, 2)
    ]
    return rows


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo plates run through the whole viability step."""
    folder = tmp_path_factory.mktemp("viability")
    table = folder / "viability.tsv"
    simulate_viability_plates(np.random.default_rng(42)).to_csv(table, sep="\t", index=False)
    outputs = {
        "wells_out": folder / "out" / "wells.tsv",
        "fits_out": folder / "out" / "fits.tsv",
        "fold_out": folder / "out" / "fold.tsv",
        "plot_out": folder / "out" / "curves.png",
        "mqc_curves": folder / "mqc" / "viability_curves_mqc.json",
        "mqc_fold": folder / "mqc" / "viability_fold_resistance_mqc.json",
    }
    write_viability(table, **outputs)
    return outputs


def test_demo_fits_recover_true_ic50_within_10_percent(demo):
    fits = pd.read_csv(demo["fits_out"], sep="\t", keep_default_na=False).set_index("cell_line")
    assert list(fits.index) == list(TRUE_IC50)
    for cell_line, truth in TRUE_IC50.items():
        fit = fits.loc[cell_line]
        assert fit["ic50_um"] == pytest.approx(truth, rel=0.10)
        assert fit["ic50_ci_low_um"] < fit["ic50_um"] < fit["ic50_ci_high_um"]
        assert fit["flags"] == ""
        assert fit["r2"] > 0.95
        assert fit["n_concentrations"] == 10


def test_demo_fold_resistance_within_10_percent(demo):
    fold = pd.read_csv(demo["fold_out"], sep="\t", keep_default_na=False)
    assert fold["cell_line"].tolist() == ["A2780", "A2780-MilR1", "A2780-MilR2"]
    assert fold["parental"].tolist() == ["", "A2780", "A2780"]
    assert fold["fold_resistance"].tolist() == pytest.approx([1.0, 10.0, 16.4], rel=0.10)


def test_demo_report_files(demo):
    curves = json.loads(demo["mqc_curves"].read_text())
    assert curves["parent_id"] == "drugsig_viability"
    assert curves["data"].startswith('<img src="data:image/png;base64,')
    table = json.loads(demo["mqc_fold"].read_text())
    assert table["plot_type"] == "table"
    assert list(table["data"]) == [
        "Milciclib: A2780",
        "Milciclib: A2780-MilR1",
        "Milciclib: A2780-MilR2",
    ]
    assert table["data"]["Milciclib: A2780"]["parental"] == "-"
    assert demo["plot_out"].read_bytes().startswith(b"\x89PNG")
    wells = pd.read_csv(demo["wells_out"], sep="\t")
    assert len(wells) == 3 * 10 * 3


def test_noiseless_curve_is_recovered_exactly():
    fit = fit_four_pl(CONCENTRATIONS, logistic(CONCENTRATIONS, 0.8, hill=1.2, bottom=10.0))
    assert fit.flags == ()
    assert fit.ic50 == pytest.approx(0.8, rel=1e-5)
    assert fit.hill == pytest.approx(1.2, rel=1e-5)
    assert (fit.bottom, fit.top) == pytest.approx((10.0, 100.0), abs=1e-4)
    assert fit.r2 == pytest.approx(1.0)


def test_flat_response_is_flagged_without_ic50():
    rng = np.random.default_rng(1)
    fit = fit_four_pl(CONCENTRATIONS, 98 + rng.normal(0, 3, CONCENTRATIONS.size))
    assert fit.flags == ("flat_response",)
    assert math.isnan(fit.ic50) and math.isnan(fit.ci_low) and math.isnan(fit.ci_high)


def test_noise_without_dose_trend_is_flagged_flat():
    rng = np.random.default_rng(3)
    fit = fit_four_pl(CONCENTRATIONS, 70 + rng.normal(0, 15, CONCENTRATIONS.size))
    assert "flat_response" in fit.flags
    assert math.isnan(fit.ic50)


def test_ic50_beyond_the_tested_range_is_flagged():
    tested = np.repeat(np.geomspace(0.01, 10, 8), 3)
    rng = np.random.default_rng(2)
    fit = fit_four_pl(tested, logistic(tested, 15.0, hill=2.0) + rng.normal(0, 1.5, tested.size))
    assert fit.flags == ("ic50_out_of_range",)
    assert fit.ic50 > 10


def test_optimiser_failure_is_flagged_without_ic50(monkeypatch):
    real = viability.least_squares
    monkeypatch.setattr(viability, "least_squares", lambda *a, **k: real(*a, **k, max_nfev=1))
    fit = fit_four_pl(CONCENTRATIONS, logistic(CONCENTRATIONS, 0.8))
    assert fit.flags == ("no_convergence",)
    assert math.isnan(fit.ic50)


def test_normalisation_subtracts_blank_and_scales_to_vehicle(tmp_path):
    rows = plate(concentrations=(1, 2, 3, 4))
    rows[-1]["signal"] = 600  # halfway between blank (100) and vehicle (1100)
    path = write(tmp_path, rows)
    wells = normalise(read_plates(path), path)
    assert wells["viability_percent"].iloc[-1] == pytest.approx(50.0)
    assert wells["viability_percent"].iloc[0] == pytest.approx(logistic(1, 5.0))


def test_units_are_converted_to_micromolar(tmp_path):
    rows = plate(concentrations=(100, 1000, 10000, 100000))
    for row in rows:
        row["unit"] = "nM"
    wells = read_plates(write(tmp_path, rows))
    treated = wells[wells["well_type"] == "treated"]
    concentrations = sorted(set(treated["concentration_um"]))
    assert concentrations == pytest.approx([0.1, 1.0, 10.0, 100.0], rel=1e-12)


def test_percent_viability_input_needs_no_controls(tmp_path):
    rows = [
        dict(
            cell_line="L1",
            drug="D",
            concentration=c,
            replicate=r,
            percent_viability=logistic(c, 2.0),
        )
        for c in (0.1, 1, 10, 100)
        for r in (1, 2)
    ]
    path = write(tmp_path, rows)
    wells = normalise(read_plates(path), path)
    assert wells["viability_percent"].tolist() == pytest.approx(
        [r["percent_viability"] for r in rows]
    )


def test_parental_from_config_and_fold_from_fits(tmp_path):
    path = write(tmp_path, plate("P") + plate("R", plate_id=2))
    out = {
        key: tmp_path / f"{key}.out"
        for key in ("wells_out", "fits_out", "fold_out", "plot_out", "mqc_curves", "mqc_fold")
    }
    write_viability(path, parental={"R": "P"}, **out)
    fold = pd.read_csv(out["fold_out"], sep="\t", keep_default_na=False)
    assert fold[["cell_line", "parental"]].values.tolist() == [["P", ""], ["R", "P"]]


def test_fold_is_missing_and_flagged_when_the_parental_fit_fails():
    good = CurveFit(5.0, 4.0, 6.0, 1.0, 100.0, 0.0, 0.99, ())
    flat = CurveFit(*[math.nan] * 7, ("flat_response",))
    fold = fold_resistance({("P", "D"): flat, ("R", "D"): good}, {"R": "P"})
    assert fold["flags"].tolist() == ["flat_response", "parental:flat_response"]
    assert math.isnan(fold["fold_resistance"].iloc[1])


def _edit(rows, index, **changes):
    rows[index] = {**rows[index], **changes}
    return rows


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            _edit(plate(), 4, concentration="0.1uM"),
            "row 5 (line 6; plate '1', cell_line 'L1', drug 'D'): concentration '0.1uM' is not "
            "a number.",
        ),
        (
            _edit(plate(), 6, concentration=-1),
            "row 7 (line 8; plate '1', cell_line 'L1', drug 'D'): concentration -1 is negative.",
        ),
        (
            plate(concentrations=(1, 10, 100)),
            "row 5 (line 6; plate '1', cell_line 'L1', drug 'D'): cell line 'L1' with drug 'D' "
            "has 3 concentration(s) in 6 well(s); a dose-response fit needs at least 4 "
            "concentrations and 5 wells.",
        ),
        (
            [row for row in plate() if row["well_type"] != "vehicle"],
            "row 3 (line 4; plate '1', cell_line 'L1', drug 'D'): no vehicle wells of cell line "
            "'L1' on plate '1'",
        ),
        (
            [row for row in plate() if row["well_type"] != "blank"],
            "row 3 (line 4; plate '1', cell_line 'L1', drug 'D'): plate '1' has no blank "
            "(medium only) wells",
        ),
        (
            plate(parental="A2780"),
            "row 5 (line 6; plate '1', cell_line 'L1', drug 'D'): parental line 'A2780' of "
            "'L1' has no treated wells",
        ),
        (
            _edit(plate(), 5, well_type="control"),
            "row 6 (line 7; plate '1', cell_line 'L1', drug 'D'): well_type 'control' is not one "
            "of treated, vehicle, blank.",
        ),
        (
            _edit(plate(), 5, signal="saturated"),
            "row 6 (line 7; plate '1', cell_line 'L1', drug 'D'): signal 'saturated' is not a "
            "number.",
        ),
        (
            _edit(plate(), 6, concentration=0.1),
            "row 7 (line 8; plate '1', cell_line 'L1', drug 'D'): duplicate well",
        ),
    ],
    ids=[
        "non-numeric concentration",
        "negative concentration",
        "three concentrations",
        "no vehicle",
        "no blank",
        "parental absent",
        "bad well type",
        "non-numeric signal",
        "duplicate well",
    ],
)
def test_bad_plate_tables_name_the_row(tmp_path, rows, message):
    path = write(tmp_path, rows)
    with pytest.raises(InputError) as error:
        out = {
            key: tmp_path / f"{key}.out"
            for key in ("wells_out", "fits_out", "fold_out", "plot_out", "mqc_curves", "mqc_fold")
        }
        write_viability(path, **out)
    assert str(error.value).startswith(f"{path}, {message}")
    assert not (tmp_path / "fits_out.out").exists()


def test_parental_config_conflicting_with_the_table_is_an_error(tmp_path):
    path = write(
        tmp_path, plate("P") + plate("R", parental="P", plate_id=2) + plate("Q", plate_id=3)
    )
    wells = normalise(read_plates(path), path)
    with pytest.raises(InputError, match=r"config viability.parental\['R'\]: 'Q' differs"):
        resolve_parentals(wells, {"R": "Q"}, path)
