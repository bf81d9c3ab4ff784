#!/bin/bash
# Install (issue 14): a fresh clone's `make install PREFIX=$HOME/.local`
# as an unprivileged user (nobody, HOME in a temp dir): the stripped
# binary, the swdd-st-util link, the man page (every --help option in it),
# the udev rules and flash algorithm under PREFIX/share/swdd; install-udev
# refuses without root and says what to run; `make uninstall` removes
# every file install put there. Also scripts/deps.sh: the build set leaves
# out the test packages, --print installs nothing, and a missing package
# gets the sudo (or su) command. Prints harness lines.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${SWDD_BUILD:-$PWD/build}
LOGS=${SWDD_TEST_LOGS:-$BUILD/test-logs}/install
USER_ID=65534
mkdir -p "$LOGS"

result() { if [ "$2" -eq 0 ]; then echo "PASS install/$1"; else echo "FAIL install/$1: $3"; fi; }

# deps.sh needs no root for these
out=$(sh scripts/deps.sh build --print 2>/dev/null)
echo "$out" | grep -qx gcc-arm-none-eabi && ! echo "$out" | grep -qx gdb-multiarch
result deps_build_set $? "build set: $(echo $out)"
out=$(sh scripts/deps.sh test --print 2>/dev/null)
echo "$out" | grep -qx gdb-multiarch && echo "$out" | grep -qx openocd
result deps_test_set $? "test set: $(echo $out)"

[ "$(id -u)" -eq 0 ] || { echo "SKIP install/as_user: needs root to run make as another user"; exit 0; }
command -v setpriv >/dev/null || { echo "SKIP install/as_user: setpriv (util-linux) missing"; exit 0; }
command -v git >/dev/null || { echo "SKIP install/as_user: git missing"; exit 0; }
AS_USER=(setpriv "--reuid=$USER_ID" "--regid=$USER_ID" --clear-groups --inh-caps=-all)

tmp=$(mktemp -d /tmp/swdd-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"

# A missing package as a non-root user: the command to run, nothing installed.
mkdir -p "$tmp/stub"
printf '#!/bin/sh\necho "deinstall ok config-files"\n' >"$tmp/stub/dpkg-query"
chmod 755 "$tmp/stub/dpkg-query"
out=$("${AS_USER[@]}" env PATH="$tmp/stub:$PATH" sh scripts/deps.sh build 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -Eq "(sudo apt-get install -y|su -c '...'\):  apt-get install -y) build-essential"
result deps_missing_as_user $? "exit $rc: $out"

# The committed tree, as a user would clone it.
git clone -q "$PWD" "$tmp/src" 2>"$LOGS/clone.log" || { echo "FAIL install/clone: see $LOGS/clone.log"; exit 0; }
mkdir -p "$tmp/home"
chown -R "$USER_ID:$USER_ID" "$tmp/src" "$tmp/home"
prefix=$tmp/home/.local
"${AS_USER[@]}" env HOME="$tmp/home" make -C "$tmp/src" -j2 install PREFIX="$prefix" \
	>"$LOGS/make_install.log" 2>&1
rc=$?
result make_install_as_user $rc "exit $rc (see $LOGS/make_install.log)"
[ $rc -eq 0 ] || exit 0

missing=""
for f in bin/swdd share/man/man1/swdd.1 share/swdd/60-swdd.rules share/swdd/stm32f4_x8.flm \
	lib/swdd/libswdd-lab.so; do
	[ -f "$prefix/$f" ] || missing="$missing $f"
done
[ -L "$prefix/bin/swdd-st-util" ] || missing="$missing bin/swdd-st-util"
[ -L "$prefix/bin/swdd-openocd" ] || missing="$missing bin/swdd-openocd"
[ -z "$missing" ]
result installed_files $? "missing:$missing"

! readelf -S "$prefix/bin/swdd" | grep -q '\.symtab'
result stripped $? "$prefix/bin/swdd has a symbol table"

"${AS_USER[@]}" "$prefix/bin/swdd" chips >"$LOGS/chips.log" 2>&1 && grep -q STM32F405 "$LOGS/chips.log"
result installed_runs $? "swdd chips (see $LOGS/chips.log)"

# The lab is a shared object the installed swdd opens for --probe sim only.
"${AS_USER[@]}" "$prefix/bin/swdd" info --probe sim >"$LOGS/info_sim.log" 2>&1 && grep -q STM32F405 "$LOGS/info_sim.log"
result installed_lab $? "swdd info --probe sim (see $LOGS/info_sim.log)"

# The man page and --help never drift: every option of --help is in it.
man_text=$(MANWIDTH=200 man -l "$prefix/share/man/man1/swdd.1" 2>/dev/null)
lacking=""
for opt in $("$prefix/bin/swdd" --help | grep -oE '^  --[a-z0-9-]+'); do
	echo "$man_text" | grep -qe "^ *$opt\b" || lacking="$lacking $opt"
done
[ -n "$man_text" ] && [ -z "$lacking" ]
result man_matches_help $? "options in --help but not in swdd(1):$lacking"

out=$("${AS_USER[@]}" make -s -C "$tmp/src" install-udev 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "run it as root (sudo make install-udev)"
result install_udev_needs_root $? "exit $rc: $out"

"${AS_USER[@]}" env HOME="$tmp/home" make -s -C "$tmp/src" uninstall PREFIX="$prefix" \
	>"$LOGS/uninstall.log" 2>&1
left=$(find "$prefix" -type f -o -type l)
[ -z "$left" ]
result uninstall $? "left behind: $left"
