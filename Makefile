# Two commands do all set-up on a fresh machine:
#   make run    install, build the index on first start, open the chat app
#   make test   install (and Debian's chromium for the browser tests), run every test
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test test-fast index bench chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch's CUDA wheels are large and a dropped connection rarely resumes (the ranged request
	# gets no bytes), so the whole install is tried again: pip's cache keeps the wheels that
	# did arrive, and each try fetches what is left on a fresh connection.
	for attempt in 1 2 3 4 5 6; do \
	  $(BIN)/pip install --quiet --retries 10 --resume-retries 3 --timeout 60 -e '.[test]' && break; \
	  if [ $$attempt = 6 ]; then echo "pip install failed 6 times: check the network" >&2; exit 1; fi; \
	  echo "pip install failed (try $$attempt of 6): trying again in 10 s" >&2; sleep 10; \
	done
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/python app.py

index: setup
	$(BIN)/qa index build

chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: setup chromium
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m "not model and not browser and not slow"

bench: setup
	$(BIN)/python bench/embedding_speed.py

clean:
	rm -rf $(VENV) index/build-* index/CURRENT index/.lock
