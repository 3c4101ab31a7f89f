"""The drugsig package installs from a wheel built on a clean clone and works outside it.

The wheel must carry its package data (config and sheet schemas, curated gene sets),
so that an installed drugsig validates a config without the repository.
"""

import subprocess
import sys
import textwrap

from conftest import REPO


def test_wheel_from_clean_clone_validates_a_config(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(clone),
        ],
        check=True,
    )
    (wheel,) = wheels.glob("drugsig-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "config.yaml").write_text(
        "samples: s.tsv\nunits: u.tsv\ndiffexp: {vehicle: DMSO}\n"
    )
    probe = textwrap.dedent(
        """
        import yaml
        import drugsig
        from drugsig.analysis.genesets import CURATED_GMT, read_gmt
        from drugsig.errors import InputError
        from drugsig.inputs.schema import validate_config

        print(drugsig.__file__)
        print(drugsig.__version__)
        config = validate_config(yaml.safe_load(open("config.yaml")), "config.yaml")
        print(config["aligner"], config["diffexp"]["alpha"])
        print(len(read_gmt(CURATED_GMT)) > 0)
        try:
            validate_config({"samples": "s.tsv", "aligner": "bowtie"}, "config.yaml")
        except InputError as error:
            print("rejected:", error)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=elsewhere,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(str(site))
    assert lines[1] == "0.1.0"
    assert lines[2] == "star 0.05"
    assert lines[3] == "True"
    assert lines[4] == "rejected: config.yaml: 'aligner': 'bowtie' is not one of star, hisat2."
