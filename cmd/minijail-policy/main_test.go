package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minijail-go/minijail/seccomp"
	"github.com/minijail-go/minijail/seccomp/arch"
)

func runTool(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func writePolicy(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCompileWritesWorkingFilter(t *testing.T) {
	dir := t.TempDir()
	pol := writePolicy(t, dir, "p.policy", "read: 1\nwrite: arg0 == 1 || arg0 == 2; return EBADF\n# comment\nclose: return 5\n")
	out := filepath.Join(dir, "p.bpf")
	for _, d := range []string{"minijail0", "python"} {
		code, stdout, stderr := runTool(t, "compile", "--arch", "x86_64", "--dialect", d, pol, out, "--default-action", "trap")
		if code != 0 {
			t.Fatalf("exit %d: %s %s", code, stdout, stderr)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		prog, err := seccomp.ParseProgram(data, binary.LittleEndian)
		if err != nil {
			t.Fatal(err)
		}
		if err := seccomp.Validate(prog); err != nil {
			t.Fatal(err)
		}
		a, _ := arch.Lookup("x86_64")
		call := func(name string, args ...uint64) uint32 {
			nr, _ := a.Syscall(name)
			in := seccomp.SeccompData{Nr: int32(nr), Arch: a.AuditArch}
			copy(in.Args[:], args)
			ret, _, err := seccomp.Run(prog, in)
			if err != nil {
				t.Fatal(err)
			}
			return ret
		}
		checks := []struct {
			got, want uint32
			what      string
		}{
			{call("read"), seccomp.RetAllow, "read"},
			{call("close"), seccomp.RetErrno | 5, "close"},
			{call("openat"), seccomp.RetTrap, "unlisted"},
		}
		if d == "minijail0" {
			checks = append(checks, struct {
				got, want uint32
				what      string
			}{call("write", 1), seccomp.RetAllow, "write 1"}, struct {
				got, want uint32
				what      string
			}{call("write", 3), seccomp.RetErrno | 9, "write 3"})
		} else {
			checks = append(checks, struct {
				got, want uint32
				what      string
			}{call("write", 1), seccomp.RetErrno | 9, "write 1"}, struct {
				got, want uint32
				what      string
			}{call("write", 3), seccomp.RetTrap, "write 3"})
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s: %s: got %s, want %s", d, c.what, seccomp.RetString(c.got), seccomp.RetString(c.want))
			}
		}
	}
}

func TestCompileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := writePolicy(t, dir, "bad.policy", "read: 1\nwrite: arg0 === 1\n")
	code, _, stderr := runTool(t, "compile", "--arch", "x86_64", bad, filepath.Join(dir, "out.bpf"))
	if code != 1 || !strings.Contains(stderr, bad+":2:15: ") {
		t.Errorf("bad policy: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.bpf")); err == nil {
		t.Error("an output file was written for a bad policy")
	}
	unknown := writePolicy(t, dir, "unknown.policy", "read: 1\nfrobnicate: 1\n")
	code, _, stderr = runTool(t, "compile", "--arch", "x86_64", unknown, filepath.Join(dir, "out.bpf"))
	if code != 1 || !strings.Contains(stderr, unknown+":2:1: unknown syscall") {
		t.Errorf("unknown syscall: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runTool(t, "compile", "--arch", "x86_64", "--unknown-syscalls-are-warnings", unknown, filepath.Join(dir, "out.bpf"))
	if code != 0 || !strings.Contains(stderr, unknown+":2:1: warning: unknown syscall") {
		t.Errorf("unknown syscall as warning: exit %d, stderr %q", code, stderr)
	}
	dup := writePolicy(t, dir, "dup.policy", "read: 1\nread: 1\n")
	if code, _, stderr = runTool(t, "compile", "--arch", "x86_64", dup, filepath.Join(dir, "out.bpf")); code != 1 || !strings.Contains(stderr, ":2:7: ") {
		t.Errorf("duplicate: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr = runTool(t, "compile", "--arch", "x86_64", "--allow-duplicates", dup, filepath.Join(dir, "out.bpf")); code != 0 || !strings.Contains(stderr, "warning") {
		t.Errorf("allowed duplicate: exit %d, stderr %q", code, stderr)
	}
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"compile", "only-one-arg"},
		{"compile", "--arch", "vax", dup, "x"},
		{"compile", "--dialect", "perl", dup, "x"},
		{"compile", "--default-action", "sometimes", dup, "x"},
		{"compile", "--no-such-flag", dup, "x"},
		{"dump"},
		{"explain", "a", "b"},
	} {
		if code, _, _ := runTool(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
	if code, _, stderr := runTool(t, "compile", "--arch", "x86_64", filepath.Join(dir, "missing.policy"), "x"); code != 1 || stderr == "" {
		t.Errorf("missing file: exit %d", code)
	}
}

func TestCompileCorpusWithSysroot(t *testing.T) {
	corpus := "../../../shared/corpus/policies"
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	for _, f := range []string{"common_device.policy", "common_device.frequency"} {
		link := filepath.Join(root, "usr/share/policy/crosvm", f)
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			t.Fatal(err)
		}
		abs, _ := filepath.Abs(filepath.Join(corpus, "crosvm/x86_64", f))
		if err := os.Symlink(abs, link); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "serial.bpf")
	code, _, stderr := runTool(t, "compile", "--arch", "x86_64", "--sysroot", root, "--dialect", "python",
		filepath.Join(corpus, "crosvm/x86_64/pvclock_device.policy"), out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Without the sysroot the absolute include is not found.
	code, _, stderr = runTool(t, "compile", "--arch", "x86_64", filepath.Join(corpus, "crosvm/x86_64/pvclock_device.policy"), out)
	if code != 1 || !strings.Contains(stderr, "cannot @include /usr/share/policy/crosvm/common_device.policy") {
		t.Errorf("without sysroot: exit %d, %q", code, stderr)
	}
}

func TestDump(t *testing.T) {
	dir := t.TempDir()
	pol := writePolicy(t, dir, "p.policy", "read: 1\nioctl: arg1 == TCGETS\n")
	code, fromPolicy, stderr := runTool(t, "dump", "--arch", "x86_64", pol)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"L", "ret", "ALLOW", "arch", "nr"} {
		if !strings.Contains(fromPolicy, want) {
			t.Errorf("dump of the policy lacks %q:\n%s", want, fromPolicy)
		}
	}
	out := filepath.Join(dir, "p.bpf")
	if code, _, stderr := runTool(t, "compile", "--arch", "x86_64", pol, out); code != 0 {
		t.Fatal(stderr)
	}
	code, fromBPF, stderr := runTool(t, "dump", "--arch", "x86_64", out)
	if code != 0 || fromBPF != fromPolicy {
		t.Errorf("dump of the compiled file differs (exit %d, %s):\n%s\nvs\n%s", code, stderr, fromBPF, fromPolicy)
	}
	odd := writePolicy(t, dir, "odd.bpf", "1234567")
	if code, _, _ := runTool(t, "dump", odd); code != 1 {
		t.Errorf("dump of a truncated filter: exit %d, want 1", code)
	}
}

func explainJSON(t *testing.T, args ...string) *explanation {
	t.Helper()
	code, out, stderr := runTool(t, append([]string{"explain", "--json", "--cost", "--arch", "x86_64"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var ex explanation
	if err := json.Unmarshal([]byte(out), &ex); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return &ex
}

func TestExplain(t *testing.T) {
	dir := t.TempDir()
	pol := writePolicy(t, dir, "p.policy", "read: 1\nopenat: return ENOENT\nioctl: arg1 == TCGETS || arg1 == FIONREAD\nmmap: arg2 in ~PROT_EXEC && arg3 & 0x20\n")
	ex := explainJSON(t, pol)
	if len(ex.Syscalls) != 4 || ex.Arch != "x86_64" || ex.Default != "kill-process" {
		t.Fatalf("explanation = %+v", ex)
	}
	byName := map[string]syscallExplain{}
	for _, s := range ex.Syscalls {
		byName[s.Name] = s
		if s.Cost == nil || s.Cost.ZeroArgs < 5 || s.Cost.Min > s.Cost.Max || len(s.Cost.Path) != s.Cost.ZeroArgs {
			t.Errorf("%s: bad cost %+v", s.Name, s.Cost)
		}
		if len(s.Warnings) > 0 {
			t.Errorf("%s: unexpected warnings %q", s.Name, s.Warnings)
		}
	}
	if byName["read"].Action != "allow" || byName["openat"].Action != "return errno 2" {
		t.Errorf("actions: %+v", ex.Syscalls)
	}
	io := byName["ioctl"]
	if len(io.Rules) != 2 || io.Rules[0].When != "arg1 is 0x5401" || io.Else != "kill-process" || !strings.HasSuffix(io.Rules[1].At, "p.policy:3:8") ||
		io.Rules[1].Source != "ioctl: arg1 == TCGETS || arg1 == FIONREAD" {
		t.Errorf("ioctl = %+v", io)
	}
	if w := byName["mmap"].Rules[0].When; w != "arg2 has no bits outside 0xfffffffffffffffb and arg3 has any of the bits 0x20" {
		t.Errorf("mmap rule in words: %q", w)
	}
	code, text, _ := runTool(t, "explain", "--arch", "x86_64", "--cost", pol)
	if code != 0 || !strings.Contains(text, "ioctl (16):") || !strings.Contains(text, "otherwise: kill-process") || !strings.Contains(text, "cost:") {
		t.Errorf("text explanation:\n%s", text)
	}
	bad := writePolicy(t, dir, "bad.policy", "ioctl: arg1 == NO_SUCH_CONSTANT\n")
	if code, _, stderr := runTool(t, "explain", "--arch", "x86_64", bad); code != 1 || !strings.Contains(stderr, bad+":1:16: unknown constant") {
		t.Errorf("bad: exit %d %q", code, stderr)
	}
}

// TestExplainHighBitsBypass checks the CVE-2019-10063 warning: a rule that
// refuses an ioctl command by comparing all 64 bits of the argument, which
// the kernel reads as 32.
func TestExplainHighBitsBypass(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, policy, dialect string
		warn                  bool
	}{
		{"denylist style", "ioctl: arg1 == TIOCSTI; return EPERM\nioctl: 1\n", "python", true},
		{"not equal", "ioctl: arg1 != TIOCSTI\n", "minijail0", true},
		{"masked", "fcntl: arg1 & 0xff; return EPERM\nfcntl: 1\n", "python", false},
		{"allowlist", "ioctl: arg1 == TCGETS || arg1 == TIOCGWINSZ\n", "minijail0", false},
		{"64-bit argument", "mmap: arg2 != PROT_EXEC\n", "minijail0", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pol := writePolicy(t, dir, strings.ReplaceAll(c.name, " ", "_")+".policy", c.policy)
			ex := explainJSON(t, "--dialect", c.dialect, pol)
			if got := len(ex.Warnings) > 0; got != c.warn {
				t.Errorf("warnings = %q, want any: %v", ex.Warnings, c.warn)
			}
			if c.warn && !strings.Contains(ex.Warnings[0], "32 bits wide in the kernel") {
				t.Errorf("warning text %q", ex.Warnings[0])
			}
		})
	}
	// 32-bit targets have nothing to bypass.
	pol := writePolicy(t, dir, "i386.policy", "ioctl: arg1 != TIOCSTI\n")
	code, out, _ := runTool(t, "explain", "--json", "--arch", "i386", pol)
	if code != 0 || strings.Contains(out, "32 bits wide") {
		t.Errorf("i386: exit %d, %s", code, out)
	}
}

func TestTracePathMatchesInterpreter(t *testing.T) {
	a, _ := arch.Lookup("x86_64")
	p, prog, err := seccomp.CompileReader("t", strings.NewReader("read: 1\nioctl: arg1 == TCGETS && arg0 < 3 || arg2 & 0x100000000\nclose: return 1\n"),
		seccomp.ParseOptions{Arch: a}, seccomp.DefaultCompileOptions())
	if err != nil {
		t.Fatal(err)
	}
	for nr := int32(0); nr < 30; nr++ {
		for _, args := range [][6]uint64{{}, {2, 0x5401}, {4, 0x5401}, {0, 0, 1 << 32}, {^uint64(0), ^uint64(0), ^uint64(0)}} {
			in := seccomp.SeccompData{Nr: nr, Arch: p.Arch.AuditArch, Args: args}
			_, n, err := seccomp.Run(prog, in)
			if err != nil {
				t.Fatal(err)
			}
			path := tracePath(prog, in, a.Order)
			if len(path) != n {
				t.Fatalf("nr %d %v: traced %d instructions, interpreter ran %d", nr, args, len(path), n)
			}
		}
	}
}

func TestParseInterleaved(t *testing.T) {
	fs := newFlagSet("x")
	a := fs.String("arch", "", "")
	b := fs.Bool("json", false, "")
	pos, err := parseInterleaved(fs, []string{"one", "--arch", "i386", "two", "--json", "--", "--three"})
	if err != nil || *a != "i386" || !*b || strings.Join(pos, " ") != "one two --three" {
		t.Errorf("got %q %v arch=%q json=%v", pos, err, *a, *b)
	}
}

// TestExplainCostCache checks the action-cache markers and the cost totals
// of explain --cost, in JSON and in text, against the program's own
// interpretation.
func TestExplainCostCache(t *testing.T) {
	dir := t.TempDir()
	pol := writePolicy(t, dir, "c.policy", "read: 1\nwrite: 1\nopenat: return ENOENT\nioctl: arg1 == TCGETS\nfutex: arg1 == 0 || arg1 == 1\n")
	ex := explainJSON(t, pol)
	want := map[string]struct{ cached, argDep, onNr bool }{
		"read":   {true, false, true},
		"write":  {true, false, true},
		"openat": {false, false, true},
		"ioctl":  {false, true, false},
		"futex":  {false, true, false},
	}
	var sum, argSum, maxCost int
	for _, s := range ex.Syscalls {
		w, ok := want[s.Name]
		if !ok || s.Cached == nil || s.Cost == nil {
			t.Fatalf("%s: unexpected entry %+v", s.Name, s)
		}
		if *s.Cached != w.cached || s.Cost.ArgDependent != w.argDep || s.Cost.DecidedOnNr != w.onNr {
			t.Errorf("%s: cached %v arg_dependent %v decided_on_nr %v, want %+v", s.Name, *s.Cached, s.Cost.ArgDependent, s.Cost.DecidedOnNr, w)
		}
		// Every syscall here gets a verdict other than the default kill
		// for some call, so each is handled; its handled cost is at most
		// the all-zero call's (for ioctl the cheapest allowed call).
		if s.Cost.Handled < 4 || (!w.argDep && s.Cost.Handled != s.Cost.ZeroArgs) {
			t.Errorf("%s: handled cost %d, zero-argument cost %d", s.Name, s.Cost.Handled, s.Cost.ZeroArgs)
		}
		sum += s.Cost.Handled
		if w.argDep {
			argSum += s.Cost.Handled
		}
		maxCost = max(maxCost, s.Cost.Handled)
	}
	// The ioctl rule's allowed call costs what the interpreter says.
	a, _ := arch.Lookup("x86_64")
	_, prog, err := seccomp.CompileFile(pol, seccomp.ParseOptions{Arch: a}, seccomp.DefaultCompileOptions())
	if err != nil {
		t.Fatal(err)
	}
	_, n, err := seccomp.Run(prog, seccomp.SeccompData{Nr: 16, Arch: a.AuditArch, Args: [6]uint64{0, 0x5401}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ex.Syscalls {
		if s.Name == "ioctl" && s.Cost.Handled != n {
			t.Errorf("ioctl handled cost %d, interpreter %d", s.Cost.Handled, n)
		}
	}
	tot := ex.CostTotals
	if tot == nil {
		t.Fatal("no cost totals")
	}
	if tot.Handled != 5 || tot.Cached != 2 || tot.ArgDependent != 2 || tot.Weighted || tot.Max != maxCost ||
		tot.Mean != float64(sum)/5 || tot.ArgDependentMean != float64(argSum)/2 {
		t.Errorf("totals %+v; want handled 5, cached 2, arg-dependent 2, mean %v, arg mean %v, max %d", tot, float64(sum)/5, float64(argSum)/2, maxCost)
	}
	code, text, _ := runTool(t, "explain", "--arch", "x86_64", "--cost", pol)
	for _, frag := range []string{"handled syscalls: 5, 2 cached, 2 depend on arguments", "; cached\n",
		"not cached: the verdict depends on arguments", "not cached: decided on arch and nr, but the kernel caches only allow"} {
		if code != 0 || !strings.Contains(text, frag) {
			t.Errorf("text explanation lacks %q:\n%s", frag, text)
		}
	}
	// Without --cost there are no cache markers or totals.
	code, out, _ := runTool(t, "explain", "--json", "--arch", "x86_64", pol)
	if code != 0 || strings.Contains(out, `"cached"`) || strings.Contains(out, "cost_totals") {
		t.Errorf("explain without --cost:\n%s", out)
	}
}

// TestExplainCostWeighted checks that the argument-dependent mean is
// weighted by @frequency.
func TestExplainCostWeighted(t *testing.T) {
	dir := t.TempDir()
	writePolicy(t, dir, "f.frequency", "ioctl: 9\nfutex: 1\n")
	pol := writePolicy(t, dir, "w.policy", "@frequency ./f.frequency\nread: 1\nioctl: arg1 == TCGETS\nfutex: arg1 == 0\n")
	ex := explainJSON(t, pol)
	costs := map[string]int{}
	for _, s := range ex.Syscalls {
		costs[s.Name] = s.Cost.Handled
	}
	tot := ex.CostTotals
	want := (9*float64(costs["ioctl"]) + float64(costs["futex"])) / 10
	if tot == nil || !tot.Weighted || tot.ArgDependent != 2 || tot.ArgDependentMean != want {
		t.Errorf("totals %+v, want weighted arg-dependent mean %v (costs %v)", tot, want, costs)
	}
}
