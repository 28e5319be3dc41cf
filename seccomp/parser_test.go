package seccomp

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/minijail-go/minijail/seccomp/arch"
)

func mustArch(t testing.TB, name string) *arch.Arch {
	t.Helper()
	a, err := arch.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestParseAccept(t *testing.T) {
	x86 := mustArch(t, "x86_64")
	tests := []struct {
		name, src string
		want      []string // syscall names, sorted by number
	}{
		{"simple", "read: 1\nwrite: 1\n", []string{"read", "write"}},
		{"allow keyword", "read: allow\n", []string{"read"}},
		{"comment and blank", "# hello\n\n   \nread: 1 # trailing\n", []string{"read"}},
		{"no trailing newline", "read: 1", []string{"read"}},
		{"crlf", "read: 1\r\nwrite: 1\r\n", []string{"read", "write"}},
		{"continuation", "ioctl: arg1 == TCGETS || \\\n  arg1 == TCSETS\n", []string{"ioctl"}},
		{"brace list", "{read, write}: 1\n", []string{"read", "write"}},
		{"filter list", "read: {arg0 == 0, arg0 == 1, return EPERM}\n", []string{"read"}},
		{"pipes with spaces", "openat: arg2 in O_RDONLY | O_CLOEXEC|O_NONBLOCK\n", []string{"openat"}},
		{"parens and not", "mmap: arg2 in ~(PROT_EXEC | PROT_WRITE) || arg2 in ~PROT_EXEC\n", []string{"mmap"}},
		{"numbers", "read: arg0 == 0x10 || arg0 == 010 || arg0 == -1 || arg0 == 0 || arg0 == 0X1F\n", []string{"read"}},
		{"all ops", "read: arg0 == 1 && arg1 != 2 && arg2 < 3 && arg3 <= 4 && arg4 > 5 && arg5 >= 6 || arg0 & 7 || arg0 in 8\n", []string{"read"}},
		{"return errno", "open: return ENOENT\nsocket: arg0 == AF_UNIX; return 1\n", []string{"open", "socket"}},
		{"actions", "a1: kill\n", nil}, // replaced below
		{"kill as syscall", "kill: 1\n", []string{"kill"}},
		{"default", "@default trap\nread: 1\n", []string{"read"}},
		{"arch metadata", "read[arch=x86_64]: 1\nwrite[arch=aarch64,arm]: 1\n", []string{"read"}},
		{"empty", "# nothing\n", nil},
	}
	tests[13] = struct {
		name, src string
		want      []string
	}{"actions", "read: kill\nwrite: kill-process\nopen: kill-thread\nclose: trap\nstat: trace\nfstat: log\nlstat: user-notify\n",
		[]string{"read", "write", "open", "close", "stat", "fstat", "lstat"}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseBytes("t.policy", []byte(tc.src), ParseOptions{Arch: x86})
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			var got []string
			for _, s := range p.Syscalls {
				got = append(got, s.Name)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("syscalls = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseReject(t *testing.T) {
	tests := []struct {
		name, arch, src string
		opts            ParseOptions
		pos             string // line:col
		msg             string // substring
	}{
		{"missing colon", "", "read 1\n", ParseOptions{}, "1:6", "expected ':'"},
		{"bad number action", "", "read: 2\n", ParseOptions{}, "1:7", "invalid action"},
		{"arg out of range", "", "read: arg6 == 1\n", ParseOptions{}, "1:7", "arg0 to arg5"},
		{"unknown syscall", "", "\n  foo_bar: 1\n", ParseOptions{}, "2:3", `unknown syscall "foo_bar"`},
		{"unknown constant", "", "read: arg0 == FOO_BAR_BAZ\n", ParseOptions{}, "1:15", `unknown constant "FOO_BAR_BAZ"`},
		{"single equals", "", "read: arg0 = 1\n", ParseOptions{}, "1:12", "expected a comparison"},
		{"unclosed paren", "", "read: arg0 == (1|2\n", ParseOptions{}, "1:19", "unclosed '('"},
		{"dangling and", "", "read: arg0 == 1 &&\n", ParseOptions{}, "1:19", "expected an argument"},
		{"empty filter", "", "read:\n", ParseOptions{}, "1:6", "expected an action"},
		{"unconditional duplicate", "", "read: 1\n# x\nread: 1\n", ParseOptions{}, "3:7", "already has an unconditional action (at t.policy:1:7)"},
		{"rule after return", "", "read: arg0 == 1; return 1\nread: arg0 == 2\n", ParseOptions{}, "2:7", "already has an unconditional action (at t.policy:1:7)"},
		{"implicit relative include", "", "@include foo.policy\n", ParseOptions{}, "1:10", "must be absolute"},
		{"unknown directive", "", "@bogus\n", ParseOptions{}, "1:1", "unknown directive"},
		{"overflow 32", "i386", "read: arg0 == 0x100000000\n", ParseOptions{}, "1:15", "unsigned overflow"},
		{"underflow 32", "i386", "read: arg0 == -2147483649\n", ParseOptions{}, "1:15", "signed underflow"},
		{"overflow 64", "", "read: arg0 == 0x10000000000000000\n", ParseOptions{}, "1:15", "unsigned overflow"},
		{"errno range", "", "read: return 70000\n", ParseOptions{}, "1:14", "errno value 70000 out of range"},
		{"bad octal", "", "read: arg0 == 09\n", ParseOptions{}, "1:15", "invalid octal"},
		{"bad hex", "", "read: arg0 == 0xg\n", ParseOptions{}, "1:15", "invalid hexadecimal"},
		{"double complement", "", "read: arg0 == ~~1\n", ParseOptions{}, "1:16", "double complement"},
		{"bad char", "", "read: arg0 $ 1\n", ParseOptions{}, "1:12", "invalid character '$'"},
		{"backslash mid line", "", "read: 1 \\ x\n", ParseOptions{}, "1:9", "line continuation"},
		{"permissive default", "", "@default allow\n", ParseOptions{}, "1:10", "invalid @default action"},
		{"denylist without option", "", "@denylist\nread: return 1\n", ParseOptions{}, "1:1", "denylist"},
		{"denylist needs header", "", "read: return 1\n", ParseOptions{Denylist: true}, "1:1", "no @denylist"},
		{"denylist needs return", "", "@denylist\nread: allow\n", ParseOptions{Denylist: true}, "2:7", "denylist"},
		{"extra tokens", "", "read: 1 1\n", ParseOptions{}, "1:9", "expected end of line"},
		{"unclosed brace", "", "{read, write: 1\n", ParseOptions{}, "1:13", "expected ',' or '}'"},
		{"syscall group", "", "read@io: 1\n", ParseOptions{}, "1:1", "syscall groups"},
		{"return without value (python)", "", "read: return\n", ParseOptions{Dialect: DialectPython}, "1:7", "missing errno value"},
		{"return without value in @default", "", "@default return\n", ParseOptions{}, "1:10", "invalid @default action"},
		{"missing include", "", "@include /nonexistent/x.policy\n", ParseOptions{}, "1:10", "cannot @include /nonexistent/x.policy"},
		{"in as constant", "", "read: arg0 == in\n", ParseOptions{}, "1:15", "expected a constant"},
		{"continuation at eof", "", "read: arg0 == 1 || \\\n", ParseOptions{}, "1:21", "expected an argument"},
		{"conflicting default", "", "@default trap\n@default kill-thread\n", ParseOptions{}, "2:1", "conflicts"},
		{"deep nesting", "", "read: arg0 == " + strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100) + "\n", ParseOptions{}, "1:79", "nested too deeply"},
		{"bad metadata", "", "read[os=linux]: 1\n", ParseOptions{}, "1:6", "unknown metadata key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			an := tc.arch
			if an == "" {
				an = "x86_64"
			}
			opts := tc.opts
			opts.Arch = mustArch(t, an)
			_, err := ParseBytes("t.policy", []byte(tc.src), opts)
			if err == nil {
				t.Fatal("expected an error")
			}
			pe, ok := AsPolicyError(err)
			if !ok {
				t.Fatalf("error %v (%T) is not a *PolicyError", err, err)
			}
			want := "t.policy:" + tc.pos
			if pe.Pos.String() != want {
				t.Errorf("position = %s, want %s (error: %v)", pe.Pos, want, err)
			}
			if !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("message %q does not contain %q", pe.Msg, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), want+": ") {
				t.Errorf("Error() = %q, want prefix %q", err.Error(), want+": ")
			}
		})
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		text string
		bits int
		want uint64
		err  string
	}{
		{"0", 64, 0, ""},
		{"10", 64, 10, ""},
		{"010", 64, 8, ""},
		{"0x1F", 64, 31, ""},
		{"-1", 64, ^uint64(0), ""},
		{"-1", 32, 0xffffffff, ""},
		{"-2147483648", 32, 0x80000000, ""},
		{"-2147483649", 32, 0, "signed underflow"},
		{"4294967295", 32, 0xffffffff, ""},
		{"4294967296", 32, 0, "unsigned overflow"},
		{"18446744073709551615", 64, ^uint64(0), ""},
		{"18446744073709551616", 64, 0, "unsigned overflow"},
		{"-9223372036854775808", 64, 1 << 63, ""},
		{"-9223372036854775809", 64, 0, "signed underflow"},
		{"0x", 64, 0, "invalid number"},
		{"08", 64, 0, "invalid octal"},
		{"12ab", 64, 0, "invalid decimal"},
	}
	for _, tc := range tests {
		got, err := parseNumber(tc.text, tc.bits)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseNumber(%q, %d) error = %v, want %q", tc.text, tc.bits, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseNumber(%q, %d) = %#x, %v; want %#x", tc.text, tc.bits, got, err, tc.want)
		}
	}
}

func TestParseAST(t *testing.T) {
	f, err := ParseAST("a.policy", []byte("@include ./b.policy\n@frequency /f\n@default kill-thread\n{read, write[arch=x86_64]}: arg0 == 1 || arg1 & 2 && arg2 in ~3|4; return EPERM\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Stmts) != 4 {
		t.Fatalf("got %d statements", len(f.Stmts))
	}
	inc := f.Stmts[0].(*IncludeStmt)
	if inc.Path != "./b.policy" || inc.PathPos.String() != "a.policy:1:10" {
		t.Errorf("include = %+v", inc)
	}
	if fr := f.Stmts[1].(*FrequencyStmt); fr.Path != "/f" {
		t.Errorf("frequency = %+v", fr)
	}
	if d := f.Stmts[2].(*DefaultStmt); d.Action.Name != "kill-thread" {
		t.Errorf("default = %+v", d)
	}
	fs := f.Stmts[3].(*FilterStmt)
	if len(fs.Syscalls) != 2 || fs.Syscalls[1].Name != "write" || len(fs.Syscalls[1].Arches) != 1 {
		t.Fatalf("syscalls = %+v", fs.Syscalls)
	}
	if len(fs.Filters) != 1 {
		t.Fatalf("filters = %+v", fs.Filters)
	}
	flt := fs.Filters[0]
	if len(flt.Expr) != 2 || len(flt.Expr[0]) != 1 || len(flt.Expr[1]) != 2 {
		t.Fatalf("expr shape = %+v", flt.Expr)
	}
	if flt.Action == nil || flt.Action.Name != "return" {
		t.Fatalf("action = %+v", flt.Action)
	}
	a := flt.Expr[1][1]
	if a.Arg != 2 || a.Op != OpMaskIn || a.Pos.Col != 54 {
		t.Errorf("atom = %+v", a)
	}
	or, ok := a.Value.(*OrValue)
	if !ok || len(or.Terms) != 2 {
		t.Fatalf("value = %#v", a.Value)
	}
	if _, ok := or.Terms[0].(*NotValue); !ok {
		t.Errorf("first term = %#v", or.Terms[0])
	}
}

func TestParseAction(t *testing.T) {
	tests := []struct {
		in   string
		want Action
		err  bool
	}{
		{"allow", Action{Kind: ActAllow}, false},
		{"1", Action{Kind: ActAllow}, false},
		{"kill", Action{Kind: ActKillProcess}, false},
		{"kill-thread", Action{Kind: ActKillThread}, false},
		{"log", Action{Kind: ActLog}, false},
		{"trap", Action{Kind: ActTrap}, false},
		{"user-notify", Action{Kind: ActUserNotify}, false},
		{"trace", Action{Kind: ActTrace}, false},
		{"return EPERM", Action{Kind: ActErrno, Value: 1}, false},
		{"errno 13", Action{Kind: ActErrno, Value: 13}, false},
		{"errno=ENOENT", Action{Kind: ActErrno, Value: 2}, false},
		{"return 0x10000", Action{}, true},
		{"bogus", Action{}, true},
		{"", Action{}, true},
		{"allow allow", Action{}, true},
	}
	x86 := mustArch(t, "x86_64")
	for _, tc := range tests {
		got, err := ParseActionArch(tc.in, x86)
		if tc.err != (err != nil) || got != tc.want {
			t.Errorf("ParseAction(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		"read: 1\n",
		"ioctl: arg1 == TCGETS || arg1 == 0x5413; return ENOTTY\n",
		"{read, write}: {arg0 == 1, return 1}\n",
		"mmap: arg2 in ~(PROT_EXEC|PROT_WRITE) && arg3 & 0x20\n",
		"@default kill-thread\n@denylist\nopen: return 2\n",
		"read[arch=x86_64]: arg0 == -1 \\\n || arg1 >= 010\n",
		"@include ./x.policy\n",
		"@frequency ./f\n",
		"read: arg0 == (1 | (2|~3))\n",
		"# c\n\n\tclose : kill-process # x\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	x86 := mustArch(f, "x86_64")
	i386 := mustArch(f, "i386")
	root := f.TempDir()
	f.Fuzz(func(t *testing.T, src string) {
		// The AST parser must never panic, and errors must carry a position.
		if _, err := ParseAST("f.policy", []byte(src)); err != nil {
			if _, ok := AsPolicyError(err); !ok {
				t.Fatalf("ParseAST error %v is not a *PolicyError", err)
			}
		}
		// Includes resolve under an empty sysroot; paths that could climb out
		// of it to a real file are left to the AST check above.
		if strings.Contains(src, "..") {
			return
		}
		for _, a := range []*arch.Arch{x86, i386} {
			for _, d := range []Dialect{DialectMinijail0, DialectPython} {
				p, err := ParseBytes(filepath.Join(root, "f.policy"), []byte(src), ParseOptions{Arch: a, Dialect: d, Sysroot: root})
				if err != nil {
					pe, ok := AsPolicyError(err)
					if !ok {
						t.Fatalf("error %v is not a *PolicyError", err)
					}
					if pe.Pos.Line < 1 || pe.Pos.Col < 1 {
						t.Fatalf("bad position in %v", err)
					}
					continue
				}
				for i, s := range p.Syscalls {
					if i > 0 && p.Syscalls[i-1].Nr >= s.Nr {
						t.Fatalf("syscalls not sorted/unique: %+v", p.Syscalls)
					}
					for _, r := range s.Rules {
						for _, c := range r.All {
							if c.Arg < 0 || c.Arg > 5 || (a.Bits == 32 && c.Value>>32 != 0) {
								t.Fatalf("bad condition %+v", c)
							}
						}
					}
				}
			}
		}
	})
}

func FuzzParseFrequency(f *testing.F) {
	f.Add("read: 10\nwrite: 0x20 # c\n")
	f.Add("{read}: 1\n")
	f.Add("read: -1\n")
	f.Fuzz(func(t *testing.T, src string) {
		if _, err := ParseFrequency("f", []byte(src)); err != nil {
			if _, ok := AsPolicyError(err); !ok {
				t.Fatalf("error %v is not a *PolicyError", err)
			}
		}
	})
}

func TestPolicyErrorDetail(t *testing.T) {
	_, err := ParseBytes("t.policy", []byte("read: 1\n\twrite: arg0 == NOPE # c\n"), ParseOptions{Arch: mustArch(t, "x86_64")})
	pe, ok := AsPolicyError(err)
	if !ok {
		t.Fatalf("error %v", err)
	}
	want := "t.policy:2:17: unknown constant \"NOPE\" on x86_64\n    \twrite: arg0 == NOPE # c\n    \t               ^"
	if pe.Detail() != want {
		t.Errorf("Detail() =\n%s\nwant\n%s", pe.Detail(), want)
	}
}

// valueOf lowers "read: arg0 == EXPR" and returns the compared value.
func valueOf(t *testing.T, archName, expr string) (uint64, error) {
	t.Helper()
	p, err := ParseBytes("v", []byte("read: arg0 == "+expr+"\n"), ParseOptions{Arch: mustArch(t, archName)})
	if err != nil {
		return 0, err
	}
	return p.Syscalls[0].Rules[0].All[0].Value, nil
}

func TestValueExpressions(t *testing.T) {
	good := []struct {
		arch, expr string
		want       uint64
	}{
		{"x86_64", "0x80000000", 0x80000000},
		{"x86_64", "0x8000000000000000", 0x8000000000000000},
		{"i386", "-1", 0xffffffff},
		{"x86_64", "-1", 0xffffffffffffffff},
		{"x86_64", "0x1|0x2|0x4|0x8", 0xf},
		{"x86_64", "0x1 | 0x2 |0x4| 0x8", 0xf},
		{"x86_64", "(3)", 3}, {"x86_64", "(1)|2", 3}, {"x86_64", "1|(2)", 3}, {"x86_64", "(1)|(2)", 3},
		{"x86_64", "((3))", 3}, {"x86_64", "0|(1|2)", 3}, {"x86_64", "(0|1|2)", 3},
		{"x86_64", "~0", 0xffffffffffffffff},
		{"i386", "~0", 0xffffffff},
		{"x86_64", "~0|~0", 0xffffffffffffffff},
		{"i386", "~0x005AF0FF|~0xFFA50FFF", 0xffffff00},
		{"i386", "0x0F|~(0x005AF000|0x00A50FFF)|0xF0", 0xff0000ff},
		{"x86_64", "~0x00005A5AF0F0FFFF|~0xFFFFA5A50F0FFFFF", 0xffffffffffff0000},
		{"x86_64", "O_RDONLY", 0},
		{"x86_64", "O_WRONLY|O_CREAT", 0x41},
		{"x86_64", "010777", 0o10777},
		{"x86_64", "4607", 4607},
		{"x86_64", "0x11ff", 0x11ff},
	}
	for _, g := range good {
		got, err := valueOf(t, g.arch, g.expr)
		if err != nil || got != g.want {
			t.Errorf("%s %q = %#x, %v; want %#x", g.arch, g.expr, got, err, g.want)
		}
	}
	bad := []string{"(1", "|(1)", "(1)|", "()", "(", "((", "(()", "(()1", "1)", "(1)1", "1(0)",
		"~~0", "0|~", "0|", "foo", "0x100000000 ", "~", "1 2", "(1|)", "arg1", "return"}
	for _, expr := range bad {
		arch := "x86_64"
		if strings.HasPrefix(expr, "0x100000000") {
			arch = "i386"
		}
		if v, err := valueOf(t, arch, expr); err == nil {
			t.Errorf("%q accepted as %#x", expr, v)
		} else if _, ok := AsPolicyError(err); !ok {
			t.Errorf("%q: error %v is not positioned", expr, err)
		}
	}
}
