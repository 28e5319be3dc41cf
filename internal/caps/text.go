package caps

import (
	"fmt"
	"strconv"
	"strings"
)

// parseMask turns the argument of -c into a capability mask the way
// minijail0 does: libcap's text form (cap_from_text(3)), of which the
// effective set counts, or failing that a hexadecimal mask. Capabilities
// above the kernel's last one are dropped, as minijail0 only looks at the
// ones the kernel has.
func parseMask(text string, last int) (uint64, error) {
	known := uint64(1)<<(uint(last)+1) - 1
	eff, terr := capFromText(text, last)
	if terr == nil {
		return eff & known, nil
	}
	h := text
	if strings.HasPrefix(h, "0x") || strings.HasPrefix(h, "0X") {
		h = h[2:]
	}
	m, err := strconv.ParseUint(h, 16, 64)
	if h == "" || err != nil {
		if strings.ContainsAny(text, "=+-") {
			return 0, fmt.Errorf("invalid capability set %q: %v", text, terr)
		}
		return 0, fmt.Errorf("invalid capability set %q: neither capability text (such as cap_net_raw,cap_net_admin=e) nor a hexadecimal mask", text)
	}
	return m, nil
}

func isCapNameByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// capFromText evaluates libcap's text form and returns the effective set:
// whitespace-separated clauses, each an optional comma-separated list of
// capability names or numbers ("all" meaning every one; an empty list means
// every one and allows only "="), then an operator ("=", "+" or "-", or
// "=+"/"=-" after a list) with flags from "eip", then further "+"/"-"
// operators with flags. It follows libcap 2.66 on the cases in the tests.
func capFromText(s string, last int) (uint64, error) {
	all := uint64(1)<<(uint(last)+1) - 1
	var eff uint64
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			return eff, nil
		}
		start := i
		var list uint64
		listed := false
		if isCapNameByte(s[i]) {
			listed = true
			for {
				j := i
				for j < len(s) && isCapNameByte(s[j]) {
					j++
				}
				name := s[i:j]
				switch {
				case strings.EqualFold(name, "all"):
					list = ^uint64(0)
				case name[0] >= '0' && name[0] <= '9':
					n, err := strconv.ParseUint(name, 0, 64)
					if err != nil || n >= 64 {
						return 0, fmt.Errorf("bad capability number %q", name)
					}
					list |= 1 << n
				default:
					n := -1
					for k, cn := range names {
						if strings.EqualFold(cn, name) {
							n = k
						}
					}
					if n < 0 {
						return 0, fmt.Errorf("unknown capability %q", name)
					}
					list |= 1 << uint(n)
				}
				i = j
				if i >= len(s) || s[i] != ',' {
					break
				}
				i++
				if i >= len(s) || !isCapNameByte(s[i]) {
					return 0, fmt.Errorf("empty name in the capability list of %q", s[start:])
				}
			}
		} else if s[i] == '+' || s[i] == '-' {
			return 0, fmt.Errorf("%q: %c needs a list of capabilities", s[start:], s[i])
		} else {
			list = all
		}
		if i >= len(s) {
			return 0, fmt.Errorf("%q has no operator (=, + or -)", s[start:])
		}
		op := s[i]
		i++
		if op != '=' && op != '+' && op != '-' {
			return 0, fmt.Errorf("%q: %q is not an operator (=, + or -)", s[start:], op)
		}
		if op == '=' && i < len(s) && (s[i] == '+' || s[i] == '-') {
			if !listed {
				return 0, fmt.Errorf("%q: =%c needs a list of capabilities", s[start:], s[i])
			}
			eff &^= list // "=+" and "=-" reset the list first
			op = s[i]
			i++
		}
		for {
			var e, any bool
			for i < len(s) && !isSpace(s[i]) && s[i] != '+' && s[i] != '-' {
				switch s[i] {
				case 'e':
					e = true
				case 'i', 'p':
				default:
					return 0, fmt.Errorf("%q: unknown flag %q (want e, i or p)", s[start:], s[i])
				}
				any = true
				i++
			}
			switch op {
			case '=':
				eff &^= list
				if e {
					eff |= list
				}
			case '+', '-':
				if !any {
					return 0, fmt.Errorf("%q: %c needs flags (e, i or p)", s[start:], op)
				}
				if e && op == '+' {
					eff |= list
				} else if e {
					eff &^= list
				}
			}
			if i >= len(s) || isSpace(s[i]) {
				break
			}
			if !listed {
				return 0, fmt.Errorf("%q: only one operator is allowed without a list of capabilities", s[start:])
			}
			op = s[i]
			i++
		}
	}
}
