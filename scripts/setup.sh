#!/usr/bin/env bash
# Install what the tests need and build the fixtures. Needs root for
# apt-get; each fixture script skips what its cache already holds.
set -euo pipefail
repo_dir=$(cd "$(dirname "$0")/.." && pwd)

missing=""
for package in $(grep -v '^#' "$repo_dir/scripts/debian-packages.txt"); do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing="$missing $package"
done

if [ -n "$missing" ]; then
  echo "setup: apt-get install$missing" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

for script in "$repo_dir"/fixtures/*/build.sh; do
  bash "$script"
done
