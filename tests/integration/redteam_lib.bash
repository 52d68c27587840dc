# redteam_lib.bash: starting and stopping the deterministic test server
# (tests/redteam/server.c) for the redteam_*.sh integration tests.
: "${RT_SERVER:?run through ctest}" "${RT_EXEC_BOT:?}"
SUITE="$TESTS/data/redteam/bot-suite.yaml"
SERVER_PIDS=()

# start_server NAME [server options...]: sets URL_<NAME> and PORT_<NAME>
start_server() {
  local name=$1
  shift
  "$RT_SERVER" --port-file "$TMP/port.$name" "$@" &
  SERVER_PIDS+=($!)
  for _ in $(seq 100); do [[ -s $TMP/port.$name ]] && break; sleep 0.05; done
  local port
  port=$(cat "$TMP/port.$name")
  printf -v "PORT_$name" '%s' "$port"
  printf -v "URL_$name" 'http://127.0.0.1:%s/v1' "$port"
}

# requests NAME: completions requests the server has received
requests() {
  local port="PORT_$1"
  curl -s "http://127.0.0.1:${!port}/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'
}

stop_servers() {
  local p
  for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap stop_servers EXIT
