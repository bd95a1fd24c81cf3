#!/usr/bin/env bash
# Installs the headless browser the page test drives: Debian's chromium and its matching chromedriver.
# The Maven build runs this only when /usr/bin/chromedriver is missing.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "The page test needs Chromium and ChromeDriver at /usr/bin/chromium and /usr/bin/chromedriver." >&2
  echo "Install them with your package manager (Debian: apt-get install chromium chromium-driver)." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing chromium and chromium-driver for the page test..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
