"""Egg builder for scrapyd-deploy; tool configuration lives in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    name="rfi_cn",
    version="1.0.0",
    packages=find_packages(include=["rfi_cn", "rfi_cn.*"]),
    package_data={"rfi_cn.lake": ["schemas/*.json"]},
    entry_points={"scrapy": ["settings = rfi_cn.settings"]},
    zip_safe=False,
)
