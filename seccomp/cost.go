package seccomp

import (
	"fmt"
	"math/bits"
	"sort"

	"github.com/minijail-go/minijail/seccomp/arch"
)

// SyscallCost is the cost analysis of one handled syscall number.
type SyscallCost struct {
	Nr   uint32
	Name string // from the architecture's table, or "" when unknown
	// Cost is the number of instructions executed (counting the final
	// return): on the input with every argument and the instruction
	// pointer zero when that input gets a handled verdict, else on the
	// cheapest input found that does.
	Cost int
	// Action is the verdict Cost was measured for.
	Action Action
	// Actions lists every verdict some input with this number can get.
	Actions []Action
	// ArgDependent is set when inputs with this number get different
	// verdicts.
	ArgDependent bool
	// ReadsArgs is set when the all-zero input's path loads anything besides
	// arch and nr.
	ReadsArgs bool
	// Cacheable is set when the kernel's action cache would serve the
	// number (the verdict is ALLOW on a path that loads only arch and nr;
	// the emulation of the kernel's seccomp_is_const_allow).
	Cacheable bool
	// DispatchCost is the number of instructions executed before the
	// first load of an argument or the instruction pointer, or before the
	// return when there is none: the arch check and the syscall-number
	// dispatch.
	DispatchCost int
	// Truncated is set when the path search gave up before seeing every
	// path; Actions may then be incomplete.
	Truncated bool
}

// CostReport is the cost analysis of a program for one architecture,
// counted the way the corpus reference figures are (bpfeval cost): every
// syscall number from 0 to the table's highest plus 20 is tried with the
// architecture's audit value; a number is handled when some input gets a
// verdict that is neither the program's default nor a kill.
type CostReport struct {
	Length  int
	Default Action // the verdict for most numbers above the table
	// Syscalls lists the handled numbers in order.
	Syscalls []SyscallCost
	// Mean and Max are over the handled numbers; WeightedMean weights each
	// by its frequency (1 when not given). Zero when nothing is handled.
	Mean, WeightedMean float64
	Max                int
	// ArgDependentMean and ArgDependentWeightedMean are the same means
	// over the argument-dependent numbers only.
	ArgDependentMean, ArgDependentWeightedMean float64
	ArgDependent                               int
	// ArgFreeReadingArgs counts argument-independent numbers whose all-zero
	// path loads an argument or the instruction pointer: 0 in every program
	// Compile makes.
	ArgFreeReadingArgs int
	// AllowedNotCacheable counts numbers always allowed whose path the
	// kernel's action cache cannot serve.
	AllowedNotCacheable int
}

// CostOptions controls AnalyzeCost.
type CostOptions struct {
	// MaxNr is the highest syscall number tried; 0 means the table's
	// highest plus 20.
	MaxNr uint32
	// Frequency weights numbers for WeightedMean (absent: weight 1).
	Frequency map[uint32]uint64
	// MaxPaths bounds the path search per number (0: 4096).
	MaxPaths int
}

// AnalyzeCost computes the per-syscall cost of a program. The program must
// pass Validate.
func AnalyzeCost(p Program, a *arch.Arch, opts CostOptions) (*CostReport, error) {
	if a == nil {
		return nil, fmt.Errorf("cost analysis: no architecture")
	}
	if err := Validate(p); err != nil {
		return nil, fmt.Errorf("cost analysis: %w", err)
	}
	maxNr := opts.MaxNr
	if maxNr == 0 {
		maxNr = a.MaxSyscall() + 20
	}
	maxPaths := opts.MaxPaths
	if maxPaths <= 0 {
		maxPaths = 4096
	}
	def, err := defaultVerdict(p, a, maxNr)
	if err != nil {
		return nil, err
	}
	rep := &CostReport{Length: len(p), Default: def}
	var wsum, wcost, adsum, adwsum, adwcost float64
	var total int
	for nr := uint32(0); nr <= maxNr; nr++ {
		sc, ok, err := analyzeNr(p, a, nr, def, maxPaths)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if name, ok := a.SyscallName(nr); ok {
			sc.Name = name
		}
		rep.Syscalls = append(rep.Syscalls, sc)
		w := float64(1)
		if f, ok := opts.Frequency[nr]; ok {
			w = float64(f)
		}
		total += sc.Cost
		wsum += w
		wcost += w * float64(sc.Cost)
		rep.Max = max(rep.Max, sc.Cost)
		if sc.ArgDependent {
			rep.ArgDependent++
			adsum += float64(sc.Cost)
			adwsum += w
			adwcost += w * float64(sc.Cost)
		} else {
			if sc.ReadsArgs {
				rep.ArgFreeReadingArgs++
			}
			if sc.Action.Kind == ActAllow && !sc.Cacheable {
				rep.AllowedNotCacheable++
			}
		}
	}
	if n := len(rep.Syscalls); n > 0 {
		rep.Mean = float64(total) / float64(n)
		if wsum > 0 {
			rep.WeightedMean = wcost / wsum
		}
	}
	if rep.ArgDependent > 0 {
		rep.ArgDependentMean = adsum / float64(rep.ArgDependent)
		if adwsum > 0 {
			rep.ArgDependentWeightedMean = adwcost / adwsum
		}
	}
	return rep, nil
}

// Frequencies returns the @frequency weights of the policy's syscalls by
// number (syscalls without one are left out), for CostOptions.Frequency.
func (p *Policy) Frequencies() map[uint32]uint64 {
	m := make(map[uint32]uint64)
	for _, sc := range p.Syscalls {
		if sc.Frequency > 0 {
			m[sc.Nr] = uint64(sc.Frequency)
		}
	}
	return m
}

func isKill(a Action) bool { return a.Kind == ActKillProcess || a.Kind == ActKillThread }

// defaultVerdict is the majority verdict over numbers above the table.
func defaultVerdict(p Program, a *arch.Arch, maxNr uint32) (Action, error) {
	votes := map[Action]int{}
	nrs := []uint32{0x3ffffff0, 0x3fffffff}
	for nr := uint64(maxNr) - min(uint64(maxNr), 19); nr <= uint64(maxNr); nr++ {
		nrs = append(nrs, uint32(nr))
	}
	for _, nr := range nrs {
		ret, _, err := Run(p, SeccompData{Nr: int32(nr), Arch: a.AuditArch})
		if err != nil {
			return Action{}, fmt.Errorf("cost analysis: %w", err)
		}
		votes[ActionFromRet(ret)]++
	}
	var best Action
	bestN := -1
	for act, n := range votes {
		if n > bestN || (n == bestN && act.Ret() < best.Ret()) {
			best, bestN = act, n
		}
	}
	return best, nil
}

// analyzeNr computes the cost row of one number; ok is false when the
// number is not handled.
func analyzeNr(p Program, a *arch.Arch, nr uint32, def Action, maxPaths int) (SyscallCost, bool, error) {
	sc := SyscallCost{Nr: nr}
	var w0 [SeccompDataSize / 4]uint32
	w0[offNr/4] = nr
	w0[offArch/4] = a.AuditArch
	var reads uint32
	ret0, cnt0, err := runWords(p, &w0, &reads)
	if err != nil {
		return sc, false, fmt.Errorf("cost analysis: nr %d: %w", nr, err)
	}
	act0 := ActionFromRet(ret0)
	sc.ReadsArgs = reads&^3 != 0
	costs := map[Action]int{act0: cnt0}
	if sc.ReadsArgs {
		ex := explorer{p: p, maxLeaves: maxPaths}
		f := emptyFacts()
		f = f.with(offNr/4, wordFacts{min: nr, max: nr})
		f = f.with(offArch/4, wordFacts{min: a.AuditArch, max: a.AuditArch})
		ex.walk(0, symState{a: symVal{kind: symConst}, x: symVal{kind: symConst}}, f)
		sc.Truncated = ex.truncated
		for _, lf := range ex.leaves {
			w, ok := witness(lf)
			if !ok {
				continue
			}
			r, c, err := runWords(p, &w, nil)
			if err != nil {
				return sc, false, fmt.Errorf("cost analysis: nr %d: %w", nr, err)
			}
			act := ActionFromRet(r)
			if old, ok := costs[act]; !ok || c < old {
				costs[act] = c
			}
		}
	}
	handled := func(act Action) bool { return act != def && !isKill(act) }
	best, bestCost := Action{}, -1
	for act, c := range costs {
		sc.Actions = append(sc.Actions, act)
		if handled(act) && (bestCost < 0 || c < bestCost || (c == bestCost && act.Ret() < best.Ret())) {
			best, bestCost = act, c
		}
	}
	if bestCost < 0 {
		return sc, false, nil
	}
	sort.Slice(sc.Actions, func(i, j int) bool { return sc.Actions[i].Ret() < sc.Actions[j].Ret() })
	if handled(act0) {
		best, bestCost = act0, cnt0
	}
	sc.Cost, sc.Action = bestCost, best
	sc.ArgDependent = len(costs) > 1
	sc.Cacheable = constAllow(p, nr, a.AuditArch)
	sc.DispatchCost = dispatchCost(p, nr, a.AuditArch)
	return sc, true, nil
}

// constAllow emulates the kernel's check for its action cache
// (seccomp_is_const_allow): the number is cached when the program, knowing
// only nr and arch, returns ALLOW.
func constAllow(p Program, nr, auditArch uint32) bool {
	ret, ok := decidedOnNr(p, nr, auditArch)
	return ok && ret == RetAllow
}

// DecidedOnNr runs the program knowing only the syscall number and the
// architecture's audit value, the way the kernel does when it fills its
// action cache. It returns the verdict and true when the program reaches a
// constant return without loading any other seccomp_data word (or using an
// instruction the emulation does not follow); the kernel caches the number
// exactly when that verdict is ALLOW.
func DecidedOnNr(p Program, nr, auditArch uint32) (Action, bool) {
	ret, ok := decidedOnNr(p, nr, auditArch)
	if !ok {
		return Action{}, false
	}
	return ActionFromRet(ret), true
}

// decidedOnNr is DecidedOnNr with the raw return value.
func decidedOnNr(p Program, nr, auditArch uint32) (uint32, bool) {
	var reg uint32
	for pc := 0; pc < len(p); pc++ {
		ins := p[pc]
		switch {
		case ins.Code == opLdAbs:
			switch ins.K {
			case offNr:
				reg = nr
			case offArch:
				reg = auditArch
			default:
				return 0, false
			}
		case ins.Code == opRetK:
			return ins.K, true
		case ins.Code == opJA:
			pc += int(ins.K)
		case ins.Code == bpfALU|bpfAND|bpfK:
			reg &= ins.K
		case isCondJump(ins.Code) && ins.Code&bpfX == 0:
			var c bool
			switch ins.Code & 0xf0 {
			case bpfJEQ:
				c = reg == ins.K
			case bpfJGT:
				c = reg > ins.K
			case bpfJGE:
				c = reg >= ins.K
			default:
				c = reg&ins.K != 0
			}
			if c {
				pc += int(ins.Jt)
			} else {
				pc += int(ins.Jf)
			}
		default:
			return 0, false
		}
	}
	return 0, false
}

// dispatchCost counts the instructions executed for nr before the first
// load of a word other than nr and arch, or before the first return.
func dispatchCost(p Program, nr, auditArch uint32) int {
	var w [SeccompDataSize / 4]uint32
	w[offNr/4] = nr
	w[offArch/4] = auditArch
	// Find the first instruction on the path that loads another word or
	// returns: run the program cut short at each such instruction.
	cut := make(Program, len(p))
	copy(cut, p)
	for i, ins := range cut {
		if (ins.Code == opLdAbs && ins.K != offNr && ins.K != offArch) || ins.Code&0x07 == bpfRET {
			cut[i] = Instruction{Code: opRetK, K: RetAllow}
		}
	}
	_, n, err := runWords(cut, &w, nil)
	if err != nil {
		return 0
	}
	return n - 1
}

// Symbolic execution for the path search.

const (
	symConst  = iota // a known constant
	symWord          // the seccomp_data word with index v
	symOpaque        // anything else
)

type symVal struct {
	kind uint8
	v    uint32
}

type symState struct {
	a, x symVal
	mem  [bpfMemWords]symVal
}

type pathLeaf struct {
	f facts
}

type explorer struct {
	p         Program
	maxLeaves int
	leaves    []pathLeaf
	truncated bool
}

func (e *explorer) walk(pc int, st symState, f facts) {
	for ; pc < len(e.p); pc++ {
		if len(e.leaves) >= e.maxLeaves {
			e.truncated = true
			return
		}
		ins := e.p[pc]
		code := ins.Code
		switch {
		case code == opLdAbs:
			st.a = symVal{kind: symWord, v: ins.K / 4}
		case code == opLdLen:
			st.a = symVal{kind: symConst, v: SeccompDataSize}
		case code == opLdxLen:
			st.x = symVal{kind: symConst, v: SeccompDataSize}
		case code == bpfLD|bpfIMM:
			st.a = symVal{kind: symConst, v: ins.K}
		case code == bpfLDX|bpfIMM:
			st.x = symVal{kind: symConst, v: ins.K}
		case code == bpfLD|bpfMEM:
			st.a = st.mem[ins.K]
		case code == bpfLDX|bpfMEM:
			st.x = st.mem[ins.K]
		case code == bpfST:
			st.mem[ins.K] = st.a
		case code == bpfSTX:
			st.mem[ins.K] = st.x
		case code == bpfMISC|bpfTAX:
			st.x = st.a
		case code == bpfMISC|bpfTXA:
			st.a = st.x
		case code&0x07 == bpfRET:
			e.leaves = append(e.leaves, pathLeaf{f: f})
			return
		case code == opJA:
			pc += int(ins.K)
		case code&0x07 == bpfALU:
			src := symVal{kind: symConst, v: ins.K}
			if code&bpfX != 0 {
				src = st.x
			}
			if st.a.kind == symConst && src.kind == symConst && code != bpfALU|bpfNEG {
				w := [SeccompDataSize / 4]uint32{}
				r, _, err := runWords(Program{{Code: bpfLD | bpfIMM, K: st.a.v}, {Code: code &^ bpfX, K: src.v}, {Code: opRetA}}, &w, nil)
				if err == nil {
					st.a = symVal{kind: symConst, v: r}
					continue
				}
			}
			st.a = symVal{kind: symOpaque}
		case isCondJump(code):
			src := symVal{kind: symConst, v: ins.K}
			if code&bpfX != 0 {
				src = st.x
			}
			t := test{op: code &^ bpfX, k: src.v}
			outcome := -1
			if st.a.kind == symConst && src.kind == symConst {
				outcome = 0
				if evalTest(t.op, st.a.v, src.v) {
					outcome = 1
				}
			} else if st.a.kind == symWord && src.kind == symConst {
				t.word = int(st.a.v)
				wf := f.word(t.word)
				outcome = wf.eval(t)
				if outcome < 0 {
					e.walk(pc+1+int(ins.Jt), st, f.with(t.word, wf.learn(t, true)))
					e.walk(pc+1+int(ins.Jf), st, f.with(t.word, wf.learn(t, false)))
					return
				}
			}
			switch outcome {
			case 1:
				pc += int(ins.Jt)
			case 0:
				pc += int(ins.Jf)
			default:
				e.walk(pc+1+int(ins.Jt), st, f)
				e.walk(pc+1+int(ins.Jf), st, f)
				return
			}
		default:
			return
		}
	}
}

func evalTest(op uint16, a, k uint32) bool {
	switch op {
	case opJEQ:
		return a == k
	case opJGT:
		return a > k
	case opJGE:
		return a >= k
	}
	return a&k != 0
}

// witness finds seccomp_data words satisfying the facts of a path leaf.
func witness(lf pathLeaf) ([SeccompDataSize / 4]uint32, bool) {
	var w [SeccompDataSize / 4]uint32
	for i, wf := range lf.f.words {
		v, ok := solveWord(wf)
		if !ok {
			return w, false
		}
		w[i] = v
	}
	return w, true
}

// nextAllowed returns the smallest x >= v with no bit outside allowed.
func nextAllowed(v, allowed uint32) (uint32, bool) {
	x := uint64(v)
	for x <= 0xffffffff {
		bad := uint32(x) &^ allowed
		if bad == 0 {
			return uint32(x), true
		}
		b := uint64(1) << (31 - bits.LeadingZeros32(bad))
		x = (x | (b - 1)) + 1
	}
	return 0, false
}

func (wf wordFacts) satisfied(v uint32) bool {
	if v < wf.min || v > wf.max || v&wf.clear != 0 {
		return false
	}
	for _, n := range wf.ne {
		if v == n {
			return false
		}
	}
	for _, m := range wf.anySet {
		if v&m == 0 {
			return false
		}
	}
	return true
}

// solveWord finds a value satisfying wf, trying a set of candidates.
func solveWord(wf wordFacts) (uint32, bool) {
	allowed := ^wf.clear
	cands := []uint32{wf.min, wf.max, wf.min + 1, wf.max - 1, wf.max & allowed}
	var need uint32
	for _, m := range wf.anySet {
		if m&allowed == 0 {
			return 0, false
		}
		need |= 1 << bits.TrailingZeros32(m&allowed)
	}
	cands = append(cands, wf.min|need, need, wf.max&allowed|need)
	for _, n := range wf.ne {
		cands = append(cands, n+1, n-1)
	}
	for _, c := range cands {
		for _, base := range []uint32{c, c | need} {
			v, ok := nextAllowed(base, allowed)
			for tries := 0; ok && tries < 64; tries++ {
				if wf.satisfied(v) {
					return v, true
				}
				if v == 0xffffffff {
					break
				}
				v, ok = nextAllowed(v+1, allowed)
			}
		}
	}
	return 0, false
}
