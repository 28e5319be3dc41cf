package seccomp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minijail-go/minijail/seccomp/arch"
)

func TestZZDump(t *testing.T) {
	cp := os.Getenv("ZZ_POLICY")
	if cp == "" {
		t.Skip()
	}
	a, _ := arch.Lookup("x86_64")
	roots := corpusSysroots(t)
	p, prog := compileCorpusPython(t, roots, a, cp, DefaultCompileOptions())
	raw, _ := os.ReadFile(filepath.Join(corpusDir, "reference/x86_64", strings.Replace(strings.TrimSuffix(cp, ".policy"), "/x86_64/", "/", 1)+".py.bpf"))
	py, _ := ParseProgram(raw, a.Order)
	o, _ := AnalyzeCost(prog, a, CostOptions{Frequency: policyFrequency(p)})
	q, _ := AnalyzeCost(py, a, CostOptions{Frequency: policyFrequency(p)})
	pc := map[uint32]int{}
	for _, s := range q.Syscalls {
		pc[s.Nr] = s.Cost
	}
	for _, s := range o.Syscalls {
		if s.ArgDependent {
			t.Logf("%3d %-20s ours %2d py %2d freq %d", s.Nr, s.Name, s.Cost, pc[s.Nr], policyFrequency(p)[s.Nr])
		}
	}
	if os.Getenv("ZZ_DIS") != "" {
		t.Logf("\n%s", prog.Disassemble())
	}
}

func TestZZArgFree(t *testing.T) {
	cp := os.Getenv("ZZ_POLICY")
	if cp == "" {
		t.Skip()
	}
	a, _ := arch.Lookup("x86_64")
	roots := corpusSysroots(t)
	p, prog := compileCorpusPython(t, roots, a, cp, DefaultCompileOptions())
	o, _ := AnalyzeCost(prog, a, CostOptions{})
	for _, s := range o.Syscalls {
		if !s.ArgDependent && s.ReadsArgs {
			t.Logf("%d %s %+v", s.Nr, s.Name, s)
			for _, sc := range p.Syscalls {
				if sc.Nr == s.Nr {
					t.Logf("%+v", sc)
				}
			}
		}
	}
}
