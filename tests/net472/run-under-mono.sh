#!/usr/bin/env bash
# The engine's unit tests against its net472 build, the one Windows PowerShell 5.1 loads, run under Mono (Linux has
# no .NET Framework). Installs Debian's mono-complete when mono is missing (CI runs as root), builds the net472 test
# project (incremental; --no-build skips it), runs it with the xUnit console runner for .NET Framework and closes with
# "net472: N passed, N failed, N skipped". Exits non-zero when a test failed, the runner failed or no test ran.
# Tests whose failure is a Mono-vs-.NET-Framework difference carry [Trait("Mono", "Differs")] and are left out here;
# each is described in docs/windows-powershell.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
configuration="${CONFIGURATION:-Debug}"
build=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    *) echo "usage: $0 [--no-build]" >&2; exit 2 ;;
  esac
done

if ! command -v mono >/dev/null 2>&1; then
  started=$SECONDS
  echo "mono not found: installing Debian's mono-complete"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq mono-complete >/dev/null
  echo "mono-complete installed in $((SECONDS - started)) s"
fi
mono --version | head -n 1

project="$root/tests/MetricaCrm.Engine.Tests.Net472"
out="$project/bin/$configuration/net472"
if [ "$build" = 1 ]; then
  dotnet build "$project" -c "$configuration" -nologo -v quiet -clp:ErrorsOnly
fi
runner="$out/xunit-runner/xunit.console.exe"
for f in "$runner" "$out/MetricaCrm.Engine.Tests.exe"; do
  [ -f "$f" ] || { echo "net472: $f is missing (build the project first)" >&2; exit 1; }
done

results="$out/net472-results.xml"
rm -f "$results"
status=0
# -noshadow: the tests find the native SQLite library and the runtimes/ folder beside their own assembly.
timeout 1800 mono "$runner" "$out/MetricaCrm.Engine.Tests.exe" -noshadow -notrait "Mono=Differs" -xml "$results" || status=$?

count() { sed -n "s/.*<assembly [^>]*\b$1=\"\([0-9]*\)\".*/\1/p" "$results" 2>/dev/null | head -n 1; }
total="$(count total)"; passed="$(count passed)"; failed="$(count failed)"; skipped="$(count skipped)"
echo "net472: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
if [ "$status" -ne 0 ] || [ -z "$total" ] || [ "$total" -eq 0 ] || [ "${failed:-1}" -ne 0 ]; then
  echo "net472: the run failed (runner exit $status, ${total:-no} tests)" >&2
  exit 1
fi
