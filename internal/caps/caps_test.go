package caps

import (
	"strconv"
	"strings"
	"testing"
)

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
		if err == nil && LastCap() < 63 && m>>(uint(LastCap())+1) != 0 && !isHexMask(s) {
			t.Fatalf("ParseMask(%q) = %#x has unknown capabilities", s, m)
		}
	})
}

func isHexMask(s string) bool {
	_, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"), 16, 64)
	return err == nil
}
