package cli

import (
	"strings"
	"testing"
)

func TestParseRlimit(t *testing.T) {
	tests := []struct {
		in       string
		res      int
		cur, max uint64
		err      string
	}{
		{"RLIMIT_NOFILE,1024,4096", 7, 1024, 4096, ""},
		{"7,0x10,020", 7, 16, 16, ""},
		{"RLIMIT_AS,unlimited,unlimited", 9, rlimInfinity, rlimInfinity, ""},
		{"RLIMIT_CORE,0,unlimited", 4, 0, rlimInfinity, ""},
		{"0x0f,1,2", 15, 1, 2, ""},
		{"RLIMIT_OFILE,1,1", 7, 1, 1, ""},
		{"RLIMIT_NOFILE,1024", 0, 0, 0, "want TYPE,CUR,MAX"},
		{"RLIMIT_NOFILE,1,2,3", 0, 0, 0, "want TYPE,CUR,MAX"},
		{",1,2", 0, 0, 0, "want TYPE,CUR,MAX"},
		{"RLIMIT_BOGUS,1,2", 0, 0, 0, `type "RLIMIT_BOGUS"`},
		{"NOFILE,1,2", 0, 0, 0, `type "NOFILE"`},
		{"16,1,2", 0, 0, 0, "no resource number 16"},
		{"RLIMIT_NOFILE,-1,2", 0, 0, 0, `"-1" is not a number`},
		{"RLIMIT_NOFILE,1k,2", 0, 0, 0, "bad soft limit"},
		{"RLIMIT_NOFILE,1,0b1", 0, 0, 0, "bad hard limit"},
		{"RLIMIT_NOFILE,1,1_000", 0, 0, 0, "bad hard limit"},
		{"RLIMIT_NOFILE,09,10", 0, 0, 0, "bad soft limit"},
		{"RLIMIT_NOFILE,5,1", 0, 0, 0, "above the hard limit"},
		{"RLIMIT_NOFILE,unlimited,1", 0, 0, 0, "above the hard limit"},
		{"RLIMIT_NOFILE,18446744073709551616,unlimited", 0, 0, 0, "bad soft limit"},
	}
	for _, tc := range tests {
		r, err := parseRlimit(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseRlimit(%q) = %+v, %v; want error %q", tc.in, r, err, tc.err)
			}
			continue
		}
		if err != nil || r.resource != tc.res || r.cur != tc.cur || r.max != tc.max {
			t.Errorf("parseRlimit(%q) = %+v, %v", tc.in, r, err)
		}
	}
}

func FuzzParseRlimit(f *testing.F) {
	for _, s := range []string{"RLIMIT_NOFILE,1024,4096", "7,0x10,020", "4,unlimited,unlimited", "x", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseRlimit(s)
		if err != nil {
			return
		}
		if r.resource < 0 || r.resource > 15 || r.cur > r.max {
			t.Fatalf("parseRlimit(%q) accepted %+v", s, r)
		}
	})
}
