"""A non-editable install must carry the sample papers and the resources with it."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def clean_checkout(target: Path) -> Path:
    """The files a fresh clone would have (tracked, or new and not ignored): a build in
    the working tree would reuse its stale build/ folder and hide a missing data file."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    if shutil.which("git") is None or not (REPO_ROOT / ".git").exists():
        pytest.skip("building from a clean copy needs git and the repository")
    source = clean_checkout(tmp_path_factory.mktemp("source"))
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), "."],
        cwd=source,
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


# Every data file the code opens, found from the code: a path built from resources_dir()
# or seeds_dir() with "/" and string parts, or resources.files(__package__).joinpath(…).

SHIPPED_DIRS = {"resources_dir": "readinglist/_resources", "seeds_dir": "readinglist/_seeds"}
SOURCE_DATA_DIRS = {
    "readinglist": "readinglist",
    "resources": "readinglist/_resources",
    "seeds": "readinglist/_seeds",
}


def _division_parts(node: ast.AST) -> tuple[str | None, list[str]]:
    """For ``resources_dir() / "icons" / "x.svg"``: ("resources_dir", ["icons", "x.svg"])."""
    parts: list[str] = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        if not (isinstance(node.right, ast.Constant) and isinstance(node.right.value, str)):
            return None, []
        parts.insert(0, node.right.value)
        node = node.left
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id, parts
    return None, []


def data_files_opened_by_the_code() -> set[str]:
    """Paths inside the installed package that the code opens, as wheel names."""
    found: set[str] = set()
    for module in (REPO_ROOT / "readinglist").rglob("*.py"):
        package = module.parent.relative_to(REPO_ROOT).as_posix()
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            base, parts = _division_parts(node)
            if base in SHIPPED_DIRS and parts:
                found.add("/".join([SHIPPED_DIRS[base], *parts]))
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "joinpath"
                and "files" in ast.unparse(node.func.value)
                and all(isinstance(a, ast.Constant) for a in node.args)
            ):
                found.add("/".join([package, *(a.value for a in node.args)]))
    # ``resources_dir() / "icons"`` is only the start of ``… / "icons" / "x.svg"``.
    return {name for name in found if not any(o.startswith(name + "/") for o in found)}


def data_files_in_the_source() -> set[str]:
    """Every non-Python file in the package and the shipped folders, as wheel names."""
    found = set()
    for folder, shipped in SOURCE_DATA_DIRS.items():
        for path in (REPO_ROOT / folder).rglob("*"):
            if (
                path.is_file()
                and path.suffix not in (".py", ".pyc")
                and "__pycache__" not in path.parts
            ):
                found.add(f"{shipped}/{path.relative_to(REPO_ROOT / folder).as_posix()}")
    return found


def test_the_code_opens_data_files_the_search_finds():
    """The search over the code works: it finds the files we know it opens."""
    opened = data_files_opened_by_the_code()
    assert "readinglist/search/QUERY_SYNTAX.md" in opened
    assert "readinglist/_resources/icons/readinglist.svg" in opened
    assert "readinglist/_resources/readinglist.desktop" in opened
    for name in opened:
        source = name.replace("readinglist/_resources", "resources").replace(
            "readinglist/_seeds", "seeds"
        )
        assert (REPO_ROOT / source).is_file(), f"the code opens {source}, which is not there"


def test_wheel_ships_every_data_file(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted((data_files_opened_by_the_code() | data_files_in_the_source()) - names)
    assert missing == [], f"not in the wheel (pyproject package-data): {missing}"


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory) -> Path:
    """The wheel installed into a clean venv; its dependencies come from this
    interpreter's site-packages (added after the venv's own, so the wheel's copy of
    readinglist wins over any other). Offline and fast: pip install --no-deps."""
    root = tmp_path_factory.mktemp("venv")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
    )
    ours = {p for p in sysconfig.get_paths().values() if p.endswith("-packages")}
    (site / "zz_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    return python


def run_installed(python: Path, code: str, cwd: Path, **env) -> subprocess.CompletedProcess:
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), **env}
    return subprocess.run(
        [str(python), "-c", code],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_installed_package_opens_every_data_file(installed: Path, tmp_path: Path):
    opened = sorted(data_files_opened_by_the_code())
    code = (
        "import json, sys, readinglist, readinglist.search as s\n"
        "from pathlib import Path\n"
        "root = Path(readinglist.__file__).parent.parent\n"
        f"names = {opened!r}\n"
        "print(json.dumps({'root': str(root), 'syntax': s.QUERY_SYNTAX[:200],\n"
        "  'missing': [n for n in names if not (root / n).is_file()]}))\n"
    )
    result = run_installed(installed, code, tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["root"].startswith(str(installed.parent.parent)), report["root"]
    assert report["missing"] == []
    assert "title:" in (REPO_ROOT / "readinglist/search/QUERY_SYNTAX.md").read_text()
    assert report["syntax"].strip(), "Help → Search Syntax would be empty"


GUI_SMOKE = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
import readinglist
from readinglist.gui.app import create_application
from readinglist.gui.main_window import MainWindow
from readinglist.gui.settings import Settings
from readinglist.library import Library

app = create_application(sys.argv)
seen = []

def close_modal():
    widget = QApplication.activeModalWidget()
    if widget is not None:
        texts = [w.toPlainText() for w in widget.findChildren(object) if hasattr(w, "toPlainText")]
        seen.append((type(widget).__name__, widget.windowTitle(), max(map(len, texts), default=0)))
        widget.close() if not isinstance(widget, QDialog) else widget.reject()

timer = QTimer(); timer.timeout.connect(close_modal); timer.start(50)
with Library(sys.argv[1]) as library:
    window = MainWindow(library, Settings(sys.argv[2]))
    window.show()
    for name in ("show_search_help", "show_shortcuts", "show_about", "show_preferences",
                 "show_export", "show_auto_exports", "show_statistics"):
        result = getattr(window, name)()
        if isinstance(result, QDialog):
            seen.append((type(result).__name__, result.windowTitle(), -1))
            result.reject()
        app.processEvents()
    window.close()
print(readinglist.__file__)
for entry in seen:
    print("|".join(map(str, entry)))
"""


def test_installed_gui_starts_and_opens_each_dialog(installed: Path, tmp_path: Path):
    # GUI_SMOKE takes the library folder and the settings file after -c.
    result = subprocess.run(
        [str(installed), "-c", GUI_SMOKE, str(tmp_path / "lib"), str(tmp_path / "s.ini")],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    where, *dialogs = result.stdout.splitlines()
    assert where.startswith(str(installed.parent.parent))
    titles = {line.split("|")[0]: line.split("|") for line in dialogs}
    assert {
        "SearchHelpDialog",
        "ShortcutsDialog",
        "QMessageBox",
        "PreferencesDialog",
        "ExportDialog",
        "AutoExportDialog",
        "StatisticsDialog",
    } <= set(titles), dialogs
    assert int(titles["SearchHelpDialog"][2]) > 500, "the search help is empty"


def test_no_display_gives_a_clear_message(installed: Path, tmp_path: Path):
    result = subprocess.run(
        [str(installed), "-m", "readinglist.gui.app", "--library", str(tmp_path / "lib")],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no display found" in result.stderr and "--offscreen" in result.stderr
    assert "xcb-cursor" not in result.stderr


def test_install_system_deps_without_root_or_sudo_says_what_to_install(tmp_path: Path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in {
        "id": "echo 1000",
        "dpkg-query": "exit 1",  # nothing is installed
    }.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    (bin_dir / "grep").symlink_to(shutil.which("grep"))
    result = subprocess.run(
        ["/bin/sh", str(REPO_ROOT / "scripts" / "install-system-deps.sh")],
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "sudo: not found" not in result.stderr
    assert "These packages are missing: python3-venv" in result.stderr
    assert "apt-get install -y --no-install-recommends python3-venv" in result.stderr
