// Command minijail-policy compiles, disassembles and explains minijail
// seccomp policy files.
//
// Usage:
//
//	minijail-policy compile [flags] POLICY OUT.bpf
//	minijail-policy dump [flags] FILE.bpf|POLICY
//	minijail-policy explain [--cost] [--json] [flags] POLICY
//
// compile writes the filter as a raw array of struct sock_filter in the
// target's byte order (what a struct sock_fprog points at). dump prints a
// disassembly with labels of a compiled filter, or of the filter a policy
// compiles to. explain prints, for every syscall the policy names, its
// action and argument conditions in words, with --cost the BPF instructions
// a call runs through, whether the kernel's action cache serves it, and
// totals over the handled syscalls, and warnings about conditions a caller
// can bypass.
//
// Policy flags (all subcommands): --arch, --dialect minijail0|python,
// --default-action ACTION, --sysroot DIR, --allow-duplicates, --denylist,
// --unknown-syscalls-are-warnings, --no-optimize.
//
// The exit status is 0 on success, 1 on bad input (with file:line:column)
// and 2 on a usage error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/minijail-go/minijail/seccomp"
	"github.com/minijail-go/minijail/seccomp/arch"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  minijail-policy compile [flags] POLICY OUT.bpf
  minijail-policy dump [flags] FILE.bpf|POLICY
  minijail-policy explain [--cost] [--json] [flags] POLICY
flags:
  --arch A                  target architecture (default: the host's)
  --dialect D               minijail0 (default) or python: the meaning of "expr; return E"
  --default-action ACTION   action for syscalls the policy does not allow (overrides @default)
  --sysroot DIR             directory absolute @include paths are taken under
  --allow-duplicates        ignore (with a warning) rules after a syscall's unconditional one
  --denylist                compile a denylist policy (@denylist)
  --unknown-syscalls-are-warnings
                            ignore (with a warning) syscall names the arch does not have
  --no-optimize             emit the linear, unoptimized program
`

// usageError is a bad command line (exit status 2).
type usageError struct{ msg string }

// Error implements error.
func (e *usageError) Error() string { return e.msg }

// run executes the tool with args (without the program name) and returns
// the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "compile":
		err = cmdCompile(args[1:], stdout, stderr)
	case "dump":
		err = cmdDump(args[1:], stdout, stderr)
	case "explain":
		err = cmdExplain(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = &usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "minijail-policy: %v\n%s", err, usage)
		return 2
	}
	if pe, ok := seccomp.AsPolicyError(err); ok {
		fmt.Fprintf(stderr, "%s\n", pe.Detail())
		return 1
	}
	fmt.Fprintf(stderr, "minijail-policy: %v\n", err)
	return 1
}

// policyFlags are the flags every subcommand shares.
type policyFlags struct {
	arch, dialect, defaultAction, sysroot string
	allowDuplicates, denylist, unknownOK  bool
	noOptimize                            bool
}

func (pf *policyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&pf.arch, "arch", "", "target architecture")
	fs.StringVar(&pf.dialect, "dialect", "minijail0", "minijail0 or python")
	fs.StringVar(&pf.defaultAction, "default-action", "", "default action")
	fs.StringVar(&pf.sysroot, "sysroot", "", "root for absolute include paths")
	fs.BoolVar(&pf.allowDuplicates, "allow-duplicates", false, "allow duplicate definitions")
	fs.BoolVar(&pf.denylist, "denylist", false, "denylist policy")
	fs.BoolVar(&pf.unknownOK, "unknown-syscalls-are-warnings", false, "warn on unknown syscalls")
	fs.BoolVar(&pf.noOptimize, "no-optimize", false, "linear program")
}

// options turns the flags into parse and compile options; warnings go to stderr.
func (pf *policyFlags) options(stderr io.Writer) (seccomp.ParseOptions, seccomp.CompileOptions, error) {
	var opts seccomp.ParseOptions
	name := pf.arch
	if name == "" {
		name = runtime.GOARCH
	}
	a, err := arch.Lookup(name)
	if err != nil {
		return opts, seccomp.CompileOptions{}, &usageError{"--arch: " + err.Error()}
	}
	d, err := seccomp.ParseDialect(pf.dialect)
	if err != nil {
		return opts, seccomp.CompileOptions{}, &usageError{err.Error()}
	}
	opts = seccomp.ParseOptions{
		Arch:                       a,
		Dialect:                    d,
		Sysroot:                    pf.sysroot,
		AllowDuplicates:            pf.allowDuplicates,
		Denylist:                   pf.denylist,
		UnknownSyscallsAreWarnings: pf.unknownOK,
		Warn: func(p seccomp.Pos, msg string) {
			fmt.Fprintf(stderr, "%s: warning: %s\n", p, msg)
		},
	}
	if pf.defaultAction != "" {
		act, err := seccomp.ParseActionArch(pf.defaultAction, a)
		if err != nil {
			return opts, seccomp.CompileOptions{}, &usageError{"--default-action: " + err.Error()}
		}
		opts.OverrideDefault = &act
	}
	copts := seccomp.DefaultCompileOptions()
	if pf.noOptimize {
		copts = seccomp.CompileOptions{}
	}
	return opts, copts, nil
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, &usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// After "--" everything is positional.
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func cmdCompile(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compile")
	var pf policyFlags
	pf.register(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return &usageError{"compile needs POLICY and OUT.bpf"}
	}
	opts, copts, err := pf.options(stderr)
	if err != nil {
		return err
	}
	_, prog, err := seccomp.CompileFile(pos[0], opts, copts)
	if err != nil {
		return err
	}
	data := prog.Bytes(opts.Arch.Order)
	if pos[1] == "-" {
		_, err = stdout.Write(data)
		return err
	}
	if err := writeFileAtomic(pos[1], data); err != nil {
		return fmt.Errorf("writing %s: %w", pos[1], err)
	}
	return nil
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place, so a failed run never leaves a truncated filter.
func writeFileAtomic(path string, data []byte) error {
	dir, base := ".", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		dir, base = path[:i], path[i+1:]
		if dir == "" {
			dir = "/"
		}
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// looksCompiled reports whether a file holds a compiled filter rather than
// a policy: a .bpf name, or binary content.
func looksCompiled(path string, data []byte) bool {
	if strings.HasSuffix(path, ".bpf") {
		return true
	}
	if len(data) == 0 || len(data)%seccomp.InstructionSize != 0 {
		return false
	}
	for _, c := range data {
		if c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\v' && c != '\f') || c == 0x7f {
			return true
		}
	}
	return false
}

func cmdDump(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("dump")
	var pf policyFlags
	pf.register(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"dump needs one FILE.bpf or POLICY"}
	}
	opts, copts, err := pf.options(stderr)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	var prog seccomp.Program
	if looksCompiled(pos[0], data) {
		prog, err = seccomp.ParseProgram(data, opts.Arch.Order)
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		if err := seccomp.Validate(prog); err != nil {
			fmt.Fprintf(stderr, "%s: warning: the kernel would reject this filter: %v\n", pos[0], err)
		}
	} else {
		_, prog, err = seccomp.CompileFile(pos[0], opts, copts)
		if err != nil {
			return err
		}
	}
	_, err = io.WriteString(stdout, prog.Disassemble())
	return err
}
