// Package idmap parses the uid and gid maps of a user namespace (-m and
// -M) and explains the kernel's refusals to create one.
package idmap

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// MaxEntries is the most lines the kernel accepts in a uid_map or gid_map.
const MaxEntries = 340

// Parse parses a map "inner outer count[,inner outer count...]": each
// entry maps the count ids starting at inner (inside the namespace) to the
// ids starting at outer (outside). Fields are decimal and separated by
// blanks. Ranges must not wrap around 2^32 and must not overlap, neither
// inside nor outside (the kernel refuses both).
func Parse(s string) ([]syscall.SysProcIDMap, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("id map: empty")
	}
	entries := strings.Split(s, ",")
	if len(entries) > MaxEntries {
		return nil, fmt.Errorf("id map: %d entries, the kernel allows at most %d", len(entries), MaxEntries)
	}
	out := make([]syscall.SysProcIDMap, 0, len(entries))
	for i, e := range entries {
		f := strings.Fields(e)
		if len(f) != 3 {
			return nil, fmt.Errorf("id map entry %d %q: want \"inner outer count\", got %d fields", i+1, e, len(f))
		}
		var v [3]uint64
		for j, name := range []string{"inner", "outer", "count"} {
			n, err := strconv.ParseUint(f[j], 10, 32)
			if err != nil {
				return nil, fmt.Errorf("id map entry %d %q: %s id %q is not a decimal number below 2^32", i+1, e, name, f[j])
			}
			if n > math.MaxInt {
				return nil, fmt.Errorf("id map entry %d %q: %s id %d does not fit this platform's int", i+1, e, name, n)
			}
			v[j] = n
		}
		if v[2] == 0 {
			return nil, fmt.Errorf("id map entry %d %q: count must be at least 1", i+1, e)
		}
		for j, name := range []string{"inner", "outer"} {
			// The last id of a range must stay below 4294967295, which
			// is (uid_t)-1 and which the kernel lets no map reach.
			if v[j]+v[2] > 1<<32-1 {
				return nil, fmt.Errorf("id map entry %d %q: %s range %d+%d goes past 4294967294", i+1, e, name, v[j], v[2])
			}
		}
		m := syscall.SysProcIDMap{ContainerID: int(v[0]), HostID: int(v[1]), Size: int(v[2])}
		for k, p := range out {
			if overlap(p.ContainerID, p.Size, m.ContainerID, m.Size) {
				return nil, fmt.Errorf("id map entry %d %q: inner range overlaps entry %d", i+1, e, k+1)
			}
			if overlap(p.HostID, p.Size, m.HostID, m.Size) {
				return nil, fmt.Errorf("id map entry %d %q: outer range overlaps entry %d", i+1, e, k+1)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

func overlap(a, an, b, bn int) bool {
	return a < b+bn && b < a+an
}

// Default is the map of a bare -m or -M: the id the target runs as inside
// (-u/-g, or 0 when none was given) mapped to the caller's id, count 1.
func Default(inner uint32, hasInner bool, callerID int) []syscall.SysProcIDMap {
	if !hasInner {
		inner = 0
	}
	return []syscall.SysProcIDMap{{ContainerID: int(inner), HostID: callerID, Size: 1}}
}

// Format renders maps in the form Parse reads.
func Format(maps []syscall.SysProcIDMap) string {
	var b strings.Builder
	for i, m := range maps {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d %d %d", m.ContainerID, m.HostID, m.Size)
	}
	return b.String()
}

// Sysctls are the kernel settings that decide whether an unprivileged
// user may create user namespaces. A missing file reads as -1 (the
// setting does not exist on this kernel).
type Sysctls struct {
	UnprivilegedUsernsClone  int // kernel.unprivileged_userns_clone (Debian, Ubuntu)
	MaxUserNamespaces        int // user.max_user_namespaces
	AppArmorRestrictUnprivNS int // kernel.apparmor_restrict_unprivileged_userns (Ubuntu)
}

// Files holding the Sysctls; variables so tests can point them elsewhere.
var (
	UnprivilegedUsernsCloneFile  = "/proc/sys/kernel/unprivileged_userns_clone"
	MaxUserNamespacesFile        = "/proc/sys/user/max_user_namespaces"
	AppArmorRestrictUnprivNSFile = "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"
)

func readInt(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return -1
	}
	return n
}

// ReadSysctls reads the current Sysctls.
func ReadSysctls() Sysctls {
	return Sysctls{
		UnprivilegedUsernsClone:  readInt(UnprivilegedUsernsCloneFile),
		MaxUserNamespaces:        readInt(MaxUserNamespacesFile),
		AppArmorRestrictUnprivNS: readInt(AppArmorRestrictUnprivNSFile),
	}
}

// Caller is who asks for the namespaces.
type Caller struct {
	EUID, EGID int
	// Privileged: the caller has CAP_SYS_ADMIN in its user namespace, as
	// root normally has; the sysctls that restrict unprivileged user
	// namespaces do not apply to it.
	Privileged bool
	// SetUID, SetGID: the caller has CAP_SETUID / CAP_SETGID, so it may
	// write any uid / gid map (and may leave setgroups allowed).
	SetUID, SetGID bool
}

// Request is what the parent asked the kernel for.
type Request struct {
	Cloneflags uintptr
	UIDMaps    []syscall.SysProcIDMap
	GIDMaps    []syscall.SysProcIDMap
	// SetgroupsAllowed: the gid map was written with setgroups allowed.
	SetgroupsAllowed bool
}

// ExplainCloneError turns the error of starting a process with clone
// flags into one that names the likely cause (a sysctl, an id that cannot
// be mapped, a missing capability). It keeps err wrapped, so
// errors.Is(err, syscall.EPERM) still holds; errors it cannot explain are
// returned unchanged. The caller is the current process.
func ExplainCloneError(err error, flags uintptr) error {
	return Explain(err, Request{Cloneflags: flags}, CurrentCaller(), ReadSysctls())
}

// Capability numbers read by CurrentCaller.
const (
	capSetGID   = 6
	capSetUID   = 7
	capSysAdmin = 21
)

// CurrentCaller describes the current process, with its capabilities read
// from the effective set in /proc/self/status. The parent uses SetGID to
// decide whether setgroups may stay allowed in a new user namespace (the
// kernel requires it denied for a caller without CAP_SETGID).
func CurrentCaller() Caller {
	c := Caller{EUID: os.Geteuid(), EGID: os.Getegid()}
	caps := uint64(0)
	if c.EUID == 0 {
		caps = ^uint64(0) // if /proc is unreadable, assume root's full set
	}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
				if n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64); err == nil {
					caps = n
				}
			}
		}
	}
	c.Privileged = caps&(1<<capSysAdmin) != 0
	c.SetUID = caps&(1<<capSetUID) != 0
	c.SetGID = caps&(1<<capSetGID) != 0
	return c
}

// Explain is ExplainCloneError with everything it looks at given.
func Explain(err error, req Request, c Caller, s Sysctls) error {
	var errno syscall.Errno
	if err == nil || !errors.As(err, &errno) {
		return err
	}
	userns := req.Cloneflags&syscall.CLONE_NEWUSER != 0
	nsflags := req.Cloneflags & (syscall.CLONE_NEWNS | syscall.CLONE_NEWPID | syscall.CLONE_NEWNET |
		syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS | syscall.CLONE_NEWCGROUP)
	switch errno {
	case syscall.ENOSPC:
		if userns {
			if s.MaxUserNamespaces == 0 {
				return fmt.Errorf("user namespaces are disabled by user.max_user_namespaces=0: %w", err)
			}
			return fmt.Errorf("too many user namespaces (limit user.max_user_namespaces=%d, or nesting deeper than 32): %w", s.MaxUserNamespaces, err)
		}
		return fmt.Errorf("a namespace limit (user.max_*_namespaces) was reached: %w", err)
	case syscall.EPERM, syscall.EACCES, syscall.EINVAL:
	default:
		return err
	}
	if !userns {
		if nsflags != 0 && !c.Privileged && errno == syscall.EPERM {
			return fmt.Errorf("creating namespaces needs CAP_SYS_ADMIN, which uid %d lacks (add a user namespace, -U): %w", c.EUID, err)
		}
		return err
	}
	if !c.Privileged {
		if s.UnprivilegedUsernsClone == 0 {
			return fmt.Errorf("user namespaces are disabled for unprivileged users by kernel.unprivileged_userns_clone=0: %w", err)
		}
		if s.AppArmorRestrictUnprivNS == 1 {
			return fmt.Errorf("unprivileged user namespaces are restricted by kernel.apparmor_restrict_unprivileged_userns=1 (an AppArmor profile must allow userns for this program): %w", err)
		}
		if s.MaxUserNamespaces == 0 {
			return fmt.Errorf("user namespaces are disabled by user.max_user_namespaces=0: %w", err)
		}
	} else if s.MaxUserNamespaces == 0 {
		return fmt.Errorf("user namespaces are disabled by user.max_user_namespaces=0: %w", err)
	}
	// Without CAP_SETUID/CAP_SETGID the kernel lets a caller map only
	// itself.
	if !c.SetUID {
		if e := checkUnprivMap("uid", req.UIDMaps, c.EUID); e != "" {
			return fmt.Errorf("%s: %w", e, err)
		}
	}
	if !c.SetGID {
		if e := checkUnprivMap("gid", req.GIDMaps, c.EGID); e != "" {
			return fmt.Errorf("%s: %w", e, err)
		}
		if len(req.GIDMaps) > 0 && req.SetgroupsAllowed {
			return fmt.Errorf("without CAP_SETGID a gid map may be written only with setgroups denied: %w", err)
		}
	}
	if errno == syscall.EPERM && isChrooted() {
		return fmt.Errorf("the kernel refuses to create a user namespace from inside a chroot: %w", err)
	}
	return err
}

// checkUnprivMap says why an unprivileged caller cannot write maps ("" if
// it can).
func checkUnprivMap(kind string, maps []syscall.SysProcIDMap, self int) string {
	if len(maps) == 0 {
		return ""
	}
	if len(maps) > 1 {
		return fmt.Sprintf("without CAP_SET%s an unprivileged caller may map only its own %s %d (one entry), not %s", strings.ToUpper(kind), kind, self, Format(maps))
	}
	m := maps[0]
	if m.HostID != self || m.Size != 1 {
		if m.HostID != self {
			return fmt.Sprintf("%s %d cannot be mapped: an unprivileged caller may map only its own %s %d", kind, m.HostID, kind, self)
		}
		return fmt.Sprintf("an unprivileged caller may map only one %s (its own, %d), not %d", kind, self, m.Size)
	}
	return ""
}

// isChrooted reports whether the process's root differs from init's.
func isChrooted() bool {
	var a, b syscall.Stat_t
	if syscall.Stat("/", &a) != nil || syscall.Stat("/proc/1/root/", &b) != nil {
		return false
	}
	return a.Dev != b.Dev || a.Ino != b.Ino
}
