# scripts/ferrovisor build, run and test.
# shellcheck shell=bash

FV_BUILD_DIR=${FV_BUILD_DIR:-$FV_BUILD/$FV_PLATFORM}

ensure_setup() {
	if ! setup_is_complete; then
		say "set-up incomplete: running setup first"
		cmd_setup
	fi
}

# build [--debug] [--trace] [--pmu] [--verbose]
cmd_build() {
	local debug=OFF trace=OFF pmu=OFF verbose=OFF
	while [ $# -gt 0 ]; do
		case "$1" in
		--debug) debug=ON ;;
		--trace) trace=ON ;;
		--pmu) pmu=ON ;;
		--verbose) verbose=ON ;;
		*) die "build: unknown option '$1'" ;;
		esac
		shift
	done
	ensure_setup
	say "build: configuring $FV_PLATFORM in $FV_BUILD_DIR (debug=$debug trace=$trace pmu=$pmu verbose=$verbose)"
	quiet cmake -S "$FV_ROOT" -B "$FV_BUILD_DIR" -G Ninja \
		-DPLATFORM="$FV_PLATFORM" -DFV_CACHE="$FV_CACHE" \
		-DFV_DEBUG=$debug -DFV_TRACE=$trace -DFV_PMU=$pmu -DFV_VERBOSE=$verbose ||
		die "cmake configure failed"
	say "build: compiling"
	quiet ninja -C "$FV_BUILD_DIR" || die "build failed"
	say "build: image at $FV_BUILD_DIR/image/kernel/kernel.bin"
}

# run [--config FILE | --bare] [--smp N] [--memory SIZE] [--timeout SECONDS] [build options]
#     [-- QEMU ARGS...]
# Boots a system: the guests of FILE (default config/default.yaml) on a 2-hart,
# 1 GiB machine unless --smp/--memory say otherwise; --bare boots the image alone
# (its kernel test suite).
cmd_run() {
	local launch=() build_opts=() config=$FV_ROOT/config/default.yaml bare=0 smp=2 memory=1G
	while [ $# -gt 0 ]; do
		case "$1" in
		--smp | --memory | --timeout | --config)
			[ $# -ge 2 ] || die "run: $1 needs a value"
			case "$1" in
			--smp) smp=$2 ;;
			--memory) memory=$2 ;;
			--config) config=$2 ;;
			*) launch+=("$1" "$2") ;;
			esac
			shift
			;;
		--bare) bare=1 ;;
		--debug | --trace | --pmu | --verbose) build_opts+=("$1") ;;
		--)
			shift
			launch+=(-- "$@")
			break
			;;
		*) die "run: unknown option '$1' (QEMU arguments go after --)" ;;
		esac
		shift
	done
	cmd_build "${build_opts[@]}"
	launch=(--smp "$smp" --memory "$memory" "${launch[@]}")
	if [ $bare -eq 0 ]; then
		[ -f "$config" ] || die "run: no configuration file '$config'"
		local module=$FV_BUILD_DIR/system/run.cpio
		say "run: composing the system of $config"
		"$FV_ROOT/scripts/compose-system" "$FV_BUILD_DIR/config/fvconfig" "$config" \
			"$FV_BUILD_DIR/image/kernel/archive" "$module" "$memory" "$smp" \
			"FV_CACHE=$FV_CACHE" "FV_BUILD_DIR=$FV_BUILD_DIR" ||
			die "run: $config does not make a system (nothing started)"
		launch=(--initrd "$module" "${launch[@]}")
	fi
	say "run: booting $FV_PLATFORM in QEMU"
	exec python3 "$FV_ROOT/scripts/lib/fvqemu.py" --platform "$FV_ROOT/platforms/$FV_PLATFORM" \
		--image "$FV_BUILD_DIR/image/kernel/kernel.bin" "${launch[@]}"
}

# test: builds, runs every unit and QEMU test through ctest, prints the tally.
cmd_test() {
	local jobs=${FV_TEST_JOBS:-$(nproc)}
	[ $# -eq 0 ] || die "test: takes no options (filter with FV_TEST_REGEX)"
	cmd_build
	say "test: running ctest ($jobs in parallel) in $FV_BUILD_DIR"
	local log=$FV_BUILD_DIR/test.log rc=0
	ctest --test-dir "$FV_BUILD_DIR" --output-on-failure -j "$jobs" \
		${FV_TEST_REGEX:+-R "$FV_TEST_REGEX"} 2>&1 | tee "$log" || rc=1
	local summary total failed
	summary=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
	if [ -z "$summary" ]; then
		echo "test: 0 passed, 1 failed"
		return 1
	fi
	failed=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$summary")
	total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$summary")
	echo "test: $((total - failed)) passed, $failed failed"
	[ "$failed" -eq 0 ] && [ $rc -eq 0 ]
}

# bench: IPC and notification figures from the root task's benchmark mode, and guest ratios.
cmd_bench() {
	[ $# -eq 0 ] || die "bench: takes no options"
	cmd_build
	say "bench: booting the benchmark (a normal run for ticks, an -icount run for instructions)"
	python3 "$FV_ROOT/scripts/lib/bench.py" --platform "$FV_ROOT/platforms/$FV_PLATFORM" \
		--image "$FV_BUILD_DIR/image/kernel/kernel.bin" --guests "$FV_BUILD_DIR/image/test/guests" \
		--linux "$FV_CACHE/riscv64/Image" "$FV_BUILD_DIR/image/config/initramfs.cpio" \
		--fvconfig "$FV_BUILD_DIR/config/fvconfig" --programs "$FV_BUILD_DIR/image/kernel/archive"
}

# fuzz [--seed S] [--calls N]: a seeded run of the system-call fuzzer in QEMU.
cmd_fuzz() {
	local seed=$RANDOM calls=1000000
	while [ $# -gt 0 ]; do
		case "$1" in
		--seed | --calls)
			[ $# -ge 2 ] && [[ $2 =~ ^[0-9]+$ ]] || die "fuzz: $1 needs a number"
			[ "$1" = --seed ] && seed=$2 || calls=$2
			shift
			;;
		*) die "fuzz: unknown option '$1'" ;;
		esac
		shift
	done
	cmd_build
	say "fuzz: seed $seed, $calls calls (repeat with --seed $seed --calls $calls)"
	python3 "$FV_ROOT/test/qemu/test_boot.py" --platform "$FV_ROOT/platforms/$FV_PLATFORM" \
		--image "$FV_BUILD_DIR/image/kernel/kernel.bin" fuzz "$seed" "$calls"
}
