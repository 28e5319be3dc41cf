package config

import (
	"bytes"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

func sampleConfig() *Config {
	return &Config{
		Path: "/bin/true", Argv: []string{"true", "x"}, Env: []string{"A=1", "B="}, Dir: "/",
		HasUID: true, UID: 65534, HasGID: true, GID: 65534, GroupsMode: GroupsSet, Groups: []uint32{1, 2},
		UseCaps: true, CapMask: 1 << 13, AmbientCaps: true, SkipSecurebitsMask: 0x3, NoNewPrivs: true,
		SeccompFilter: make([]byte, 16), SeccompPolicy: "x.policy", SeccompLog: true, ExecveAddr: 0x7f0000000000,
		SeccompNotifFD: -1, LastPidFD: -1, EnterMountNSFD: -1, EnterNetNSFD: -1,
		Rlimits:     []Rlimit{{Resource: 7, Cur: 10, Max: 20}},
		PreserveFDs: []int{5, 9}, NewSession: true, NewKeyring: true,
		Cloneflags:  syscall.CLONE_NEWNS | syscall.CLONE_NEWPID,
		RemountMode: RemountSlave, Hostname: "jail",
		Mounts:    []Mount{{Source: "/usr", Target: "/usr", Bind: true}, {Source: "none", Target: "/tmp", FSType: "tmpfs", Flags: 6, Data: "size=1M,mode=755"}},
		PivotRoot: "/var/empty", MountTmp: true, TmpSize: 64 << 20, RemountProcRO: true, MountDev: true,
		Logging: LogStderr,
	}
}

func TestRoundTrip(t *testing.T) {
	c := sampleConfig()
	b, err := Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("round trip changed the config:\n got %+v\nwant %+v", got, c)
	}
}

func TestUnmarshalRejects(t *testing.T) {
	good, err := Marshal(sampleConfig())
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(c *Config)) []byte {
		c := sampleConfig()
		f(c)
		// Encode without validation by validating a copy that passes, then
		// patching: simplest is to bypass Marshal's check.
		saved := *c
		b, err := marshalUnchecked(&saved)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "bad magic"},
		{"magic", append([]byte("XXXX"), good[4:]...), "bad magic"},
		{"version", append(append([]byte{}, good[:4]...), append([]byte{9, 0}, good[6:]...)...), "version 9"},
		{"truncated", good[:len(good)-3], "body length"},
		{"nul in argv", mutate(func(c *Config) { c.Argv = []string{"a\x00b"} }), "NUL"},
		{"bad rlimit", mutate(func(c *Config) { c.Rlimits = []Rlimit{{Resource: 99}} }), "rlimit resource 99"},
		{"rlimit twice", mutate(func(c *Config) { c.Rlimits = []Rlimit{{Resource: 1}, {Resource: 1}} }), "set twice"},
		{"soft above hard", mutate(func(c *Config) { c.Rlimits = []Rlimit{{Resource: 1, Cur: 5, Max: 1}} }), "above hard"},
		{"remount mode", mutate(func(c *Config) { c.RemountMode = "weird" }), "remount mode"},
		{"clone flags", mutate(func(c *Config) { c.Cloneflags = syscall.CLONE_VM }), "not namespace flags"},
		{"relative mount", mutate(func(c *Config) { c.Mounts = []Mount{{Source: "/a", Target: "b", Bind: true}} }), "not an absolute path"},
		{"filter size", mutate(func(c *Config) { c.SeccompFilter = make([]byte, 12) }), "seccomp filter"},
		{"no program path", mutate(func(c *Config) { c.Path = "" }), "both a path and an argv"},
		{"env", mutate(func(c *Config) { c.Env = []string{"NOEQUALS"} }), "no '='"},
		{"fd", mutate(func(c *Config) { c.PreserveFDs = []int{-4} }), "out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Unmarshal(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Unmarshal error = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestStepErrorRoundTrip(t *testing.T) {
	se := &StepError{Step: "bind", Path: "/x", Errno: syscall.ENOENT, Msg: "m", Mount: true}
	got, err := UnmarshalStepError(MarshalStepError(se))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, se) {
		t.Fatalf("got %+v want %+v", got, se)
	}
	if got.Error() != "bind /x: m: no such file or directory (errno 2)" {
		t.Fatalf("message %q", got.Error())
	}
	if _, err := UnmarshalStepError([]byte{1, 2}); err == nil {
		t.Fatal("truncated status accepted")
	}
}

func FuzzUnmarshal(f *testing.F) {
	good, _ := Marshal(sampleConfig())
	f.Add(good)
	min, _ := Marshal(&Config{Path: "/x", Argv: []string{"x"}, RemountMode: RemountPrivate, Logging: LogAuto, SeccompNotifFD: -1, LastPidFD: -1, EnterMountNSFD: -1, EnterNetNSFD: -1})
	f.Add(min)
	f.Add([]byte("MJGC\x01\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Unmarshal(b)
		if err != nil {
			return
		}
		// Whatever decodes must encode back to the same bytes.
		again, err := Marshal(c)
		if err != nil {
			t.Fatalf("decoded config does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs")
		}
	})
}
