#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 600 s each) and prints its figures.
# Needs cargo-fuzz (`cargo install cargo-fuzz`); the stable toolchain is used with
# RUSTC_BOOTSTRAP=1 for libFuzzer's instrumentation. Seeds come from the nginx corpus in
# ../shared, generated/, the examples and the test fixtures. A crash leaves its input in
# fuzz/artifacts/<target>/; turn each into a regression test.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
export RUSTC_BOOTSTRAP=1
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
fi

seed() {
  local target=$1 dir=fuzz/corpus/$1
  mkdir -p "$dir"
  case $target in
    nginx_parse | nginx_load)
      find ../shared/corpus/nginx -type f ! -name '*.json' ! -name '*.bz2' -size -256k |
        while read -r f; do cp "$f" "$dir/$(echo "$f" | md5sum | cut -c1-16)"; done
      find generated examples -name nginx.conf |
        while read -r f; do cp "$f" "$dir/$(echo "$f" | md5sum | cut -c1-16)"; done ;;
    nginx_if)
      # The text after `if` of every `if` in the nginx corpus, the generated files and the
      # fixtures.
      grep -rhoE '^\s*if\s.*\{' ../shared/corpus/nginx generated examples tests/fixtures 2>/dev/null |
        sed -E 's/^\s*if//' | sort -u | head -2000 |
        while IFS= read -r l; do printf '%s' "$l" >"$dir/$(printf '%s' "$l" | md5sum | cut -c1-16)"; done ;;
    spec_load)
      cp spec.toml "$dir/default.toml"
      find examples tests/fixtures/spec-errors -name '*.toml' -size -256k |
        while read -r f; do cp "$f" "$dir/$(echo "$f" | md5sum | cut -c1-16)"; done ;;
    *)
      find generated examples tests/fixtures -type f -size -256k |
        while read -r f; do cp "$f" "$dir/$(echo "$f" | md5sum | cut -c1-16)"; done ;;
  esac
}

cargo fuzz build -O --fuzz-dir fuzz
for t in "${targets[@]}"; do
  seed "$t"
  log=$(mktemp)
  start=$(date +%s)
  status=0
  cargo fuzz run -O --fuzz-dir fuzz "$t" -- -max_total_time="$secs" -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 >"$log" 2>&1 || status=$?
  end=$(date +%s)
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
  corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
  printf '%-16s %5ss  %10s execs  %-22s corpus %6s  %s\n' "$t" "$((end - start))" "$runs" "$cov" "$corpus" \
    "$([ $status -eq 0 ] && echo ok || echo "CRASH (see fuzz/artifacts/$t and $log)")"
done
