# Two commands: `make run` and `make test`. Both install what is missing first (see scripts/setup.sh).
.PHONY: setup run test bench train-rubric clean-models

setup:
	@bash scripts/setup.sh

run: setup
	cargo run --release --quiet

test: setup
	@bash scripts/test.sh

bench: setup
	cargo bench

# Regenerate assets/rubric-training.txt (scripts/rubric-training.py) and retrain the semantic rubric head
# (assets/rubric-head.json) from it.
train-rubric: setup
	python3 scripts/rubric-training.py > assets/rubric-training.txt
	cargo run --release --example train_rubric

clean-models:
	rm -f models/ggml-*.bin
