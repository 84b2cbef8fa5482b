"""The test and benchmark harness: the checkout's engine through the Automation API (workspace),
engine helpers, a hand-made organisation, a no-I/O baseline.

Installed editable by `make setup`, so tests, benchmarks and the provider processes they start
import it like any package.
"""
