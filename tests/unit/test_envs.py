"""The conda environments (``--sdm conda``; there is no conda here to run them) hold
what each rule's Python imports, pinned to the versions tested here."""

from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "workflow" / "scripts"
# import name -> conda package name, where they differ
CONDA_NAMES = {
    "yaml": "pyyaml",
    "isal": "python-isal",
    "matplotlib": "matplotlib-base",
    "PIL": "pillow",
}
RULE = re.compile(r"^\s*rule (\w+):\n(.*?)(?=^\s*rule |\Z)", re.M | re.S)


def rule_environments() -> dict[str, tuple[str, Path]]:
    """Rule name -> (its conda env file, the Python script it runs) for every rule
    that runs Python from workflow/scripts."""
    rules = {}
    for smk in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        for name, body in RULE.findall(smk.read_text()):
            env = re.search(r'conda:\s*"\.\./\.\./envs/([\w.-]+)"', body)
            script = re.search(r'script:\s*"\.\./scripts/([\w.-]+\.py)"', body)
            command_line = re.search(r"\$DRUGSIG_SCRIPTS/([\w.-]+\.py)", body)
            program = script or command_line
            if env and program:
                rules[name] = (env.group(1), SCRIPTS / program.group(1))
    return rules


def module_file(module: str) -> Path | None:
    """The source file of a drugsig module, if it is one."""
    base = SCRIPTS / module.replace(".", "/")
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def third_party_imports(script: Path) -> set[str]:
    """Top-level names of the non-stdlib modules ``script`` imports, following the
    drugsig modules it imports."""
    found: set[str] = set()
    seen: set[Path] = set()
    todo = [script]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "drugsig":
                    if (source := module_file(name)) is not None:
                        todo.append(source)
                elif top not in sys.stdlib_module_names and top != "__future__":
                    found.add(top)
    return found


def environment_packages(env: str) -> dict[str, str]:
    """Package -> pinned version of an env file (conda and pip entries)."""
    spec = yaml.safe_load((REPO / "envs" / env).read_text())
    packages = {}
    for entry in spec["dependencies"]:
        items = entry["pip"] if isinstance(entry, dict) else [entry]
        for item in items:
            parts = re.split(r"\s*(==|=)\s*", item.strip(), maxsplit=1)
            packages[parts[0].lower()] = parts[2] if len(parts) == 3 else ""
    return packages


RULES = rule_environments()


def test_the_rules_are_found():
    assert {"reads_to_counts", "check_reads", "deseq2", "star_index"} <= set(RULES)
    assert RULES["reads_to_counts"] == ("reads_to_counts.yaml", SCRIPTS / "reads_to_counts.py")


@pytest.mark.parametrize("rule", sorted(RULES))
def test_environment_holds_what_the_rule_imports(rule):
    env, script = RULES[rule]
    packages = environment_packages(env)
    missing = {
        CONDA_NAMES.get(name, name)
        for name in third_party_imports(script)
        if CONDA_NAMES.get(name, name).lower() not in packages
    }
    assert not missing, f"envs/{env} lacks {sorted(missing)} for {script.name}"


@pytest.mark.parametrize("env", sorted({env for env, _ in RULES.values()}))
def test_python_pins_are_the_tested_versions(env):
    for package, version in environment_packages(env).items():
        if package in ("python", "pip"):
            continue
        distribution = {"python-isal": "isal", "matplotlib-base": "matplotlib"}.get(
            package, package
        )
        try:
            installed = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue  # python itself, Debian tools
        assert version == installed, f"envs/{env}: {package} {version}, tested {installed}"
