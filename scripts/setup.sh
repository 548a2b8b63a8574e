#!/usr/bin/env bash
# Install what the tests need and build the fixtures. Needs root for
# apt-get; each fixture script skips what its cache already holds.
set -euo pipefail
repo_dir=$(cd "$(dirname "$0")/.." && pwd)

packages=$(grep -v '^#' "$repo_dir/scripts/debian-packages.txt" | tr '\n' ' ')
missing=$(dpkg-query -W -f='${Package} ${Status}\n' $packages 2>/dev/null | awk '$4 != "installed" {print $1}' || true)
for package in $packages; do
  dpkg-query -W "$package" >/dev/null 2>&1 || missing="$missing $package"
done
if [ -n "${missing// /}" ]; then
  echo "setup: apt-get install$missing" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

for script in "$repo_dir"/fixtures/*/build.sh; do
  bash "$script"
done
