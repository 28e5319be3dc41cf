package caps

import (
	"strings"
	"testing"
)

func TestParseMask(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		err  string
	}{
		{"0", 0, ""},
		{"3000", 0x3000, ""},
		{"0x3000", 0x3000, ""},
		{"cap_net_raw,cap_net_admin=e", 1<<13 | 1<<12, ""},
		{"cap_net_raw+ep", 1 << 13, ""},
		{"CAP_CHOWN=eip", 1, ""},
		{"cap_net_raw=ep cap_net_raw-e", 0, ""},
		{"=", 0, ""},
		{"all=e cap_chown-e", (uint64(1)<<(uint(LastCap())+1) - 1) &^ 1, ""},
		{"net_raw=e", 1 << 13, ""},
		{"cap_bogus=e", 0, "unknown capability"},
		{"cap_chown=x", 0, "unknown flag"},
		{"zzz", 0, "neither"},
		{"", 0, "neither"},
		{"cap_chown+", 0, "needs flags"},
		{"ffffffffffffffff", 0, "above the last capability"},
	}
	for _, tc := range tests {
		got, err := ParseMask(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseMask(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseMask(%q) = %#x, %v; want %#x", tc.in, got, err, tc.want)
		}
	}
}

func TestNames(t *testing.T) {
	for i := range names {
		if n, ok := Lookup(Name(i)); !ok || n != i {
			t.Errorf("Lookup(Name(%d)) = %d, %v", i, n, ok)
		}
	}
	if n, ok := Lookup("13"); !ok || n != 13 {
		t.Errorf("Lookup(13) = %d %v", n, ok)
	}
	if _, ok := Lookup("cap_nope"); ok {
		t.Error("unknown name found")
	}
}

func FuzzParseMask(f *testing.F) {
	for _, s := range []string{"0", "cap_net_raw=e", "all=eip cap_chown-e", "=", "+e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMask(s)
		if err == nil && LastCap() < 63 && m>>(uint(LastCap())+1) != 0 {
			t.Fatalf("ParseMask(%q) = %#x has unknown capabilities", s, m)
		}
	})
}
