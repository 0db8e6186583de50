#!/usr/bin/env bash
# Realm's web SDK (realm-web, from the npm registry) logs in to a real
# ros-authd: tests/sdk/realm_web_login.js. Exits 77 (skipped, and says why)
# when node or npm is missing or the package cannot be installed.
# Usage: realm_web_test.sh <source dir> <build dir>
set -euo pipefail
src=$1
build=$2
command -v node >/dev/null && command -v npm >/dev/null || { echo "SKIP: node and npm are needed"; exit 77; }
cache="$build/tests/sdk/node"
if [ ! -d "$cache/node_modules/realm-web" ]; then
  mkdir -p "$cache"
  if ! (cd "$cache" && npm install --no-audit --no-fund --silent realm-web@2.0.1 >npm.log 2>&1); then
    echo "SKIP: npm install realm-web@2.0.1 failed:"; tail -5 "$cache/npm.log"; exit 77
  fi
fi

work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir "$work/root"
openssl genrsa -out "$work/token.key" 2048 2>/dev/null
openssl rsa -in "$work/token.key" -pubout -out "$work/token.pub" 2>/dev/null
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
cat > "$work/configuration.yml" <<YAML
storage:
  root_path: $work/root
auth:
  public_key_path: $work/token.pub
  private_key_path: $work/token.key
network:
  http:
    listen_address: 127.0.0.1
    listen_port: $port
proxy:
  http:
    enable: false
apps:
  web-app:
    providers:
      local-userpass:
      anon-user:
      api-key:
YAML
"$build/cmd/ros-authd" --config "$work/configuration.yml" >"$work/authd.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/health" && break
  sleep 0.1
done
if ! NODE_PATH="$cache/node_modules" node "$src/tests/sdk/realm_web_login.js" "http://127.0.0.1:$port" web-app; then
  echo "--- ros-authd log"; cat "$work/authd.log"; exit 1
fi
