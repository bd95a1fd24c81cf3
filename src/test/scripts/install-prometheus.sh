#!/usr/bin/env bash
# Installs promtool, which checks the alert rules (src/main/observability/prometheus) and runs their unit tests:
# Debian ships it in the prometheus package. The Maven build runs this only when /usr/bin/promtool is missing.
# Nothing else of the package is used; its server is never started.
set -euo pipefail
if [ -x /usr/bin/promtool ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "The alert rule tests need promtool at /usr/bin/promtool." >&2
  echo "Install it with your package manager (Debian: apt-get install prometheus), or Prometheus' release archive." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing prometheus (for promtool) for the alert rule tests..."
$sudo apt-get update -qq
# no service start from the package's scripts, and none of the recommended exporters
DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
