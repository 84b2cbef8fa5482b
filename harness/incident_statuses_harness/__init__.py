"""The test and benchmark harness: engine helpers, a hand-made organisation, a no-I/O baseline.

Installed editable by `make setup`, so tests, benchmarks and the provider processes they start
import it like any package.
"""
