package idmap

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/minijail-go/minijail/internal/jailtest"
)

func TestMain(m *testing.M) {
	jailtest.Main(m, map[string]func() int{
		"unmappable": roleUnmappable,
		"nslimit":    roleNSLimit,
	})
}

// maxCount is the largest count a map entry may have (a variable, so that
// the file compiles where int has 32 bits).
var maxCount uint64 = 4294967295

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want []syscall.SysProcIDMap
		err  string
	}{
		{"0 1000 1", []syscall.SysProcIDMap{{ContainerID: 0, HostID: 1000, Size: 1}}, ""},
		{" 0  1000\t1 ", []syscall.SysProcIDMap{{ContainerID: 0, HostID: 1000, Size: 1}}, ""},
		{"0 100000 1000,1000 1000 1", []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 1000}, {ContainerID: 1000, HostID: 1000, Size: 1}}, ""},
		{"0 0 4294967295", []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: int(maxCount)}}, ""},
		{"", nil, "empty"},
		{"0 1000", nil, "got 2 fields"},
		{"0 1000 1 2", nil, "got 4 fields"},
		{"0 1000 1,", nil, "entry 2"},
		{"a 1000 1", nil, "inner id \"a\""},
		{"0 -1 1", nil, "outer id \"-1\""},
		{"0 1000 0", nil, "count must be at least 1"},
		{"0 4294967296 1", nil, "below 2^32"},
		{"1 0 4294967295", nil, "inner range 1+4294967295 goes past"},
		{"4294967295 0 1", nil, "goes past 4294967294"},
		{"0 1000 10,5 2000 1", nil, "inner range overlaps entry 1"},
		{"0 1000 10,50 1005 1", nil, "outer range overlaps entry 1"},
		{"0x10 1000 1", nil, "not a decimal"},
		{strings.Repeat("0 0 1,", 340) + "0 0 1", nil, "at most 340"},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%q) = %v, %v; want error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if back, err := Parse(Format(got)); err != nil || !reflect.DeepEqual(back, got) {
			t.Errorf("Format round trip of %q: %v %v", tc.in, back, err)
		}
	}
}

func TestDefault(t *testing.T) {
	if got := Default(0, false, 1000); !reflect.DeepEqual(got, []syscall.SysProcIDMap{{ContainerID: 0, HostID: 1000, Size: 1}}) {
		t.Errorf("bare map without -u: %v", got)
	}
	if got := Default(33, true, 1000); !reflect.DeepEqual(got, []syscall.SysProcIDMap{{ContainerID: 33, HostID: 1000, Size: 1}}) {
		t.Errorf("bare map with -u 33: %v", got)
	}
	if got := Default(33, false, 1000); got[0].ContainerID != 0 {
		t.Errorf("inner id used without hasInner: %v", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"0 1000 1", "0 100000 65536,65536 1000 1", "", "1 2", "0 0 4294967295", "a b c", "0 1 1,1 2 1,2 3 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		maps, err := Parse(s)
		if err != nil {
			return
		}
		if len(maps) == 0 || len(maps) > MaxEntries {
			t.Fatalf("Parse(%q): %d entries", s, len(maps))
		}
		for i, m := range maps {
			if m.Size < 1 || m.ContainerID < 0 || m.HostID < 0 ||
				uint64(m.ContainerID+m.Size) > maxCount || uint64(m.HostID+m.Size) > maxCount {
				t.Fatalf("Parse(%q): bad entry %d %+v", s, i, m)
			}
			for _, p := range maps[:i] {
				if overlap(p.ContainerID, p.Size, m.ContainerID, m.Size) || overlap(p.HostID, p.Size, m.HostID, m.Size) {
					t.Fatalf("Parse(%q): overlapping entries accepted", s)
				}
			}
		}
		back, err := Parse(Format(maps))
		if err != nil || !reflect.DeepEqual(back, maps) {
			t.Fatalf("round trip of %q: %v %v", s, back, err)
		}
	})
}

func TestExplain(t *testing.T) {
	open := Sysctls{UnprivilegedUsernsClone: 1, MaxUserNamespaces: 1000, AppArmorRestrictUnprivNS: -1}
	user := Caller{EUID: 1000, EGID: 1000}
	root := Caller{Privileged: true, SetUID: true, SetGID: true}
	own := []syscall.SysProcIDMap{{ContainerID: 0, HostID: 1000, Size: 1}}
	tests := []struct {
		name string
		err  error
		req  Request
		c    Caller
		s    Sysctls
		want string // "" = unchanged
	}{
		{"disabled by debian sysctl", syscall.EPERM, Request{Cloneflags: syscall.CLONE_NEWUSER}, user,
			Sysctls{UnprivilegedUsernsClone: 0, MaxUserNamespaces: 1000, AppArmorRestrictUnprivNS: -1},
			"kernel.unprivileged_userns_clone=0"},
		{"apparmor", syscall.EACCES, Request{Cloneflags: syscall.CLONE_NEWUSER}, user,
			Sysctls{UnprivilegedUsernsClone: -1, MaxUserNamespaces: 1000, AppArmorRestrictUnprivNS: 1},
			"kernel.apparmor_restrict_unprivileged_userns=1"},
		{"max zero", syscall.ENOSPC, Request{Cloneflags: syscall.CLONE_NEWUSER}, root,
			Sysctls{UnprivilegedUsernsClone: -1, MaxUserNamespaces: 0, AppArmorRestrictUnprivNS: -1},
			"user.max_user_namespaces=0"},
		{"max reached", syscall.ENOSPC, Request{Cloneflags: syscall.CLONE_NEWUSER}, user, open,
			"user.max_user_namespaces=1000"},
		{"foreign uid", syscall.EPERM, Request{Cloneflags: syscall.CLONE_NEWUSER, UIDMaps: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}}}, user, open,
			"uid 0 cannot be mapped"},
		{"range", syscall.EPERM, Request{Cloneflags: syscall.CLONE_NEWUSER, UIDMaps: own, GIDMaps: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 1000, Size: 10}}}, user, open,
			"only one gid"},
		{"setgroups", syscall.EPERM, Request{Cloneflags: syscall.CLONE_NEWUSER, UIDMaps: own, GIDMaps: own, SetgroupsAllowed: true}, user, open,
			"setgroups denied"},
		{"no userns unprivileged", syscall.EPERM, Request{Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWPID}, user, open,
			"needs CAP_SYS_ADMIN, which uid 1000 lacks"},
		{"no userns root", syscall.EPERM, Request{Cloneflags: syscall.CLONE_NEWNS}, root, open, ""},
		{"other errno", syscall.ENOMEM, Request{Cloneflags: syscall.CLONE_NEWUSER}, user, open, ""},
		{"not an errno", errors.New("boom"), Request{Cloneflags: syscall.CLONE_NEWUSER}, user, open, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := fmt.Errorf("fork/exec /bin/true: %w", tc.err)
			got := Explain(in, tc.req, tc.c, tc.s)
			if tc.want == "" {
				if got != in {
					t.Errorf("Explain changed %v to %v", in, got)
				}
				return
			}
			if !strings.Contains(got.Error(), tc.want) {
				t.Errorf("Explain = %v, want it to mention %q", got, tc.want)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("Explain(%v) lost the errno: %v", in, got)
			}
		})
	}
	// CAP_SETUID without CAP_SYS_ADMIN: the uid map is not the problem.
	setuid := Caller{EUID: 1000, EGID: 1000, SetUID: true}
	got := Explain(syscall.EPERM, Request{Cloneflags: syscall.CLONE_NEWUSER, UIDMaps: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}}}, setuid, open)
	if got != syscall.EPERM {
		t.Errorf("caller with CAP_SETUID: %v", got)
	}
	if Explain(nil, Request{}, user, open) != nil {
		t.Error("Explain(nil) != nil")
	}
}

// roleUnmappable runs as an unprivileged user and asks for a user
// namespace mapping root's uid, which the kernel refuses.
func roleUnmappable() int {
	maps := []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}}
	cmd := exec.Command("/bin/true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: maps}
	err := cmd.Run()
	if err == nil {
		fmt.Println("mapping uid 0 as an unprivileged user succeeded")
		return 1
	}
	fmt.Println(Explain(err, Request{Cloneflags: syscall.CLONE_NEWUSER, UIDMaps: maps}, CurrentCaller(), ReadSysctls()))
	return 0
}

func TestUnmappableID(t *testing.T) {
	res := jailtest.Run(t, "unmappable", jailtest.Opts{Unprivileged: true})
	want := fmt.Sprintf("uid 0 cannot be mapped: an unprivileged caller may map only its own uid %d", jailtest.NobodyID)
	if res.Status != 0 || !strings.Contains(res.Output, want) {
		t.Fatalf("status %d, output %q; want it to contain %q", res.Status, res.Output, want)
	}
}

// roleNSLimit runs as root of a new user namespace, sets that namespace's
// user.max_user_namespaces to 0 and asks for a nested user namespace.
func roleNSLimit() int {
	if err := os.WriteFile(MaxUserNamespacesFile, []byte("0"), 0); err != nil {
		fmt.Println("set limit:", err)
		return 1
	}
	cmd := exec.Command("/bin/true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER}
	err := cmd.Run()
	if err == nil {
		fmt.Println("nested user namespace created despite the limit")
		return 1
	}
	fmt.Println(ExplainCloneError(err, syscall.CLONE_NEWUSER))
	return 0
}

func TestNamespaceLimit(t *testing.T) {
	res := jailtest.Run(t, "nslimit", jailtest.Opts{Cloneflags: syscall.CLONE_NEWUSER, Unprivileged: true})
	want := "user namespaces are disabled by user.max_user_namespaces=0"
	if res.Status != 0 || !strings.Contains(res.Output, want) {
		t.Fatalf("status %d, output %q; want it to contain %q", res.Status, res.Output, want)
	}
}

func TestCurrentCaller(t *testing.T) {
	c := CurrentCaller()
	if c.EUID != os.Geteuid() || c.EGID != os.Getegid() {
		t.Errorf("ids %+v", c)
	}
	if os.Geteuid() == 0 && !(c.Privileged && c.SetUID && c.SetGID) {
		t.Errorf("root without capabilities: %+v", c)
	}
	// The unprivileged side is checked by TestUnmappableID, whose
	// explanation needs CurrentCaller to report no CAP_SETUID.
}
