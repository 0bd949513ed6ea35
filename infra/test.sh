#!/usr/bin/env bash
# Runs every test: type check, lint, then unit, integration and whole-stack tests on the real NATS
# and PostgreSQL. Prints one closing line 'tests: N passed, N failed'.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
prepare_machine
ensure_chromium
cd "$ROOT"
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-${DATABASE_URL%/*}/postgres}"
export TEST_NATS_URL="${TEST_NATS_URL:-$NATS_URL}"
export WEBHOOKS_ALLOW_PRIVATE=true

log "type check"
pnpm exec tsc -p tsconfig.json --noEmit
log "lint"
pnpm exec biome check --diagnostic-level=error .

status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$DATA/vitest.json" "$@" || status=$?
node infra/test-summary.mjs "$DATA/vitest.json" || true
exit "$status"
