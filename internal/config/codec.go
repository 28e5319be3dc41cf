package config

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
)

// The wire format: a 4-byte magic, a 2-byte version, a 4-byte length of the
// body, then the fields of Config in a fixed order. Integers are
// little-endian; strings and byte slices carry a 4-byte length; slices carry a
// 4-byte count. Every length is bounded, and Unmarshal validates every field.
const (
	magic   = "MJGC"
	version = 1

	// MaxEncodedSize bounds a whole encoded Config.
	MaxEncodedSize = 16 << 20
	maxString      = 1 << 20 // one string (an env entry can be long)
	maxCount       = 1 << 16 // elements of one slice
	maxFD          = 1 << 20
)

// namespaceFlags are the clone flags a Config may ask for.
const namespaceFlags = syscall.CLONE_NEWNS | syscall.CLONE_NEWPID | syscall.CLONE_NEWNET |
	syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS | syscall.CLONE_NEWCGROUP | syscall.CLONE_NEWUSER

type encoder struct{ b []byte }

func (e *encoder) u8(v uint8)   { e.b = append(e.b, v) }
func (e *encoder) u32(v uint32) { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *encoder) u64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *encoder) i64(v int)    { e.u64(uint64(int64(v))) }
func (e *encoder) boolean(v bool) {
	if v {
		e.u8(1)
	} else {
		e.u8(0)
	}
}
func (e *encoder) bytes(v []byte) { e.u32(uint32(len(v))); e.b = append(e.b, v...) }
func (e *encoder) str(v string)   { e.u32(uint32(len(v))); e.b = append(e.b, v...) }
func (e *encoder) strs(v []string) {
	e.u32(uint32(len(v)))
	for _, s := range v {
		e.str(s)
	}
}

// Marshal encodes c. It fails only when c is larger than the format allows.
func Marshal(c *Config) ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("encode jail: %w", err)
	}
	return marshalUnchecked(c)
}

func marshalUnchecked(c *Config) ([]byte, error) {
	e := &encoder{b: make([]byte, 0, 4096)}
	e.b = append(e.b, magic...)
	e.b = binary.LittleEndian.AppendUint16(e.b, version)
	e.u32(0) // body length, patched below

	e.str(c.Path)
	e.strs(c.Argv)
	e.strs(c.Env)
	e.str(c.Dir)

	e.boolean(c.HasUID)
	e.boolean(c.HasGID)
	e.u32(c.UID)
	e.u32(c.GID)
	e.u8(uint8(c.GroupsMode))
	e.u32(uint32(len(c.Groups)))
	for _, g := range c.Groups {
		e.u32(g)
	}

	e.boolean(c.UseCaps)
	e.u64(c.CapMask)
	e.boolean(c.AmbientCaps)
	e.u64(c.SkipSecurebitsMask)
	e.boolean(c.NoNewPrivs)

	e.bytes(c.SeccompFilter)
	e.str(c.SeccompPolicy)
	e.boolean(c.SeccompLog)
	e.boolean(c.SeccompTSYNC)
	e.boolean(c.SpecAllow)
	e.boolean(c.StrictSeccomp)
	e.u64(c.ExecveAddr)
	e.i64(c.SeccompNotifFD)

	e.boolean(c.Landlock)
	e.u32(uint32(len(c.LandlockRules)))
	for _, r := range c.LandlockRules {
		e.str(r.Path)
		e.u64(r.Access)
	}

	e.u32(uint32(len(c.Rlimits)))
	for _, r := range c.Rlimits {
		e.i64(r.Resource)
		e.u64(r.Cur)
		e.u64(r.Max)
	}
	e.u32(uint32(len(c.PreserveFDs)))
	for _, fd := range c.PreserveFDs {
		e.i64(fd)
	}
	e.boolean(c.NewSession)
	e.boolean(c.NewKeyring)
	e.boolean(c.ParentDeath)
	e.boolean(c.InitStage)
	e.i64(c.LastPidFD)

	e.u64(c.Cloneflags)
	e.str(c.EnterMountNS)
	e.str(c.EnterNetNS)
	e.i64(c.EnterMountNSFD)
	e.i64(c.EnterNetNSFD)
	e.boolean(c.RunAsInit)
	e.str(c.Hostname)
	e.str(c.UIDMap)
	e.str(c.GIDMap)
	e.boolean(c.UIDMapSet)
	e.boolean(c.GIDMapSet)

	e.str(c.RemountMode)
	e.u32(uint32(len(c.Mounts)))
	for _, m := range c.Mounts {
		e.str(m.Source)
		e.str(m.Target)
		e.str(m.FSType)
		e.u64(m.Flags)
		e.str(m.Data)
		e.boolean(m.Bind)
		e.boolean(m.Writable)
	}
	e.str(c.Chroot)
	e.str(c.PivotRoot)
	e.boolean(c.MountTmp)
	e.u64(c.TmpSize)
	e.boolean(c.RemountProcRO)
	e.boolean(c.MountDev)

	e.str(c.Logging)

	if len(e.b) > MaxEncodedSize {
		return nil, fmt.Errorf("encode jail: %d bytes is more than the %d allowed", len(e.b), MaxEncodedSize)
	}
	binary.LittleEndian.PutUint32(e.b[6:10], uint32(len(e.b)-10))
	return e.b, nil
}

// errTruncated is returned for input that ends inside a field.
var errTruncated = errors.New("truncated")

type decoder struct {
	b     []byte
	field string // the field being decoded, for messages
	err   error
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.err = fmt.Errorf("field %s: %w", d.field, errTruncated)
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u8() uint8 {
	v := d.take(1)
	if v == nil {
		return 0
	}
	return v[0]
}

func (d *decoder) boolean() bool {
	switch v := d.u8(); v {
	case 0:
		return false
	case 1:
		return true
	default:
		if d.err == nil {
			d.err = fmt.Errorf("field %s: boolean byte %d", d.field, v)
		}
		return false
	}
}

func (d *decoder) u32() uint32 {
	v := d.take(4)
	if v == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(v)
}

func (d *decoder) u64() uint64 {
	v := d.take(8)
	if v == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(v)
}

func (d *decoder) i64() int { return int(int64(d.u64())) }

func (d *decoder) length(limit int) int {
	n := d.u32()
	if d.err == nil && int64(n) > int64(limit) {
		d.err = fmt.Errorf("field %s: length %d is more than %d", d.field, n, limit)
		return 0
	}
	return int(n)
}

func (d *decoder) bytes(limit int) []byte {
	n := d.length(limit)
	v := d.take(n)
	if len(v) == 0 {
		return nil
	}
	return append([]byte(nil), v...)
}

func (d *decoder) str() string { return string(d.take(d.length(maxString))) }

func (d *decoder) count() int {
	n := d.length(maxCount)
	// Every element takes at least one byte: reject counts the input cannot hold.
	if d.err == nil && n > len(d.b) {
		d.err = fmt.Errorf("field %s: count %d: %w", d.field, n, errTruncated)
		return 0
	}
	return n
}

func (d *decoder) strs() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, d.str())
	}
	return out
}

// Unmarshal decodes and validates an encoded Config.
func Unmarshal(b []byte) (*Config, error) {
	if len(b) > MaxEncodedSize {
		return nil, fmt.Errorf("decode jail: %d bytes is more than the %d allowed", len(b), MaxEncodedSize)
	}
	if len(b) < 10 || string(b[:4]) != magic {
		return nil, errors.New("decode jail: not an encoded jail (bad magic)")
	}
	if v := binary.LittleEndian.Uint16(b[4:6]); v != version {
		return nil, fmt.Errorf("decode jail: version %d, want %d", v, version)
	}
	if n := binary.LittleEndian.Uint32(b[6:10]); int64(n) != int64(len(b)-10) {
		return nil, fmt.Errorf("decode jail: body length %d, have %d bytes", n, len(b)-10)
	}
	d := &decoder{b: b[10:]}
	c := &Config{}
	f := func(name string) { d.field = name }

	f("path")
	c.Path = d.str()
	f("argv")
	c.Argv = d.strs()
	f("env")
	c.Env = d.strs()
	f("dir")
	c.Dir = d.str()

	f("uid")
	c.HasUID = d.boolean()
	f("gid")
	c.HasGID = d.boolean()
	f("uid")
	c.UID = d.u32()
	f("gid")
	c.GID = d.u32()
	f("groups mode")
	c.GroupsMode = int(d.u8())
	f("groups")
	if n := d.length(maxCount); n > 0 {
		c.Groups = make([]uint32, 0, min(n, len(d.b)/4+1))
		for i := 0; i < n && d.err == nil; i++ {
			c.Groups = append(c.Groups, d.u32())
		}
	}

	f("use caps")
	c.UseCaps = d.boolean()
	f("cap mask")
	c.CapMask = d.u64()
	f("ambient caps")
	c.AmbientCaps = d.boolean()
	f("securebits mask")
	c.SkipSecurebitsMask = d.u64()
	f("no_new_privs")
	c.NoNewPrivs = d.boolean()

	f("seccomp filter")
	c.SeccompFilter = d.bytes(4096 * 8)
	f("seccomp policy")
	c.SeccompPolicy = d.str()
	f("seccomp log")
	c.SeccompLog = d.boolean()
	f("seccomp tsync")
	c.SeccompTSYNC = d.boolean()
	f("spec allow")
	c.SpecAllow = d.boolean()
	f("strict seccomp")
	c.StrictSeccomp = d.boolean()
	f("execve address")
	c.ExecveAddr = d.u64()
	f("notify fd")
	c.SeccompNotifFD = d.i64()

	f("landlock")
	c.Landlock = d.boolean()
	f("landlock rules")
	if n := d.count(); n > 0 {
		for i := 0; i < n && d.err == nil; i++ {
			c.LandlockRules = append(c.LandlockRules, LandlockRule{Path: d.str(), Access: d.u64()})
		}
	}

	f("rlimits")
	if n := d.count(); n > 0 {
		for i := 0; i < n && d.err == nil; i++ {
			c.Rlimits = append(c.Rlimits, Rlimit{Resource: d.i64(), Cur: d.u64(), Max: d.u64()})
		}
	}
	f("preserved fds")
	if n := d.count(); n > 0 {
		for i := 0; i < n && d.err == nil; i++ {
			c.PreserveFDs = append(c.PreserveFDs, d.i64())
		}
	}
	f("new session")
	c.NewSession = d.boolean()
	f("new keyring")
	c.NewKeyring = d.boolean()
	f("parent death")
	c.ParentDeath = d.boolean()
	f("init stage")
	c.InitStage = d.boolean()
	f("last pid fd")
	c.LastPidFD = d.i64()

	f("clone flags")
	c.Cloneflags = d.u64()
	f("enter mount ns")
	c.EnterMountNS = d.str()
	f("enter net ns")
	c.EnterNetNS = d.str()
	f("enter mount ns fd")
	c.EnterMountNSFD = d.i64()
	f("enter net ns fd")
	c.EnterNetNSFD = d.i64()
	f("run as init")
	c.RunAsInit = d.boolean()
	f("hostname")
	c.Hostname = d.str()
	f("uid map")
	c.UIDMap = d.str()
	f("gid map")
	c.GIDMap = d.str()
	f("uid map set")
	c.UIDMapSet = d.boolean()
	f("gid map set")
	c.GIDMapSet = d.boolean()

	f("remount mode")
	c.RemountMode = d.str()
	f("mounts")
	if n := d.count(); n > 0 {
		for i := 0; i < n && d.err == nil; i++ {
			var m Mount
			m.Source, m.Target, m.FSType = d.str(), d.str(), d.str()
			m.Flags, m.Data = d.u64(), d.str()
			m.Bind, m.Writable = d.boolean(), d.boolean()
			c.Mounts = append(c.Mounts, m)
		}
	}
	f("chroot")
	c.Chroot = d.str()
	f("pivot root")
	c.PivotRoot = d.str()
	f("mount tmp")
	c.MountTmp = d.boolean()
	f("tmp size")
	c.TmpSize = d.u64()
	f("remount proc")
	c.RemountProcRO = d.boolean()
	f("mount dev")
	c.MountDev = d.boolean()
	f("logging")
	c.Logging = d.str()

	if d.err != nil {
		return nil, fmt.Errorf("decode jail: %w", d.err)
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("decode jail: %d trailing bytes", len(d.b))
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("decode jail: %w", err)
	}
	return c, nil
}

func checkString(field, s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("%s %q holds a NUL byte", field, s)
	}
	return nil
}

func checkPath(field, p string, absolute bool) error {
	if err := checkString(field, p); err != nil {
		return err
	}
	if absolute && p != "" && !filepath.IsAbs(p) {
		return fmt.Errorf("%s %q is not an absolute path", field, p)
	}
	return nil
}

// Validate checks every field of c for values the helper cannot apply. A
// Config without a program (a jail template) is valid; Runnable checks for
// one.
func (c *Config) Validate() error {
	if (c.Path == "") != (len(c.Argv) == 0) {
		return errors.New("a program needs both a path and an argv")
	}
	for _, s := range [][]string{{c.Path, c.Dir, c.SeccompPolicy, c.Hostname, c.UIDMap, c.GIDMap}, c.Argv, c.Env} {
		for _, v := range s {
			if err := checkString("string", v); err != nil {
				return err
			}
		}
	}
	for _, kv := range c.Env {
		if !strings.Contains(kv, "=") {
			return fmt.Errorf("environment entry %q has no '='", kv)
		}
	}
	if c.GroupsMode < GroupsDefault || c.GroupsMode > GroupsSet {
		return fmt.Errorf("groups mode %d unknown", c.GroupsMode)
	}
	if c.GroupsMode != GroupsSet && len(c.Groups) > 0 {
		return errors.New("supplementary groups given without the set mode")
	}
	if c.SkipSecurebitsMask>>12 != 0 {
		return fmt.Errorf("securebits mask %#x out of range", c.SkipSecurebitsMask)
	}
	if len(c.SeccompFilter)%8 != 0 || len(c.SeccompFilter) > 4096*8 {
		return fmt.Errorf("seccomp filter of %d bytes is not 1 to 4096 instructions", len(c.SeccompFilter))
	}
	if c.ExecveAddr%4096 != 0 || c.ExecveAddr > 1<<47-TrampolineSize {
		return fmt.Errorf("execve trampoline address %#x misaligned or out of range", c.ExecveAddr)
	}
	for _, fd := range []int{c.SeccompNotifFD, c.LastPidFD, c.EnterMountNSFD, c.EnterNetNSFD} {
		if fd < -1 || fd > maxFD {
			return fmt.Errorf("helper fd %d out of range", fd)
		}
	}
	for _, r := range c.LandlockRules {
		if err := checkPath("landlock path", r.Path, true); err != nil {
			return err
		}
	}
	seen := map[int]bool{}
	for _, r := range c.Rlimits {
		if r.Resource < 0 || r.Resource >= 16 {
			return fmt.Errorf("rlimit resource %d unknown", r.Resource)
		}
		if seen[r.Resource] {
			return fmt.Errorf("rlimit resource %d set twice", r.Resource)
		}
		seen[r.Resource] = true
		if r.Cur > r.Max {
			return fmt.Errorf("rlimit %d: soft %d above hard %d", r.Resource, r.Cur, r.Max)
		}
	}
	for _, fd := range c.PreserveFDs {
		if fd < 0 || fd > maxFD {
			return fmt.Errorf("preserved fd %d out of range", fd)
		}
	}
	if c.Cloneflags&^uint64(namespaceFlags) != 0 {
		return fmt.Errorf("clone flags %#x are not namespace flags", c.Cloneflags)
	}
	for _, p := range []struct {
		name, v string
	}{{"mount namespace", c.EnterMountNS}, {"net namespace", c.EnterNetNS}, {"chroot", c.Chroot}, {"pivot root", c.PivotRoot}} {
		if err := checkPath(p.name, p.v, true); err != nil {
			return err
		}
	}
	if c.Chroot != "" && c.PivotRoot != "" {
		return errors.New("both chroot and pivot_root")
	}
	if len(c.Hostname) > 64 {
		return fmt.Errorf("hostname of %d bytes is longer than 64", len(c.Hostname))
	}
	switch c.RemountMode {
	case RemountPrivate, RemountSlave, RemountShared, RemountUnbindable, RemountNone:
	default:
		return fmt.Errorf("remount mode %q unknown", c.RemountMode)
	}
	for _, m := range c.Mounts {
		for _, s := range []string{m.Source, m.FSType, m.Data} {
			if err := checkString("mount", s); err != nil {
				return err
			}
		}
		if err := checkPath("mount target", m.Target, true); err != nil {
			return err
		}
		if m.Bind && (m.FSType != "" || !filepath.IsAbs(m.Source)) {
			return fmt.Errorf("bind %q: needs an absolute source and no type", m.Source)
		}
		if !m.Bind && (m.FSType == "" || m.Writable) {
			return fmt.Errorf("mount %q on %q: needs a type", m.Source, m.Target)
		}
	}
	switch c.Logging {
	case LogAuto, LogSyslog, LogStderr:
	default:
		return fmt.Errorf("logging mode %q unknown", c.Logging)
	}
	return nil
}

// MarshalStepError encodes a StepError for the status pipe.
func MarshalStepError(se *StepError) []byte {
	e := &encoder{}
	e.str(truncate(se.Step))
	e.str(truncate(se.Path))
	e.u32(uint32(se.Errno))
	e.str(truncate(se.Msg))
	e.boolean(se.Mount)
	return e.b
}

func truncate(s string) string {
	if len(s) > 4096 {
		return s[:4096]
	}
	return s
}

// UnmarshalStepError decodes what the helper wrote on the status pipe.
func UnmarshalStepError(b []byte) (*StepError, error) {
	d := &decoder{b: b, field: "status"}
	se := &StepError{}
	se.Step = d.str()
	se.Path = d.str()
	se.Errno = syscall.Errno(d.u32())
	se.Msg = d.str()
	se.Mount = d.boolean()
	if d.err != nil {
		return nil, fmt.Errorf("decode helper status: %w", d.err)
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("decode helper status: %d trailing bytes", len(d.b))
	}
	if se.Step == "" {
		return nil, errors.New("decode helper status: no step named")
	}
	return se, nil
}

// Runnable checks that c names a program to run.
func (c *Config) Runnable() error {
	if c.Path == "" || len(c.Argv) == 0 {
		return errors.New("no program to run")
	}
	return nil
}
