#!/usr/bin/env bash
# Installs the message server the relay tests run: Debian's nats-server. The Maven build runs this only when
# /usr/sbin/nats-server is missing. The tests start nats-server themselves, as a child process on a port of
# their own; a system service, if the package starts one, is not used.
set -euo pipefail
if [ -x /usr/sbin/nats-server ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "The relay tests need nats-server at /usr/sbin/nats-server." >&2
  echo "Install it with your package manager (Debian: apt-get install nats-server)." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing nats-server for the relay tests..."
$sudo apt-get update -qq
# no service start from the package's scripts: the tests run their own server
DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $sudo apt-get install -y -qq nats-server >/dev/null
