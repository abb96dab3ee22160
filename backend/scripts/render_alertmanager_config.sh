#!/usr/bin/env bash
# Render an Alertmanager config template (backend/ops/alertmanager-*.yml) with envsubst.
#
#   render_alertmanager_config.sh TEMPLATE OUTPUT
#
# - Substitutes only the ${NAME} placeholders the template uses (Alertmanager's own {{ }}
#   templates and any other $ are left alone).
# - Fails fast (exit 1, naming the variables, never their values) when one is unset or empty,
#   so a missing secret never becomes an empty URL or key in a running Alertmanager.
# - OUTPUT is written owner-only (it holds secrets) and checked with `amtool check-config`
#   when amtool is installed.
# Exit codes: 0 rendered, 1 missing secret or invalid result, 2 bad arguments.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 TEMPLATE OUTPUT" >&2
  exit 2
fi
template=$1
output=$2
if [ ! -r "$template" ]; then
  echo "render_alertmanager_config: cannot read template $template" >&2
  exit 2
fi

names=$(grep -o '\${[A-Za-z_][A-Za-z0-9_]*}' "$template" | tr -d '${}' | sort -u || true)
missing=()
for name in $names; do
  if [ -z "${!name:-}" ]; then
    missing+=("$name")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "render_alertmanager_config: missing secret(s) for $template: ${missing[*]}" >&2
  exit 1
fi

shell_format=$(for name in $names; do printf '${%s} ' "$name"; done)
umask 077
envsubst "$shell_format" <"$template" >"$output"

if command -v amtool >/dev/null; then
  if ! amtool check-config "$output" >/dev/null; then
    echo "render_alertmanager_config: $output is not a valid Alertmanager config" >&2
    exit 1
  fi
fi
echo "render_alertmanager_config: rendered $template to $output (${names//$'\n'/ })"
