# Two commands for a fresh Debian machine (as root):
#   make demo   set up, build the example media, then run `lipgate check` and `lipgate qa` on it
#   make test   set up, then run the whole test suite (slow end-to-end tests included)
# Set-up output (pip, the fixture builder) goes to .venv/*.log and is shown only when a step fails.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# waits up to 10 minutes for another apt-get or dpkg to let go of the lock, instead of failing
APT    := apt-get -o DPkg::Lock::Timeout=600

.PHONY: setup demo test test-fast fixtures system-deps test-deps clean

system-deps:
	@missing=""; \
	for program in ffmpeg ffprobe espeak-ng; do command -v $$program >/dev/null 2>&1 || missing="$$missing $$program"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages for:$$missing"; \
	  $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq --no-install-recommends ffmpeg espeak-ng >/dev/null; \
	fi

# The html report is tested in a real headless browser: Debian's chromium, for `make test` only.
test-deps:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "installing chromium (headless browser for the html report tests)"; \
	  $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq --no-install-recommends chromium >/dev/null; }

PIP    := $(BIN)/pip --disable-pip-version-check --no-input

$(STAMP): pyproject.toml
	@echo "installing lipgate and its test tools into $(VENV)/ (log: $(VENV)/pip.log)"
	@$(PYTHON) -m venv $(VENV)
	@{ $(PIP) install --upgrade pip && $(PIP) install -e '.[test]'; } >$(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@touch $(STAMP)

setup: system-deps $(STAMP)

fixtures: setup
	@echo "building the example media in fixtures/generated/"
	@$(BIN)/python -m fixtures.build >$(VENV)/fixtures.log 2>&1 || { cat $(VENV)/fixtures.log; exit 1; }

# The demo's reports are judgements (exit 1 on a failed check is a result, not an error); exit 2
# (could not judge) still stops it.
demo: fixtures
	@echo "== lipgate check fixtures/generated/portrait_talking.mp4 --audio fixtures/generated/speech.wav"
	@$(BIN)/lipgate check fixtures/generated/portrait_talking.mp4 --audio fixtures/generated/speech.wav; test $$? -le 1
	@echo; echo "== lipgate check fixtures/generated/portrait.png  (a still, judged on the picture alone)"
	@$(BIN)/lipgate check fixtures/generated/portrait.png; test $$? -le 1
	@echo; echo "== lipgate qa fixtures/generated/portrait_talking.mp4  (post-render sync QA)"
	@$(BIN)/lipgate qa fixtures/generated/portrait_talking.mp4; test $$? -le 1
	@$(BIN)/lipgate check fixtures/generated/portrait_talking.mp4 --format html -o out/demo-check.html; test $$? -le 1
	@$(BIN)/python -m fixtures.demo_render >/dev/null
	@echo; echo "== lipgate qa fixtures/generated/render_spoiled.mp4  (a render with a slip and a frozen mouth)"
	@$(BIN)/lipgate qa fixtures/generated/render_spoiled.mp4 --format html -o out/review.html; test $$? -le 1
	@$(BIN)/lipgate qa fixtures/generated/render_spoiled.mp4; test $$? -le 1
	@echo; echo "HTML pages: out/demo-check.html (check timeline), out/review.html (click a moment to watch it at 1x)"

test: setup test-deps
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

clean:
	rm -rf $(VENV) fixtures/generated .pytest_cache
