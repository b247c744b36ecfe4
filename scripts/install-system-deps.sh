#!/bin/sh
# Install the Debian/Ubuntu packages readinglist needs around Python: venv support and the
# libraries Qt loads (also for a real window under Xvfb), plus CJK fonts so Chinese and
# Japanese abstracts render, bibtex, pdflatex and biber, which the export tests run, and
# the PostgreSQL server the sync tests start in a temporary folder (tests/sync/conftest.py).
# Safe to run again; uses sudo when not run as root, and without root or sudo prints
# the packages to install and how.
set -eu
packages="python3-venv python3-pip libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1
libdbus-1-3 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 xvfb xauth fonts-noto-cjk
texlive-base texlive-latex-base biber postgresql"
missing=""
for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
        || missing="$missing $package"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    # Neither root nor sudo: say what is missing and how to get it, instead of failing
    # with "sudo: not found".
    echo "These packages are missing:$missing" >&2
    echo "Install them as root (for example with su -c), then run this script again:" >&2
    echo "    apt-get update && apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
