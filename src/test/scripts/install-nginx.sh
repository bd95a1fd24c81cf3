#!/usr/bin/env bash
# Installs the reverse proxy the ingress tests put in front of the replicas: Debian's nginx, the same proxy
# ingress-nginx runs. The Maven build runs this only when /usr/sbin/nginx is missing. The tests start nginx
# themselves, as a child process with a configuration of their own; the system service is not used.
set -euo pipefail
if [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "The ingress tests need nginx at /usr/sbin/nginx." >&2
  echo "Install it with your package manager (Debian: apt-get install nginx-light)." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing nginx for the ingress tests..."
$sudo apt-get update -qq
# no service start from the package's scripts: the tests run their own nginx
DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $sudo apt-get install -y -qq nginx-light >/dev/null \
  || DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $sudo apt-get install -y -qq nginx >/dev/null
