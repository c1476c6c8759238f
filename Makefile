# Two commands: `make run` and `make test`. Both install what is missing first (see scripts/setup.sh).
.PHONY: setup run test bench clean-models

setup:
	@bash scripts/setup.sh

run: setup
	cargo run --release --quiet

test: setup
	@bash scripts/test.sh

bench: setup
	cargo bench

clean-models:
	rm -f models/ggml-*.bin
