"""Deterministic simulation (issue 11): `make simulate SEEDS=N`, `make simulate SEED=S` replays one."""
