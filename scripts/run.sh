#!/usr/bin/env bash
# make run: a local Numberdesk on 127.0.0.1:8080 (the API and a worker) with
# a seeded demo account.
# Uses NUMBERDESK_REDIS_URL when set; otherwise starts a private redis-server
# (data under out/redis, port 6390) and stops it on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
BIN=bin/numberdesk
ADDR=${NUMBERDESK_ADDR:-127.0.0.1:8080}
if [ -z "${NUMBERDESK_REDIS_URL:-}" ]; then
  mkdir -p out/redis
  PORT=${NUMBERDESK_DEV_REDIS_PORT:-6390}
  redis-server --port "$PORT" --bind 127.0.0.1 --dir "$PWD/out/redis" --appendonly yes \
    --save "" --daemonize yes --pidfile "$PWD/out/redis/redis.pid" --logfile "$PWD/out/redis/redis.log"
  STOP_REDIS=1
  export NUMBERDESK_REDIS_URL="redis://127.0.0.1:$PORT/0"
  for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
if [ ! -s out/demo.json ] || ! $BIN seed --account "$(sed -E 's/.*"account_id":"([^"]+)".*/\1/' out/demo.json)" --numbers 0 --extensions 0 >/dev/null 2>&1; then
  $BIN account create --name "Demo Company" --country US --licenses 2000 --toll-free-licenses 20 --json > out/demo.json
  ACCOUNT=$(sed -E 's/.*"account_id":"([^"]+)".*/\1/' out/demo.json)
  $BIN seed --account "$ACCOUNT" --numbers 1000 --extensions 100 --out out/demo-assignments.csv
fi
ACCOUNT=$(sed -E 's/.*"account_id":"([^"]+)".*/\1/' out/demo.json)
TOKEN=$(sed -E 's/.*"token":"([^"]+)".*/\1/' out/demo.json)
cat <<TXT

Numberdesk is running at http://$ADDR
  account:  $ACCOUNT
  token:    $TOKEN
  try:      curl -H "Authorization: Bearer $TOKEN" http://$ADDR/v1/account
  CSV:      out/demo-assignments.csv assigns the demo numbers to the demo extensions

TXT
cleanup() {
  [ -n "${WORKER_PID:-}" ] && kill "$WORKER_PID" 2>/dev/null && wait "$WORKER_PID" 2>/dev/null
  [ -n "${STOP_REDIS:-}" ] && kill "$(cat out/redis/redis.pid)" 2>/dev/null
  true
}
trap cleanup EXIT
$BIN worker --log-level warn &
WORKER_PID=$!
$BIN serve --addr "$ADDR"
