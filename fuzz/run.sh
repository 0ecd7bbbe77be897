#!/usr/bin/env bash
# Runs one fuzz target for a while: seeds the working corpus from seeds/,
# then fuzzes with the SIP dictionary, one job.
#
#   fuzz/run.sh parse_message 600      # ten minutes
#   fuzz/run.sh parse_uri              # default 60 s
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: run.sh <parse_message|parse_uri|stream_framer> [seconds]}
seconds=${2:-60}
mkdir -p "corpus/$target" "artifacts/$target"
cp -n "seeds/$target"/* "corpus/$target"/ 2>/dev/null || true
exec cargo +nightly fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 -max_len=4096 \
    -dict=dicts/sip.dict -artifact_prefix="artifacts/$target/"
