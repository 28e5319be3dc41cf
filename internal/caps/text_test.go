package caps

import (
	"strings"
	"testing"
)

// libcapCases are the effective sets libcap 2.66's cap_from_text(3) gives
// (read with cap_get_flag for capabilities 0 to 40, as minijail0 does on a
// kernel whose last capability is 40), or "ERR" where it fails, in which case
// minijail0 falls back to a hexadecimal mask. They were produced by a C
// program linked against Debian 12's libcap.
var libcapCases = []struct {
	in  string
	eff uint64
	err bool // cap_from_text fails
}{
	{"cap_net_raw,cap_net_admin=e", 0x3000, false},
	{"=", 0, false},
	{"=e", 0x1ffffffffff, false},
	{"all=e", 0x1ffffffffff, false},
	{"all=ep cap_net_raw-e", 0x1ffffffdfff, false},
	{"+e", 0, true},
	{"-e", 0, true},
	{"cap_net_raw+", 0, true},
	{"cap_net_raw=", 0, false},
	{"cap_net_raw=p", 0, false},
	{"CAP_NET_RAW=e", 0x2000, false},
	{"Cap_Net_Raw=e", 0x2000, false},
	{"12=e", 0x1000, false},
	{"41=e", 0, false},
	{"63=e", 0, false},
	{"64=e", 0, true},
	{"cap_net_raw", 0, true},
	{"0", 0, true},
	{"", 0, false},
	{"3", 0, true},
	{"0x3", 0, true},
	{"cap_chown=e cap_kill=e", 0x21, false},
	{"cap_chown,=e", 0, true},
	{",cap_chown=e", 0, true},
	{"cap_chown=ee", 1, false},
	{"cap_chown=e+p", 1, false},
	{"cap_chown=e-e", 0, false},
	{"cap_chown+e,cap_kill+e", 0, true},
	{"  cap_chown=e  ", 1, false},
	{"cap_chown=x", 0, true},
	{"cap_chown=e\tcap_kill=e", 0x21, false},
	{"cap_chown =e", 0, true},
	{"cap_chown= e", 0, true},
	{"cap_bogus=e", 0, true},
	{"cap_chown=e,cap_kill=e", 0, true},
	{"all-e", 0, false},
	{"all+e", 0x1ffffffffff, false},
	{"cap_checkpoint_restore=e", 0x10000000000, false},
	{"cap_bpf=e", 0x8000000000, false},
	{"cap_chown=epi", 1, false},
	{"cap_chown=E", 0, true},
	{"=p cap_chown+e", 1, false},
	{"all=", 0, false},
	{"all", 0, true},
	{"-1", 0, true},
	{"0x", 0, true},
	{"cap_chown=eip-ip", 1, false},
	{"0x3=e", 0x8, false},
	{"012=e", 0x400, false},
	{"+12=e", 0, true},
	{" 12=e", 0x1000, false},
	{"1,2=e", 0x6, false},
	{"cap_chown,12=e", 0x1001, false},
	{"all,cap_chown=e", 0x1ffffffffff, false},
	{"cap_chown,all=e", 0x1ffffffffff, false},
	{"cap_chown=e=p", 0, true},
	{"cap_chown=+e", 1, false},
	{"cap_chown==e", 0, true},
	{"cap_chown=e\t", 1, false},
	{"cap_chown=e\ncap_kill=e", 0x21, false},
	{"cap_net_raw=ep", 0x2000, false},
	{"cap_chown-e", 0, false},
	{"cap_chown+e", 1, false},
	{"cap_chown+e+p", 1, false},
	{"cap_chown+-", 0, true},
	{"00=e", 1, false},
	{"=e-e", 0, true},
	{"cap_chown=-e", 0, false},
	{"all=ep cap_chown=-p", 0x1fffffffffe, false},
	{"all=ep cap_chown=+i", 0x1fffffffffe, false},
	{"=+e", 0, true},
	{"=-e", 0, true},
	{"cap_chown=e+", 0, true},
	{"cap_chown=e-p+i", 1, false},
	{"cap_chown,cap_kill,=e", 0, true},
	{"_=e", 0, true},
	{"cap_chown=e,", 0, true},
	{"cap_chown=ep-e", 0, false},
	{"all=e cap_chown=", 0x1fffffffffe, false},
	{"=e cap_chown-e", 0x1fffffffffe, false},
	{"cap_chown+i-p=e", 0, true},
	{"cap_chownx=e", 0, true},
	{"cap_chown1=e", 0, true},
	{"cap_net_raw,cap_chown-e", 0, false},
	{"12a=e", 0, true},
	{"0x3f=e", 0, false},
	{"0x40=e", 0, true},
	{"cap_chown=e cap_chown-e", 0, false},
}

func TestCapFromTextMatchesLibcap(t *testing.T) {
	for _, c := range libcapCases {
		got, err := capFromText(c.in, 40)
		if c.err {
			if err == nil {
				t.Errorf("capFromText(%q) = %#x, want an error as libcap gives", c.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("capFromText(%q): %v, libcap gives %#x", c.in, err, c.eff)
			continue
		}
		if got&(1<<41-1) != c.eff {
			t.Errorf("capFromText(%q) = %#x, libcap gives %#x", c.in, got, c.eff)
		}
	}
}

func TestParseCaps(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		err  string
	}{
		{"0", 0, ""},
		{"3", 3, ""},
		{"0x3500", 0x3500, ""},
		{"0X3500", 0x3500, ""},
		{"ffffffffffffffff", ^uint64(0), ""},
		{"cap_net_raw,cap_net_admin=e", 0x3000, ""},
		{"", 0, ""},
		{"all=e", 1<<41 - 1, ""},
		{"63=e", 0, ""},
		{"-1", 0, "needs a list of capabilities"},
		{"0x", 0, "neither"},
		{"zz", 0, "neither"},
		{"10000000000000000", 0, "neither"},
		{"cap_bogus=e", 0, `unknown capability "cap_bogus"`},
		{"cap_chown=x", 0, "unknown flag"},
		{"cap_chown+", 0, "needs flags"},
	}
	for _, tc := range tests {
		got, err := parseMask(tc.in, 40)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), tc.in) {
				t.Errorf("parseMask(%q) = %#x, %v; want an error naming it with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseMask(%q) = %#x, %v; want %#x", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseCaps(f *testing.F) {
	for _, c := range libcapCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseMask(s, 40)
		if err != nil {
			if !strings.Contains(err.Error(), "invalid capability set") {
				t.Fatalf("error of the wrong form: %v", err)
			}
			return
		}
		if m2, err := parseMask(s, 40); err != nil || m2 != m {
			t.Fatalf("not deterministic: %#x %#x %v", m, m2, err)
		}
	})
}
