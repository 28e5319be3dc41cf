package mount

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseMountFlags(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		err  string
	}{
		{"", DefaultMountFlags, ""},
		{"  ", DefaultMountFlags, ""},
		{"MS_RDONLY", unix.MS_RDONLY, ""},
		{"MS_NODEV|MS_NOSUID", unix.MS_NODEV | unix.MS_NOSUID, ""},
		{"MS_NODEV | MS_NOSUID | 0x8", unix.MS_NODEV | unix.MS_NOSUID | unix.MS_NOEXEC, ""},
		{"1", unix.MS_RDONLY, ""},
		{"0", 0, ""},
		{"010", 8, ""},
		{"MS_BIND|MS_REC", unix.MS_BIND | unix.MS_REC, ""},
		{"ms_rdonly", 0, "unknown flag"},
		{"MS_RDONLY|", 0, "empty term 2"},
		{"|MS_RDONLY", 0, "empty term 1"},
		{"MS_FOO", 0, "unknown flag \"MS_FOO\""},
		{"0x1g", 0, "bad number"},
		{"0x100000000", 0, "32 bits"},
		{"-1", 0, "unknown flag"},
	}
	for _, tc := range tests {
		got, err := ParseMountFlags(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseMountFlags(%q) = %#x, %v; want error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseMountFlags(%q) = %#x, %v; want %#x", tc.in, got, err, tc.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		err  string
	}{
		{"1", 1, ""},
		{"4096", 4096, ""},
		{"64M", 64 << 20, ""},
		{"64m", 64 << 20, ""},
		{"2k", 2048, ""},
		{"3G", 3 << 30, ""},
		{"1T", 1 << 40, ""},
		{"16777215T", 16777215 << 40, ""},
		{"16777216T", 0, "too large"},
		{"18446744073709551615", 1<<64 - 1, ""},
		{"18446744073709551616", 0, "out of range"},
		{"", 0, "empty"},
		{"M", 0, "no number"},
		{"0", 0, "greater than zero"},
		{"0K", 0, "greater than zero"},
		{"1.5M", 0, "not a decimal digit"},
		{"-1", 0, "not a decimal digit"},
		{"+1", 0, "not a decimal digit"},
		{"1MB", 0, "not a decimal digit"},
		{" 1", 0, "not a decimal digit"},
		{"0x10", 0, "not a decimal digit"},
	}
	for _, tc := range tests {
		got, err := ParseSize(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseSize(%q) = %d, %v; want error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseMountFlags(f *testing.F) {
	for _, s := range []string{"", "MS_RDONLY", "MS_NODEV|MS_NOSUID", "0x8|MS_BIND", "1|2|4", "MS_|", "0x100000000", " MS_REC "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseMountFlags(s)
		if err != nil {
			return
		}
		if v > 0xffffffff {
			t.Fatalf("ParseMountFlags(%q) = %#x: more than 32 bits", s, v)
		}
		// Every accepted term is a name or a number: re-parsing each
		// term alone must succeed and their union is the result.
		if strings.TrimSpace(s) == "" {
			return
		}
		var u uint64
		for _, term := range strings.Split(s, "|") {
			x, err := ParseMountFlags(term)
			if err != nil {
				t.Fatalf("term %q of accepted %q rejected: %v", term, s, err)
			}
			u |= x
		}
		if u != v {
			t.Fatalf("ParseMountFlags(%q) = %#x, union of terms %#x", s, v, u)
		}
	})
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"64M", "1", "0", "16777216T", "1k", "K", "", "9999999999999999999G"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseSize(s)
		if err != nil {
			return
		}
		if v == 0 {
			t.Fatalf("ParseSize(%q) accepted zero", s)
		}
		num := strings.TrimRight(s, "kKmMgGtT")
		if len(s)-len(num) > 1 {
			t.Fatalf("ParseSize(%q) accepted more than one suffix", s)
		}
		n, err := ParseSize(num)
		if err != nil || v%n != 0 || v < n {
			t.Fatalf("ParseSize(%q) = %d inconsistent with %q = %d, %v", s, v, num, n, err)
		}
	})
}
