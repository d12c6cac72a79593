"""Only what pyproject.toml cannot say: the top-level resources/ folder (icons, desktop entry)
ships inside the package as `desktop.resources`, so installed, editable and frozen apps find it
the same way (see desktop/resource_files.py)."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["desktop", "desktop.*"]) + ["desktop.resources"],
    package_dir={"desktop.resources": "resources"},
)
