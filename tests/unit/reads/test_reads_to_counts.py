import shlex
import time

import pandas as pd
import pytest

from drugsig.inputs.sheets import Unit
from drugsig.reads.reads_to_counts import (
    SampleReports,
    StepTimes,
    parse_arguments,
    parse_units,
    unit_arguments,
)


def test_reports_are_named_after_the_sample_inside_its_folder():
    star = SampleReports("s1", "star", "results/qc/samples/s1")
    assert star.aligner_log == "results/qc/samples/s1/s1.Log.final.out"
    assert star.counts_summary == "results/qc/samples/s1/s1.featureCounts.summary"
    assert star.strandedness == "results/qc/samples/s1/s1.strandedness.tsv"
    assert star.stats == "results/qc/samples/s1/s1.stats"
    assert star.cutadapt == "results/qc/samples/s1/cutadapt"
    hisat2 = SampleReports("s1", "hisat2", "q")
    assert hisat2.aligner_log == "q/s1.hisat2.summary"


def test_unit_arguments_round_trip_through_the_command_line():
    units = [
        Unit("s1", "L001", "data/a b_R1.fq.gz", "data/a b_R2.fq.gz"),
        Unit("s1", "L002", "data/c.fq.gz"),
    ]
    command = (
        f"--sample s1 --strandedness auto {unit_arguments(units)} --aligner star --index i "
        "--gtf g --bam b --counts c --qc-dir q --threads 3 --settings '{\"fastqc\": false}'"
    )
    arguments = parse_arguments(shlex.split(command))
    assert arguments.unit == [
        ["L001", "data/a b_R1.fq.gz", "data/a b_R2.fq.gz"],
        ["L002", "data/c.fq.gz"],
    ]
    assert (arguments.strandedness, arguments.threads) == ("auto", 3)
    assert arguments.settings == {"fastqc": False}


def test_a_unit_needs_one_or_two_files(capsys):
    base = "--sample s --strandedness none --aligner star --index i --gtf g --bam b --counts c"
    with pytest.raises(SystemExit):
        parse_arguments(shlex.split(f"{base} --qc-dir q --settings {{}} --unit L1"))
    assert "--unit takes NAME FQ1 [FQ2], not L1" in capsys.readouterr().err


def test_step_times_record_wall_and_cpu_seconds(tmp_path):
    times = StepTimes("s1")
    with times.step("sleep"):
        time.sleep(0.2)
    with times.step("spin"):
        end = time.process_time() + 0.2
        while time.process_time() < end:
            pass
    times.write(tmp_path / "steps.tsv")
    table = pd.read_csv(tmp_path / "steps.tsv", sep="\t").set_index("step")
    assert table["sample"].unique().tolist() == ["s1"]
    assert table.loc["sleep", "wall_s"] >= 0.2 and table.loc["sleep", "cpu_s"] < 0.1
    assert table.loc["spin", "cpu_s"] >= 0.19


def test_units_read_back_from_the_command_line_are_the_sheet_units():
    units = [
        Unit("s1", "L001", "data/a b_R1.fq.gz", "data/a b_R2.fq.gz"),
        Unit("s1", "L002", "data/c.fq.gz"),
    ]
    command = f"--sample s1 {unit_arguments(units)} --strandedness none --aligner hisat2"
    command += " --index i --gtf g --bam b --counts c --qc-dir q --settings {}"
    arguments = parse_arguments(shlex.split(command))
    assert parse_units(arguments.sample, arguments.unit) == units
    assert [Unit.from_record("s1", unit.record()) for unit in units] == units
