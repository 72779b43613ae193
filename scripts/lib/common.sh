# Shared helpers for scripts/ferrovisor and its subcommands.
# shellcheck shell=bash

FV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FV_BUILD=${FV_BUILD:-$FV_ROOT/build}
FV_CACHE=${FV_CACHE:-$FV_BUILD/cache}
FV_PLATFORM=${FV_PLATFORM:-qemu-riscv64-virt}

say() { printf 'ferrovisor: %s\n' "$*" >&2; }
die() {
	printf 'ferrovisor: error: %s\n' "$*" >&2
	exit 1
}

# Runs a command quietly, showing its output only when it fails.
quiet() {
	local log
	log=$(mktemp)
	if ! "$@" >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		return 1
	fi
	rm -f "$log"
}

# Parses a size such as 704M, 1G or 512 (MiB) into MiB.
size_to_mib() {
	local s=$1
	case "$s" in
	*[Gg]) echo $((${s%[Gg]} * 1024)) ;;
	*[Mm]) echo "${s%[Mm]}" ;;
	*[!0-9]*) return 1 ;;
	*) echo "$s" ;;
	esac
}
