package seccomp

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/minijail-go/minijail/seccomp/arch"
)

// corpusDir is the shared corpus of real policies (see its README).
const corpusDir = "../../shared/corpus"

type corpusRow map[string]string

// readTSV reads a tab-separated file with a header line.
func readTSV(t testing.TB, path string) []corpusRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("corpus: %v", err)
	}
	defer f.Close()
	var header []string
	var rows []corpusRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = fields
			continue
		}
		row := corpusRow{}
		for i, h := range header {
			if i < len(fields) {
				row[h] = fields[i]
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// corpusSysroots builds, for each arch, a scratch directory where every
// install path of SYSROOT.tsv is a symlink to its corpus file.
func corpusSysroots(t testing.TB) map[string]string {
	t.Helper()
	base := t.TempDir()
	policies, err := filepath.Abs(filepath.Join(corpusDir, "policies"))
	if err != nil {
		t.Fatal(err)
	}
	roots := map[string]string{}
	for _, row := range readTSV(t, filepath.Join(corpusDir, "SYSROOT.tsv")) {
		a := row["arch"]
		root, ok := roots[a]
		if !ok {
			root = filepath.Join(base, a)
			roots[a] = root
		}
		link := filepath.Join(root, row["install_path"])
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(policies, row["corpus_path"]), link); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
	return roots
}

// corpusAndroidSources are the sources whose policies are read by
// Android's build of minijail, which is compiled with duplicate syscall
// definitions allowed (the first definition wins).
var corpusAndroidSources = map[string]bool{"aosp": true, "android-devices": true}

// corpusUnknownSyscalls lists the accepted files that name syscalls their
// architecture does not have. Upstream's compilers reject such files (see
// REFERENCE.tsv for the x86_64 one); we reject them too by default and
// accept them only with UnknownSyscallsAreWarnings (minijail0 -L), which
// drops the unknown names. The value is the first unknown name.
var corpusUnknownSyscalls = map[string]string{
	"android-devices/arm/samsung_r0q__gnss@2.0-base.policy":               "mmap",       // arm has mmap2 only
	"android-devices/arm/xiaomi_sdm845-common__mediacodec-seccomp.policy": "ueventd",    // not a syscall at all
	"aosp/i386/mediacodec-x86.policy":                                     "newfstatat", // i386 has fstatat64
	"aosp/i386/mediaswcodec-x86.policy":                                   "newfstatat",
	"aosp/x86_64/mediaswcodec-x86_64.policy":                              "getuid32", // i386-only name
	"chromiumos/aarch64/hanetzer__conntrackd-seccomp-arm64.policy":        "access",
	"chromiumos/arm/ippusbxd-seccomp-arm.policy":                          "arch_prctl",
	"chromiumos/i386/cupstestppd-seccomp-x86.policy":                      "newfstatat",
	"chromiumos/i386/hanetzer__cupstestppd-seccomp-x86.policy":            "newfstatat",
}

// corpusDuplicates lists files outside the Android sources that define a
// syscall unconditionally twice: both upstream compilers reject them, and
// so do we unless AllowDuplicates is set.
var corpusDuplicates = map[string]bool{
	"chromiumos/arm/hanetzer__conntrackd-seccomp-arm.policy":      true,
	"chromiumos/i386/apmanager-seccomp-x86.policy":                true, // stat64 twice
	"chromiumos/x86_64/hanetzer__conntrackd-seccomp-amd64.policy": true,
	// The arm64 variant also repeats connect, after an unknown name.
	"chromiumos/aarch64/hanetzer__conntrackd-seccomp-arm64.policy": true,
}

var corpusAllArches = []string{"x86_64", "aarch64", "arm", "i386", "riscv64"}

// corpusOptions returns the options a corpus file is compiled with.
func corpusOptions(row corpusRow, a *arch.Arch, d Dialect, sysroot string) ParseOptions {
	path := row["corpus_path"]
	_, unknown := corpusUnknownSyscalls[path]
	return ParseOptions{
		Arch:                       a,
		Dialect:                    d,
		Sysroot:                    sysroot,
		AllowDuplicates:            corpusAndroidSources[row["source"]] || corpusDuplicates[path],
		UnknownSyscallsAreWarnings: unknown,
	}
}

// TestCorpus compiles every policy of the shared corpus for its
// architecture in both dialects, and checks the two deliberately broken
// ones are rejected for the right reason.
func TestCorpus(t *testing.T) {
	roots := corpusSysroots(t)
	rows := readTSV(t, filepath.Join(corpusDir, "MANIFEST.tsv"))
	if len(rows) < 398 {
		t.Fatalf("manifest has %d rows, want at least 398", len(rows))
	}
	accepted := 0
	for _, row := range rows {
		path := row["corpus_path"]
		file := filepath.Join(corpusDir, "policies", path)
		arches := []string{row["arch"]}
		if row["arch"] == "unknown" {
			arches = corpusAllArches
		}
		switch {
		case row["expect"] == "accept":
			ok := false
			var errs []string
			for _, an := range arches {
				a := mustArch(t, an)
				okArch := true
				for _, d := range []Dialect{DialectMinijail0, DialectPython} {
					var warns []string
					opts := corpusOptions(row, a, d, roots[an])
					opts.Warn = func(p Pos, m string) { warns = append(warns, p.String()+": "+m) }
					p, prog, err := CompileFile(file, opts, DefaultCompileOptions())
					if err != nil {
						okArch = false
						errs = append(errs, fmt.Sprintf("%s/%s: %v", an, d, err))
						continue
					}
					if err := Validate(prog); err != nil {
						t.Errorf("%s (%s): invalid program: %v", path, an, err)
					}
					// The program must agree with the lowered policy.
					for _, in := range corpusInputs(p, 7, false) {
						got, _, err := Run(prog, in)
						if err != nil {
							t.Fatalf("%s (%s): %v", path, an, err)
						}
						if want := p.Evaluate(in).Ret(); got != want {
							t.Errorf("%s (%s, %s): nr=%d arch=%#x args=%#x: program %s, policy %s", path, an, d, in.Nr, in.Arch, in.Args, RetString(got), RetString(want))
							break
						}
					}
					if len(p.Syscalls) == 0 && corpusHasRules(t, file) {
						t.Errorf("%s (%s): no syscalls", path, an)
					}
					if name, ok := corpusUnknownSyscalls[path]; ok && row["arch"] != "unknown" {
						if len(warns) == 0 || !strings.Contains(warns[0], fmt.Sprintf("%q", name)) {
							t.Errorf("%s: warnings %q, want one for %q", path, warns, name)
						}
						// Strictly, the same file is an error at that name.
						strict := opts
						strict.UnknownSyscallsAreWarnings, strict.Warn = false, nil
						_, err := ParseFile(file, strict)
						if pe, ok := AsPolicyError(err); !ok || !strings.Contains(pe.Msg, fmt.Sprintf("unknown syscall %q", name)) {
							t.Errorf("%s: strict error = %v, want unknown syscall %q", path, err, name)
						}
					}
				}
				if okArch {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s: rejected: %s", path, strings.Join(errs, "; "))
			} else {
				accepted++
			}
			if corpusDuplicates[path] && row["arch"] != "unknown" {
				strict := corpusOptions(row, mustArch(t, row["arch"]), DialectPython, roots[row["arch"]])
				strict.AllowDuplicates = false
				strict.UnknownSyscallsAreWarnings = true
				_, err := ParseFile(file, strict)
				if pe, ok := AsPolicyError(err); !ok || !strings.Contains(pe.Msg, "already has an unconditional action") {
					t.Errorf("%s: without AllowDuplicates: %v", path, err)
				}
			}
		case row["expect"] == "reject:invalid-arg-filter":
			for _, an := range arches {
				_, err := ParseFile(file, ParseOptions{Arch: mustArch(t, an)})
				pe, ok := AsPolicyError(err)
				if !ok || pe.Pos.Line != 1 || pe.Pos.Col != 7 {
					t.Errorf("%s (%s): error = %v, want one at 1:7", path, an, err)
				}
			}
		case row["expect"] == "reject:include-recursion":
			// Upstream resolves "./test/nested.policy" from the root of its
			// repository, where that path names the file itself. Recreate
			// that: root/nested.policy is the file, and root/test is root.
			root := t.TempDir()
			abs, err := filepath.Abs(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(abs, filepath.Join(root, "nested.policy")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(".", filepath.Join(root, "test")); err != nil {
				t.Fatal(err)
			}
			for _, an := range arches {
				_, err := ParseFile(filepath.Join(root, "nested.policy"), ParseOptions{Arch: mustArch(t, an)})
				pe, ok := AsPolicyError(err)
				if !ok || !strings.Contains(pe.Msg, "include recursion") || pe.Pos.Line != 1 {
					t.Errorf("%s (%s): error = %v, want include recursion", path, an, err)
				}
			}
		default:
			t.Errorf("%s: unknown expectation %q", path, row["expect"])
		}
	}
	t.Logf("%d policies accepted", accepted)
}

// corpusSameVerdict reports whether two return values mean the same: equal,
// or both kills (upstream defaults to kill-thread, we to kill-process).
func corpusSameVerdict(a, b uint32) bool {
	if a == b {
		return true
	}
	isKill := func(r uint32) bool {
		k := ActionFromRet(r).Kind
		return k == ActKillProcess || k == ActKillThread
	}
	return isKill(a) && isKill(b)
}

// corpusInputs generates the inputs two programs for p are compared on:
// every syscall number up to the table's end plus 20, x32 and foreign-arch
// samples, and for every syscall with rules, argument values built from its
// constants (each ±1, with high bits set), starting from inputs that satisfy
// each rule, plus seeded random combinations.
func corpusInputs(p *Policy, seed int64, full bool) []SeccompData {
	a := p.Arch
	var in []SeccompData
	add := func(nr uint32, archv uint32, args [6]uint64) {
		in = append(in, SeccompData{Nr: int32(nr), Arch: archv, Args: args})
	}
	max := a.MaxSyscall()
	step := uint32(1)
	if !full {
		step = 7
	}
	// Sweep the dense part of the table; arm's private syscalls sit near
	// 0xf0000, so beyond 1100 only the table's numbers and their
	// neighbours are tried.
	for nr := uint32(0); nr <= min(max, 1100)+20; nr += step {
		add(nr, a.AuditArch, [6]uint64{})
	}
	if max > 1100 {
		for _, name := range a.SyscallNames() {
			if nr, _ := a.Syscall(name); nr > 1100 {
				add(nr, a.AuditArch, [6]uint64{})
				add(nr+1, a.AuditArch, [6]uint64{})
			}
		}
		add(max+20, a.AuditArch, [6]uint64{})
	}
	ones := [6]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
	for _, s := range p.Syscalls {
		add(s.Nr, a.AuditArch, ones)
	}
	if a.X32Bit != 0 {
		for _, nr := range []uint32{0, 1, 2, 3, 9, 59, 60, 231, 512, 513, 547, 0x3fffffff} {
			add(a.X32Bit|nr, a.AuditArch, [6]uint64{})
		}
		add(a.X32Bit-1, a.AuditArch, [6]uint64{})
		add(0xffffffff, a.AuditArch, [6]uint64{})
	}
	for _, other := range []uint32{0x40000003, 0xc00000b7, 0x40000028, 0xc00000f3, 0, 0xffffffff} {
		if other == a.AuditArch {
			continue
		}
		for _, s := range p.Syscalls {
			add(s.Nr, other, [6]uint64{})
		}
		add(0, other, [6]uint64{})
	}
	r := rand.New(rand.NewSource(seed))
	for _, s := range p.Syscalls {
		if len(s.Rules) == 0 {
			continue
		}
		cands := make([][]uint64, 6)
		seen := make([]map[uint64]bool, 6)
		addCand := func(i int, v uint64) {
			if seen[i] == nil {
				seen[i] = map[uint64]bool{}
			}
			if !seen[i][v] {
				seen[i][v] = true
				cands[i] = append(cands[i], v)
			}
		}
		for i := 0; i < 6; i++ {
			addCand(i, 0)
		}
		for _, rule := range s.Rules {
			for _, c := range rule.All {
				v := c.Value
				for _, x := range []uint64{v, v + 1, v - 1, ^v, v | 1<<32, v | 0xffffffff00000000, v &^ 0xffffffff00000000, v & 0xffffffff00000000, 1 << 63, 0xffffffff} {
					addCand(c.Arg, x)
				}
			}
		}
		for i := range cands {
			sort.Slice(cands[i], func(x, y int) bool { return cands[i][x] < cands[i][y] })
		}
		// Bases: all zero, and one satisfying each rule.
		bases := [][6]uint64{{}}
		for _, rule := range s.Rules {
			var b [6]uint64
			for _, c := range rule.All {
				switch c.Op {
				case OpNe, OpGt:
					b[c.Arg] = c.Value + 1
				case OpLt:
					b[c.Arg] = c.Value - 1
				default:
					b[c.Arg] = c.Value
				}
			}
			bases = append(bases, b)
		}
		if !full {
			// A lighter set: a few bases, a bounded sample of values.
			r.Shuffle(len(bases), func(i, j int) { bases[i], bases[j] = bases[j], bases[i] })
			bases = bases[:min(len(bases), 4)]
			for i := range cands {
				r.Shuffle(len(cands[i]), func(x, y int) { cands[i][x], cands[i][y] = cands[i][y], cands[i][x] })
				cands[i] = cands[i][:min(len(cands[i]), 24)]
			}
		}
		for _, b := range bases {
			add(s.Nr, a.AuditArch, b)
			for i := 0; i < 6; i++ {
				if len(cands[i]) <= 1 {
					continue
				}
				for _, v := range cands[i] {
					x := b
					x[i] = v
					add(s.Nr, a.AuditArch, x)
				}
			}
		}
		nrand := 200
		if !full {
			nrand = 20
		}
		for n := 0; n < nrand; n++ {
			var x [6]uint64
			for i := 0; i < 6; i++ {
				if r.Intn(8) == 0 {
					x[i] = r.Uint64()
				} else {
					x[i] = cands[i][r.Intn(len(cands[i]))]
				}
			}
			add(s.Nr, a.AuditArch, x)
		}
	}
	return in
}

// TestCorpusMatchesUpstream compiles every x86_64 corpus policy that
// upstream compiled and checks our program gives the same verdict as
// upstream's on the generated inputs: the minijail0 dialect against the C
// compiler's output, the python dialect against the Python compiler's.
func TestCorpusMatchesUpstream(t *testing.T) {
	roots := corpusSysroots(t)
	x86 := mustArch(t, "x86_64")
	refs := readTSV(t, filepath.Join(corpusDir, "REFERENCE.tsv"))
	if len(refs) < 125 {
		t.Fatalf("REFERENCE.tsv has %d rows", len(refs))
	}
	compared, totalInputs := 0, 0
	for _, row := range refs {
		path := row["corpus_path"]
		for _, side := range []struct {
			status, ext string
			d           Dialect
		}{{row["c_status"], ".c.bpf", DialectMinijail0}, {row["py_status"], ".py.bpf", DialectPython}} {
			refFile := filepath.Join(corpusDir, "reference/x86_64", strings.TrimSuffix(strings.Replace(path, "/x86_64/", "/", 1), ".policy")+side.ext)
			if side.status != "ok" {
				if _, err := os.Stat(refFile); err == nil {
					t.Errorf("%s: reference %s exists but status is %q", path, refFile, side.status)
				}
				continue
			}
			raw, err := os.ReadFile(refFile)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			ref, err := ParseProgram(raw, binary.LittleEndian)
			if err != nil {
				t.Fatalf("%s: %v", refFile, err)
			}
			p, prog, err := CompileFile(filepath.Join(corpusDir, "policies", path),
				ParseOptions{Arch: x86, Dialect: side.d, Sysroot: roots["x86_64"]}, DefaultCompileOptions())
			if err != nil {
				t.Errorf("%s (%s): upstream compiled it, we did not: %v", path, side.d, err)
				continue
			}
			inputs := corpusInputs(p, int64(len(path)), true)
			if diffs := corpusCompare(t, ref, prog, inputs); len(diffs) > 0 {
				for _, d := range diffs[:min(len(diffs), 5)] {
					t.Errorf("%s (%s): %s", path, side.d, d)
				}
				t.Errorf("%s (%s): %d of %d inputs differ", path, side.d, len(diffs), len(inputs))
			}
			compared++
			totalInputs += len(inputs)
		}
	}
	// 100 C programs and 123 Python ones.
	if compared != 223 {
		t.Errorf("compared %d programs, want 223", compared)
	}
	t.Logf("compared %d programs on %d inputs", compared, totalInputs)

	// Negative control: the one file where the dialects differ must differ
	// from the other compiler's output, so the comparison can fail.
	const vtpmd = "chromiumos/x86_64/vtpmd-seccomp-amd64.policy"
	for _, side := range []struct {
		ext string
		d   Dialect
	}{{".py.bpf", DialectMinijail0}, {".c.bpf", DialectPython}} {
		raw, err := os.ReadFile(filepath.Join(corpusDir, "reference/x86_64/chromiumos/vtpmd-seccomp-amd64"+side.ext))
		if err != nil {
			t.Fatal(err)
		}
		ref, err := ParseProgram(raw, binary.LittleEndian)
		if err != nil {
			t.Fatal(err)
		}
		p, prog, err := CompileFile(filepath.Join(corpusDir, "policies", vtpmd), ParseOptions{Arch: x86, Dialect: side.d}, DefaultCompileOptions())
		if err != nil {
			t.Fatal(err)
		}
		if diffs := corpusCompare(t, ref, prog, corpusInputs(p, 1, true)); len(diffs) == 0 {
			t.Errorf("%s: our %s program matches upstream's %s output", vtpmd, side.d, side.ext)
		}
	}
}

// corpusCompare runs both programs on every input and describes the inputs
// on which their verdicts differ.
func corpusCompare(t *testing.T, ref, prog Program, inputs []SeccompData) []string {
	t.Helper()
	var diffs []string
	for _, in := range inputs {
		want, _, err := Run(ref, in)
		if err != nil {
			t.Fatalf("reference program: %v", err)
		}
		got, _, err := Run(prog, in)
		if err != nil {
			t.Fatalf("our program: %v", err)
		}
		if !corpusSameVerdict(want, got) {
			diffs = append(diffs, fmt.Sprintf("nr=%d arch=%#x args=%#x: upstream %s, ours %s", in.Nr, in.Arch, in.Args, RetString(want), RetString(got)))
		}
	}
	return diffs
}

// corpusHasRules reports whether a file has any line besides comments and
// blank lines.
func corpusHasRules(t *testing.T, file string) bool {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			return true
		}
	}
	return false
}

// corpusLargest returns the corpus policy with the most lines, with its arch.
func corpusLargest(b *testing.B) (string, *arch.Arch) {
	best, bestLines, bestArch := "", -1, ""
	for _, row := range readTSV(b, filepath.Join(corpusDir, "MANIFEST.tsv")) {
		var n int
		fmt.Sscan(row["lines"], &n)
		if row["expect"] == "accept" && row["arch"] != "unknown" && n > bestLines {
			best, bestLines, bestArch = row["corpus_path"], n, row["arch"]
		}
	}
	return filepath.Join(corpusDir, "policies", best), mustArch(b, bestArch)
}

// BenchmarkParseLargestCorpusPolicy measures the front end alone (read,
// lex, parse, lower) on the largest corpus policy.
func BenchmarkParseLargestCorpusPolicy(b *testing.B) {
	file, a := corpusLargest(b)
	b.Logf("%s (%s)", file, a.Name)
	for i := 0; i < b.N; i++ {
		if _, err := ParseFile(file, ParseOptions{Arch: a}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileLargestCorpusPolicy measures parse and compile of the
// largest corpus policy.
func BenchmarkCompileLargestCorpusPolicy(b *testing.B) {
	file, a := corpusLargest(b)
	for i := 0; i < b.N; i++ {
		if _, _, err := CompileFile(file, ParseOptions{Arch: a}, DefaultCompileOptions()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileLargestCorpusProgram measures the crosvm policy with the
// most includes (wl_device: three files, the longest program).
func BenchmarkCompileLargestCorpusProgram(b *testing.B) {
	roots := corpusSysroots(b)
	a := mustArch(b, "x86_64")
	file := filepath.Join(corpusDir, "policies/crosvm/x86_64/wl_device.policy")
	opts := ParseOptions{Arch: a, Dialect: DialectPython, Sysroot: roots["x86_64"]}
	for i := 0; i < b.N; i++ {
		if _, _, err := CompileFile(file, opts, DefaultCompileOptions()); err != nil {
			b.Fatal(err)
		}
	}
}
