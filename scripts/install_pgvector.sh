#!/usr/bin/env bash
# Build and install the pgvector extension into the local PostgreSQL server when it is missing.
# Debian bookworm does not package pgvector, so its source comes from Debian trixie's source package,
# read through a private apt source list (the system's sources are left alone) and built against
# this server's headers (postgresql-server-dev-<major>). OPTFLAGS="" keeps -march=native out, so the
# library runs on any x86-64 machine the database may move to. Without pgvector the feed still works:
# similarity falls back to NumPy (feed/ranking/sources.py).
set -euo pipefail

major=${PG_MAJOR:-$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n1)}
if [ -z "$major" ]; then
  echo "install_pgvector: no PostgreSQL server under /usr/lib/postgresql; nothing to do" >&2
  exit 0
fi
if [ -f "/usr/share/postgresql/$major/extension/vector.control" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install_pgvector: apt-get is missing; install pgvector for PostgreSQL $major by hand" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo

echo "install_pgvector: building pgvector for PostgreSQL $major"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "postgresql-server-dev-$major" make gcc dpkg-dev >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # apt downloads as the _apt user
mkdir -p "$work/lists/partial" "$work/parts"
cat >"$work/sources.list" <<'EOF'
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
EOF
apt_private=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=$work/parts"
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::archives=$work")
apt-get "${apt_private[@]}" update -qq
(cd "$work" && apt-get "${apt_private[@]}" source --download-only -qq pgvector)
tar -xf "$work"/pgvector_*.orig.tar.* -C "$work"
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n1)
make -C "$src" -s OPTFLAGS="" PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config"
$sudo make -C "$src" -s OPTFLAGS="" PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" install
echo "install_pgvector: installed $(basename "$src") for PostgreSQL $major"
