package arch

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// corpusDir finds the shared policy corpus, which lives beside the module
// root (../shared/corpus).
func corpusDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	c := filepath.Join(filepath.Dir(dir), "shared", "corpus", "policies")
	if _, err := os.Stat(c); err != nil {
		t.Fatalf("policy corpus not found: %v", err)
	}
	return c
}

// corpusArches maps a corpus arch directory to the tables its files must
// resolve on. Files whose arch nobody could decide use only names common to
// all arches; they are checked on the two Android targets they come from.
var corpusArches = map[string][]string{
	"x86_64":  {"x86_64"},
	"i386":    {"i386"},
	"aarch64": {"aarch64"},
	"arm":     {"arm"},
	"riscv64": {"riscv64"},
	"unknown": {"aarch64", "arm"},
}

// corpusBad lists the names corpus files use that do not exist on the arch
// they are checked on, keyed "corpus_path arch name". These policies are
// shipped as they are; a compiler has to reject (or knowingly skip) the
// names. nowhere marks a name that is no syscall on any architecture.
var corpusBad = map[string]struct {
	reason  string
	nowhere bool
}{
	// x86_64 policy written with i386 names (the corpus README names
	// getuid32, the first one upstream stops at).
	"aosp/x86_64/mediaswcodec-x86_64.policy x86_64 getuid32":    {reason: "i386 only"},
	"aosp/x86_64/mediaswcodec-x86_64.policy x86_64 mmap2":       {reason: "32-bit only"},
	"aosp/x86_64/mediaswcodec-x86_64.policy x86_64 fstat64":     {reason: "32-bit only"},
	"aosp/x86_64/mediaswcodec-x86_64.policy x86_64 stat64":      {reason: "32-bit only"},
	"aosp/x86_64/mediaswcodec-x86_64.policy x86_64 statfs64":    {reason: "32-bit only"},
	"aosp/x86_64/mediaswcodec-x86_64.policy x86_64 fstatfs64":   {reason: "32-bit only"},
	"aosp/x86_64/mediaswcodec-x86_64.policy x86_64 fstatat64":   {reason: "32-bit only"},
	"aosp/x86_64/mediaswcodec-x86_64.policy x86_64 _llseek":     {reason: "32-bit only"},
	"aosp/x86_64/mediaswcodec-x86_64.policy x86_64 ugetrlimit":  {reason: "i386/arm only"},
	"aosp/x86_64/mediaswcodec-x86_64.policy x86_64 ftruncate64": {reason: "32-bit only"},
	// i386 has fstatat64, not newfstatat.
	"aosp/i386/mediacodec-x86.policy i386 newfstatat":                          {reason: "64-bit only"},
	"aosp/i386/mediaswcodec-x86.policy i386 newfstatat":                        {reason: "64-bit only"},
	"chromiumos/i386/cupstestppd-seccomp-x86.policy i386 newfstatat":           {reason: "64-bit only"},
	"chromiumos/i386/hanetzer__cupstestppd-seccomp-x86.policy i386 newfstatat": {reason: "64-bit only"},
	// A 32-bit arm policy filed as arm64.
	"chromiumos/aarch64/hanetzer__conntrackd-seccomp-arm64.policy aarch64 _llseek":    {reason: "not in the generic table"},
	"chromiumos/aarch64/hanetzer__conntrackd-seccomp-arm64.policy aarch64 _newselect": {reason: "not in the generic table"},
	"chromiumos/aarch64/hanetzer__conntrackd-seccomp-arm64.policy aarch64 access":     {reason: "not in the generic table (faccessat)"},
	"chromiumos/aarch64/hanetzer__conntrackd-seccomp-arm64.policy aarch64 fcntl64":    {reason: "32-bit only"},
	"chromiumos/aarch64/hanetzer__conntrackd-seccomp-arm64.policy aarch64 fstat64":    {reason: "32-bit only"},
	"chromiumos/aarch64/hanetzer__conntrackd-seccomp-arm64.policy aarch64 mmap2":      {reason: "32-bit only"},
	"chromiumos/aarch64/hanetzer__conntrackd-seccomp-arm64.policy aarch64 open":       {reason: "not in the generic table (openat)"},
	"chromiumos/aarch64/hanetzer__conntrackd-seccomp-arm64.policy aarch64 send":       {reason: "not in the generic table (sendto)"},
	"chromiumos/aarch64/hanetzer__conntrackd-seccomp-arm64.policy aarch64 stat64":     {reason: "32-bit only"},
	"chromiumos/aarch64/hanetzer__conntrackd-seccomp-arm64.policy aarch64 unlink":     {reason: "not in the generic table (unlinkat)"},
	// arm EABI has neither the OABI-only mmap/getrlimit nor x86's
	// arch_prctl, and spells fadvise arm_fadvise64_64.
	"android-devices/arm/samsung_r0q__gnss@2.0-base.policy arm mmap":                  {reason: "OABI only (mmap2)"},
	"android-devices/arm/samsung_r0q__gnss@2.0-base.policy arm newfstatat":            {reason: "64-bit only (fstatat64)"},
	"android-devices/unknown/samsung_r0q__gnss@2.0-xtra-daemon.policy arm getrlimit":  {reason: "OABI only (ugetrlimit)"},
	"chromiumos/arm/ippusbxd-seccomp-arm.policy arm arch_prctl":                       {reason: "x86 only"},
	"chromiumos/arm/ippusbxd-seccomp-arm.policy arm getrlimit":                        {reason: "OABI only (ugetrlimit)"},
	"chromiumos/arm/ippusbxd-seccomp-arm.policy arm mmap":                             {reason: "OABI only (mmap2)"},
	"android-devices/arm/xiaomi_sdm845-common__mediacodec-seccomp.policy arm ueventd": {reason: "not a syscall", nowhere: true},
	// minijail's examples are x86 policies.
	"minijail/unknown/cat.policy aarch64 open":                {reason: "not in the generic table"},
	"minijail/unknown/cat.policy arm mmap":                    {reason: "OABI only"},
	"minijail/unknown/cat.policy arm fadvise64":               {reason: "arm has arm_fadvise64_64"},
	"minijail/unknown/invalid_arg_filter.policy aarch64 open": {reason: "not in the generic table"},
}

var (
	ruleName  = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:(.*)$`)
	ruleList  = regexp.MustCompile(`^\s*\{([^}]*)\}\s*:(.*)$`)
	upperName = regexp.MustCompile(`\b[A-Z_][A-Z0-9_]*\b`)
)

// policyRule is one rule of a policy file.
type policyRule struct {
	line  int
	names []string // syscall names
	body  string   // what follows the colon
}

// scanPolicy reads the rules of a policy file: continuation lines are
// joined, comments dropped, and @ directives skipped.
func scanPolicy(t *testing.T, path string) []policyRule {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rules []policyRule
	sc := bufio.NewScanner(f)
	lineNo, start := 0, 0
	var pending strings.Builder
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if pending.Len() == 0 {
			start = lineNo
		}
		if strings.HasSuffix(line, `\`) {
			pending.WriteString(strings.TrimSuffix(line, `\`))
			pending.WriteByte(' ')
			continue
		}
		pending.WriteString(line)
		full := pending.String()
		pending.Reset()
		if i := strings.IndexByte(full, '#'); i >= 0 {
			full = full[:i]
		}
		if strings.TrimSpace(full) == "" || strings.HasPrefix(strings.TrimSpace(full), "@") {
			continue
		}
		if m := ruleName.FindStringSubmatch(full); m != nil {
			rules = append(rules, policyRule{line: start, names: []string{m[1]}, body: m[2]})
		} else if m := ruleList.FindStringSubmatch(full); m != nil {
			var names []string
			for _, n := range strings.Split(m[1], ",") {
				names = append(names, strings.TrimSpace(n))
			}
			rules = append(rules, policyRule{line: start, names: names, body: m[2]})
		} else {
			t.Errorf("%s:%d: not a rule: %q", path, start, full)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rules
}

// TestCorpusNamesResolve checks that every syscall name and every upper-case
// constant name in the argument expressions and return actions of the
// corpus policies exists on the policy's architecture.
func TestCorpusNamesResolve(t *testing.T) {
	root := corpusDir(t)
	files, err := filepath.Glob(filepath.Join(root, "*", "*", "*.policy"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 390 {
		t.Fatalf("found only %d corpus policies", len(files))
	}
	usedBad := map[string]bool{}
	nSys, nConst := 0, 0
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		dirArch := strings.Split(rel, "/")[1]
		targets, ok := corpusArches[dirArch]
		if !ok {
			t.Errorf("%s: unexpected arch directory %q", rel, dirArch)
			continue
		}
		for _, r := range scanPolicy(t, path) {
			for _, an := range targets {
				a, err := Lookup(an)
				if err != nil {
					t.Fatal(err)
				}
				for _, n := range r.names {
					nSys++
					if _, ok := a.Syscall(n); ok {
						continue
					}
					if k := rel + " " + an + " " + n; corpusBad[k].reason != "" {
						usedBad[k] = true
						continue
					}
					t.Errorf("%s:%d: syscall %q unknown on %s", rel, r.line, n, an)
				}
				for _, c := range upperName.FindAllString(r.body, -1) {
					nConst++
					if _, ok := a.Constant(c); ok {
						continue
					}
					if k := rel + " " + an + " " + c; corpusBad[k].reason != "" {
						usedBad[k] = true
						continue
					}
					t.Errorf("%s:%d: constant %q unknown on %s", rel, r.line, c, an)
				}
			}
		}
	}
	for k := range corpusBad {
		if !usedBad[k] {
			t.Errorf("exception %q no longer needed (or the file is gone)", k)
		}
	}
	t.Logf("%d files, %d syscall and %d constant references checked", len(files), nSys, nConst)
}

// TestCorpusBadNamesReallyBad makes sure the exceptions are names that are
// genuinely missing, not scanner mistakes: each must be missing on its arch
// and, unless marked nowhere, exist on some other architecture.
func TestCorpusBadNamesReallyBad(t *testing.T) {
	keys := make([]string, 0, len(corpusBad))
	for k := range corpusBad {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f := strings.Fields(k)
		if len(f) != 3 {
			t.Fatalf("bad key %q", k)
		}
		a, err := Lookup(f[1])
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		name := f[2]
		if _, ok := a.Syscall(name); ok {
			t.Errorf("%s: %q exists on %s after all", k, name, a.Name)
		}
		if _, ok := a.Constant(name); ok {
			t.Errorf("%s: constant %q exists on %s after all", k, name, a.Name)
		}
		found := false
		for _, b := range All() {
			if _, ok := b.Syscall(name); ok {
				found = true
			}
			if _, ok := b.Constant(name); ok {
				found = true
			}
		}
		if found == corpusBad[k].nowhere {
			t.Errorf("%s: %q found elsewhere = %v, want %v", k, name, found, !corpusBad[k].nowhere)
		}
	}
}
