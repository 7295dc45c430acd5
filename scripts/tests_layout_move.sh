#!/usr/bin/env bash
# Moves the tests into the layout tests/README.md describes (tests/<app>/<package>/ mirroring the code),
# once, on a clean tree: `git mv` for every file in MOVES, an empty __init__.py in each new folder, then
# every old module name (tests.jobs.test_job_create) and path (tests/jobs/test_job_create.py) rewritten
# in the tracked text files (tests, docs, scripts, code comments). Review with `git status`, collect
# with `.venv/bin/python -m pytest --collect-only -q`, then commit.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
if [ -n "$(git status --porcelain)" ]; then
    echo "tests_layout_move: the tree has uncommitted changes; commit them first" >&2
    exit 1
fi
if [ ! -d tests/jobs ]; then
    echo "tests_layout_move: tests/jobs is gone: the move has already run" >&2
    exit 1
fi

# old path -> new path, one file a line (tests/README.md, "What moves where").
MOVES=(
    # tests/api: generation.api -> tests/generation/api
    "tests/api/__init__.py tests/generation/api/__init__.py"
    "tests/api/clients.py tests/generation/api/clients.py"
    "tests/api/receiver.py tests/generation/api/receiver.py"
    "tests/api/test_api_errors.py tests/generation/api/test_api_errors.py"
    "tests/api/test_fuzz.py tests/generation/api/test_fuzz.py"
    "tests/api/test_keys_and_webhooks.py tests/generation/api/test_keys_and_webhooks.py"
    "tests/api/test_runserver_inline.py tests/generation/api/test_runserver_inline.py"
    "tests/api/test_videos_sdk.py tests/generation/api/test_videos_sdk.py"
    # tests/jobs: generation's root modules (services, worker, finishing, views) -> tests/generation
    "tests/jobs/test_diffusers_job.py tests/generation/test_diffusers_job.py"
    "tests/jobs/test_drafts_page.py tests/generation/test_drafts_page.py"
    "tests/jobs/test_finishing.py tests/generation/test_finishing.py"
    "tests/jobs/test_job_create.py tests/generation/test_job_create.py"
    "tests/jobs/test_job_run.py tests/generation/test_job_run.py"
    "tests/jobs/test_ltx2_job.py tests/generation/test_ltx2_job.py"
    "tests/jobs/test_who_may_create.py tests/generation/test_who_may_create.py"
    # tests/generation: the backends -> tests/generation/backends; sora_site.media -> tests/platform
    "tests/generation/test_diffusers_backend.py tests/generation/backends/test_diffusers_backend.py"
    "tests/generation/test_ltx2_backend.py tests/generation/backends/test_ltx2_backend.py"
    "tests/generation/test_preview_backend.py tests/generation/backends/test_preview_backend.py"
    "tests/generation/test_media.py tests/platform/test_media.py"
    # tests/provenance: generation.provenance -> tests/generation/provenance; the verify page is
    # feed.verify; signed media URLs are sora_site.media_views; the finished-job builder is shared
    "tests/provenance/__init__.py tests/generation/provenance/__init__.py"
    "tests/provenance/test_signing.py tests/generation/provenance/test_signing.py"
    "tests/provenance/test_watermarks.py tests/generation/provenance/test_watermarks.py"
    "tests/provenance/test_verify.py tests/feed/verify/test_verify.py"
    "tests/provenance/test_media_urls.py tests/platform/test_media_urls.py"
    "tests/provenance/helpers.py tests/builders/finished_jobs.py"
    # tests/feed: one folder per feed package (pages.py, the profile page, stays at the root)
    "tests/feed/test_accounts.py tests/feed/accounts/test_accounts.py"
    "tests/feed/test_login_throttle.py tests/feed/accounts/test_login_throttle.py"
    "tests/feed/test_social.py tests/feed/graph/test_social.py"
    "tests/feed/test_engagement.py tests/feed/engagement/test_engagement.py"
    "tests/feed/test_who_may_edit_posts.py tests/feed/posts/test_who_may_edit_posts.py"
    "tests/feed/test_who_may_see.py tests/feed/posts/test_who_may_see.py"
    "tests/feed/test_feed_pipeline.py tests/feed/ranking/test_feed_pipeline.py"
    "tests/feed/test_feed_scale.py tests/feed/ranking/test_feed_scale.py"
    "tests/feed/test_japanese_steering.py tests/feed/ranking/test_japanese_steering.py"
    "tests/feed/test_ranking_stages.py tests/feed/ranking/test_ranking_stages.py"
    # tests/cameos: cameos.verification -> tests/cameos/verification; the builders other apps use
    "tests/cameos/test_verification.py tests/cameos/verification/test_verification.py"
    "tests/cameos/test_voice_pitch.py tests/cameos/verification/test_voice_pitch.py"
    "tests/cameos/factories.py tests/builders/cameos.py"
    "tests/cameos/fixtures.py tests/builders/cameo_recordings.py"
)

# Relative imports in tests/cameos (`from .factories import`, `from . import fixtures as F`) would point
# at the old folder after the moves: make them absolute first, so the renames below reach them.
for file in $(git grep -l -E '^\s*from \.' -- tests/cameos); do
    PACKAGE=$(dirname "$file" | tr / .) perl -pi -e \
        's/^(\s*)from \. import (\w+)( as \w+)?$/$1import $ENV{PACKAGE}.$2$3/; s/^(\s*)from \.(\w)/$1from $ENV{PACKAGE}.$2/' "$file"
done

module_of() { local path=${1%.py}; path=${path%/__init__}; echo "${path//\//.}"; }

for pair in "${MOVES[@]}"; do
    read -r old new <<<"$pair"
    folder=$(dirname "$new")
    mkdir -p "$folder"
    if [ ! -e "$folder/__init__.py" ] && [ "$(basename "$new")" != "__init__.py" ]; then
        : >"$folder/__init__.py"
        git add "$folder/__init__.py"
    fi
    git mv "$old" "$new"
done
git rm -q tests/jobs/__init__.py  # the one folder left with only its __init__.py
for folder in tests/api tests/jobs tests/provenance; do  # git removes an emptied folder, unless caches are left
    if [ -d "$folder" ]; then
        rm -rf "$folder/__pycache__"
        rmdir "$folder"
    fi
done

# One level deeper: the repository root is one parent further up.
perl -pi -e 's/parents\[2\]/parents[3]/' tests/cameos/verification/test_voice_pitch.py

# Rewrite old names in every tracked text file: modules (tests.jobs.test_job_create) and paths.
mapfile -t texts < <(git ls-files -- '*.py' '*.md' '*.toml' '*.cfg' '*.ini' '*.yml' '*.yaml' '*.sh' Makefile \
    | grep -v -e '^scripts/tests_layout_move.sh$' -e '^tests/README.md$')
for pair in "${MOVES[@]}"; do
    read -r old new <<<"$pair"
    [ "$(basename "$old")" = "__init__.py" ] && continue
    OLD_MODULE=$(module_of "$old") NEW_MODULE=$(module_of "$new") OLD_PATH=$old NEW_PATH=$new \
        perl -pi -e 's/\Q$ENV{OLD_MODULE}\E(?![\w])/$ENV{NEW_MODULE}/g; s/\Q$ENV{OLD_PATH}\E/$ENV{NEW_PATH}/g' "${texts[@]}"
done
# Whole folders named in docs and commands.
perl -pi -e 's{tests/api/}{tests/generation/api/}g; s{tests/jobs/}{tests/generation/}g; s{tests/provenance/}{tests/generation/provenance/}g' "${texts[@]}"

# A longer path can push a comment past the line limit; a renamed import can land out of order.
perl -pi -e 's/^(# The suite starts many short-lived Celery workers;) (warming is tested on its own .*)$/$1\n# $2/' tests/settings.py
.venv/bin/ruff check --quiet --select I001 --fix tests
.venv/bin/ruff format --quiet tests
.venv/bin/ruff check --quiet tests

git add -A tests
git add -u
echo "tests_layout_move: moved ${#MOVES[@]} files; now run: .venv/bin/python -m pytest --collect-only -q"
