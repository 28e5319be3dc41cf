package child

import (
	"reflect"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/internal/caps"
	"github.com/minijail-go/minijail/internal/config"
)

// steps lists the planned calls as "step object" strings.
func steps(ops []rawOp) []string {
	var out []string
	for _, o := range ops {
		s := o.step
		if o.object != "" {
			s += " " + o.object
		}
		out = append(out, s)
	}
	return out
}

// TestPrivilegeOpsPlan checks the order and content of the privilege
// steps, which run either from Go or after the filter as bare calls. It
// plans without capabilities (UseCaps would lock this thread's
// securebits), and checks the capability plan through capOps.
func TestPrivilegeOpsPlan(t *testing.T) {
	tests := []struct {
		name string
		c    config.Config
		want []string
	}{
		{"nothing", config.Config{}, nil},
		{"uid and gid clear the groups", config.Config{HasUID: true, UID: 65534, HasGID: true, GID: 65533},
			[]string{"setgroups []", "setresgid 65533", "setresuid 65534"}},
		{"keep groups", config.Config{HasUID: true, UID: 5, GroupsMode: config.GroupsKeep},
			[]string{"setresuid 5"}},
		{"set groups", config.Config{HasUID: true, UID: 5, GroupsMode: config.GroupsSet, Groups: []uint32{7, 8}},
			[]string{"setgroups [7 8]", "setresuid 5"}},
		{"user namespace clears the ambient and inheritable sets", config.Config{Cloneflags: unix.CLONE_NEWUSER},
			[]string{"clear the ambient set", "capset inheritable set"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ops, se := privilegeOps(&tc.c)
			if se != nil {
				t.Fatal(se)
			}
			if got := steps(ops); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("plan %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCapOpsPlan(t *testing.T) {
	last := caps.LastCap()
	locked := uint64(caps.SecbitNoroot | caps.SecbitNorootLocked)
	mask := uint64(1<<13 | 1<<12)
	got := steps(capOps(mask, locked))
	// capset with CAP_SETPCAP kept, drop every other capability from the
	// bounding set, capset to the mask, clear and raise the ambient set.
	want := []string{"capset 0x3000"}
	for c := 0; c <= last; c++ {
		if mask&(1<<uint(c)) == 0 {
			want = append(want, "drop from the bounding set "+caps.Name(c))
		}
	}
	want = append(want, "capset 0x3000", "clear the ambient set",
		"raise in the ambient set cap_net_admin", "raise in the ambient set cap_net_raw")
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("plan %q\nwant %q", got, want)
	}
	// Without SECBIT_NOROOT locked the bounding set stays (root would
	// regain it at exec anyway).
	for _, s := range steps(capOps(mask, 0)) {
		if len(s) > 8 && s[:8] == "drop fro" {
			t.Fatalf("bounding set dropped without NOROOT: %q", s)
		}
	}
	// The first capset keeps CAP_SETPCAP, the second does not.
	ops := capOps(mask, locked)
	first := ops[0].keep.(*capsetArgs).data[0].Effective
	second := ops[len(ops)-4].keep.(*capsetArgs).data[0].Effective
	if first != uint32(mask|1<<caps.SetPCap) || second != uint32(mask) {
		t.Fatalf("capsets %#x then %#x", first, second)
	}
}

func TestEncodeReportErrnoOffset(t *testing.T) {
	se := &config.StepError{Step: "execve", Path: "/bin/x"}
	msg, at := encodeReport(se)
	msg[at] = byte(unix.ENOENT)
	got, err := config.UnmarshalStepError(msg[4:])
	if err != nil {
		t.Fatal(err)
	}
	if got.Errno != unix.ENOENT || got.Step != "execve" || got.Path != "/bin/x" {
		t.Fatalf("decoded %+v", got)
	}
}
