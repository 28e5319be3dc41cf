package getopt

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// The expected outputs in glibc_cases_test.go were produced by
// testdata/glibc_getopt.c, built with gcc against glibc 2.36 and run on each
// line of testdata/cases.txt (elements split on spaces, '~' standing for a
// space inside an element). The C program prints each option as "-c" or
// "--name" (long-only options), its argument in brackets when optarg is
// set, glibc's own error message followed by "ERR", and the operands left.

// minijailOptions is minijail0's table, long options in upstream's order
// (glibc lists ambiguous possibilities in table order).
var minijailOptions = func() []Option {
	var opts []Option
	longs := []Option{
		{'h', "help", NoArgument}, {'d', "mount-dev", NoArgument},
		{0, "ambient", NoArgument}, {0, "uts", OptionalArgument},
		{0, "logging", RequiredArgument}, {0, "profile", RequiredArgument},
		{0, "preload-library", RequiredArgument}, {0, "seccomp-bpf-binary", RequiredArgument},
		{0, "add-suppl-group", RequiredArgument}, {0, "allow-speculative-execution", NoArgument},
		{0, "config", RequiredArgument}, {0, "gen-config", RequiredArgument},
		{0, "env-add", RequiredArgument}, {0, "env-reset", NoArgument},
		{'k', "mount", RequiredArgument}, {'b', "bind-mount", RequiredArgument},
		{'v', "ns-mount", NoArgument}, {0, "enable-profile-fs-restrictions", NoArgument},
		{0, "fs-default-paths", NoArgument}, {0, "fs-path-rx", RequiredArgument},
		{0, "fs-path-ro", RequiredArgument}, {0, "fs-path-rw", RequiredArgument},
		{0, "fs-path-advanced-rw", RequiredArgument}, {0, "landlock-abi", RequiredArgument},
		{0, "no-default-runtime-environment", NoArgument}, {0, "no-fs-restrictions", NoArgument},
		{0, "no-new-sessions", NoArgument}, {0, "preserve-fd", RequiredArgument},
	}
	opts = append(opts, longs...)
	// The rest of optstring "+a:b:c:de::f:g:hik:lm::nprst::u:vwyzB:C:GHIK::LM::NP:R:S:T:UV:Y".
	spec := "a:c:e::f:g:ilm::nprst::u:wyzB:C:GHIK::LM::NP:R:S:T:UV:Y"
	for i := 0; i < len(spec); i++ {
		o := Option{Short: spec[i]}
		if strings.HasPrefix(spec[i+1:], "::") {
			o.Arg, i = OptionalArgument, i+2
		} else if strings.HasPrefix(spec[i+1:], ":") {
			o.Arg, i = RequiredArgument, i+1
		}
		opts = append(opts, o)
	}
	return opts
}()

// trace runs the parser to the end the way the C program does.
func trace(opts []Option, args []string) string {
	var b strings.Builder
	p := New(opts, append([]string{"minijail0"}, args...))
	for {
		r, err := p.Next()
		if errors.Is(err, ErrDone) {
			break
		}
		var perr *Error
		if errors.As(err, &perr) {
			fmt.Fprintf(&b, "minijail0: %s\n  ERR\n", perr.Msg)
			continue
		}
		if err != nil {
			fmt.Fprintf(&b, "unexpected error %v\n", err)
			break
		}
		if r.Option.Short != 0 {
			fmt.Fprintf(&b, "  -%c", r.Option.Short)
		} else {
			fmt.Fprintf(&b, "  --%s", r.Option.Long)
		}
		if r.HasArg {
			fmt.Fprintf(&b, " [%s]\n", r.Arg)
		} else {
			b.WriteString("\n")
		}
	}
	b.WriteString("  rest:")
	for _, a := range p.Args() {
		fmt.Fprintf(&b, " [%s]", a)
	}
	b.WriteString("\n")
	return b.String()
}

type glibcCase struct {
	argv []string
	want string
}

func TestMatchesGlibc(t *testing.T) {
	for _, c := range glibcCases {
		if got := trace(minijailOptions, c.argv); got != c.want {
			t.Errorf("argv %q:\ngot:\n%s\nglibc:\n%s", c.argv, got, c.want)
		}
	}
}

func TestResultFields(t *testing.T) {
	p := New(minijailOptions, []string{"prog", "--bind-mount=/a", "-b/c", "--uts=", "--uts", "-t", "x"})
	r, err := p.Next()
	if err != nil || r.Option.Long != "bind-mount" || !r.Long || !r.HasArg || r.Arg != "/a" {
		t.Fatalf("first: %+v %v", r, err)
	}
	r, err = p.Next()
	if err != nil || r.Option.Short != 'b' || r.Long || r.Arg != "/c" {
		t.Fatalf("second: %+v %v", r, err)
	}
	r, err = p.Next()
	if err != nil || r.Option.Long != "uts" || !r.HasArg || r.Arg != "" {
		t.Fatalf("--uts=: %+v %v", r, err)
	}
	r, err = p.Next()
	if err != nil || r.Option.Long != "uts" || r.HasArg {
		t.Fatalf("--uts: %+v %v", r, err)
	}
	r, err = p.Next()
	if err != nil || r.Option.Short != 't' || r.HasArg {
		t.Fatalf("-t: %+v %v", r, err)
	}
	if _, err = p.Next(); !errors.Is(err, ErrDone) {
		t.Fatalf("want ErrDone, got %v", err)
	}
	if got := p.Args(); len(got) != 1 || got[0] != "x" || p.Optind() != 6 {
		t.Fatalf("Args = %q, Optind = %d", got, p.Optind())
	}
	if n := minijailOptions[0].Name(); n != "--help" {
		t.Fatalf("Name = %q", n)
	}
	if n := (&Option{Short: 'u'}).Name(); n != "-u" {
		t.Fatalf("Name = %q", n)
	}
}

// FuzzParse checks that any argv parses without panicking, that every
// element is accounted for, and that the operands are a suffix of argv.
func FuzzParse(f *testing.F) {
	for _, c := range glibcCases {
		f.Add(strings.Join(c.argv, "\x00"))
	}
	f.Fuzz(func(t *testing.T, joined string) {
		args := append([]string{"prog"}, strings.Split(joined, "\x00")...)
		p := New(minijailOptions, args)
		for n := 0; ; n++ {
			if n > 4*len(joined)+8 {
				t.Fatalf("parser does not terminate on %q", args)
			}
			r, err := p.Next()
			if errors.Is(err, ErrDone) {
				break
			}
			if err != nil {
				var perr *Error
				if !errors.As(err, &perr) || perr.Msg == "" {
					t.Fatalf("error of the wrong kind: %v", err)
				}
				continue
			}
			if r.Option == nil || r.Option != &minijailOptions[r.Index] {
				t.Fatalf("result without its option: %+v", r)
			}
			if r.HasArg && r.Option.Arg == NoArgument {
				t.Fatalf("argument for an option that takes none: %+v", r)
			}
		}
		rest := p.Args()
		if len(rest) > len(args)-1 {
			t.Fatalf("more operands than elements")
		}
		for i, a := range rest {
			if args[len(args)-len(rest)+i] != a {
				t.Fatalf("operands %q are not a suffix of %q", rest, args)
			}
		}
	})
}
