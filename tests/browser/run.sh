#!/bin/sh
# ctest wrapper of live_view.mjs: puppeteer-core must be installed here (scripts/bootstrap runs
# `npm ci` in this folder); a machine where chromium cannot run at all skips (exit 77).
dir=$(dirname "$0")
if ! command -v node >/dev/null; then echo "FAIL: node is not installed (scripts/bootstrap installs nodejs)"; exit 1; fi
if [ ! -d "$dir/node_modules/puppeteer-core" ]; then
  echo "FAIL: puppeteer-core is not installed in $dir (scripts/bootstrap runs: cd tests/browser && npm ci)"; exit 1
fi
exec node "$dir/live_view.mjs" "$@"
