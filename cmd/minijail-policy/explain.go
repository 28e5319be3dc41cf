package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/minijail-go/minijail/seccomp"
)

// explanation is the JSON form of explain's output.
type explanation struct {
	Policy         string           `json:"policy"`
	Arch           string           `json:"arch"`
	Dialect        string           `json:"dialect"`
	Default        string           `json:"default_action"`
	BadArch        string           `json:"bad_arch_action"`
	Instructions   int              `json:"instructions"`
	Syscalls       []syscallExplain `json:"syscalls"`
	UnlistedCost   int              `json:"unlisted_cost,omitempty"`
	MeanCost       float64          `json:"mean_cost,omitempty"`
	MaxCost        int              `json:"max_cost,omitempty"`
	CostTotals     *costTotals      `json:"cost_totals,omitempty"`
	Warnings       []string         `json:"warnings,omitempty"`
	ActionsSummary map[string]int   `json:"actions_summary"`
}

type syscallExplain struct {
	Name      string        `json:"name"`
	Nr        uint32        `json:"nr"`
	Defined   string        `json:"defined_at"`
	Action    string        `json:"action,omitempty"` // when it does not depend on arguments
	Rules     []ruleExplain `json:"rules,omitempty"`
	Else      string        `json:"else,omitempty"`
	Frequency uint32        `json:"frequency,omitempty"`
	// Cached (with --cost) tells whether the kernel's seccomp action
	// cache serves the syscall: its verdict is ALLOW whatever the
	// arguments, on a path that loads only arch and nr.
	Cached   *bool    `json:"cached,omitempty"`
	Cost     *costs   `json:"cost,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

type ruleExplain struct {
	When   string `json:"when"`
	Action string `json:"action"`
	At     string `json:"at"`
	Source string `json:"source,omitempty"` // the policy line, as written
}

// sourceLines reads the lines of policy files for explain, mapping
// absolute paths under the sysroot as the parser does.
type sourceLines struct {
	sysroot string
	files   map[string][]string
}

func (s *sourceLines) line(p seccomp.Pos) string {
	lines, ok := s.files[p.File]
	if !ok {
		path := p.File
		if s.sysroot != "" && filepath.IsAbs(path) {
			path = filepath.Join(s.sysroot, path)
		}
		if data, err := os.ReadFile(path); err == nil {
			lines = strings.Split(string(data), "\n")
		}
		if s.files == nil {
			s.files = map[string][]string{}
		}
		s.files[p.File] = lines
	}
	if p.Line < 1 || p.Line > len(lines) {
		return ""
	}
	return strings.TrimSpace(strings.TrimSuffix(lines[p.Line-1], "\r"))
}

// costs are the BPF instructions a call of one syscall runs through.
type costs struct {
	// ZeroArgs is the count for a call with every argument 0.
	ZeroArgs int `json:"zero_args"`
	// Path lists the instruction indexes of that call, in order.
	Path []int `json:"path,omitempty"`
	// Min and Max are over calls satisfying each rule in turn, the
	// all-zero call and calls reaching the else action.
	Min int `json:"min"`
	Max int `json:"max"`
	// ArgDependent is set when calls with different arguments get
	// different verdicts.
	ArgDependent bool `json:"arg_dependent"`
	// DecidedOnNr is set when the filter reaches its verdict loading only
	// arch and nr (cached when that verdict is ALLOW).
	DecidedOnNr bool `json:"decided_on_nr"`
	// Handled is the instruction count up to the verdict, counted the way
	// the corpus reference figures are (the all-zero call, or the
	// cheapest call getting a verdict other than the default or a kill);
	// 0 when the syscall is not handled in that sense.
	Handled int `json:"handled_cost,omitempty"`
}

// costTotals summarizes the cost analysis over the handled syscalls: the
// numbers that some call sends to a verdict other than the program's
// default or a kill.
type costTotals struct {
	Handled      int `json:"handled"`
	Cached       int `json:"cached"`
	ArgDependent int `json:"arg_dependent"`
	// Mean is the mean Handled cost over the handled syscalls.
	Mean float64 `json:"mean"`
	// ArgDependentMean is the mean over the argument-dependent ones,
	// weighted by @frequency when Weighted.
	ArgDependentMean float64 `json:"arg_dependent_mean"`
	Weighted         bool    `json:"weighted"`
	Max              int     `json:"max"`
}

func cmdExplain(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("explain")
	var pf policyFlags
	pf.register(fs)
	withCost := fs.Bool("cost", false, "show instruction counts")
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"explain needs one POLICY"}
	}
	opts, copts, err := pf.options(stderr)
	if err != nil {
		return err
	}
	p, prog, err := seccomp.CompileFile(pos[0], opts, copts)
	if err != nil {
		return err
	}
	ex, err := explain(pos[0], p, prog, opts.Dialect, *withCost, &sourceLines{sysroot: opts.Sysroot})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ex)
	}
	return writeExplanation(stdout, ex, *withCost)
}

// actionWords describes an action.
func actionWords(a seccomp.Action) string {
	switch a.Kind {
	case seccomp.ActAllow:
		return "allow"
	case seccomp.ActKillProcess:
		return "kill-process"
	case seccomp.ActKillThread:
		return "kill-thread"
	case seccomp.ActTrap:
		return "trap"
	case seccomp.ActErrno:
		return fmt.Sprintf("return errno %d", a.Value)
	case seccomp.ActTrace:
		return fmt.Sprintf("trace (data %d)", a.Value)
	case seccomp.ActLog:
		return "log and allow"
	case seccomp.ActUserNotify:
		return "notify the supervisor"
	}
	return fmt.Sprintf("action(%d)", a.Kind)
}

func hexWord(v uint64) string {
	if v < 10 {
		return fmt.Sprint(v)
	}
	return fmt.Sprintf("%#x", v)
}

// condWords describes one argument comparison in words.
func condWords(c seccomp.Cond) string {
	arg := fmt.Sprintf("arg%d", c.Arg)
	v := hexWord(c.Value)
	switch c.Op {
	case seccomp.OpEq:
		return arg + " is " + v
	case seccomp.OpNe:
		return arg + " is not " + v
	case seccomp.OpLt:
		return arg + " is below " + v
	case seccomp.OpLe:
		return arg + " is at most " + v
	case seccomp.OpGt:
		return arg + " is above " + v
	case seccomp.OpGe:
		return arg + " is at least " + v
	case seccomp.OpMaskAny:
		return arg + " has any of the bits " + v
	case seccomp.OpMaskIn:
		return arg + " has no bits outside " + v
	}
	return arg + " ?"
}

func rulesWords(conds []seccomp.Cond) string {
	if len(conds) == 0 {
		return "always"
	}
	parts := make([]string, len(conds))
	for i, c := range conds {
		parts[i] = condWords(c)
	}
	return strings.Join(parts, " and ")
}

// explain builds the explanation of a compiled policy.
func explain(name string, p *seccomp.Policy, prog seccomp.Program, d seccomp.Dialect, withCost bool, src *sourceLines) (*explanation, error) {
	ex := &explanation{
		Policy:         name,
		Arch:           p.Arch.Name,
		Dialect:        d.String(),
		Default:        actionWords(p.Default),
		BadArch:        actionWords(p.BadArch),
		Instructions:   len(prog),
		ActionsSummary: map[string]int{},
	}
	var costSum, costN int
	handled := map[uint32]seccomp.SyscallCost{}
	if withCost {
		freq := p.Frequencies()
		rep, err := seccomp.AnalyzeCost(prog, p.Arch, seccomp.CostOptions{Frequency: freq})
		if err != nil {
			return nil, err
		}
		t := &costTotals{Handled: len(rep.Syscalls), ArgDependent: rep.ArgDependent, Mean: rep.Mean,
			ArgDependentMean: rep.ArgDependentWeightedMean, Weighted: len(freq) > 0, Max: rep.Max}
		for _, sc := range rep.Syscalls {
			handled[sc.Nr] = sc
			if sc.Cacheable {
				t.Cached++
			}
		}
		ex.CostTotals = t
	}
	for i := range p.Syscalls {
		s := &p.Syscalls[i]
		se := syscallExplain{Name: s.Name, Nr: s.Nr, Defined: s.Pos.String(), Frequency: s.Frequency}
		if len(s.Rules) == 0 {
			se.Action = actionWords(s.Else)
			ex.ActionsSummary[se.Action]++
		} else {
			for _, r := range s.Rules {
				se.Rules = append(se.Rules, ruleExplain{When: rulesWords(r.All), Action: actionWords(r.Action), At: r.Pos.String(), Source: src.line(r.Pos)})
			}
			se.Else = actionWords(s.Else)
			ex.ActionsSummary["depends on arguments"]++
		}
		for _, w := range bypassWarnings(p, s) {
			se.Warnings = append(se.Warnings, w)
			ex.Warnings = append(ex.Warnings, fmt.Sprintf("%s: %s", s.Name, w))
		}
		if withCost {
			c, err := syscallCosts(p, prog, s)
			if err != nil {
				return nil, err
			}
			act, onNr := seccomp.DecidedOnNr(prog, s.Nr, p.Arch.AuditArch)
			cached := onNr && act.Kind == seccomp.ActAllow
			c.DecidedOnNr = onNr
			// Not handled (every verdict the default or a kill): the
			// rules say whether the verdict can change with arguments.
			for _, r := range s.Rules {
				c.ArgDependent = c.ArgDependent || r.Action != s.Else
			}
			if sc, ok := handled[s.Nr]; ok {
				cached = sc.Cacheable
				c.ArgDependent = sc.ArgDependent
				c.Handled = sc.Cost
			}
			se.Cached = &cached
			se.Cost = c
			costSum += c.ZeroArgs
			costN++
			if c.Max > ex.MaxCost {
				ex.MaxCost = c.Max
			}
		}
		ex.Syscalls = append(ex.Syscalls, se)
	}
	if withCost {
		if costN > 0 {
			ex.MeanCost = float64(costSum) / float64(costN)
		}
		nr := p.Arch.MaxSyscall() + 1
		_, n, err := seccomp.Run(prog, seccomp.SeccompData{Nr: int32(nr), Arch: p.Arch.AuditArch})
		if err != nil {
			return nil, fmt.Errorf("running the filter: %w", err)
		}
		ex.UnlistedCost = n
	}
	return ex, nil
}

// satisfying returns an argument vector that satisfies conds (when they
// are satisfiable one by one) starting from base.
func satisfying(base [6]uint64, conds []seccomp.Cond) [6]uint64 {
	for _, c := range conds {
		switch c.Op {
		case seccomp.OpNe, seccomp.OpGt:
			base[c.Arg] = c.Value + 1
		case seccomp.OpLt:
			base[c.Arg] = c.Value - 1
		default:
			base[c.Arg] = c.Value
		}
	}
	return base
}

func syscallCosts(p *seccomp.Policy, prog seccomp.Program, s *seccomp.SyscallRules) (*costs, error) {
	c := &costs{}
	in := seccomp.SeccompData{Nr: int32(s.Nr), Arch: p.Arch.AuditArch}
	_, n, err := seccomp.Run(prog, in)
	if err != nil {
		return nil, fmt.Errorf("running the filter for %s: %w", s.Name, err)
	}
	c.ZeroArgs, c.Min, c.Max = n, n, n
	c.Path = tracePath(prog, in, p.Arch.Order)
	for _, r := range s.Rules {
		in.Args = satisfying([6]uint64{}, r.All)
		_, n, err := seccomp.Run(prog, in)
		if err != nil {
			return nil, fmt.Errorf("running the filter for %s: %w", s.Name, err)
		}
		c.Min, c.Max = min(c.Min, n), max(c.Max, n)
	}
	return c, nil
}

func writeExplanation(w io.Writer, ex *explanation, withCost bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "policy %s for %s (%s dialect): %d BPF instructions\n", ex.Policy, ex.Arch, ex.Dialect, ex.Instructions)
	fmt.Fprintf(&b, "other syscalls: %s; other architectures: %s\n", ex.Default, ex.BadArch)
	if withCost {
		fmt.Fprintf(&b, "cost: mean %.2f instructions per listed syscall (arguments 0), max %d, unlisted syscalls %d\n", ex.MeanCost, ex.MaxCost, ex.UnlistedCost)
		if t := ex.CostTotals; t != nil {
			weighted := ""
			if t.Weighted {
				weighted = ", weighted by @frequency"
			}
			fmt.Fprintf(&b, "handled syscalls: %d, %d cached, %d depend on arguments; mean %.2f instructions, max %d; argument-dependent mean %.2f%s\n",
				t.Handled, t.Cached, t.ArgDependent, t.Mean, t.Max, t.ArgDependentMean, weighted)
		}
	}
	keys := make([]string, 0, len(ex.ActionsSummary))
	for k := range ex.ActionsSummary {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "  %d syscalls: %s\n", ex.ActionsSummary[k], k)
	}
	b.WriteString("\n")
	for _, s := range ex.Syscalls {
		fmt.Fprintf(&b, "%s (%d)", s.Name, s.Nr)
		if s.Action != "" {
			fmt.Fprintf(&b, ": %s\n", s.Action)
		} else {
			b.WriteString(":\n")
			for i, r := range s.Rules {
				word := "if"
				if i > 0 {
					word = "else if"
				}
				fmt.Fprintf(&b, "    %s %s: %s  [%s]\n", word, r.When, r.Action, r.At)
				if r.Source != "" && (i == 0 || r.Source != s.Rules[i-1].Source) {
					fmt.Fprintf(&b, "        %s\n", r.Source)
				}
			}
			fmt.Fprintf(&b, "    otherwise: %s\n", s.Else)
		}
		if s.Cost != nil {
			path := make([]string, len(s.Cost.Path))
			for i, pc := range s.Cost.Path {
				path[i] = fmt.Sprint(pc)
			}
			fmt.Fprintf(&b, "    cost: %d instructions with zero arguments (path %s); %d to %d over its rules; %s\n",
				s.Cost.ZeroArgs, strings.Join(path, " "), s.Cost.Min, s.Cost.Max, cacheWords(s))
		}
		for _, w := range s.Warnings {
			fmt.Fprintf(&b, "    WARNING: %s\n", w)
		}
	}
	if len(ex.Warnings) > 0 {
		fmt.Fprintf(&b, "\n%d warning(s)\n", len(ex.Warnings))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cacheWords says whether the kernel's action cache serves a syscall, and
// why not.
func cacheWords(s syscallExplain) string {
	switch {
	case s.Cached != nil && *s.Cached:
		return "cached"
	case s.Cost.ArgDependent:
		return "not cached: the verdict depends on arguments"
	case s.Cost.DecidedOnNr:
		return "not cached: decided on arch and nr, but the kernel caches only allow"
	}
	return "not cached: the path loads arguments"
}
