package seccomp

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// checkProgram verifies prog against the policy's reference semantics on
// the given inputs.
func checkProgram(t *testing.T, p *Policy, prog Program, inputs []SeccompData, what string) {
	t.Helper()
	if err := Validate(prog); err != nil {
		t.Fatalf("%s: invalid program: %v\n%s", what, err, prog.Disassemble())
	}
	for _, d := range inputs {
		want := p.Evaluate(d).Ret()
		got, _, err := RunOrder(prog, d, p.Arch.Order)
		if err != nil {
			t.Fatalf("%s: run %+v: %v", what, d, err)
		}
		if got != want {
			t.Fatalf("%s: input %+v: got %s, want %s\npolicy %+v\n%s", what, d, RetString(got), RetString(want), p, prog.Disassemble())
		}
	}
}

func TestCompileRandomPoliciesMatchReference(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for iter := 0; iter < 400; iter++ {
		a := testArches[iter%len(testArches)]
		p := randPolicy(r, a)
		inputs := inputsFor(r, p, 300)
		for _, opt := range []bool{false, true} {
			prog, err := Compile(p, CompileOptions{Optimize: opt})
			if err != nil {
				t.Fatalf("compile (optimize=%v): %v", opt, err)
			}
			checkProgram(t, p, prog, inputs, map[bool]string{false: "linear", true: "optimized"}[opt])
			again, err := Compile(p, CompileOptions{Optimize: opt})
			if err != nil || !slices.Equal(prog, again) {
				t.Fatalf("compiling twice gave different programs (%v)", err)
			}
		}
	}
}

// policyFromBytes builds a policy from fuzz input: the bytes seed the
// generator, so every input gives a valid policy.
func policyFromBytes(b []byte) *Policy {
	var seed int64
	for i, c := range b {
		seed = seed*131 + int64(c) + int64(i)
	}
	r := rand.New(rand.NewSource(seed))
	return randPolicy(r, testArches[int(uint(seed)%uint(len(testArches)))])
}

// FuzzOptimizedMatchesLinear checks that the optimized and the linear
// program of a random policy give the same verdict as the policy itself.
func FuzzOptimizedMatchesLinear(f *testing.F) {
	f.Add([]byte("seed"))
	f.Add([]byte{0})
	f.Add([]byte{0xff, 0x00, 0x80, 0x7f})
	f.Add([]byte("a longer seed for a larger policy"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := policyFromBytes(b)
		lin, err := Compile(p, CompileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		opt, err := Compile(p, DefaultCompileOptions())
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewSource(int64(len(b))))
		inputs := inputsFor(r, p, 200)
		checkProgram(t, p, lin, inputs, "linear")
		checkProgram(t, p, opt, inputs, "optimized")
	})
}

func TestArchCheckAndX32(t *testing.T) {
	allow := Action{Kind: ActAllow}
	p := &Policy{Arch: testX86_64, Default: Action{Kind: ActErrno, Value: 1}, BadArch: Action{Kind: ActKillProcess},
		Syscalls: []SyscallRules{{Name: "read", Nr: 0, Else: allow}, {Name: "ioctl", Nr: 16, Else: allow}}}
	for _, opts := range []CompileOptions{{}, DefaultCompileOptions()} {
		prog, err := Compile(p, opts)
		if err != nil {
			t.Fatal(err)
		}
		if prog[0] != (Instruction{Code: opLdAbs, K: offArch}) || prog[1].Code != opJEQ || prog[1].K != 0xc000003e {
			t.Fatalf("program does not start with the arch check:\n%s", prog.Disassemble())
		}
		for _, tc := range []struct {
			d    SeccompData
			want uint32
		}{
			{SeccompData{Nr: 0, Arch: 0xc000003e}, RetAllow},
			{SeccompData{Nr: 16, Arch: 0xc000003e}, RetAllow},
			{SeccompData{Nr: 1, Arch: 0xc000003e}, RetErrno | 1},
			{SeccompData{Nr: 0, Arch: 0x40000003}, RetKillProcess},
			{SeccompData{Nr: 0x40000000, Arch: 0xc000003e}, RetKillProcess},
			{SeccompData{Nr: 0x40000010, Arch: 0xc000003e}, RetKillProcess},
			{SeccompData{Nr: -1, Arch: 0xc000003e}, RetKillProcess},
			{SeccompData{Nr: 0x3fffffff, Arch: 0xc000003e}, RetErrno | 1},
		} {
			got, _, err := Run(prog, tc.d)
			if err != nil || got != tc.want {
				t.Errorf("optimize=%v %+v: got %s (%v), want %s", opts.Optimize, tc.d, RetString(got), err, RetString(tc.want))
			}
		}
	}
	// Other arches have no x32 range: a high number gets the default.
	q := *p
	q.Arch = testArm64
	prog, err := Compile(&q, DefaultCompileOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got, _, _ := Run(prog, SeccompData{Nr: 0x40000000, Arch: testArm64.AuditArch}); got != RetErrno|1 {
		t.Errorf("aarch64 0x40000000: got %s", RetString(got))
	}
}

// Every 64-bit comparison, on both halves, against exhaustive boundary
// inputs.
func TestComparisons64(t *testing.T) {
	values := []uint64{0, 1, 0xffffffff, 0x100000000, 0x100000001, 0x1ffffffff, 0x7fffffffffffffff,
		0x8000000000000000, 0xffffffff00000000, 0xffffffff00000001, 0xfffffffffffffffe, 0xffffffffffffffff, 0x5401, 0x0000000500000005}
	for _, a := range []*Policy{{Arch: testX86_64}, {Arch: testI386}, {Arch: testBE64}} {
		for op := OpEq; op <= OpMaskIn; op++ {
			for _, v := range values {
				if a.Arch.Bits == 32 {
					v &= 0xffffffff
				}
				p := &Policy{Arch: a.Arch, Default: Action{Kind: ActKillThread}, BadArch: Action{Kind: ActKillProcess},
					Syscalls: []SyscallRules{{Nr: 3, Rules: []Rule{{All: []Cond{{Arg: 2, Op: op, Value: v}}, Action: Action{Kind: ActAllow}}},
						Else: Action{Kind: ActErrno, Value: 9}}}}
				for _, opts := range []CompileOptions{{}, DefaultCompileOptions()} {
					prog, err := Compile(p, opts)
					if err != nil {
						t.Fatal(err)
					}
					for _, x := range values {
						for _, delta := range []uint64{0, 1, ^uint64(0), 1 << 32, 0xffffffff00000000} {
							d := SeccompData{Nr: 3, Arch: a.Arch.AuditArch}
							d.Args[2] = x + delta
							want := p.Evaluate(d).Ret()
							got, _, err := RunOrder(prog, d, a.Arch.Order)
							if err != nil || got != want {
								t.Fatalf("%s op %d v %#x arg %#x optimize=%v: got %s, want %s\n%s", a.Arch.Name, op, v, d.Args[2], opts.Optimize, RetString(got), RetString(want), prog.Disassemble())
							}
						}
					}
				}
			}
		}
	}
}

func TestLongJumps(t *testing.T) {
	// Many argument-dependent syscalls with long rule lists make a program
	// far longer than a conditional jump reaches.
	allow := Action{Kind: ActAllow}
	p := &Policy{Arch: testX86_64, Default: Action{Kind: ActKillThread}, BadArch: Action{Kind: ActKillProcess}}
	for nr := uint32(0); nr < 40; nr++ {
		sc := SyscallRules{Nr: nr * 3, Else: Action{Kind: ActErrno, Value: uint16(nr)}}
		for k := 0; k < 20; k++ {
			sc.Rules = append(sc.Rules, Rule{All: []Cond{{Arg: int(nr % 6), Op: OpEq, Value: uint64(k)<<33 | uint64(nr)}}, Action: allow})
		}
		p.Syscalls = append(p.Syscalls, sc)
	}
	r := rand.New(rand.NewSource(5))
	for _, opts := range []CompileOptions{{}, DefaultCompileOptions()} {
		prog, err := Compile(p, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(prog) < 600 {
			t.Fatalf("program only %d long; the test needs long jumps", len(prog))
		}
		trampolines := 0
		for _, ins := range prog {
			if ins.Code == opJA {
				trampolines++
			}
		}
		if !opts.Optimize && trampolines == 0 {
			t.Fatalf("no ja trampoline in the linear program; the test needs them")
		}
		checkProgram(t, p, prog, inputsFor(r, p, 3000), "long")
	}
}

func TestTooLong(t *testing.T) {
	p := &Policy{Arch: testX86_64, Default: Action{Kind: ActKillThread}, BadArch: Action{Kind: ActKillProcess}}
	for nr := uint32(0); nr < 300; nr++ {
		sc := SyscallRules{Nr: nr, Else: Action{Kind: ActErrno, Value: 1}}
		for k := 0; k < 10; k++ {
			sc.Rules = append(sc.Rules, Rule{All: []Cond{{Arg: k % 6, Op: OpGt, Value: uint64(k)<<32 | uint64(nr)}}, Action: Action{Kind: ActAllow}})
		}
		p.Syscalls = append(p.Syscalls, sc)
	}
	_, err := Compile(p, DefaultCompileOptions())
	if err == nil || !strings.Contains(err.Error(), "program too long") || !strings.Contains(err.Error(), "4096") {
		t.Fatalf("got %v, want a too-long error naming the count", err)
	}
}

func TestCompileErrors(t *testing.T) {
	ok := func() *Policy {
		return &Policy{Arch: testX86_64, Syscalls: []SyscallRules{{Name: "read", Nr: 0, Else: Action{Kind: ActAllow}}, {Name: "write", Nr: 1, Else: Action{Kind: ActAllow}}}}
	}
	tests := []struct {
		name   string
		mutate func(*Policy) *Policy
		want   string
	}{
		{"nil", func(*Policy) *Policy { return nil }, "nil policy"},
		{"no arch", func(p *Policy) *Policy { p.Arch = nil; return p }, "no architecture"},
		{"unsorted", func(p *Policy) *Policy { p.Syscalls[0].Nr = 5; return p }, "write (1): syscalls not sorted"},
		{"x32", func(p *Policy) *Policy { p.Syscalls[1].Nr = 0x40000001; return p }, "foreign ABI"},
		{"arg", func(p *Policy) *Policy {
			p.Syscalls[0].Rules = []Rule{{All: []Cond{{Arg: 6}}, Pos: Pos{"f", 3, 4}}}
			return p
		}, "rule 1 (f:3:4): argument index 6"},
		{"op", func(p *Policy) *Policy { p.Syscalls[0].Rules = []Rule{{All: []Cond{{Op: 99}}}}; return p }, "unknown comparison 99"},
		{"action", func(p *Policy) *Policy { p.Default.Kind = 42; return p }, "default action: unknown action kind 42"},
		{"32-bit value", func(p *Policy) *Policy {
			p.Arch = testI386
			p.Syscalls[0].Rules = []Rule{{All: []Cond{{Value: 1 << 32}}}}
			return p
		}, "does not fit a 32-bit argument"},
	}
	for _, tc := range tests {
		_, err := Compile(tc.mutate(ok()), DefaultCompileOptions())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

// dispatchObjective is what the optimizer minimizes, measured on a
// program: comparisons after loading nr, weighted per listed syscall by its
// class and frequency and per run of unlisted numbers by weightUnlisted.
func dispatchObjective(p *Policy, prog Program, maxNr uint32) uint64 {
	listed := map[uint32]*SyscallRules{}
	for i := range p.Syscalls {
		listed[p.Syscalls[i].Nr] = &p.Syscalls[i]
	}
	var total uint64
	inGap := false
	for nr := uint32(0); nr <= maxNr; nr++ {
		depth := uint64(dispatchCost(prog, nr, p.Arch.AuditArch) - 3)
		sc, ok := listed[nr]
		if !ok {
			if !inGap {
				total += weightUnlisted * depth
			}
			inGap = true
			continue
		}
		inGap = false
		f := uint64(sc.Frequency)
		if f == 0 {
			f = 1
		}
		w := uint64(weightUnlisted)
		rep, _ := AnalyzeCost(prog, p.Arch, CostOptions{MaxNr: nr})
		argDep := false
		for _, row := range rep.Syscalls {
			if row.Nr == nr {
				argDep = row.ArgDependent
			}
		}
		ret, _, _ := Run(prog, SeccompData{Nr: int32(nr), Arch: p.Arch.AuditArch})
		switch {
		case argDep:
			w = weightArgDependent * f
		case ret == p.Default.Ret():
		case ret == RetAllow:
			w = weightCachedAllow * f
		default:
			w = weightConstant * f
		}
		total += w * depth
	}
	return total
}

// Argument-independent verdicts never load an argument, and the optimized
// dispatch does at least as well as the linear one on the optimizer's own
// objective.
func TestCostGeneratedPolicies(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	for iter := 0; iter < 40; iter++ {
		p := randPolicy(r, testX86_64)
		opt, err := Compile(p, DefaultCompileOptions())
		if err != nil {
			t.Fatal(err)
		}
		lin, err := Compile(p, CompileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ro, err := AnalyzeCost(opt, testX86_64, CostOptions{MaxNr: 480})
		if err != nil {
			t.Fatal(err)
		}
		rl, err := AnalyzeCost(lin, testX86_64, CostOptions{MaxNr: 480})
		if err != nil {
			t.Fatal(err)
		}
		if ro.ArgFreeReadingArgs != 0 || ro.AllowedNotCacheable != 0 {
			t.Fatalf("optimized: %d argument-free verdicts read arguments, %d allows not cacheable\n%s", ro.ArgFreeReadingArgs, ro.AllowedNotCacheable, opt.Disassemble())
		}
		if len(ro.Syscalls) != len(rl.Syscalls) {
			t.Fatalf("handled: optimized %d, linear %d", len(ro.Syscalls), len(rl.Syscalls))
		}
		for _, sc := range ro.Syscalls {
			if sc.DispatchCost < 3 || sc.Cost < sc.DispatchCost+1 {
				t.Fatalf("nr %d: cost %d, dispatch %d", sc.Nr, sc.Cost, sc.DispatchCost)
			}
		}
		maxNr := uint32(0)
		if n := len(p.Syscalls); n > 0 {
			maxNr = p.Syscalls[n-1].Nr + 1
		}
		if o, l := dispatchObjective(p, opt, maxNr), dispatchObjective(p, lin, maxNr); o > l {
			t.Errorf("policy %d: optimized dispatch objective %d above linear %d", iter, o, l)
		}
	}
}

func TestCostKnownProgram(t *testing.T) {
	allow := Action{Kind: ActAllow}
	p := &Policy{Arch: testX86_64, Default: Action{Kind: ActKillThread}, BadArch: Action{Kind: ActKillProcess},
		Syscalls: []SyscallRules{
			{Nr: 0, Else: allow},
			{Nr: 1, Else: Action{Kind: ActErrno, Value: 1}},
			{Nr: 16, Rules: []Rule{{All: []Cond{{Arg: 1, Op: OpEq, Value: 0x5401}}, Action: allow}}, Else: Action{Kind: ActKillThread}},
		}}
	prog, err := Compile(p, DefaultCompileOptions())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := AnalyzeCost(prog, testX86_64, CostOptions{MaxNr: 40})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Default != (Action{Kind: ActKillThread}) || len(rep.Syscalls) != 3 || rep.ArgDependent != 1 {
		t.Fatalf("report %+v", rep)
	}
	ioctl := rep.Syscalls[2]
	// ld arch, jeq, ld nr, dispatch, ld hi, jeq, ld lo, jeq, ret
	if ioctl.Nr != 16 || !ioctl.ArgDependent || ioctl.Action != allow || ioctl.Cost < 9 || ioctl.Cacheable || !ioctl.ReadsArgs {
		t.Fatalf("ioctl %+v\n%s", ioctl, prog.Disassemble())
	}
	if !rep.Syscalls[0].Cacheable || rep.Syscalls[1].Cacheable || rep.Syscalls[1].Action != (Action{Kind: ActErrno, Value: 1}) {
		t.Fatalf("rows %+v", rep.Syscalls[:2])
	}
	// The cost on the cheapest allowed path, confirmed by running it.
	got, n, _ := Run(prog, SeccompData{Nr: 16, Arch: testX86_64.AuditArch, Args: [6]uint64{0, 0x5401}})
	if got != RetAllow || n != ioctl.Cost {
		t.Fatalf("run: %s in %d, cost says %d", RetString(got), n, ioctl.Cost)
	}
}

// worstCasePolicy lists every number up to 470 with verdicts alternating
// between allow, errno and argument checks, the most leaves a dispatch tree
// can have on x86_64.
func worstCasePolicy() *Policy {
	p := &Policy{Arch: testX86_64, Default: Action{Kind: ActKillThread}, BadArch: Action{Kind: ActKillProcess}}
	for nr := uint32(0); nr <= 470; nr++ {
		sc := SyscallRules{Nr: nr}
		switch nr % 3 {
		case 0:
			sc.Else = Action{Kind: ActAllow}
		case 1:
			sc.Else = Action{Kind: ActErrno, Value: uint16(nr)}
		default:
			sc.Rules = []Rule{{All: []Cond{{Arg: int(nr % 6), Op: OpEq, Value: uint64(nr)}}, Action: Action{Kind: ActAllow}}}
			sc.Else = Action{Kind: ActErrno, Value: 1}
		}
		p.Syscalls = append(p.Syscalls, sc)
	}
	return p
}

func TestWorstCasePolicy(t *testing.T) {
	p := worstCasePolicy()
	prog, err := Compile(p, DefaultCompileOptions())
	if err != nil {
		t.Fatal(err)
	}
	checkProgram(t, p, prog, inputsFor(rand.New(rand.NewSource(4)), p, 5000), "worst case")
}

func BenchmarkCompileWorstCase(b *testing.B) {
	p := worstCasePolicy()
	for b.Loop() {
		if _, err := Compile(p, DefaultCompileOptions()); err != nil {
			b.Fatal(err)
		}
	}
}

// Many rules with many conditions: specialization on facts must stay
// bounded (the program no more than about the linear one's size).
func TestManyRulesStayBounded(t *testing.T) {
	r := rand.New(rand.NewSource(9))
	for _, shape := range [][2]int{{10, 6}, {50, 4}, {120, 3}} {
		p := &Policy{Arch: testX86_64, Default: Action{Kind: ActKillThread}, BadArch: Action{Kind: ActKillProcess}}
		sc := SyscallRules{Nr: 1, Else: Action{Kind: ActErrno, Value: 1}}
		for i := 0; i < shape[0]; i++ {
			rule := Rule{Action: randAction(r)}
			for j := 0; j < shape[1]; j++ {
				rule.All = append(rule.All, Cond{Arg: r.Intn(6), Op: Op(r.Intn(int(OpMaskIn) + 1)), Value: randValue(r, 64)})
			}
			sc.Rules = append(sc.Rules, rule)
		}
		p.Syscalls = []SyscallRules{sc}
		opt, err := Compile(p, DefaultCompileOptions())
		if err != nil {
			t.Fatal(err)
		}
		lin, err := Compile(p, CompileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(opt) > 2*len(lin) {
			t.Errorf("%d rules x %d conditions: optimized %d instructions, linear %d", shape[0], shape[1], len(opt), len(lin))
		}
		checkProgram(t, p, opt, inputsFor(r, p, 2000), "optimized")
	}
}

// TestSharedTestAfterLoadsIsCopied checks that a test shared by loads of
// different argument words (the same mask on arg1 of open and arg2 of
// openat) is copied after the second load instead of being reached by a
// ja: the optimized program has no ja, the path of each syscall is one
// load and one test per word after the dispatch, and verdicts match the
// linear program.
func TestSharedTestAfterLoadsIsCopied(t *testing.T) {
	allow, kill := Action{Kind: ActAllow}, Action{Kind: ActKillThread}
	mask := uint64(0x90800)
	p := &Policy{Arch: testX86_64, Default: kill, BadArch: Action{Kind: ActKillProcess},
		Syscalls: []SyscallRules{
			{Nr: 2, Rules: []Rule{{All: []Cond{{Arg: 1, Op: OpMaskIn, Value: mask}}, Action: allow}}, Else: kill},
			{Nr: 257, Rules: []Rule{{All: []Cond{{Arg: 2, Op: OpMaskIn, Value: mask}}, Action: allow}}, Else: kill},
		}}
	prog, err := Compile(p, DefaultCompileOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i, ins := range prog {
		if ins.Code == opJA {
			t.Fatalf("ja at %d:\n%s", i, prog.Disassemble())
		}
	}
	rep, err := AnalyzeCost(prog, testX86_64, CostOptions{MaxNr: 300})
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range rep.Syscalls {
		// ld hi, jset, ld lo, jset, ret.
		if sc.Cost-sc.DispatchCost != 5 {
			t.Errorf("nr %d: %d instructions after the dispatch, want 5\n%s", sc.Nr, sc.Cost-sc.DispatchCost, prog.Disassemble())
		}
	}
	r := rand.New(rand.NewSource(3))
	checkProgram(t, p, prog, inputsFor(r, p, 2000), "optimized")
}
