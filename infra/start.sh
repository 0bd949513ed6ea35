#!/usr/bin/env bash
# Starts the whole system: NATS, PostgreSQL, migrations and every service, in the foreground.
# Ctrl-C (or SIGTERM) drains every service and stops.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
prepare_machine
cd "$ROOT"
exec pnpm exec tsx infra/run-services.ts "$@"
