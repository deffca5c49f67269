"""Build the one C extension (the HJ 212 CRC); everything else is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("eco263.monitoring.hj212._crc16", ["eco263/monitoring/hj212/_crc16.c"]),
    ]
)
