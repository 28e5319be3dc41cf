package mount

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// DefaultMountFlags are the flags of a -k mount whose FLAGS field is empty.
const DefaultMountFlags = unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_NOSUID

// DefaultTmpfsData is the data of a tmpfs -k mount that gives none.
const DefaultTmpfsData = "mode=0755,size=10M"

// DefaultTmpSize is the size of the -t tmpfs on /tmp when none is given.
const DefaultTmpSize = 64 << 20

// mountFlagNames maps the MS_* names accepted by ParseMountFlags to values.
var mountFlagNames = map[string]uint64{
	"MS_RDONLY":      unix.MS_RDONLY,
	"MS_NOSUID":      unix.MS_NOSUID,
	"MS_NODEV":       unix.MS_NODEV,
	"MS_NOEXEC":      unix.MS_NOEXEC,
	"MS_SYNCHRONOUS": unix.MS_SYNCHRONOUS,
	"MS_REMOUNT":     unix.MS_REMOUNT,
	"MS_MANDLOCK":    unix.MS_MANDLOCK,
	"MS_DIRSYNC":     unix.MS_DIRSYNC,
	"MS_NOSYMFOLLOW": unix.MS_NOSYMFOLLOW,
	"MS_NOATIME":     unix.MS_NOATIME,
	"MS_NODIRATIME":  unix.MS_NODIRATIME,
	"MS_BIND":        unix.MS_BIND,
	"MS_MOVE":        unix.MS_MOVE,
	"MS_REC":         unix.MS_REC,
	"MS_SILENT":      unix.MS_SILENT,
	"MS_POSIXACL":    unix.MS_POSIXACL,
	"MS_UNBINDABLE":  unix.MS_UNBINDABLE,
	"MS_PRIVATE":     unix.MS_PRIVATE,
	"MS_SLAVE":       unix.MS_SLAVE,
	"MS_SHARED":      unix.MS_SHARED,
	"MS_RELATIME":    unix.MS_RELATIME,
	"MS_I_VERSION":   unix.MS_I_VERSION,
	"MS_STRICTATIME": unix.MS_STRICTATIME,
	"MS_LAZYTIME":    unix.MS_LAZYTIME,
}

// ParseMountFlags parses the FLAGS field of a -k mount: MS_* names (as in
// <sys/mount.h>) or numbers (decimal, 0x hex or 0 octal) joined by '|', with
// optional spaces around each term. An empty or all-blank string yields
// DefaultMountFlags.
func ParseMountFlags(s string) (uint64, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultMountFlags, nil
	}
	var flags uint64
	for i, term := range strings.Split(s, "|") {
		term = strings.TrimSpace(term)
		if term == "" {
			return 0, fmt.Errorf("mount flags %q: empty term %d", s, i+1)
		}
		if v, ok := mountFlagNames[term]; ok {
			flags |= v
			continue
		}
		if c := term[0]; c < '0' || c > '9' {
			return 0, fmt.Errorf("mount flags %q: unknown flag %q", s, term)
		}
		v, err := strconv.ParseUint(term, 0, 64)
		if err != nil {
			return 0, fmt.Errorf("mount flags %q: bad number %q: %w", s, term, err)
		}
		if v > 0xffffffff {
			return 0, fmt.Errorf("mount flags %q: %q does not fit in 32 bits", s, term)
		}
		flags |= v
	}
	return flags, nil
}

// ParseSize parses a size such as "64M": a decimal number of bytes with an
// optional K, M, G or T suffix (powers of 1024, either case). The result
// must be positive and must not overflow 64 bits.
func ParseSize(s string) (uint64, error) {
	if s == "" {
		return 0, fmt.Errorf("size: empty")
	}
	num, shift := s, uint(0)
	switch s[len(s)-1] {
	case 'k', 'K':
		shift = 10
	case 'm', 'M':
		shift = 20
	case 'g', 'G':
		shift = 30
	case 't', 'T':
		shift = 40
	}
	if shift != 0 {
		num = s[:len(s)-1]
	}
	if num == "" {
		return 0, fmt.Errorf("size %q: no number before the suffix", s)
	}
	for _, c := range num {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("size %q: %q is not a decimal digit", s, c)
		}
	}
	v, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: %w", s, err)
	}
	if v == 0 {
		return 0, fmt.Errorf("size %q: must be greater than zero", s)
	}
	if v > (^uint64(0))>>shift {
		return 0, fmt.Errorf("size %q: too large", s)
	}
	return v << shift, nil
}
