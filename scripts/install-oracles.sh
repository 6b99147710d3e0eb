#!/usr/bin/env bash
# Installs the interop oracles the tests compare against (Debian packages):
# PyTorch 1.13 (torch.load must read what ckpt writes), python3-zstandard, python3-lz4,
# and the zstd / lz4 command-line tools. Does nothing when they are already there.
set -euo pipefail
packages=(python3-torch python3-zstandard python3-lz4 zstd lz4)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing interop oracles: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
