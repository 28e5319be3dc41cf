package seccomp

import (
	"math/rand"
	"testing"
	"time"
)

func TestZZRulesBlowup(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, nrules := range []int{10, 50, 200} {
		for _, nconds := range []int{2, 4, 6} {
			p := &Policy{Arch: testX86_64, Default: Action{Kind: ActKillThread}}
			sc := SyscallRules{Nr: 1, Else: Action{Kind: ActErrno, Value: 1}}
			for i := 0; i < nrules; i++ {
				rule := Rule{Action: randAction(r)}
				for j := 0; j < nconds; j++ {
					rule.All = append(rule.All, Cond{Arg: r.Intn(6), Op: Op(r.Intn(8)), Value: randValue(r, 64)})
				}
				sc.Rules = append(sc.Rules, rule)
			}
			p.Syscalls = []SyscallRules{sc}
			start := time.Now()
			prog, err := Compile(p, DefaultCompileOptions())
			el := time.Since(start)
			start = time.Now()
			lin, err2 := Compile(p, CompileOptions{})
			t.Logf("rules %d conds %d: opt %v len %d err %v; linear %v len %d err %v", nrules, nconds, el, len(prog), err, time.Since(start), len(lin), err2)
			if err == nil {
				checkProgram(t, p, prog, inputsFor(r, p, 2000), "opt")
			}
		}
	}
}
