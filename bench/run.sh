#!/usr/bin/env bash
# bench/run.sh: the fair comparison of Ursula with the Node reference server in one command (as
# root; about 11 minutes on 2 cores from a fresh clone, builds included). The work is done by
# `Ursula.Bench compare` (see bench/README.md); options pass through, e.g.
# bench/run.sh --rounds 3 --append-duration 20s.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dotnet build "$repo/bench/Ursula.Bench/Ursula.Bench.csproj" -c Release -nologo -v q -clp:ErrorsOnly
exec "$repo/bench/Ursula.Bench/bin/Release/net10.0/Ursula.Bench" compare --repo "$repo" "$@"
