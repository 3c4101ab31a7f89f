import pandas as pd
import pytest

from drugsig.errors import InputError
from drugsig.inputs.design import Contrast, build_contrasts, group_labels, model_groups
from drugsig.tables import match_contrast_files

COLUMNS = ["sample", "condition", "cell_line", "genotype", "dose", "time", "batch"]


def sheet(rows: list[tuple]) -> pd.DataFrame:
    """Samples sheet as the loader makes it: all text, None for empty cells."""
    table = pd.DataFrame(rows, columns=COLUMNS[: len(rows[0])], dtype=object)
    table = table.astype(object).where(table.notna(), None)
    return table.set_index("sample", drop=False)


def replicates(prefix: str, n: int, *values: str | None) -> list[tuple]:
    return [(f"{prefix}{i}", *values) for i in range(1, n + 1)]


def config(**overrides) -> dict:
    return {
        "vehicle": "DMSO",
        "genotype_column": "genotype",
        "parental": "parental",
        "covariates": [],
        "contrasts": [],
        **overrides,
    }


def names(contrasts: list[Contrast]) -> list[str]:
    return [contrast.name for contrast in contrasts]


@pytest.fixture
def demo() -> pd.DataFrame:
    rows = []
    for condition, dose in [
        ("DMSO", "0"),
        ("Milademetan", "0.5"),
        ("Nutlin-3a", "0.5"),
        ("AMG-232", "0.5"),
    ]:
        rows += replicates(f"sjsa_{condition}_", 3, condition, "SJSA-1", "parental", dose, "24h")
    rows += replicates("a2780_par_", 3, "DMSO", "A2780", "parental", None, None)
    rows += replicates("a2780_res_", 3, "DMSO", "A2780", "MilciclibR", None, None)
    return sheet(rows)


def test_demo_default_contrasts(demo):
    contrasts = build_contrasts(demo, config())
    assert names(contrasts) == [
        "SJSA-1_Milademetan_vs_DMSO",
        "SJSA-1_Nutlin-3a_vs_DMSO",
        "SJSA-1_AMG-232_vs_DMSO",
        "A2780_MilciclibR_vs_parental",
    ]
    factor = ("cell_line", "genotype", "condition", "dose", "time")
    assert contrasts[1] == Contrast(
        name="SJSA-1_Nutlin-3a_vs_DMSO",
        column="condition",
        treatment="Nutlin-3a",
        reference="DMSO",
        subset=(("cell_line", "SJSA-1"),),
        kind="treatment",
        cell_line="SJSA-1",
        factor=factor,
        treatment_group="SJSA-1\tparental\tNutlin-3a\t0.5\t24h",
        reference_group="SJSA-1\tparental\tDMSO\t\t24h",
    )
    assert contrasts[3] == Contrast(
        name="A2780_MilciclibR_vs_parental",
        column="genotype",
        treatment="MilciclibR",
        reference="parental",
        subset=(("cell_line", "A2780"),),
        kind="genotype",
        cell_line="A2780",
        factor=factor,
        treatment_group="A2780\tMilciclibR\tDMSO\t\t",
        reference_group="A2780\tparental\tDMSO\t\t",
    )


def test_model_groups_cover_the_contrasts_cell_line(demo):
    contrast = build_contrasts(demo, config())[3]
    groups = model_groups(demo, contrast, "DMSO")
    assert list(groups.index) == [f"a2780_par_{i}" for i in (1, 2, 3)] + [
        f"a2780_res_{i}" for i in (1, 2, 3)
    ]
    assert list(groups[groups == contrast.treatment_group].index) == [
        "a2780_res_1",
        "a2780_res_2",
        "a2780_res_3",
    ]


def test_single_cell_line_has_no_prefix_and_no_subset():
    samples = sheet(
        replicates("d", 2, "DMSO", "SJSA-1") + replicates("n", 2, "Nutlin-3a", "SJSA-1")
    )
    (contrast,) = build_contrasts(samples, config())
    assert (contrast.name, contrast.subset, contrast.cell_line) == (
        "Nutlin-3a_vs_DMSO",
        (),
        "SJSA-1",
    )


def test_samples_without_cell_line_form_their_own_cell_line():
    rows = replicates("sd", 2, "DMSO", "SJSA-1") + replicates("sn", 2, "Nutlin-3a", "SJSA-1")
    rows += replicates("xd", 2, "DMSO", None) + replicates("xn", 2, "Nutlin-3a", None)
    samples = sheet(rows)
    contrasts = build_contrasts(samples, config())
    assert [(c.name, c.cell_line) for c in contrasts] == [
        ("SJSA-1_Nutlin-3a_vs_DMSO", "SJSA-1"),
        ("Nutlin-3a_vs_DMSO", None),
    ]
    assert list(model_groups(samples, contrasts[1], "DMSO").index) == ["xd1", "xd2", "xn1", "xn2"]


def test_varying_doses_and_times_are_inserted():
    rows = replicates("d24_", 2, "DMSO", "SJSA-1", "parental", "0", "24h")
    rows += replicates("d48_", 2, "DMSO", "SJSA-1", "parental", "0", "48h")
    rows += replicates("n1_24_", 2, "Nutlin-3a", "SJSA-1", "parental", "1", "24h")
    rows += replicates("n5_24_", 2, "Nutlin-3a", "SJSA-1", "parental", "5", "24h")
    rows += replicates("n5_48_", 2, "Nutlin-3a", "SJSA-1", "parental", "5", "48h")
    rows += replicates("m_48_", 2, "Milademetan", "SJSA-1", "parental", "0.5", "48h")
    assert names(build_contrasts(sheet(rows), config())) == [
        "Nutlin-3a_1_24h_vs_DMSO",
        "Nutlin-3a_5_24h_vs_DMSO",
        "Nutlin-3a_5_48h_vs_DMSO",
        "Milademetan_48h_vs_DMSO",
        # the drug at 5 at both times, with the vehicle at each: time x treatment
        "Nutlin-3a_5_48h_vs_24h_interaction",
    ]
    assert "Nutlin-3a_5_48h_vs_24h_interaction" not in names(
        build_contrasts(sheet(rows), config(interactions=False))
    )


def test_vehicle_dose_is_ignored():
    rows = replicates("d0_", 2, "DMSO", "SJSA-1", "parental", "0", "24h")
    rows += replicates("d1_", 1, "DMSO", "SJSA-1", "parental", "0.1", "24h")
    rows += replicates("n_", 2, "Nutlin-3a", "SJSA-1", "parental", "1", "24h")
    samples = sheet(rows)
    (contrast,) = build_contrasts(samples, config())
    assert contrast.name == "Nutlin-3a_vs_DMSO"
    labels = group_labels(samples, contrast.factor, "DMSO")
    assert list(labels[labels == contrast.reference_group].index) == ["d0_1", "d0_2", "d1_1"]


def test_resistant_line_treated_and_untreated():
    rows = replicates("pd", 2, "DMSO", "A2780", "parental")
    rows += replicates("pm", 2, "Milciclib", "A2780", "parental")
    rows += replicates("rd", 2, "DMSO", "A2780", "MilciclibR")
    rows += replicates("rm", 2, "Milciclib", "A2780", "MilciclibR")
    contrasts = build_contrasts(sheet(rows), config())
    assert [(c.name, c.kind, c.column, c.treatment, c.reference) for c in contrasts] == [
        ("Milciclib_vs_DMSO", "treatment", "condition", "Milciclib", "DMSO"),
        ("MilciclibR_Milciclib_vs_DMSO", "treatment", "condition", "Milciclib", "DMSO"),
        ("MilciclibR_vs_parental", "genotype", "genotype", "MilciclibR", "parental"),
        ("MilciclibR_Milciclib_vs_parental", "genotype", "genotype", "MilciclibR", "parental"),
        # the drug on both genotypes, each with its vehicle: genotype x treatment
        (
            "Milciclib_MilciclibR_vs_parental_interaction",
            "interaction",
            "genotype",
            "MilciclibR",
            "parental",
        ),
    ]
    interaction = contrasts[-1]
    labels = {c.name: (c.treatment_group, c.reference_group) for c in contrasts}
    treated, resistant_vehicle = labels["MilciclibR_Milciclib_vs_DMSO"]
    parental_drug, parental_vehicle = labels["Milciclib_vs_DMSO"]
    assert interaction.terms == (
        (treated, 1.0),
        (resistant_vehicle, -1.0),
        (parental_drug, -1.0),
        (parental_vehicle, 1.0),
    )
    assert interaction.reference_group == parental_vehicle  # fitted with the parental family


def test_genotype_contrast_needs_a_matching_parental_group():
    rows = replicates("pd", 2, "DMSO", "A2780", "parental")
    rows += replicates("rd", 2, "DMSO", "A2780", "MilciclibR")
    rows += replicates("rm", 2, "Milciclib", "A2780", "MilciclibR")
    assert names(build_contrasts(sheet(rows), config())) == [
        "MilciclibR_Milciclib_vs_DMSO",
        "MilciclibR_vs_parental",
    ]


def test_default_names_are_sanitized():
    samples = sheet(replicates("p", 2, "DMSO", "A2780", "parental"))
    samples["status"] = ["parental", "parental"]
    resistant = sheet(replicates("r", 2, "DMSO", "A2780", "parental"))
    resistant["status"] = ["Milciclib resistant (clone 2)"] * 2
    contrasts = build_contrasts(pd.concat([samples, resistant]), config(genotype_column="status"))
    assert names(contrasts) == ["Milciclib_resistant_clone_2_vs_parental"]


def test_missing_vehicle_in_sheet():
    samples = sheet(replicates("d", 2, "dmso") + replicates("n", 2, "Nutlin-3a"))
    with pytest.raises(InputError) as error:
        build_contrasts(samples, config(), source="config/samples.tsv")
    assert str(error.value) == (
        "config/samples.tsv: the vehicle 'DMSO' (diffexp.vehicle) is not in column "
        "'condition'; levels found: Nutlin-3a, dmso. Did you mean 'dmso'? Set "
        "diffexp.vehicle to the condition of the vehicle controls, or list contrasts in "
        "diffexp.contrasts."
    )


def test_missing_vehicle_in_a_cell_line(demo):
    samples = demo[demo["sample"] != "a2780_par_1"].copy()
    samples.loc[samples["cell_line"] == "A2780", "condition"] = "Milciclib"
    with pytest.raises(InputError) as error:
        build_contrasts(samples, config())
    assert str(error.value) == (
        "config/samples.tsv: cell line 'A2780' has treated samples but no 'DMSO' "
        "(diffexp.vehicle) samples to compare them with; conditions found: Milciclib. "
        "Add vehicle controls for this cell line or list contrasts in diffexp.contrasts."
    )


def test_missing_vehicle_group_for_a_time_point():
    rows = replicates("d", 2, "DMSO", "SJSA-1", "parental", "0", "24h")
    rows += replicates("n", 2, "Nutlin-3a", "SJSA-1", "parental", "1", "48h")
    with pytest.raises(InputError) as error:
        build_contrasts(sheet(rows), config())
    assert str(error.value) == (
        "config/samples.tsv: cell line 'SJSA-1': no 'DMSO' samples with "
        "genotype=parental, time=48h to serve as the reference of group "
        "cell_line=SJSA-1, genotype=parental, condition=Nutlin-3a, dose=1, time=48h "
        "(samples n1, n2); vehicle groups found: cell_line=SJSA-1, genotype=parental, "
        "condition=DMSO, time=24h."
    )


def test_missing_parental_level():
    rows = replicates("a", 2, "DMSO", "A2780", "Parental")
    rows += replicates("b", 2, "DMSO", "A2780", "MilciclibR")
    with pytest.raises(InputError) as error:
        build_contrasts(sheet(rows), config())
    assert str(error.value) == (
        "config/samples.tsv: cell line 'A2780' has several levels in column 'genotype' "
        "(Parental, MilciclibR) but none is the parental level 'parental' "
        "(diffexp.parental). Did you mean 'Parental'? Set diffexp.parental to the "
        "reference genotype or list contrasts in diffexp.contrasts."
    )


def test_single_replicate_group_is_refused_in_default_mode():
    samples = sheet(
        replicates("d", 2, "DMSO", "SJSA-1") + replicates("n", 1, "Nutlin-3a", "SJSA-1")
    )
    with pytest.raises(InputError) as error:
        build_contrasts(samples, config())
    assert str(error.value) == (
        "config/samples.tsv: contrast 'Nutlin-3a_vs_DMSO': the treatment group "
        "(cell_line=SJSA-1, condition=Nutlin-3a) has only 1 replicate (n1); at least 2 per "
        "group are required. DESeq2 can technically fit a group without replicates, but "
        "its fold changes and p-values are then unreliable, so drugsig refuses. Add "
        "replicates or choose other contrasts (diffexp.contrasts)."
    )


def test_one_sample_per_cell_line_and_condition_says_how_to_block_the_lines():
    """Lines as replicates: the error tells how; done that way, the lines are the block."""
    lines = ["SJSA-1", "MCF-7", "HCT116"]
    rows = [(f"{line}_{drug}", drug, line) for line in lines for drug in ("DMSO", "Nutlin-3a")]
    with pytest.raises(InputError) as error:
        build_contrasts(sheet(rows), config())
    assert str(error.value) == (
        "config/samples.tsv: contrast 'SJSA-1_Nutlin-3a_vs_DMSO': the treatment group "
        "(cell_line=SJSA-1, condition=Nutlin-3a) has only 1 replicate (SJSA-1_Nutlin-3a); "
        "at least 2 per group are required. DESeq2 can technically fit a group without "
        "replicates, but its fold changes and p-values are then unreliable, so drugsig "
        "refuses. Add replicates or choose other contrasts (diffexp.contrasts). Each cell "
        "line is fitted on its own, so with one sample per cell line and condition no "
        "group has replicates. To test the drug across the lines, make the lines the "
        "replicates and the block: put them in another column (e.g. 'line'), give "
        "'cell_line' one value for all of them (or drop it) and add that column to "
        "diffexp.covariates (a paired design; README, 'Blocking factors')."
    )
    blocked = sheet([(sample, drug, None) for sample, drug, _ in rows])
    blocked["line"] = [line for _, _, line in rows]
    (contrast,) = build_contrasts(blocked, config(covariates=["line"]))
    assert (contrast.name, contrast.treatment, contrast.reference) == (
        "Nutlin-3a_vs_DMSO",
        "Nutlin-3a",
        "DMSO",
    )


def explicit(**spec) -> dict:
    return config(contrasts=[spec])


def test_explicit_contrast(demo):
    (contrast,) = build_contrasts(
        demo,
        explicit(
            column="condition",
            treatment="Nutlin-3a",
            reference="DMSO",
            subset={"cell_line": "SJSA-1"},
        ),
    )
    assert contrast == Contrast(
        name="SJSA-1_Nutlin-3a_vs_DMSO",
        column="condition",
        treatment="Nutlin-3a",
        reference="DMSO",
        subset=(("cell_line", "SJSA-1"),),
        kind="treatment",
        cell_line="SJSA-1",
        factor=("condition",),
        treatment_group="Nutlin-3a",
        reference_group="DMSO",
    )


def test_explicit_contrast_kinds_and_names(demo):
    contrasts = build_contrasts(
        demo,
        config(
            contrasts=[
                {
                    "name": "res",
                    "column": "genotype",
                    "treatment": "MilciclibR",
                    "reference": "parental",
                    "subset": {"cell_line": "A2780"},
                },
                {
                    "column": "cell_line",
                    "treatment": "SJSA-1",
                    "reference": "A2780",
                    "subset": {"condition": "DMSO"},
                },
            ]
        ),
    )
    assert [(c.name, c.kind, c.cell_line) for c in contrasts] == [
        ("res", "genotype", "A2780"),
        ("DMSO_SJSA-1_vs_A2780", "explicit", None),
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"column": "conditon", "treatment": "Nutlin-3a", "reference": "DMSO"},
            "diffexp.contrasts item 1: column 'conditon' is not in config/samples.tsv; its "
            "columns are sample, condition, cell_line, genotype, dose, time. Did you mean "
            "'condition'?",
        ),
        (
            {"column": "condition", "treatment": "nutlin-3A", "reference": "DMSO"},
            "diffexp.contrasts item 1: level 'nutlin-3A' is not in column 'condition' of "
            "config/samples.tsv; levels found: AMG-232, DMSO, Milademetan, Nutlin-3a. Did "
            "you mean 'Nutlin-3a'?",
        ),
        (
            {
                "name": "x",
                "column": "genotype",
                "treatment": "MilciclibR",
                "reference": "parental",
                "subset": {"cell_line": "SJSA-1"},
            },
            "diffexp.contrasts item 1 ('x'): level 'MilciclibR' is not in column 'genotype' "
            "of config/samples.tsv (within subset cell_line=SJSA-1); levels found: parental.",
        ),
        (
            {
                "column": "condition",
                "treatment": "DMSO",
                "reference": "DMSO",
                "subset": {"cell_line": "SJSA1"},
            },
            "diffexp.contrasts item 1, subset: level 'SJSA1' is not in column 'cell_line' "
            "of config/samples.tsv; levels found: A2780, SJSA-1. Did you mean 'SJSA-1'?",
        ),
        (
            {"column": "condition", "treatment": "DMSO", "reference": "DMSO"},
            "diffexp.contrasts item 1: treatment and reference are the same level 'DMSO'.",
        ),
        (
            {
                "name": "Nutlin vs DMSO",
                "column": "condition",
                "treatment": "Nutlin-3a",
                "reference": "DMSO",
            },
            "diffexp.contrasts item 1 ('Nutlin vs DMSO'): contrast name 'Nutlin vs DMSO' may "
            "only contain letters, digits, '.', '_' and '-' (it becomes a file name); try "
            "'Nutlin_vs_DMSO'.",
        ),
    ],
)
def test_explicit_contrast_errors(demo, spec, message):
    with pytest.raises(InputError) as error:
        build_contrasts(demo, explicit(**spec))
    assert str(error.value) == message


def test_explicit_group_without_samples_in_subset(demo):
    samples = demo.copy()
    samples.loc["a2780_par_1", "condition"] = "Nutlin-3a"
    spec = {
        "column": "condition",
        "treatment": "Nutlin-3a",
        "reference": "DMSO",
        "subset": {"cell_line": "A2780"},
    }
    with pytest.raises(InputError) as error:
        build_contrasts(samples, explicit(**spec))
    assert str(error.value).startswith(
        "config/samples.tsv: contrast 'A2780_Nutlin-3a_vs_DMSO': the treatment group "
        "(cell_line=A2780, condition=Nutlin-3a) has only 1 replicate (a2780_par_1); at "
        "least 2"
    )


def test_duplicate_contrast_names(demo):
    spec = {"name": "same", "column": "condition", "treatment": "Nutlin-3a", "reference": "DMSO"}
    with pytest.raises(InputError) as error:
        build_contrasts(demo, config(contrasts=[spec, {**spec, "treatment": "AMG-232"}]))
    assert str(error.value) == (
        "two contrasts are named 'same'; contrast names must be unique. Give explicit "
        "contrasts (diffexp.contrasts) distinct names."
    )


def test_covariate_errors(demo):
    demo = demo.assign(batch=["b1", "b2", "b3"] * 4 + [None] * 6)
    with pytest.raises(
        InputError,
        match=r"^diffexp.covariates: column 'bach' is not in .* "
        r"Did you mean 'batch'\?$",
    ):
        build_contrasts(demo, config(covariates=["bach"]))
    with pytest.raises(InputError) as error:
        build_contrasts(demo, config(covariates=["batch"]))
    assert str(error.value) == (
        "config/samples.tsv: covariate 'batch' (diffexp.covariates) is empty for sample(s) "
        "a2780_par_1, a2780_par_2, a2780_par_3, a2780_res_1, a2780_res_2, a2780_res_3; "
        "every sample needs a value."
    )
    samples = demo.assign(batch="b1")
    with pytest.raises(InputError) as error:
        build_contrasts(samples, config(covariates=["time"]))
    assert str(error.value) == (
        "diffexp.covariates: 'time' already defines the groups that contrast "
        "'SJSA-1_Milademetan_vs_DMSO' compares (cell_line, genotype, condition, dose, "
        "time); remove it from the covariates."
    )
    assert len(build_contrasts(samples, config(covariates=["batch"]))) == 4


def test_many_samples():
    rows = []
    for line in range(100):
        for condition in ("DMSO", "A", "B", "C"):
            rows += replicates(f"l{line}{condition}_", 25, condition, f"L{line}", "parental")
    contrasts = build_contrasts(sheet(rows), config())
    assert len(rows) == 10_000
    assert len(contrasts) == 300
    assert contrasts[-1].name == "L99_C_vs_DMSO"


def test_match_contrast_files():
    assert match_contrast_files(["de/a.tsv", "de/b.tsv"], ["a", "b"]) == {
        "a": "de/a.tsv",
        "b": "de/b.tsv",
    }
    with pytest.raises(ValueError, match=r"do not match the contrasts \['b.tsv', 'a.tsv'\]"):
        match_contrast_files(["de/a.tsv", "de/b.tsv"], ["b", "a"])
