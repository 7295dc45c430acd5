# Two commands matter: `make run` (demo on this machine) and `make test` (the whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/pip install --quiet --disable-pip-version-check
SYSTEM_PACKAGES := chromium espeak-ng sox

.PHONY: install system-packages run test test-fast lint bench check-deploy clean

# System tools the app and the browser tests shell out to (Debian/Ubuntu). Skipped when present.
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# torch first so nothing pulls a CUDA build; setuptools<81 for pkg_resources users;
# face-recognition and resemblyzer without their deps (they would compile dlib / pull `typing`).
$(STAMP): requirements.txt requirements-dev.txt
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
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser"

# Benchmarks print markdown tables; copy them with the command into docs/BENCHMARKS.md.
lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check feed generation sora_site scripts

bench: install
	$(BIN)/python bench/preview_renderer.py
	$(BIN)/python bench/cameo_verification.py
	$(BIN)/python bench/gpu_generation.py --tiny

check-deploy: install
	DEBUG=0 HTTPS_ONLY=1 SECRET_KEY=$$($(BIN)/python -c "import secrets;print(secrets.token_urlsafe(64))") \
	  ALLOWED_HOSTS=video.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/staticfiles
