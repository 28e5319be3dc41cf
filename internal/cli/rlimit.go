package cli

import (
	"fmt"
	"strconv"
	"strings"
)

// rlimitNames are the RLIMIT_* resources of Linux (asm-generic/resource.h,
// the same numbers on every architecture minijail-go targets).
var rlimitNames = map[string]int{
	"RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3,
	"RLIMIT_CORE": 4, "RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7,
	"RLIMIT_OFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9, "RLIMIT_LOCKS": 10,
	"RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
	"RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
}

// rlimInfinity is RLIM_INFINITY.
const rlimInfinity = ^uint64(0)

// rlimitSpec is a parsed -R argument.
type rlimitSpec struct {
	resource int
	cur, max uint64
}

// parseCNumber parses an unsigned number as strtoul(3) with base 0 does,
// without its leniencies: decimal, 0x hexadecimal or 0 octal, digits only.
func parseCNumber(s string) (uint64, error) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil || strings.Contains(s, "_") || strings.HasPrefix(s, "0o") || strings.HasPrefix(s, "0b") ||
		strings.HasPrefix(s, "0O") || strings.HasPrefix(s, "0B") {
		return 0, fmt.Errorf("%q is not a decimal, hexadecimal (0x) or octal (0) number of 64 bits", s)
	}
	return v, nil
}

func parseRlimitValue(what, s string) (uint64, error) {
	if s == "unlimited" {
		return rlimInfinity, nil
	}
	v, err := parseCNumber(s)
	if err != nil {
		return 0, fmt.Errorf("bad %s limit: %w", what, err)
	}
	return v, nil
}

// parseRlimit parses "type,cur,max": type an RLIMIT_* name or number, cur
// and max numbers (decimal, hex or octal) or "unlimited".
func parseRlimit(arg string) (rlimitSpec, error) {
	parts := strings.Split(arg, ",")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return rlimitSpec{}, fmt.Errorf("bad rlimit %q: want TYPE,CUR,MAX", arg)
	}
	var r rlimitSpec
	if n, ok := rlimitNames[parts[0]]; ok {
		r.resource = n
	} else {
		n, err := parseCNumber(parts[0])
		if err != nil {
			return rlimitSpec{}, fmt.Errorf("bad rlimit %q: type %q is neither an RLIMIT_ name nor a number", arg, parts[0])
		}
		if n >= 16 {
			return rlimitSpec{}, fmt.Errorf("bad rlimit %q: no resource number %d (RLIMIT_ numbers are 0 to 15)", arg, n)
		}
		r.resource = int(n)
	}
	var err error
	if r.cur, err = parseRlimitValue("soft", parts[1]); err != nil {
		return rlimitSpec{}, fmt.Errorf("rlimit %q: %w", arg, err)
	}
	if r.max, err = parseRlimitValue("hard", parts[2]); err != nil {
		return rlimitSpec{}, fmt.Errorf("rlimit %q: %w", arg, err)
	}
	if r.cur > r.max {
		return rlimitSpec{}, fmt.Errorf("rlimit %q: soft limit is above the hard limit", arg)
	}
	return r, nil
}
