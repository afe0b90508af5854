"""Only the optional C extension; everything else about the package is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "service.ledger._speedups",
            ["service/ledger/_speedups.c"],
            libraries=["crypto"],
            optional=True,  # without a compiler or OpenSSL's headers, verification runs its Python twins
        )
    ]
)
