# Two commands matter: `make run` (demo on this machine) and `make test` (the whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/pip install --quiet --disable-pip-version-check
# Debian/Ubuntu packages: espeak-ng speaks dialogue, DejaVu is the preview renderer's font;
# the browser tests drive Debian's Chromium. Installed only when missing.
RUN_PACKAGES := espeak-ng fonts-dejavu-core
TEST_PACKAGES := chromium

.PHONY: install system-packages run test test-fast lint bench check-deploy clean

system-packages:
	@PYTHON=$(PY) scripts/ensure_system_packages.sh $(RUN_PACKAGES)

# torch first so nothing pulls a CUDA build; setuptools<81 for pkg_resources users;
# face-recognition and resemblyzer without their deps (they would compile dlib / pull `typing`).
$(STAMP): requirements.txt requirements-dev.txt | system-packages
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(PIP) "setuptools<81" wheel 2>&1 | grep -v "^WARNING: Location" || true
	$(PIP) torch==2.13.0 2>&1 | grep -v "^WARNING: Location" || true
	$(PIP) -r requirements.txt -r requirements-dev.txt 2>&1 | grep -v "^WARNING: Location" || true
	$(PIP) --no-deps face-recognition==1.3.0 resemblyzer==0.1.4 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import django, torch, face_recognition, resemblyzer, av, channels, celery" 
	touch $(STAMP)

install: system-packages $(STAMP)

run: install
	$(BIN)/python scripts/run_local.py

test: install
	@scripts/ensure_system_packages.sh $(TEST_PACKAGES)
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser"

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check feed generation sora_site scripts

# Benchmarks print markdown tables; copy them with the command into docs/BENCHMARKS.md.
bench: install
	$(BIN)/python bench/preview_renderer.py
	$(BIN)/python bench/cameo_verification.py
	$(BIN)/python bench/gpu_generation.py --tiny

check-deploy: install
	DEBUG=0 HTTPS_ONLY=1 SECRET_KEY=$$($(BIN)/python -c "import secrets;print(secrets.token_urlsafe(64))") \
	  ALLOWED_HOSTS=video.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/staticfiles
