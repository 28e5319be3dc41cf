// Package caps parses capability sets and applies them to the calling thread:
// the capability sets, the bounding set, the ambient set and the securebits.
package caps

import (
	"os"
	"strconv"
	"strings"
	"sync"
)

// names are the kernel's capability names, by number (linux/capability.h).
var names = [...]string{
	"cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner", "cap_fsetid",
	"cap_kill", "cap_setgid", "cap_setuid", "cap_setpcap", "cap_linux_immutable",
	"cap_net_bind_service", "cap_net_broadcast", "cap_net_admin", "cap_net_raw", "cap_ipc_lock",
	"cap_ipc_owner", "cap_sys_module", "cap_sys_rawio", "cap_sys_chroot", "cap_sys_ptrace",
	"cap_sys_pacct", "cap_sys_admin", "cap_sys_boot", "cap_sys_nice", "cap_sys_resource",
	"cap_sys_time", "cap_sys_tty_config", "cap_mknod", "cap_lease", "cap_audit_write",
	"cap_audit_control", "cap_setfcap", "cap_mac_override", "cap_mac_admin", "cap_syslog",
	"cap_wake_alarm", "cap_block_suspend", "cap_audit_read", "cap_perfmon", "cap_bpf",
	"cap_checkpoint_restore",
}

// Capability numbers used by this package.
const (
	SetGID   = 6
	SetUID   = 7
	SetPCap  = 8
	SysAdmin = 21
)

// Name returns the name of capability n ("cap_net_raw"), or its number.
func Name(n int) string {
	if n >= 0 && n < len(names) {
		return names[n]
	}
	return strconv.Itoa(n)
}

// Lookup returns the number of a capability name (case-insensitive, with or
// without the cap_ prefix) or of a decimal number.
func Lookup(name string) (int, bool) {
	l := strings.ToLower(name)
	if !strings.HasPrefix(l, "cap_") {
		if n, err := strconv.Atoi(l); err == nil && n >= 0 && n < 64 {
			return n, true
		}
		l = "cap_" + l
	}
	for i, s := range names {
		if s == l {
			return i, true
		}
	}
	return 0, false
}

// LastCap returns the highest capability the running kernel knows. It reads
// /proc once; the jail's helper calls it before installing a filter, which
// then need not allow the read.
func LastCap() int {
	lastCapOnce.Do(func() { lastCap = readLastCap() })
	return lastCap
}

var (
	lastCapOnce sync.Once
	lastCap     int
)

func readLastCap() int {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n >= 0 && n < 64 {
			return n
		}
	}
	return len(names) - 1
}

// ParseMask parses a capability set as minijail0 -c takes it: libcap's text
// form (cap_from_text(3): "cap_net_raw,cap_net_admin=e", "all=eip", "="),
// whose effective set is the result, or failing that a hexadecimal mask
// ("0x3000", "3000"). Capabilities above the kernel's last one are dropped.
func ParseMask(text string) (uint64, error) { return parseMask(text, LastCap()) }
