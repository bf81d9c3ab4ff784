#!/bin/bash
# The probe layer's "permission denied on the USB device" error (issue 5,
# "Named errors": it must point to the udev rules contrib/60-swdd.rules),
# as an unprivileged user meets it. swdd-lab --node-mode gives the emulated
# probe's device node the permissions of a system without our udev rule
# (000) or with it (666); swdd runs as nobody (root would bypass them).
# Both ways are checked, so the test fails if swdd can open a node it may
# not, or cannot open one it may. ST-LINK goes through libusb, CMSIS-DAP v1
# through hidapi-libusb: both open the same usbfs node, and discovery
# (libusb) meets the denial first. Prints harness lines.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${SWDD_BUILD:-$PWD/build}
LAB=$BUILD/swdd-lab
SWDD=$BUILD/swdd
LOGS=${SWDD_TEST_LOGS:-$BUILD/test-logs}/probe_perm
USER_ID=65534 # nobody / nogroup on Debian
mkdir -p "$LOGS"

skip_all() {
	echo "SKIP probe_perm/all: $1"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "needs root to run swdd as another user (file permissions do not bind root)"
ldconfig -p 2>/dev/null | grep -q libumockdev-preload.so.0 || skip_all "umockdev is not installed"
[ -x "$LAB" ] || skip_all "$LAB was not built (make)"
[ -x "$SWDD" ] || skip_all "$SWDD was not built (make)"
if command -v setpriv >/dev/null; then
	AS_USER=(setpriv "--reuid=$USER_ID" "--regid=$USER_ID" --clear-groups --inh-caps=-all)
elif command -v runuser >/dev/null; then
	AS_USER=(runuser -u "$(id -nu $USER_ID 2>/dev/null || echo nobody)" --)
else
	skip_all "neither setpriv nor runuser (util-linux) is installed"
fi
"${AS_USER[@]}" test -x "$SWDD" || skip_all "user $USER_ID cannot run $SWDD (directory permissions)"

# The sentence swdd gives (probe/probe_usb.c), kept whole: the fix matters.
fix_re() {
	printf '%s' "permission denied on the USB device $1 \\($2\\): install contrib/60-swdd\\.rules into "
	printf '%s' "/etc/udev/rules\\.d/, run 'sudo udevadm control --reload && sudo udevadm trigger' and "
	printf '%s' "replug the probe"
}

# verdict NAME LOG RC WANT-RC-RE GOOD-RE [BAD-RE]: PASS when the exit status
# matches, GOOD-RE is in the log and BAD-RE is not.
verdict() {
	local name=$1 log=$2 rc=$3 want=$4 good=$5 bad=${6:-}
	if ! [[ $rc =~ ^($want)$ ]]; then
		echo "FAIL probe_perm/$name: exit status $rc, wanted $want (see $log)"
	elif ! grep -Eq -- "$good" "$log"; then
		echo "FAIL probe_perm/$name: '$good' not in $log"
	elif [ -n "$bad" ] && grep -Eq -- "$bad" "$log"; then
		echo "FAIL probe_perm/$name: unexpected '$bad' in $log"
	else
		echo "PASS probe_perm/$name"
	fi
}

# lab_user LOG KIND MODE CMD...: CMD as the unprivileged user under the lab.
lab_user() {
	local log=$1 kind=$2 mode=$3
	shift 3
	timeout 30 "$LAB" --timeout 20 --probe "$kind" --node-mode "$mode" -- "${AS_USER[@]}" "$@" >"$log" 2>&1
}

# serve LOG KIND MODE DRIVER: starts `swdd --probe DRIVER --port 0` as the
# user under the lab and waits (10 s at most) until it listens or exits;
# a listening server is stopped through the lab (SIGTERM: the lab kills the
# user's process group, exit 143). Returns the lab's exit status.
serve() {
	local log=$1 kind=$2 mode=$3 drv=$4 pid i
	rm -f "$log" # a stale log of an earlier run must not say "listening"
	"$LAB" --timeout 20 --probe "$kind" --node-mode "$mode" -- "${AS_USER[@]}" \
		"$SWDD" --probe "$drv" --port 0 >"$log" 2>&1 &
	pid=$! # swdd-lab itself
	for ((i = 0; i < 100; i++)); do
		grep -q 'listening for gdb' "$log" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -TERM "$pid"
	wait "$pid"
}

# busy LOG KIND DRIVER: as root, a second `swdd --probe DRIVER` while a
# first one serves the probe. Returns the second one's exit status; the
# first one's output goes to LOG.first.
busy() {
	local log=$1 kind=$2 drv=$3
	rm -f "$log.first" # see serve
	# shellcheck disable=SC2016,SC2094 # expanded by the inner shell, which writes $log.first
	timeout 30 "$LAB" --timeout 20 --probe "$kind" -- bash -c '
		"$0" --probe "$1" --port 0 >"$2.first" 2>&1 &
		first=$!
		for ((i = 0; i < 100; i++)); do
			grep -q "listening for gdb" "$2.first" 2>/dev/null && break
			kill -0 $first 2>/dev/null || break
			sleep 0.1
		done
		timeout 10 "$0" --probe "$1" --port 0
		rc=$?
		kill -TERM $first # async jobs of a script ignore SIGINT
		wait $first
		exit $rc' "$SWDD" "$drv" "$log" >"$log" 2>&1
}

# kind driver vid:pid row-kind firmware-re (what the lab's probe reports)
cases=(
	"stlink-v2 stlink 0483:3748 ST-LINK/V2 V2J37S7"
	"cmsis-dap-v1 cmsis-dap 0d28:0204 Arm.DAPLink|CMSIS-DAP.v1 fw.lab"
)
for c in "${cases[@]}"; do
	read -r kind drv vidpid row fw <<<"$c"
	name=${kind}_000
	lab_user "$LOGS/$name.probes.log" "$kind" 000 "$SWDD" probes
	verdict "$kind/000/probes" "$LOGS/$name.probes.log" $? 0 \
		"warning: $(fix_re "$vidpid" "[^)]*")" "firmware (V2|fw lab)"
	verdict "$kind/000/probes_row" "$LOGS/$name.probes.log" 0 0 \
		"^($row) +serial .*firmware \\(no permission: contrib/60-swdd\\.rules\\)"
	serve "$LOGS/$name.serve.log" "$kind" 000 "$drv"
	verdict "$kind/000/serve" "$LOGS/$name.serve.log" $? 1 \
		"^swdd: error: permission denied on the USB device: $(fix_re "$vidpid" "[^)]*")\$" \
		"listening for gdb"

	name=${kind}_666
	lab_user "$LOGS/$name.probes.log" "$kind" 666 "$SWDD" probes
	verdict "$kind/666/probes" "$LOGS/$name.probes.log" $? 0 \
		"^($row) +serial [0-9A-F]{24} +firmware ($fw)" "permission"
	serve "$LOGS/$name.serve.log" "$kind" 666 "$drv"
	verdict "$kind/666/serve" "$LOGS/$name.serve.log" $? 143 \
		"listening for gdb" "permission|error"

	# Another program holds the probe: named as such, not as a permission
	# problem (hidapi-libusb gives no reason; probe/transport_hidapi.c).
	busy "$LOGS/${kind}_busy.log" "$kind" "$drv"
	verdict "$kind/busy" "$LOGS/${kind}_busy.log" $? 1 \
		"^swdd: error: busy: the probe is in use by another program \\(claim interface\\): close OpenOCD" \
		"permission|listening"
	verdict "$kind/busy_first" "$LOGS/${kind}_busy.log.first" 0 0 "listening for gdb"
done
exit 0
