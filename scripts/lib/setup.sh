# scripts/ferrovisor setup: installs every host tool from apt and fills the
# riscv64 cache. Idempotent; a run with everything present changes nothing.
# shellcheck shell=bash

FV_APT_SOURCES=/etc/apt/sources.list.d/ferrovisor.sources
FV_APT_PREFS=/etc/apt/preferences.d/ferrovisor-sid

HOST_PACKAGES=(cmake ninja-build gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu
	device-tree-compiler libfdt-dev libcmocka-dev cpio clang-format-19 lld-19
	pkg-config dpkg-dev python3)
BACKPORTS_PACKAGES=(qemu-system-misc opensbi)
QEMU_MIN_MAJOR=10

# riscv64 material from sid, resolved through meta packages at set-up time.
RISCV_META_KERNEL=linux-image-riscv64
RISCV_PACKAGES=(libfdt-dev libfdt1 musl-dev musl busybox-static)
CACHE_STAMP_VERSION=2

# Prints the URI of the machine's own Debian archive: the first deb source that
# serves the bookworm suite. Reads both the deb822 and the one-line formats.
debian_archive_uri() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && [ "$f" != "$FV_APT_SOURCES" ] || continue
		awk '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && suites ~ /(^| )bookworm( |$)/ && uri != "")
					{ print uri; found = 1; exit }
				types = ""; suites = ""; uri = ""
			}
			/^[ \t]*$/ { flush(); next }
			/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
			/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
			/^URIs:/ { uri = $2 }
			END { if (!found) flush() }
		' "$f"
	done | head -n 1 | grep . && return 0
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" { for (i = 2; i < NF; i++) if ($i !~ /^\[/ && $i !~ /=/) break;
			if ($(i + 1) == "bookworm") { print $i; exit } }' | grep .
}

write_apt_config() {
	local uri want_src want_pref
	uri=$(debian_archive_uri) || die "no bookworm archive in the machine's apt sources"
	want_src=$(
		cat <<EOF
# Added by scripts/ferrovisor setup (derived from the machine's own sources).
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Architectures: amd64
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $uri
Suites: sid
Components: main
Architectures: riscv64
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	)
	want_pref=$(
		cat <<EOF
# sid serves riscv64 material only: never let it replace host packages.
Package: *
Pin: release n=sid
Pin-Priority: 100
EOF
	)
	local changed=1
	if [ "$(cat "$FV_APT_PREFS" 2>/dev/null)" != "$want_pref" ]; then
		say "setup: pinning sid low in $FV_APT_PREFS"
		printf '%s\n' "$want_pref" >"$FV_APT_PREFS"
		changed=0
	fi
	if ! dpkg --print-foreign-architectures | grep -qx riscv64; then
		say "setup: adding the riscv64 architecture"
		dpkg --add-architecture riscv64
		changed=0
	fi
	if [ "$(cat "$FV_APT_SOURCES" 2>/dev/null)" != "$want_src" ]; then
		say "setup: adding bookworm-backports and sid (riscv64) from $uri"
		printf '%s\n' "$want_src" >"$FV_APT_SOURCES"
		changed=0
	fi
	return $changed
}

apt_update() {
	say "setup: apt-get update"
	# A foreign index that fails prints E: lines without spoiling the rest;
	# the packages we need are checked afterwards instead.
	apt-get update -q >"$FV_BUILD/apt-update.log" 2>&1 ||
		say "setup: apt-get update reported errors (see $FV_BUILD/apt-update.log)"
}

host_packages_missing() {
	local p
	for p in "${HOST_PACKAGES[@]}" "${BACKPORTS_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			echo "$p"
	done
}

qemu_is_new_enough() {
	local v
	v=$(qemu-system-riscv64 --version 2>/dev/null | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
	[ -n "$v" ] && [ "$v" -ge $QEMU_MIN_MAJOR ]
}

install_host_packages() {
	local missing
	missing=$(host_packages_missing)
	if [ -z "$missing" ] && qemu_is_new_enough; then
		return 0
	fi
	say "setup: installing host packages:" $missing
	export DEBIAN_FRONTEND=noninteractive
	quiet apt-get install -y -q --no-install-recommends "${HOST_PACKAGES[@]}" ||
		die "apt-get install of host packages failed"
	quiet apt-get install -y -q --no-install-recommends -t bookworm-backports \
		"${BACKPORTS_PACKAGES[@]}" || die "apt-get install from bookworm-backports failed"
	qemu_is_new_enough || die "QEMU $QEMU_MIN_MAJOR or later is needed (bookworm-backports)"
}

# Follows a meta package's dependency chain down to the package that ships
# the kernel Image (linux-image-riscv64 -> linux-image-<ver> -> linux-binary-<ver>).
resolve_kernel_packages() {
	local name=$RISCV_META_KERNEL dep
	echo "$name"
	for _ in 1 2 3; do
		dep=$(apt-cache depends --no-recommends --no-suggests "$name:riscv64" 2>/dev/null |
			awk '/^  (Pre)?Depends: linux-(image|binary)-[0-9]/ { sub(/:riscv64$/, "", $2); print $2; exit }')
		[ -n "$dep" ] || break
		echo "$dep"
		name=$dep
	done
}

# Removes debug sections that bookworm's binutils cannot read (ULEB128 relocations).
strip_riscv_objects() {
	local dir=$1
	find "$dir" \( -name '*.a' -o -name '*.o' \) -type f -print0 |
		xargs -0 -r -n 1 riscv64-linux-gnu-objcopy --strip-debug
}

fill_riscv_cache() {
	local stamp=$FV_CACHE/riscv64/MANIFEST
	if [ -f "$stamp" ] && grep -qx "format $CACHE_STAMP_VERSION" "$stamp"; then
		return 0
	fi
	local dl=$FV_CACHE/riscv64/debs root=$FV_CACHE/riscv64/root
	rm -rf "$FV_CACHE/riscv64"
	mkdir -p "$dl" "$root"
	local pkgs=("${RISCV_PACKAGES[@]}") p
	mapfile -t kpkgs < <(resolve_kernel_packages)
	[ "${#kpkgs[@]}" -ge 2 ] || die "cannot resolve $RISCV_META_KERNEL:riscv64 (is sid reachable?)"
	pkgs+=("${kpkgs[@]}")
	say "setup: downloading riscv64 packages from sid:" "${pkgs[@]}"
	(cd "$dl" && for p in "${pkgs[@]}"; do
		quiet apt-get download -q "$p:riscv64" || die "apt-get download $p:riscv64 failed"
	done)
	for p in "$dl"/*.deb; do
		dpkg-deb -x "$p" "$root"
	done
	strip_riscv_objects "$root"
	local image
	image=$(find "$root/usr/lib/modules" -maxdepth 2 -name 'vmlinu*' 2>/dev/null | head -n 1 || true)
	[ -n "$image" ] || die "the riscv64 kernel package holds no Image"
	ln -sf "${image#"$FV_CACHE/riscv64/"}" "$FV_CACHE/riscv64/Image"
	{
		echo "format $CACHE_STAMP_VERSION"
		for p in "$dl"/*.deb; do
			dpkg-deb --show --showformat='${Package} ${Version}\n' "$p"
		done
	} >"$stamp.tmp"
	mv "$stamp.tmp" "$stamp"
	say "setup: riscv64 cache ready in $FV_CACHE/riscv64"
}

# libfdt for the freestanding kernel is built from source with the kernel's
# own flags (sid's libfdt.a is hard-float and needs a libc). The archive serves
# no source packages, but bookworm's linux-source carries libfdt (GPL-2.0+ or
# BSD-2-Clause) in scripts/dtc/libfdt.
fetch_libfdt_source() {
	local dst=$FV_CACHE/src/libfdt
	[ -f "$dst/fdt.c" ] && return 0
	local meta=linux-source pkg tmp
	pkg=$(apt-cache depends --no-recommends --no-suggests "$meta" 2>/dev/null |
		awk '/^  Depends: linux-source-[0-9]/ { print $2; exit }')
	[ -n "$pkg" ] || die "cannot resolve $meta to a versioned package"
	say "setup: extracting libfdt sources from $pkg"
	tmp=$(mktemp -d)
	(cd "$tmp" && quiet apt-get download -q "$pkg") || die "apt-get download $pkg failed"
	mkdir -p "$dst"
	dpkg-deb --fsys-tarfile "$tmp"/"$pkg"_*.deb |
		tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
		tar -xJ -C "$dst" --strip-components=4 --wildcards '*/scripts/dtc/libfdt/*' ||
		die "extracting libfdt from $pkg failed"
	rm -rf "$tmp"
	[ -f "$dst/fdt.c" ] || die "$pkg holds no libfdt"
	echo "$pkg" >"$dst/SOURCE"
}

setup_is_complete() {
	[ -z "$(host_packages_missing)" ] && qemu_is_new_enough &&
		[ -f "$FV_APT_PREFS" ] && [ -f "$FV_APT_SOURCES" ] &&
		grep -qx "format $CACHE_STAMP_VERSION" "$FV_CACHE/riscv64/MANIFEST" 2>/dev/null &&
		[ -f "$FV_CACHE/src/libfdt/fdt.c" ]
}

cmd_setup() {
	[ "$(id -u)" = 0 ] || die "setup installs packages with apt: run it as root"
	mkdir -p "$FV_BUILD" "$FV_CACHE"
	if setup_is_complete && ! write_apt_config_needed; then
		say "setup: everything is present"
		return 0
	fi
	local lists_stale=1
	write_apt_config && lists_stale=0
	[ -d /var/lib/apt/lists ] && ls /var/lib/apt/lists/*sid*riscv64_Packages* >/dev/null 2>&1 ||
		lists_stale=0
	[ $lists_stale = 0 ] && apt_update
	install_host_packages
	fill_riscv_cache
	fetch_libfdt_source
	say "setup: done"
}

# True when the apt configuration is not yet what write_apt_config writes.
write_apt_config_needed() {
	[ -f "$FV_APT_PREFS" ] && [ -f "$FV_APT_SOURCES" ] &&
		dpkg --print-foreign-architectures | grep -qx riscv64 && return 1
	return 0
}
