"""A non-editable install must carry the sample papers and the resources with it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), "."],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{result.stdout}\n{result.stderr}")
    return next(out.glob("readinglist-*.whl"))


def test_wheel_ships_every_package(wheel: Path):
    """The package list in pyproject.toml is explicit: a new subpackage must join it."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in (REPO_ROOT / "readinglist").rglob("__init__.py"):
        relative = init.relative_to(REPO_ROOT).as_posix()
        assert relative in names, f"{relative} is missing from the wheel (pyproject packages)"
    for module in (REPO_ROOT / "readinglist").rglob("*.py"):
        relative = module.relative_to(REPO_ROOT).as_posix()
        assert relative in names, f"{relative} is missing from the wheel"


def test_wheel_ships_seeds_and_resources(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for seed in (REPO_ROOT / "seeds").iterdir():
        assert f"readinglist/_seeds/{seed.name}" in names
    shipped_resources = [n for n in names if n.startswith("readinglist/_resources/")]
    assert shipped_resources, "no resources in the wheel"
    assert "readinglist/gui/app.py" in names


def test_installed_package_finds_its_seeds(wheel: Path, tmp_path: Path):
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
    code = (
        "import readinglist.paths as p, sys;"
        "d = p.seeds_dir(); r = p.resources_dir();"
        "print(d); print(sorted(x.name for x in d.iterdir())); print(r)"
    )
    # Run from an unrelated folder so the source checkout cannot be picked up by accident.
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    seeds_line, files_line, resources_line = result.stdout.splitlines()
    # The command line works from the installed package alone.
    imported = subprocess.run(
        [
            sys.executable,
            "-m",
            "readinglist",
            "--library",
            str(tmp_path / "lib"),
            "import",
            seeds_line,
            "--json",
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert imported.returncode == 0, imported.stderr
    assert '"added": 53' in imported.stdout
    assert seeds_line.startswith(str(site))
    assert "arxiv-listing.txt" in files_line and "daily-papers-mar-14.txt" in files_line
    assert resources_line.startswith(str(site))
