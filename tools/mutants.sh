#!/usr/bin/env bash
# The mutation pass (cargo-mutants, pinned by ./x): the domain's credit check, approval workflow,
# aging and warning rules, each area against its own tests. Prints each area's score and the
# mutants no test caught; the run's files stay in target/mutants/<area>/mutants.out.
# Usage: tools/mutants.sh [area ...]   (areas: credit workflow aging rules; default all)
#        MUTANTS_ITERATE=1 tools/mutants.sh ...   tries again only what the last run missed
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/mutants
mkdir -p "$out"

# area | its files | regular expressions of the mutants' names (file and function) | test targets
declare -A FILES RE TESTS
FILES[credit]='src/domain/src/credit.rs'
FILES[workflow]='src/domain/src/approval.rs src/domain/src/workflow.rs'
FILES[aging]='src/domain/src/reports.rs'
FILES[rules]='src/domain/src/monitor.rs'
RE[credit]='credit\.rs:.* in (check|Limits::effective|Exposure::total|share_of|Release::covers|Reason::blocks)$'
TESTS[credit]='--lib --test credit'
RE[workflow]='(approval\.rs:.* in (Flow::decide|Flow::missing_roles|Flow::submit|Flow::withdraw|Flow::can_act|approvers|Routes::route)$)|(workflow\.rs:)'
TESTS[workflow]='--test approval'
RE[aging]='reports\.rs:.* in (Ledger::points_into|Ledger::point_into|Point::age|Bucket::of|Point::add|Point::overdue|Ledger::aged_items)$'
TESTS[aging]='--test reports --test ledger --test corrections'
RE[rules]='monitor\.rs:.* in (Rule::fires|Op::holds|facts|whole_months|MonitorState::run)$'
TESTS[rules]='--test monitor'

areas=("$@")
[ ${#areas[@]} -eq 0 ] && areas=(credit workflow aging rules)
for area in "${areas[@]}"; do
  [ -n "${RE[$area]:-}" ] || { echo "unknown area: $area (credit workflow aging rules)" >&2; exit 2; }
  echo "==> mutants: $area"
  files=()
  for f in ${FILES[$area]}; do files+=(--file "$f"); done
  # --iterate: a second run tries again only what the last one did not catch.
  iterate=()
  [ -n "${MUTANTS_ITERATE:-}" ] && [ -f "$out/$area/mutants.out/outcomes.json" ] && iterate=(--iterate)
  # shellcheck disable=SC2086
  cargo mutants --package creditdesk-domain "${files[@]}" --re "${RE[$area]}" --timeout 120 \
    "${iterate[@]}" --output "$out/$area" --no-shuffle -- ${TESTS[$area]} >"$out/$area.log" 2>&1 || true
done

echo
printf '%-10s %9s %12s %7s %7s %9s %8s\n' area "in scope" "missed now" tested caught unviable timeout
for area in "${areas[@]}"; do
  f="$out/$area/mutants.out/outcomes.json"
  [ -f "$f" ] || { echo "$area: no outcomes (see $out/$area.log)"; continue; }
  files=()
  for g in ${FILES[$area]}; do files+=(--file "$g"); done
  scope=$(cargo mutants --list --package creditdesk-domain "${files[@]}" --re "${RE[$area]}" 2>/dev/null | wc -l)
  missed=$(grep -c . "$out/$area/mutants.out/missed.txt" || true)
  python3 - "$area" "$f" "$scope" "$missed" <<'PY'
import json, sys
area, path, scope, missed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
d = json.load(open(path))
# "tested" is this run's (an iterating run tries again only what the last one missed).
print(f'{area:<10} {scope:>9} {missed:>12} {d["total_mutants"]:>7} {d["caught"]:>7} {d["unviable"]:>9} {d["timeout"]:>8}')
PY
done
for area in "${areas[@]}"; do
  missed="$out/$area/mutants.out/missed.txt"
  if [ -s "$missed" ]; then
    echo
    echo "missed ($area):"
    sed 's/^/  /' "$missed"
  fi
done
