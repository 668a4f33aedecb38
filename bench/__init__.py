"""The city-scale benchmark: data generator (`generate`), sign-in without a browser (`auth`), load run (`run`).

Not part of the product and not collected by pytest; `make bench` (scripts/bench.sh) drives it.
"""
