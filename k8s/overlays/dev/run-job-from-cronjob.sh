#!/usr/bin/env sh
# Runs a Job from a (suspended) CronJob of the namespace, waits for it to succeed or fail, prints its
# logs and exits with its outcome:   run-job-from-cronjob.sh <cronjob> [namespace]
set -eu
cronjob="$1"
namespace="${2:-switchboard}"
job="$cronjob-$(date +%s)"
kubectl -n "$namespace" create job --from="cronjob/$cronjob" "$job"
outcome=""
while [ -z "$outcome" ]; do
  sleep 2
  outcome="$(kubectl -n "$namespace" get job "$job" -o jsonpath='{.status.succeeded}{.status.failed}')"
done
kubectl -n "$namespace" logs "job/$job" || true
[ "$(kubectl -n "$namespace" get job "$job" -o jsonpath='{.status.succeeded}')" = "1" ]
