package seccomp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	allow     = Action{Kind: ActAllow}
	killProc  = Action{Kind: ActKillProcess}
	killThr   = Action{Kind: ActKillThread}
	trapAct   = Action{Kind: ActTrap}
	logAct    = Action{Kind: ActLog}
	errnoAct1 = Action{Kind: ActErrno, Value: 1}
)

func errnoAct(n uint16) Action { return Action{Kind: ActErrno, Value: n} }

type verdictCase struct {
	syscall string
	args    [6]uint64
	want    Action
}

func checkVerdicts(t *testing.T, p *Policy, cases []verdictCase) {
	t.Helper()
	for _, c := range cases {
		nr, ok := p.Arch.Syscall(c.syscall)
		if !ok {
			t.Fatalf("no syscall %s", c.syscall)
		}
		if got := p.Evaluate(SeccompData{Nr: int32(nr), Arch: p.Arch.AuditArch, Args: c.args}); got != c.want {
			t.Errorf("%s%v: got %+v, want %+v", c.syscall, c.args, got, c.want)
		}
	}
}

func TestLowerDialects(t *testing.T) {
	src := "socket: arg0 == AF_UNIX; return 1\nread: 1\n"
	x86 := mustArch(t, "x86_64")
	pc, err := ParseBytes("t", []byte(src), ParseOptions{Arch: x86})
	if err != nil {
		t.Fatal(err)
	}
	checkVerdicts(t, pc, []verdictCase{
		{"socket", [6]uint64{1}, allow},
		{"socket", [6]uint64{2}, errnoAct1},
		{"read", [6]uint64{}, allow},
		{"write", [6]uint64{}, killProc},
	})
	pp, err := ParseBytes("t", []byte(src), ParseOptions{Arch: x86, Dialect: DialectPython})
	if err != nil {
		t.Fatal(err)
	}
	checkVerdicts(t, pp, []verdictCase{
		{"socket", [6]uint64{1}, errnoAct1},
		{"socket", [6]uint64{2}, killProc},
	})
	// In the C dialect a later rule after "expr; return" is an error; in
	// python it is a further alternative.
	src2 := "socket: arg0 == AF_UNIX; return 1\nsocket: arg0 == AF_INET\n"
	if _, err := ParseBytes("t", []byte(src2), ParseOptions{Arch: x86}); err == nil {
		t.Error("C dialect accepted a rule after an unconditional else")
	}
	pp2, err := ParseBytes("t", []byte(src2), ParseOptions{Arch: x86, Dialect: DialectPython})
	if err != nil {
		t.Fatal(err)
	}
	checkVerdicts(t, pp2, []verdictCase{
		{"socket", [6]uint64{1}, errnoAct1},
		{"socket", [6]uint64{2}, allow},
		{"socket", [6]uint64{10}, killProc},
	})
}

func TestLowerBareReturn(t *testing.T) {
	// minijail0 reads a bare "return" as the default action.
	p, err := ParseBytes("t", []byte("@default trap\nread: return\nwrite: arg0 == 1; return\n"), ParseOptions{Arch: mustArch(t, "x86_64")})
	if err != nil {
		t.Fatal(err)
	}
	checkVerdicts(t, p, []verdictCase{
		{"read", [6]uint64{}, trapAct},
		{"write", [6]uint64{1}, allow},
		{"write", [6]uint64{2}, trapAct},
	})
	if _, err := ParseBytes("t", []byte("read: return\nread: 1\n"), ParseOptions{Arch: mustArch(t, "x86_64")}); err == nil {
		t.Error("a rule after a bare return was accepted")
	}
}

func TestLowerConcatenation(t *testing.T) {
	src := `ioctl: arg1 == TCGETS
open: return ENOENT
ioctl: arg1 == FIONBIO || arg1 == TCSETS && arg0 == 3
mmap: arg2 in ~PROT_EXEC
madvise: arg2 & 4
prctl: arg0 != 4 && arg0 >= 2 && arg0 < 40 && arg1 <= 7 && arg1 > 1
`
	for _, d := range []Dialect{DialectMinijail0, DialectPython} {
		p, err := ParseBytes("t", []byte(src), ParseOptions{Arch: mustArch(t, "x86_64"), Dialect: d})
		if err != nil {
			t.Fatal(err)
		}
		checkVerdicts(t, p, []verdictCase{
			{"ioctl", [6]uint64{0, 0x5401}, allow},
			{"ioctl", [6]uint64{0, 0x5421}, allow},
			{"ioctl", [6]uint64{3, 0x5402}, allow},
			{"ioctl", [6]uint64{4, 0x5402}, killProc},
			{"ioctl", [6]uint64{0, 0x1_00005401}, killProc},
			{"open", [6]uint64{}, errnoAct(2)},
			{"mmap", [6]uint64{0, 0, 3}, allow},
			{"mmap", [6]uint64{0, 0, 7}, killProc},
			{"mmap", [6]uint64{0, 0, 1 << 40}, allow},
			{"madvise", [6]uint64{0, 0, 5}, allow},
			{"madvise", [6]uint64{0, 0, 3}, killProc},
			{"prctl", [6]uint64{3, 2}, allow},
			{"prctl", [6]uint64{4, 2}, killProc},
			{"prctl", [6]uint64{1, 2}, killProc},
			{"prctl", [6]uint64{40, 2}, killProc},
			{"prctl", [6]uint64{3, 8}, killProc},
			{"prctl", [6]uint64{3, 1}, killProc},
		})
		var ioctl *SyscallRules
		for i := range p.Syscalls {
			if p.Syscalls[i].Name == "ioctl" {
				ioctl = &p.Syscalls[i]
			}
		}
		if ioctl == nil || len(ioctl.Rules) != 3 || ioctl.Pos.Line != 1 || ioctl.Rules[2].Pos.Line != 3 {
			t.Errorf("ioctl rules = %+v", ioctl)
		}
	}
}

func TestLowerWidth(t *testing.T) {
	src := "mmap2: arg2 in ~PROT_EXEC\nread: arg0 == -1\n"
	p, err := ParseBytes("t", []byte(src), ParseOptions{Arch: mustArch(t, "i386")})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Syscalls {
		v := s.Rules[0].All[0].Value
		if v != 0xfffffffb && v != 0xffffffff {
			t.Errorf("%s: value %#x not at 32-bit width", s.Name, v)
		}
	}
	p64, err := ParseBytes("t", []byte("mmap: arg2 in ~PROT_EXEC\n"), ParseOptions{Arch: mustArch(t, "x86_64")})
	if err != nil {
		t.Fatal(err)
	}
	if v := p64.Syscalls[0].Rules[0].All[0].Value; v != 0xfffffffffffffffb {
		t.Errorf("x86_64 ~PROT_EXEC = %#x", v)
	}
}

func TestLowerDefaults(t *testing.T) {
	x86 := mustArch(t, "x86_64")
	src := "@default trap\nread: arg0 == 1\n"
	p, err := ParseBytes("t", []byte(src), ParseOptions{Arch: x86, DefaultAction: killThr})
	if err != nil {
		t.Fatal(err)
	}
	if p.Default != trapAct || p.BadArch != killProc {
		t.Errorf("default %+v badarch %+v", p.Default, p.BadArch)
	}
	checkVerdicts(t, p, []verdictCase{{"read", [6]uint64{2}, trapAct}, {"write", [6]uint64{}, trapAct}})
	p, err = ParseBytes("t", []byte(src), ParseOptions{Arch: x86, OverrideDefault: &logAct})
	if err != nil {
		t.Fatal(err)
	}
	checkVerdicts(t, p, []verdictCase{{"read", [6]uint64{2}, logAct}, {"read", [6]uint64{1}, allow}})
	p, err = ParseBytes("t", []byte("read: arg0 == 1\nptrace: kill\n"), ParseOptions{Arch: x86, DefaultAction: killThr})
	if err != nil {
		t.Fatal(err)
	}
	checkVerdicts(t, p, []verdictCase{{"read", [6]uint64{2}, killThr}, {"write", [6]uint64{}, killThr}, {"ptrace", [6]uint64{}, killThr}})
	p, err = ParseBytes("t", []byte("ptrace: kill\n"), ParseOptions{Arch: x86, DefaultAction: trapAct})
	if err != nil {
		t.Fatal(err)
	}
	checkVerdicts(t, p, []verdictCase{{"ptrace", [6]uint64{}, killProc}, {"write", [6]uint64{}, trapAct}})
}

func TestLowerDenylist(t *testing.T) {
	src := "@denylist\n@default kill\nptrace: return EPERM\nkill: return EPERM\nopenat: arg2 & O_CREAT; return EACCES\n"
	p, err := ParseBytes("t", []byte(src), ParseOptions{Arch: mustArch(t, "x86_64"), Denylist: true, Dialect: DialectPython})
	if err != nil {
		t.Fatal(err)
	}
	checkVerdicts(t, p, []verdictCase{
		{"ptrace", [6]uint64{}, errnoAct1},
		{"kill", [6]uint64{}, errnoAct1},
		{"openat", [6]uint64{0, 0, 0x40}, errnoAct(13)},
		{"openat", [6]uint64{0, 0, 0}, errnoAct1},
		{"read", [6]uint64{}, errnoAct1},
	})
	_, err = ParseBytes("t", []byte("@denylist\nkill: kill\n"), ParseOptions{Arch: mustArch(t, "x86_64"), Denylist: true})
	if pe, ok := AsPolicyError(err); !ok || pe.Pos.String() != "t:2:7" {
		t.Errorf("denylist with a kill rule: %v", err)
	}
	p, err = ParseBytes("t", []byte("@denylist\nptrace: return EPERM\n"), ParseOptions{Arch: mustArch(t, "x86_64"), Denylist: true})
	if err != nil {
		t.Fatal(err)
	}
	checkVerdicts(t, p, []verdictCase{{"read", [6]uint64{}, allow}, {"ptrace", [6]uint64{}, errnoAct1}})
}

func TestLowerDuplicatesAndWarnings(t *testing.T) {
	x86 := mustArch(t, "x86_64")
	var warns []string
	warn := func(p Pos, m string) { warns = append(warns, p.String()+": "+m) }
	p, err := ParseBytes("t", []byte("connect: 1\nconnect: return 1\nbogus_call: 1\n"), ParseOptions{
		Arch: x86, AllowDuplicates: true, UnknownSyscallsAreWarnings: true, Warn: warn,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkVerdicts(t, p, []verdictCase{{"connect", [6]uint64{}, allow}})
	if len(warns) != 2 || !strings.HasPrefix(warns[0], "t:2:10: ") || !strings.HasPrefix(warns[1], "t:3:1: ") {
		t.Errorf("warnings = %q", warns)
	}
	if len(p.Syscalls) != 1 {
		t.Errorf("syscalls = %+v", p.Syscalls)
	}
}

// writeFiles creates files (path -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestIncludes(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"root/usr/share/policy/common.policy":    "read: 1\n@include ./sub/more.policy\n@frequency ./common.frequency\n",
		"root/usr/share/policy/sub/more.policy":  "write: arg0 == 1\n",
		"root/usr/share/policy/common.frequency": "# counts\nread: 100\nwrite: 5\nread: 1\n",
		"work/main.policy":                       "@include /usr/share/policy/common.policy\nwrite: arg0 == 2\n@include ../work/local.policy\n",
		"work/local.policy":                      "close: 1\n",
		"work/self.policy":                       "read: 1\n@include ./self.policy\n",
		"work/a.policy":                          "@include ./b.policy\n",
		"work/b.policy":                          "@include ./a.policy\n",
		"work/bad.policy":                        "@include /usr/share/policy/broken.policy\n",
		"root/usr/share/policy/broken.policy":    "read: 1\nwrite: 2\n",
		"work/freqbad.policy":                    "@frequency ./bad.frequency\n",
		"work/bad.frequency":                     "read: x\n",
	})
	x86 := mustArch(t, "x86_64")
	opts := ParseOptions{Arch: x86, Sysroot: filepath.Join(dir, "root")}
	p, err := ParseFile(filepath.Join(dir, "work/main.policy"), opts)
	if err != nil {
		t.Fatal(err)
	}
	checkVerdicts(t, p, []verdictCase{
		{"read", [6]uint64{}, allow},
		{"write", [6]uint64{1}, allow},
		{"write", [6]uint64{2}, allow},
		{"write", [6]uint64{3}, killProc},
		{"close", [6]uint64{}, allow},
	})
	freq := map[string]uint32{}
	for _, s := range p.Syscalls {
		freq[s.Name] = s.Frequency
	}
	if freq["read"] != 101 || freq["write"] != 5 || freq["close"] != 0 {
		t.Errorf("frequencies = %v", freq)
	}
	if w := p.Syscalls[1]; w.Name != "write" || w.Pos.File != "/usr/share/policy/sub/more.policy" || w.Pos.Line != 1 {
		t.Errorf("write first named at %v", w.Pos)
	}

	for _, tc := range []struct{ file, pos, msg string }{
		{"work/self.policy", "self.policy:2:10", "include recursion"},
		{"work/a.policy", "b.policy:1:10", "include recursion"},
		{"work/bad.policy", "/usr/share/policy/broken.policy:2:8", "invalid action"},
		{"work/freqbad.policy", "bad.frequency:1:7", "expected a call count"},
	} {
		_, err := ParseFile(filepath.Join(dir, tc.file), opts)
		pe, ok := AsPolicyError(err)
		if !ok || !strings.HasSuffix(pe.Pos.String(), tc.pos) || !strings.Contains(pe.Msg, tc.msg) {
			t.Errorf("%s: error %v, want %s: %s", tc.file, err, tc.pos, tc.msg)
		}
	}

	// A policy read from memory resolves relative includes against the
	// directory of the name it is given.
	p, err = ParseBytes(filepath.Join(dir, "work/virtual.policy"), []byte("@include ./local.policy\n"), ParseOptions{Arch: x86})
	if err != nil {
		t.Fatal(err)
	}
	checkVerdicts(t, p, []verdictCase{{"close", [6]uint64{}, allow}, {"read", [6]uint64{}, killProc}})

	// Fan-out: each level includes the next one 8 times; 8^4 files would
	// be read, more than the limit.
	fan := map[string]string{"f/4.policy": "read: arg0 == 1\n"}
	for i := 0; i < 4; i++ {
		fan[fmt.Sprintf("f/%d.policy", i)] = strings.Repeat(fmt.Sprintf("@include ./%d.policy\n", i+1), 8)
	}
	writeFiles(t, dir, fan)
	_, err = ParseFile(filepath.Join(dir, "f/0.policy"), ParseOptions{Arch: x86})
	if pe, ok := AsPolicyError(err); !ok || !strings.Contains(pe.Msg, "too many @include") {
		t.Errorf("fan-out: %v", err)
	}

	// Depth limit: a chain of three includes fails with a limit of 2.
	writeFiles(t, dir, map[string]string{
		"d/0.policy": "@include ./1.policy\n",
		"d/1.policy": "@include ./2.policy\n",
		"d/2.policy": "@include ./3.policy\n",
		"d/3.policy": "read: 1\n",
	})
	if _, err := ParseFile(filepath.Join(dir, "d/0.policy"), ParseOptions{Arch: x86, MaxIncludeDepth: 3}); err != nil {
		t.Errorf("depth 3 with limit 3: %v", err)
	}
	_, err = ParseFile(filepath.Join(dir, "d/0.policy"), ParseOptions{Arch: x86, MaxIncludeDepth: 2})
	if pe, ok := AsPolicyError(err); !ok || !strings.HasSuffix(pe.Pos.String(), "2.policy:1:1") || !strings.Contains(pe.Msg, "nested too deep") {
		t.Errorf("depth limit error = %v", err)
	}
}

func TestLowerNegativeConstant(t *testing.T) {
	for _, tc := range []struct {
		arch string
		want uint64
	}{{"i386", 0xffffff9c}, {"arm", 0xffffff9c}, {"x86_64", 0xffffffffffffff9c}, {"aarch64", 0xffffffffffffff9c}} {
		p, err := ParseBytes("t", []byte("openat: arg0 == AT_FDCWD\n"), ParseOptions{Arch: mustArch(t, tc.arch)})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Syscalls[0].Rules[0].All[0].Value; got != tc.want {
			t.Errorf("%s: AT_FDCWD = %#x, want %#x", tc.arch, got, tc.want)
		}
	}
}
