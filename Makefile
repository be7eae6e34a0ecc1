.PHONY: run test bench explain lint

run:
	scripts/run

test:
	scripts/test

bench:
	scripts/bench --markdown docs/benchmark-latest.md

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
