#!/usr/bin/env bash
# Install the Debian packages assay needs to build, test and benchmark.
# Prints what it installs; installs nothing that is already there.
#   scripts/install-deps.sh           build + test dependencies
#   scripts/install-deps.sh --bench   also the Python peers for bench/
set -euo pipefail

pkgs=(build-essential cmake pkg-config libjansson-dev libyaml-dev libgsl-dev libssl-dev libcmocka-dev
      libhyperscan-dev libpcre2-dev libutf8proc-dev libsodium-dev libsqlite3-dev libcurl4-openssl-dev
      libmicrohttpd-dev python3)
if [[ ${1:-} == --bench ]]; then
  pkgs+=(python3-numpy python3-pandas python3-sklearn hyperfine time)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=()
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 2; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
