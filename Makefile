# Gongzhi — the two commands are `make run` and `make test` (see README.md).
.PHONY: run test lint bench

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

lint:
	bash scripts/lint.sh

bench:
	bash bench/run.sh
