#!/bin/bash
# Judge 2 (issue 4): OpenOCD 0.12's CMSIS-DAP driver through emulated
# CMSIS-DAP v2 (cmsis_dap_backend usb_bulk, libusb) and v1 (cmsis_dap_backend
# hid; Debian's OpenOCD uses hidapi's hidraw back end): the same steps as
# judge 1.
source "$(dirname "$0")/judge_common.bash"
for kind in cmsis-dap-v2 cmsis-dap-v1; do
	tag=cmsisdap_${kind#cmsis-dap-}
	judge_need "judge_openocd_$tag" openocd "$FW_ELF" || continue
	judge_openocd "$kind" "$tag"
done
