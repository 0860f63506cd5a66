#!/usr/bin/env bash
# Runs every test project (and the benchmark smoke check) and ends with one line: "N passed, N failed[, N skipped]".
# Installs what the tests need first: Apache Qpid Proton for python (the interop peer), from Debian.
set -uo pipefail
cd "$(dirname "$0")"

if ! { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import proton' 2>/dev/null; }; then
  echo "== installing python3-qpid-proton (the interop tests' AMQP peer)"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-qpid-proton >/dev/null \
    || { echo "could not install python3-qpid-proton"; echo "0 passed, 1 failed"; exit 1; }
fi

echo "== building"
if ! dotnet build Van.sln -c Release -nologo -v quiet; then
  echo "0 passed, 1 failed"
  exit 1
fi

results="$(pwd)/TestResults"
rm -rf "$results"
passed=0; failed=0; skipped=0
failures=()
for project in tests/*/*.csproj; do
  name="$(basename "$project" .csproj)"
  echo "== $name"
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$results"
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
    p=$(get passed); f=$(get failed); t=$(get total); e=$(get executed)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
    skipped=$((skipped + ${t:-0} - ${e:-0}))
    while IFS= read -r test; do failures+=("$name: $test"); done \
      < <(grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed -n 's/.*testName="\([^"]*\)".*/\1/p')
  else
    echo "!! $name produced no results (crash or build failure)"
    failed=$((failed + 1))
    failures+=("$name: no results (crash or build failure)")
  fi
done

# A smoke step counts as one test: smoke DIR TIMEOUT "what it shows" ARGS...
smoke() {
  local dir="$1" limit="$2" title="$3"; shift 3
  [ -d "benchmarks/$dir" ] || return 0
  echo "== $title"
  if timeout "$limit" dotnet run -c Release --no-build --project "benchmarks/$dir" -- "$@"; then
    passed=$((passed + 1))
  else
    local rc=$?
    failed=$((failed + 1))
    failures+=("$dir $*: exit $rc$([ "$rc" -eq 124 ] && echo " (timed out after $limit s)")")
  fi
}

smoke Van.Core.Benchmarks 300 "benchmark smoke (hot-path allocation goals)" --smoke
smoke Van.Routing.Benchmarks 300 "routing benchmark smoke (50 whole nodes converge and route)" --nodes 50
smoke Van.Routing.Benchmarks 300 "transit allocation check (a forwarded message allocates nothing on the transit node)" --transit-check
smoke Van.LoadTest 180 "load-test smoke (every scenario and baseline runs briefly; every reply checked)" --short
smoke Van.Fuzz 300 "fuzz smoke (20,000 fixed-seed mutated frames/messages: decoders and a live node; no crash, hang or growth)" \
  --cases 20000 --seed 20261121 --live-target router

if [ "${#failures[@]}" -gt 0 ]; then
  echo "== failed:"
  printf '   %s\n' "${failures[@]}"
fi

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
