// Package caps parses capability sets and applies them to the calling thread:
// the capability sets, the bounding set, the ambient set and the securebits.
package caps

import (
	"fmt"
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
// form ("cap_net_raw,cap_net_admin=e", "all=eip", "=") whose effective set is
// the result, or else a hexadecimal mask ("0x3000", "3000").
func ParseMask(text string) (uint64, error) {
	if m, err := parseText(text); err == nil {
		return m, nil
	} else if looksLikeText(text) {
		return 0, fmt.Errorf("capabilities %q: %w", text, err)
	}
	h := strings.TrimPrefix(strings.TrimPrefix(text, "0x"), "0X")
	m, err := strconv.ParseUint(h, 16, 64)
	if err != nil || h == "" {
		return 0, fmt.Errorf("capabilities %q: neither a hexadecimal mask nor a capability text", text)
	}
	if last := LastCap(); last < 63 && m>>(uint(last)+1) != 0 {
		return 0, fmt.Errorf("capabilities %q: mask has bits above the last capability %d", text, last)
	}
	return m, nil
}

// looksLikeText tells whether the input is meant as libcap text (it has an
// operator), so that its error is the one to report.
func looksLikeText(s string) bool { return strings.ContainsAny(s, "=+-") }

// parseText evaluates libcap's text form (cap_from_text(3)): clauses
// separated by spaces, each a comma-separated list of names (empty or "all"
// meaning every capability) followed by one or more operator-and-flags
// actions ("=", "+", "-" with flags from "eip"). Only the effective set is
// returned.
func parseText(text string) (uint64, error) {
	var eff uint64
	all := uint64(1)<<(uint(LastCap())+1) - 1
	clauses := strings.Fields(text)
	if len(clauses) == 0 {
		return 0, fmt.Errorf("empty capability text")
	}
	for _, cl := range clauses {
		op := strings.IndexAny(cl, "=+-")
		if op < 0 {
			return 0, fmt.Errorf("clause %q has no operator (=, + or -)", cl)
		}
		var set uint64
		if list := cl[:op]; list == "" || strings.EqualFold(list, "all") {
			if list == "" && cl[op] != '=' {
				return 0, fmt.Errorf("clause %q: %c needs capability names", cl, cl[op])
			}
			set = all
		} else {
			for _, n := range strings.Split(list, ",") {
				c, ok := Lookup(n)
				if !ok || c > LastCap() {
					return 0, fmt.Errorf("unknown capability %q", n)
				}
				set |= 1 << uint(c)
			}
		}
		actions := cl[op:]
		for len(actions) > 0 {
			o := actions[0]
			i := 1
			for i < len(actions) && strings.IndexByte("=+-", actions[i]) < 0 {
				i++
			}
			flags := actions[1:i]
			actions = actions[i:]
			hasE := false
			for _, f := range flags {
				switch f {
				case 'e', 'E':
					hasE = true
				case 'i', 'I', 'p', 'P':
				default:
					return 0, fmt.Errorf("clause %q: unknown flag %q", cl, f)
				}
			}
			switch o {
			case '=':
				eff &^= set
				if hasE {
					eff |= set
				}
			case '+':
				if flags == "" {
					return 0, fmt.Errorf("clause %q: + needs flags", cl)
				}
				if hasE {
					eff |= set
				}
			case '-':
				if flags == "" {
					return 0, fmt.Errorf("clause %q: - needs flags", cl)
				}
				if hasE {
					eff &^= set
				}
			}
		}
	}
	return eff, nil
}
