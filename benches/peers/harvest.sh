#!/usr/bin/env bash
# Bench client for ../shared/bench (see its README, "Adding a client"):
#   harvest.sh CORPUS_DIR OUT_JSONL STATS_JSON [extra `harvest run` args]
# Turns the corpus's seeds into a crawl config, runs the release binary with
# output and sled progress on, and hands the JSON lines and stats back.
# Knobs (env): HARVEST_BIN, HARVEST_MAX_IN_FLIGHT (128), HARVEST_PER_ORIGIN (16),
# HARVEST_RATE (per origin, default unlimited: 1e6/s), HARVEST_BURST (1000),
# HARVEST_METRICS (e.g. 127.0.0.1:9899: serve /metrics during the run),
# HARVEST_IO_THREADS (fetch/parse threads, default 0: one per core).
set -euo pipefail
corpus=$1 out=$2 stats=$3
shift 3
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${HARVEST_BIN:-$root/target/release/harvest}
if [[ ! -x $bin ]]; then
  (cd "$root" && cargo build --release --quiet)
fi
work=$(mktemp -d "$(dirname "$out")/harvest.XXXXXX")
trap 'rm -rf "$work"' EXIT

seeds=$corpus/seeds.txt selector=data paginator='{ type = "json_link", next_url_path = "next" }' max_body=67108864
if [[ ! -s $seeds ]]; then  # bigbody: one URL of one big JSON array
  seeds=$corpus/array_seeds.txt selector= paginator='{ type = "single_page" }' max_body=1073741824
fi
cat > "$work/crawl.toml" <<TOML
[crawl]
state_dir = "$work/state"
output_dir = "$work/out"
max_in_flight = ${HARVEST_MAX_IN_FLIGHT:-128}
io_threads = ${HARVEST_IO_THREADS:-0}

[client]
rate_per_sec = ${HARVEST_RATE:-1000000.0}
burst = ${HARVEST_BURST:-1000}
max_in_flight_per_origin = ${HARVEST_PER_ORIGIN:-16}
max_body_bytes = $max_body

[retry]
max_attempts = 10
base_delay = "100ms"
max_delay = "5s"

$( [[ -n ${HARVEST_METRICS:-} ]] && printf '[metrics]\nlisten = "%s"\n' "$HARVEST_METRICS" )

[[resources]]
name = "records"
seeds_file = "$seeds"
data_selector = "$selector"
paginator = $paginator
TOML

rc=0
"$bin" run "$work/crawl.toml" --quiet --summary-json "$work/summary.json" "$@" || rc=$?
mv "$work/out/records.jsonl" "$out"
python3 - "$work/summary.json" "$stats" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
json.dump({"pages": s["pages"], "http_5xx": s["responses"]["5xx"], "conn_errors": s["transport_errors"],
           "elapsed_s": round(s["elapsed_s"], 3), "retries": s["retries"]}, open(sys.argv[2], "w"))
PY
exit $rc
