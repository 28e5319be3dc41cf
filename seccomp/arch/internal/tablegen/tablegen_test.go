package tablegen

import (
	"go/parser"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEvalInt(t *testing.T) {
	env := map[string]*big.Int{"A": big.NewInt(0x10)}
	tests := []struct {
		expr       string
		want       string // decimal, or "" for an error
		nonInteger bool
	}{
		{"0x7", "7", false},
		{"0o17", "15", false},
		{"017", "15", false},
		{"-0x64", "-100", false},
		{"^0", "-1", false},
		{"syscall.Errno(0x1)", "1", false},
		{"Signal(0x1f)", "31", false},
		{"'f'", "102", false},
		{"(A | 0x1) << 4", "272", false},
		{"A & 0x11", "16", false},
		{"A + 2 - 1", "17", false},
		{"A * 3", "48", false},
		{"0x8000000000000000", "9223372036854775808", false},
		{`"LINUX"`, "", true},
		{"B", "", false},
		{"f(1, 2)", "", false},
		{"1.5", "", true},
		{"!A", "", false},
		{"A / 2", "", false},
	}
	for _, tt := range tests {
		e, err := parser.ParseExpr(tt.expr)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		v, err := evalInt(e, env)
		switch {
		case tt.want != "":
			if err != nil || v.String() != tt.want {
				t.Errorf("evalInt(%s) = %v, %v; want %s", tt.expr, v, err, tt.want)
			}
		case tt.nonInteger:
			if err != errNotInteger {
				t.Errorf("evalInt(%s) error = %v, want errNotInteger", tt.expr, err)
			}
		default:
			if err == nil || err == errNotInteger {
				t.Errorf("evalInt(%s) = %v, %v; want a hard error", tt.expr, v, err)
			}
		}
	}
}

func TestToUint64(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"-100", 0xffffffffffffff9c, true},
		{"18446744073709551615", 0xffffffffffffffff, true},
		{"18446744073709551616", 0, false},
		{"-9223372036854775809", 0, false},
	} {
		v, _ := new(big.Int).SetString(tt.in, 10)
		got, err := toUint64(v)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("toUint64(%s) = %#x, %v", tt.in, got, err)
		}
	}
}

// TestIoctlEncoding checks the _IOC helpers against ioctl numbers that x/sys
// defines (and whose arguments the uapi headers give).
func TestIoctlEncoding(t *testing.T) {
	for _, tt := range []struct {
		name      string
		got, want uint64
	}{
		{"TCGETS2 _IOR('T', 0x2A, struct termios2)", ior('T', 0x2a, 44), 0x802c542a},
		{"TCSETS2 _IOW('T', 0x2B, struct termios2)", iow('T', 0x2b, 44), 0x402c542b},
		{"BLKGETSIZE64 LP64 _IOR(0x12, 114, size_t)", ior(0x12, 114, 8), 0x80081272},
		{"BLKSSZGET _IO(0x12, 104)", io(0x12, 104), 0x1268},
		{"FS_IOC_GET_ENCRYPTION_POLICY_EX _IOWR('f', 22, __u8[9])", iowr('f', 22, 9), 0xc0096616},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %#x, want %#x", tt.name, tt.got, tt.want)
		}
	}
}

func TestSupplementNames(t *testing.T) {
	for _, spec := range arches {
		seen := map[string]uint64{}
		for _, e := range supplement(spec) {
			if !cName.MatchString(e.name) {
				t.Errorf("%s: %q is not a C-style name", spec.name, e.name)
			}
			if old, ok := seen[e.name]; ok && old != e.value {
				t.Errorf("%s: %s listed twice with different values", spec.name, e.name)
			}
			seen[e.name] = e.value
			if spec.bits == 32 && e.value > 0xffffffff && e.value < 0xffffffff00000000 {
				t.Errorf("%s: %s = %#x does not fit a 32-bit target", spec.name, e.name, e.value)
			}
		}
	}
}

func TestTypesRenames(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "types.go")
	src := "package unix\n\n// #include <x.h>\nimport \"C\"\n\nconst (\n\tFADV_NORMAL = C.POSIX_FADV_NORMAL\n\tAT_FDCWD = C.AT_FDCWD\n\tSYSLOG_ACTION_OPEN = 1\n)\n"
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := typesRenames(p)
	if err != nil {
		t.Fatal(err)
	}
	if m["FADV_NORMAL"] != "POSIX_FADV_NORMAL" || m["AT_FDCWD"] != "AT_FDCWD" || len(m) != 2 {
		t.Errorf("typesRenames = %v", m)
	}
	if err := os.WriteFile(p, []byte("package unix\nconst X = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := typesRenames(p); err == nil {
		t.Error("typesRenames accepted a file without C constants")
	}
}

// fakeXsys writes a minimal x/sys tree built from the real one with the
// given edits to one syscall file.
func fakeXsys(t *testing.T, file, old, new string) Source {
	t.Helper()
	real, err := Locate(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "unix", "linux"), 0o755); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range arches {
		names = append(names, "zsysnum_linux_"+a.goarch+".go", "zerrors_linux_"+a.goarch+".go", "ztypes_linux_"+a.goarch+".go")
	}
	names = append(names, "zerrors_linux.go", "ztypes_linux.go", "linux/types.go")
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(real.Dir, "unix", n))
		if err != nil {
			t.Fatal(err)
		}
		if n == file {
			s := string(data)
			if !strings.Contains(s, old) {
				t.Fatalf("%s does not contain %q", n, old)
			}
			data = []byte(strings.Replace(s, old, new, 1))
		}
		if err := os.WriteFile(filepath.Join(dir, "unix", n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Source{Dir: dir, Version: "v0.0.0-test"}
}

func TestGenerateErrors(t *testing.T) {
	for _, tt := range []struct {
		file, old, new, want string
	}{
		{"zsysnum_linux_amd64.go", "SYS_WRITE                   = 1\n", "SYS_WRITE                   = 0\n", "both"},
		{"zsysnum_linux_amd64.go", "SYS_WRITE                   = 1\n", "SYS_WRITE                   = -1\n", "out of range"},
		{"zerrors_linux_amd64.go", "O_DIRECTORY                      = 0x10000\n", "O_DIRECTORY                      = 0x10000\n\tO_DIRECTORY2 = UNKNOWN\n", "unknown constant"},
		{"zerrors_linux.go", "AF_UNIX ", "AF_UNIX = 0x1\n\tFIONREAD = 0x1\n\tAF_UNIX_OLD ", "disagrees"},
		{"zsysnum_linux_amd64.go", "SYS_READ ", "broken(", "parsing"},
	} {
		_, err := Generate(fakeXsys(t, tt.file, tt.old, tt.new))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("edit %q -> %q: error %v, want one mentioning %q", tt.old, tt.new, err, tt.want)
		}
	}
	// The unedited copy generates without error and names the version.
	files, err := Generate(fakeXsys(t, "zerrors_linux.go", "AF_UNIX", "AF_UNIX"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(files["zconstants_common.go"]), "golang.org/x/sys v0.0.0-test") {
		t.Error("header does not name the source version")
	}
}
